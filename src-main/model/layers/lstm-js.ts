/**
 * Bidirectional LSTM recurrence as ONE custom-gradient op computed in plain JS (forward and
 * backpropagation through time), for small hidden sizes on the wasm/cpu backends.
 *
 * Why: on wasm the tf-op LSTM costs ~15 kernel calls per step forward and ~3x that backward, and
 * per-call overhead (tape bookkeeping, heap copies) dominates at compact sizes (H = 64): one
 * 16-step adaptation spent most of its time there. The recurrence is only B x S x H x 4H x 2
 * multiply-adds (2M for one compact clip), which JS does in a few milliseconds.
 * The tf-op version (`biLstmOps` in prediction.ts) stays the reference and is used for large H
 * and on native backends; prediction.test.ts checks both against a slow JS LSTM and each other.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * @param proj `[B, S, 8H]` input projections incl. both biases: forward gates then backward gates,
 *   each in PyTorch order (i, f, g, o)
 * @param uf `[H, 4H]` forward recurrent kernel; @param ub backward recurrent kernel
 * @returns `[B, S, 2H]` forward then backward hidden states per step, owned by the caller.
 */
export function biLstmRecurrenceJs(proj: tf.Tensor3D, uf: tf.Tensor2D, ub: tf.Tensor2D): tf.Tensor3D {
  const op = tf.customGrad(((p: tf.Tensor3D, u0: tf.Tensor2D, u1: tf.Tensor2D) => {
    const [B, S, G8] = p.shape;
    const G = G8 / 2;
    const H = G / 4;
    const P = p.dataSync() as Float32Array;
    const U = [u0.dataSync() as Float32Array, u1.dataSync() as Float32Array];
    const out = new Float32Array(B * S * 2 * H);
    // Saved activations per (dir, b, t): gates after nonlinearity [4H], c [H], tanh(c) [H].
    const act = new Float32Array(2 * B * S * G);
    const cs = new Float32Array(2 * B * S * H);
    const tcs = new Float32Array(2 * B * S * H);
    const z = new Float64Array(G);
    for (let d = 0; d < 2; d++) {
      const u = U[d];
      for (let b = 0; b < B; b++) {
        let hPrevOff = -1; // offset of previous h in `out` (or -1 for zeros)
        let cPrevOff = -1;
        for (let k = 0; k < S; k++) {
          const t = d === 0 ? k : S - 1 - k;
          const pOff = (b * S + t) * G8 + d * G;
          for (let j = 0; j < G; j++) z[j] = P[pOff + j];
          if (hPrevOff >= 0) {
            for (let m = 0; m < H; m++) {
              const hv = out[hPrevOff + m];
              if (hv === 0) continue;
              const row = m * G;
              for (let j = 0; j < G; j++) z[j] += hv * u[row + j];
            }
          }
          const aOff = ((d * B + b) * S + t) * G;
          const cOff = ((d * B + b) * S + t) * H;
          const hOff = (b * S + t) * 2 * H + d * H;
          for (let j = 0; j < H; j++) {
            const ig = 1 / (1 + Math.exp(-z[j]));
            const fg = 1 / (1 + Math.exp(-z[H + j]));
            const gg = Math.tanh(z[2 * H + j]);
            const og = 1 / (1 + Math.exp(-z[3 * H + j]));
            const cPrev = cPrevOff >= 0 ? cs[cPrevOff + j] : 0;
            const cv = fg * cPrev + ig * gg;
            const tc = Math.tanh(cv);
            act[aOff + j] = ig;
            act[aOff + H + j] = fg;
            act[aOff + 2 * H + j] = gg;
            act[aOff + 3 * H + j] = og;
            cs[cOff + j] = cv;
            tcs[cOff + j] = tc;
            out[hOff + j] = og * tc;
          }
          hPrevOff = hOff;
          cPrevOff = cOff;
        }
      }
    }
    const value = tf.tensor3d(out, [B, S, 2 * H]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const DY = dy.dataSync() as Float32Array;
      const dP = new Float32Array(B * S * G8);
      const dU = [new Float32Array(H * G), new Float32Array(H * G)];
      const dz = new Float64Array(G);
      const dhNext = new Float64Array(H);
      const dcNext = new Float64Array(H);
      for (let d = 0; d < 2; d++) {
        const u = U[d];
        const du = dU[d];
        for (let b = 0; b < B; b++) {
          dhNext.fill(0);
          dcNext.fill(0);
          for (let k = S - 1; k >= 0; k--) {
            const t = d === 0 ? k : S - 1 - k;
            const tPrev = d === 0 ? t - 1 : t + 1; // previous step in this direction's order
            const hasPrev = k > 0;
            const aOff = ((d * B + b) * S + t) * G;
            const cOff = ((d * B + b) * S + t) * H;
            const cPrevOff = hasPrev ? ((d * B + b) * S + tPrev) * H : -1;
            const hOff = (b * S + t) * 2 * H + d * H;
            for (let j = 0; j < H; j++) {
              const dh = DY[hOff + j] + dhNext[j];
              const ig = act[aOff + j];
              const fg = act[aOff + H + j];
              const gg = act[aOff + 2 * H + j];
              const og = act[aOff + 3 * H + j];
              const tc = tcs[cOff + j];
              const dc = dh * og * (1 - tc * tc) + dcNext[j];
              const cPrev = cPrevOff >= 0 ? cs[cPrevOff + j] : 0;
              dz[j] = dc * gg * ig * (1 - ig);
              dz[H + j] = dc * cPrev * fg * (1 - fg);
              dz[2 * H + j] = dc * ig * (1 - gg * gg);
              dz[3 * H + j] = dh * tc * og * (1 - og);
              dcNext[j] = dc * fg;
            }
            const pOff = (b * S + t) * G8 + d * G;
            for (let j = 0; j < G; j++) dP[pOff + j] = dz[j];
            if (hasPrev) {
              const hPrevOff = (b * S + tPrev) * 2 * H + d * H;
              for (let m = 0; m < H; m++) {
                const hv = out[hPrevOff + m];
                const row = m * G;
                let acc = 0;
                for (let j = 0; j < G; j++) {
                  du[row + j] += hv * dz[j];
                  acc += dz[j] * u[row + j];
                }
                dhNext[m] = acc;
              }
            } else dhNext.fill(0);
          }
        }
      }
      return [tf.tensor3d(dP, [B, S, G8]), tf.tensor2d(dU[0], [H, G]), tf.tensor2d(dU[1], [H, G])];
    };
    return { value, gradFunc };
  }) as never) as (a: tf.Tensor3D, b: tf.Tensor2D, c: tf.Tensor2D) => tf.Tensor3D;
  return op(proj, uf, ub);
}
