/**
 * Low-level tensor helpers shared by the layers: a wasm-friendly matMul with explicit-transpose
 * gradients, dense, GELU, layer/batch norm and seeded dropout. All functions return new tensors
 * owned by the caller and never dispose their inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../tf-gradients';

/** Swaps the last two axes (explicit transpose; see `mm`). */
export function swapLast2(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/**
 * Matrix product `a @ b` (rank 2, or rank 3 with equal batch sizes) whose gradient uses explicit
 * transposes instead of matMul's transposeA/B flags: on the wasm backend a transposed matMul is
 * ~11x slower than transpose + matMul (STYLE.md B13), which halves training time here.
 * @param a `[m, k]` or `[batch, m, k]`
 * @param b `[k, n]` or `[batch, k, n]`
 * @returns `[m, n]` or `[batch, m, n]`, owned by the caller.
 */
export const mm: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = tf.customGrad(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved;
        return [tf.matMul(dy, swapLast2(sb)), tf.matMul(swapLast2(sa), dy)];
      },
    };
  }) as never,
) as never;

/**
 * Linear layer `x @ kernel + bias` over the last axis of any-rank `x`.
 * @param x `[..., in]`
 * @param kernel `[in, out]`
 * @param bias `[out]`
 * @returns `[..., out]`, owned by the caller.
 */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  if (inDim !== kernel.shape[0]) {
    throw new Error(`dense: expected input [..., ${kernel.shape[0]}], got [${x.shape.join(', ')}]`);
  }
  const outDim = kernel.shape[1] as number;
  const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  let y = mm(x2, kernel);
  if (bias) y = tf.add(y, bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

/** Exact (erf) GELU as PyTorch's default `nn.GELU` / HF "gelu": 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta (biased variance). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** BatchNorm parameters of one layer (`gamma`, `beta`, `running_mean`, `running_var`). */
export interface BatchNormParams {
  gamma: tf.Tensor;
  beta: tf.Tensor;
  runningMean: tf.Tensor;
  runningVar: tf.Tensor;
}

/**
 * BatchNorm over all axes but the last (channels-last), as nn.BatchNorm2d: training mode uses the
 * batch statistics (biased variance) and also returns them (with the unbiased variance PyTorch
 * uses for its running update); eval mode uses the running statistics.
 * @returns `y` (same shape as x) and, in training, `mean`/`varUnbiased` `[C]`; all owned by the caller.
 */
export function batchNorm(
  x: tf.Tensor,
  p: BatchNormParams,
  training: boolean,
  eps: number,
): { y: tf.Tensor; mean?: tf.Tensor; varUnbiased?: tf.Tensor } {
  const axes = [...Array(x.rank - 1).keys()];
  if (!training) {
    const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, eps)));
    const shift = tf.sub(p.beta, tf.mul(p.runningMean, scale));
    return { y: tf.add(tf.mul(x, scale), shift) };
  }
  const mean = tf.mean(x, axes);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axes);
  const y = tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), p.gamma), p.beta);
  const n = x.size / x.shape[x.rank - 1];
  const varUnbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
  return { y, mean, varUnbiased };
}

/**
 * Forward-pass context: training flag and a dropout that draws a fresh seeded mask per call.
 * Dropout masks come from tf.randomUniform (a JS generator), so they work on every backend.
 */
export class ForwardContext {
  readonly training: boolean;
  readonly rate: number;
  #seed: number | undefined;
  #calls = 0;
  constructor(training: boolean, rate: number, seed?: number) {
    this.training = training;
    this.rate = rate;
    this.#seed = seed;
  }
  /** Inverted dropout (identity in eval mode or with rate 0). Returns a new tensor (or `x` itself in eval). */
  dropout(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.rate <= 0) return x;
    const seed = this.#seed === undefined ? undefined : this.#seed * 7919 + this.#calls++;
    return tf.dropout(x, this.rate, undefined, seed);
  }
}
