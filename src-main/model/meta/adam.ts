/**
 * Adam over a functional ParamMap, with explicit state (m, v, t) so it can be checkpointed with the
 * params and resumed exactly. Same update as torch.optim.Adam (betas 0.9/0.999, eps 1e-8, bias
 * correction, no weight decay), which the reference trains with.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamMap } from './inner-loop';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Owns the moment tensors. Call `dispose()` when done. */
export class AdamState {
  m: ParamMap = {};
  v: ParamMap = {};
  t = 0;

  /** Restores state from plain arrays (checkpoint). Tensors are created and owned by this object. */
  static fromArrays(t: number, m: Record<string, { shape: number[]; data: Float32Array }>, v: Record<string, { shape: number[]; data: Float32Array }>): AdamState {
    const s = new AdamState();
    s.t = t;
    for (const [k, x] of Object.entries(m)) s.m[k] = tf.tensor(x.data, x.shape);
    for (const [k, x] of Object.entries(v)) s.v[k] = tf.tensor(x.data, x.shape);
    return s;
  }

  /**
   * One Adam step. Grads missing for a param leave it unchanged.
   * @param params current params (not disposed)
   * @param grads gradients by name (not disposed)
   * @returns new params (ALL names, unchanged ones cloned) owned by the caller; this state's moments are replaced
   */
  step(params: ParamMap, grads: ParamMap, opts: AdamOptions): ParamMap {
    const b1 = opts.beta1 ?? 0.9;
    const b2 = opts.beta2 ?? 0.999;
    const eps = opts.eps ?? 1e-8;
    this.t += 1;
    const t = this.t;
    const out: ParamMap = {};
    for (const name of Object.keys(params)) {
      const g = grads[name];
      if (!g) {
        out[name] = tf.clone(params[name]);
        continue;
      }
      const oldM = this.m[name];
      const oldV = this.v[name];
      const [p, m, v] = tf.tidy(() => {
        const m = tf.add(tf.mul(oldM ?? tf.zerosLike(g), b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(oldV ?? tf.zerosLike(g), b2), tf.mul(tf.square(g), 1 - b2));
        const mHat = tf.div(m, 1 - b1 ** t);
        const vHat = tf.div(v, 1 - b2 ** t);
        const p = tf.sub(params[name], tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), eps)), opts.lr));
        return [p, m, v];
      });
      tf.dispose([oldM, oldV].filter(Boolean) as tf.Tensor[]);
      this.m[name] = m;
      this.v[name] = v;
      out[name] = p;
    }
    return out;
  }

  dispose(): void {
    tf.dispose([...Object.values(this.m), ...Object.values(this.v)]);
    this.m = {};
    this.v = {};
  }
}
