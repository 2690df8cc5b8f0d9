/**
 * Predictor (reference models/layer/predicton.py `SequenceValuePredictionModel`):
 * BiLSTM -> Linear(2H -> headHidden) -> Dropout -> Linear(headHidden -> 2). No final activation.
 *
 * The LSTM runs with tf ops over time steps. Input projections for all steps and both directions
 * are one matMul; both directions then advance together with one batched [2, B, H] x [2, H, 4H]
 * matMul per step, which halves the number of (per-op overhead dominated) kernel calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import { P, type ParamMap } from '../params';
import { dense, mm, type ForwardContext } from './ops';

/**
 * Bidirectional LSTM, PyTorch semantics (gates i, f, g, o; zero initial state).
 * @param x `[B, S, D]`
 * @returns `[B, S, 2H]` (forward states then backward states per step), owned by the caller.
 */
export function biLstm(params: ParamMap, x: tf.Tensor3D): tf.Tensor3D {
  const [b, s] = x.shape;
  const Lf = `${P.lstm}.forward`;
  const Lb = `${P.lstm}.backward`;
  const hdim = params[`${Lf}.recurrent_kernel`].shape[0];
  const kernel = tf.concat([params[`${Lf}.kernel`], params[`${Lb}.kernel`]], 1); // [D, 8H]
  const bias = tf.concat([
    tf.add(params[`${Lf}.bias_ih`], params[`${Lf}.bias_hh`]),
    tf.add(params[`${Lb}.bias_ih`], params[`${Lb}.bias_hh`]),
  ]);
  const proj = tf.reshape(dense(x, kernel, bias), [b, s, 2, 4 * hdim]);
  // [S, 2, B, 4H]; the backward direction reads time reversed.
  const byTime = tf.transpose(proj, [1, 2, 0, 3]);
  const fwdIn = tf.slice(byTime, [0, 0, 0, 0], [s, 1, b, 4 * hdim]);
  const bwdIn = tf.reverse(tf.slice(byTime, [0, 1, 0, 0], [s, 1, b, 4 * hdim]), 0);
  const steps = tf.unstack(tf.concat([fwdIn, bwdIn], 1)); // S x [2, B, 4H]
  const recurrent = tf.stack([params[`${Lf}.recurrent_kernel`], params[`${Lb}.recurrent_kernel`]]); // [2, H, 4H]
  let h: tf.Tensor = tf.zeros([2, b, hdim]);
  let c: tf.Tensor = tf.zeros([2, b, hdim]);
  const outs: tf.Tensor[] = [];
  for (let t = 0; t < s; t++) {
    const gates = tf.add(steps[t], mm(h, recurrent)); // [2, B, 4H]
    const [gi, gf, gg, go] = tf.split(gates, 4, 2);
    c = tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
    h = tf.mul(tf.sigmoid(go), tf.tanh(c));
    outs.push(h);
  }
  const all = tf.stack(outs); // [S, 2, B, H]
  const fwd = tf.slice(all, [0, 0, 0, 0], [s, 1, b, hdim]);
  const bwd = tf.reverse(tf.slice(all, [0, 1, 0, 0], [s, 1, b, hdim]), 0);
  // -> [B, S, 2H] with the forward half first (PyTorch's output layout).
  return tf.reshape(tf.transpose(tf.concat([fwd, bwd], 1), [2, 0, 1, 3]), [b, s, 2 * hdim]) as tf.Tensor3D;
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
