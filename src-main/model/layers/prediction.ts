/**
 * Predictor (reference models/layer/predicton.py `SequenceValuePredictionModel`):
 * BiLSTM -> Linear(2H -> headHidden) -> Dropout -> Linear(headHidden -> 2). No final activation.
 *
 * The LSTM runs with tf ops over time steps. Input projections for all steps and both directions
 * are one matMul; both directions then advance together with one batched [2, B, H] x [2, H, 4H]
 * matMul per step, which halves the number of (per-op overhead dominated) kernel calls.
 * The reference BiLSTM is checked against a plain-JS LSTM in prediction.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { P, type ParamMap } from '../params';
import { biLstmRecurrenceJs } from './lstm-js';
import { dense, mm, type ForwardContext } from './ops';

const selectorCache = new Map<number, { steps: Float32Array[]; dirs: Float32Array }>();

/**
 * Constant selector matrices for sequence length `s` (plain arrays, cached; tensors are made per call):
 * `steps[t]` is e_t as [2, 1, S] (the same row for both directions) and `dirs` is [2, S, S] with
 * the identity (forward) and the time reversal (backward).
 */
function selectors(s: number): { steps: Float32Array[]; dirs: Float32Array } {
  let v = selectorCache.get(s);
  if (!v) {
    const steps = Array.from({ length: s }, (_, t) => {
      const a = new Float32Array(2 * s);
      a[t] = 1;
      a[s + t] = 1;
      return a;
    });
    const dirs = new Float32Array(2 * s * s);
    for (let t = 0; t < s; t++) {
      dirs[t * s + t] = 1;
      dirs[s * s + t * s + (s - 1 - t)] = 1;
    }
    v = { steps, dirs };
    selectorCache.set(s, v);
  }
  return v;
}

/**
 * Bidirectional LSTM, PyTorch semantics (gates i, f, g, o; zero initial state).
 *
 * Per-step inputs are picked with one-hot matMuls rather than slice/unstack: the wasm backend's
 * Slice copies the WHOLE input tensor out of the heap on every call (readSync), so S slices of the
 * [S, ...] projection cost S full copies. The backward direction is time-reversed with a
 * permutation matMul (wasm Reverse is slow too).
 * @param x `[B, S, D]`
 * @returns `[B, S, 2H]` (forward states then backward states per step), owned by the caller.
 */
export function biLstmOps(params: ParamMap, x: tf.Tensor3D): tf.Tensor3D {
  const [b, s] = x.shape;
  const Lf = `${P.lstm}.forward`;
  const Lb = `${P.lstm}.backward`;
  const hdim = params[`${Lf}.recurrent_kernel`].shape[0] as number;
  const g4 = 4 * hdim;
  const sel = selectors(s);
  const dirs = tf.tensor3d(sel.dirs, [2, s, s]);
  const kernel = tf.concat([params[`${Lf}.kernel`], params[`${Lb}.kernel`]], 1); // [D, 8H]
  const bias = tf.concat([
    tf.add(params[`${Lf}.bias_ih`], params[`${Lf}.bias_hh`]),
    tf.add(params[`${Lb}.bias_ih`], params[`${Lb}.bias_hh`]),
  ]);
  const proj = tf.reshape(dense(x, kernel, bias), [b, s, 2, g4]);
  // [2, S, B*4H], backward direction already time-reversed.
  const byDir = tf.reshape(tf.transpose(proj, [2, 1, 0, 3]), [2, s, b * g4]);
  const inputs = mm(dirs, byDir);
  const recurrent = tf.stack([params[`${Lf}.recurrent_kernel`], params[`${Lb}.recurrent_kernel`]]); // [2, H, 4H]
  let h: tf.Tensor = tf.zeros([2, b, hdim]);
  let c: tf.Tensor = tf.zeros([2, b, hdim]);
  const outs: tf.Tensor[] = [];
  for (let t = 0; t < s; t++) {
    const xt = tf.reshape(tf.matMul(tf.tensor3d(sel.steps[t], [2, 1, s]), inputs), [2, b, g4]);
    const gates = t === 0 ? xt : tf.add(xt, mm(h, recurrent)); // [2, B, 4H]
    const [gi, gf, gg, go] = tf.split(gates, 4, 2);
    c = t === 0 ? tf.mul(tf.sigmoid(gi), tf.tanh(gg)) : tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
    h = tf.mul(tf.sigmoid(go), tf.tanh(c));
    outs.push(h);
  }
  // [S, 2, B, H] -> [2, S, B*H]; undo the backward direction's reversal; -> [B, S, 2H]
  const all = tf.reshape(tf.transpose(tf.stack(outs), [1, 0, 2, 3]), [2, s, b * hdim]);
  const ordered = tf.reshape(mm(dirs, all), [2, s, b, hdim]);
  return tf.reshape(tf.transpose(ordered, [2, 1, 0, 3]), [b, s, 2 * hdim]) as tf.Tensor3D;
}

/** Hidden sizes up to this use the plain-JS recurrence on wasm/cpu (see lstm-js.ts). */
export const JS_LSTM_MAX_HIDDEN = 128;

/**
 * Bidirectional LSTM: the plain-JS recurrence op for small H on wasm/cpu, else `biLstmOps`.
 * Same semantics either way (tested).
 * @param x `[B, S, D]`
 * @returns `[B, S, 2H]`, owned by the caller.
 */
export function biLstm(params: ParamMap, x: tf.Tensor3D, impl: 'auto' | 'js' | 'ops' = 'auto'): tf.Tensor3D {
  const hdim = params[`${P.lstm}.forward.recurrent_kernel`].shape[0] as number;
  const useJs = impl === 'js' || (impl === 'auto' && hdim <= JS_LSTM_MAX_HIDDEN && ['wasm', 'cpu'].includes(tf.getBackend()));
  if (!useJs) return biLstmOps(params, x);
  const Lf = `${P.lstm}.forward`;
  const Lb = `${P.lstm}.backward`;
  return tf.tidy(() => {
    const kernel = tf.concat([params[`${Lf}.kernel`], params[`${Lb}.kernel`]], 1); // [D, 8H]
    const bias = tf.concat([
      tf.add(params[`${Lf}.bias_ih`], params[`${Lf}.bias_hh`]),
      tf.add(params[`${Lb}.bias_ih`], params[`${Lb}.bias_hh`]),
    ]);
    const proj = dense(x, kernel, bias) as tf.Tensor3D;
    return biLstmRecurrenceJs(proj, params[`${Lf}.recurrent_kernel`] as tf.Tensor2D, params[`${Lb}.recurrent_kernel`] as tf.Tensor2D);
  });
}

/**
 * The full predictor.
 * @param x `[B, S, D]`
 * @returns `[B, S, 2]` (arousal, valence), owned by the caller.
 */
export function sequenceValuePrediction(params: ParamMap, x: tf.Tensor3D, ctx: ForwardContext): tf.Tensor3D {
  const y = biLstm(params, x);
  const hdn = ctx.dropout(dense(y, params[`${P.head}.0.kernel`], params[`${P.head}.0.bias`]));
  return dense(hdn, params[`${P.head}.2.kernel`], params[`${P.head}.2.bias`]) as tf.Tensor3D;
}
