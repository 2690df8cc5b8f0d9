/**
 * MAML inner loop: plain SGD on a support set, starting from given params, producing "fast" params.
 *
 * Reference: Littleor/Personalized-DMER `train_meta.py` (inner SGD lr 5e-3, 16 steps, the same number
 * at test time; see /work/shared/DSAML.md). First-order: the inner updates are not differentiated
 * through (each step's gradient is taken at the current fast params and the result is a constant),
 * which is what FOMAML needs and what keeps memory flat on CPU.
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradient functions (H4's side-effect module; the Node entry ships none).
import '../tf-gradients';

/** Named parameter tensors (same shape as H4's params.ts ParamMap). */
export type ParamMap = Record<string, tf.Tensor>;

/**
 * A loss of `params` on a batch. Must be synchronous and return a scalar; it is run inside
 * tf.valueAndGrads, so intermediate tensors are cleaned up automatically.
 */
export type ForwardLoss<B> = (params: ParamMap, batch: B) => tf.Scalar;

/** Inner-loop settings (defaults: the reference's 16 steps at lr 5e-3). */
export interface AdaptOptions {
  steps?: number;
  lr?: number;
  /**
   * Which params are adapted (default: all). Others are carried over unchanged; restricting the set
   * is a documented CPU option (e.g. adapt only the predictor head).
   */
  trainable?: (name: string) => boolean;
  /** Clip each step's global gradient norm to this value (default: no clipping). */
  clipNorm?: number;
  /** Called with (step index, loss before the step). */
  onStep?: (step: number, loss: number) => void;
}

export const INNER_DEFAULTS = { steps: 16, lr: 5e-3 } as const;

/**
 * Scales a list of gradients so their global L2 norm is at most `maxNorm`.
 * @returns new tensors owned by the caller (inside tidy when called from one)
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): tf.Tensor[] {
  return tf.tidy(() => {
    const sq = tf.addN(grads.map((g) => tf.sum(tf.square(g))));
    const norm = tf.sqrt(sq);
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    return grads.map((g) => tf.mul(g, scale));
  });
}

/**
 * Runs `steps` SGD steps of `forwardLoss` on `support` starting from `params`.
 *
 * Ownership: `params` and `support` are only read (never disposed). The returned map holds NEW
 * tensors for every name (unadapted entries are clones sharing storage), all owned by the caller,
 * who must `tf.dispose(Object.values(fast))`. Intermediate fast params are disposed as they are
 * replaced, so memory does not grow with `steps`.
 *
 * @returns `{ params: fast params, losses: loss before each step, finalLoss: loss after the last step }`
 */
export function adapt<B>(
  forwardLoss: ForwardLoss<B>,
  params: ParamMap,
  support: B,
  opts: AdaptOptions = {},
): { params: ParamMap; losses: number[]; finalLoss: number } {
  const steps = opts.steps ?? INNER_DEFAULTS.steps;
  const lr = opts.lr ?? INNER_DEFAULTS.lr;
  const names = Object.keys(params).filter((n) => (opts.trainable ? opts.trainable(n) : true));
  const fixedNames = Object.keys(params).filter((n) => !names.includes(n));
  let fast: ParamMap = {};
  for (const n of Object.keys(params)) fast[n] = tf.clone(params[n]);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const current = fast;
    const next = tf.tidy(() => {
      const f = (...xs: tf.Tensor[]): tf.Scalar => {
        const p: ParamMap = {};
        for (const n of fixedNames) p[n] = current[n];
        names.forEach((n, i) => (p[n] = xs[i]));
        return forwardLoss(p, support);
      };
      const { value, grads } = tf.valueAndGrads(f)(names.map((n) => current[n]));
      losses.push(value.dataSync()[0]);
      const g = opts.clipNorm ? clipByGlobalNorm(grads, opts.clipNorm) : grads;
      const out: ParamMap = {};
      names.forEach((n, i) => (out[n] = tf.sub(current[n], tf.mul(g[i], lr))));
      for (const n of fixedNames) out[n] = tf.clone(current[n]);
      return out;
    });
    tf.dispose(Object.values(current));
    fast = next;
    opts.onStep?.(s, losses[s]);
  }
  const finalLoss = tf.tidy(() => forwardLoss(fast, support).dataSync()[0]);
  return { params: fast, losses, finalLoss };
}

/**
 * Gradients of `forwardLoss` at `params` on `batch` for the `names` given.
 * @returns `{ loss, grads }` with new gradient tensors (keyed by name) owned by the caller
 */
export function lossAndGrads<B>(
  forwardLoss: ForwardLoss<B>,
  params: ParamMap,
  batch: B,
  names: string[],
): { loss: number; grads: ParamMap } {
  const fixedNames = Object.keys(params).filter((n) => !names.includes(n));
  return tf.tidy(() => {
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      const p: ParamMap = {};
      for (const n of fixedNames) p[n] = params[n];
      names.forEach((n, i) => (p[n] = xs[i]));
      return forwardLoss(p, batch);
    };
    const { value, grads } = tf.valueAndGrads(f)(names.map((n) => params[n]));
    const out: ParamMap = {};
    names.forEach((n, i) => (out[n] = grads[i]));
    return { loss: value.dataSync()[0], grads: out };
  });
}
