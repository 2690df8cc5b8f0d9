/**
 * Local CNN adapter (reference: models/layer/spectrogram_feature_extractor.py,
 * `SpectrogramFeatureExtractor`): per 0.5 s step, [frames, mels] log-mel ->
 * 2 x (Conv2d -> BatchNorm -> ReLU -> MaxPool(2, pad 1)) -> Conv2d 1x1 -> flatten.
 *
 * The wasm backend has no Conv2DBackpropFilter kernel (STYLE.md B13), so training uses
 * `conv2dTrainable` (native forward, filter gradient as a convolution); evaluation folds BatchNorm
 * into a fused conv+ReLU. `conv2dIm2col` is the slow, obvious reference the tests compare against.
 * Layout is channels-last (NHWC).
 */
import * as tf from '@tensorflow/tfjs-core';
import { P, type ParamMap } from '../params';
import { batchNorm, mm, type ForwardContext } from './ops';

/**
 * 2-D convolution (stride 1) as im2col + matMul.
 * @param x `[N, H, W, Cin]`
 * @param kernel `[kh, kw, Cin, Cout]`
 * @param bias `[Cout]`
 * @param pad `[padH, padW]` zeros on both sides
 * @returns `[N, H + 2 padH - kh + 1, W + 2 padW - kw + 1, Cout]`, owned by the caller.
 */
export function conv2dIm2col(x: tf.Tensor4D, kernel: tf.Tensor, bias: tf.Tensor, pad: [number, number]): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const [kh, kw, kcin, cout] = kernel.shape as [number, number, number, number];
  if (kcin !== cin) throw new Error(`conv2dIm2col: expected ${kcin} input channels, got [${x.shape.join(', ')}]`);
  const xp =
    pad[0] || pad[1]
      ? tf.pad(x, [
          [0, 0],
          [pad[0], pad[0]],
          [pad[1], pad[1]],
          [0, 0],
        ])
      : x;
  const ho = h + 2 * pad[0] - kh + 1;
  const wo = w + 2 * pad[1] - kw + 1;
  let patches: tf.Tensor;
  if (kh === 1 && kw === 1) patches = xp;
  else {
    const cols: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) cols.push(tf.slice(xp, [0, i, j, 0], [n, ho, wo, cin]));
    patches = tf.concat(cols, 3); // [N, ho, wo, kh*kw*cin], order (i, j, c) = kernel's row-major order
  }
  const y = mm(tf.reshape(patches, [n * ho * wo, kh * kw * cin]), tf.reshape(kernel, [kh * kw * cin, cout]));
  return tf.reshape(tf.add(y, bias), [n, ho, wo, cout]) as tf.Tensor4D;
}

type Pad4 = [[number, number], [number, number], [number, number], [number, number]];
const explicitPad = (pad: [number, number]): Pad4 => [
  [0, 0],
  [pad[0], pad[0]],
  [pad[1], pad[1]],
  [0, 0],
];

/**
 * Trainable 2-D convolution (stride 1, symmetric zero padding) on every backend: the forward pass
 * and the input gradient use the native Conv2D / Conv2DBackpropInput kernels; the filter gradient
 * (Conv2DBackpropFilter, missing on wasm) is computed as a convolution of the input with the
 * output gradient: dW[i, j, ci, co] = sum_{n,h,w} xp[n, h+i, w+j, ci] * dy[n, h, w, co], i.e.
 * conv2d(xp^T [ci, Hp, Wp, N], dy^T [Ho, Wo, N, co]) -> [ci, kh, kw, co].
 * @param x `[N, H, W, Cin]`, kernel `[kh, kw, Cin, Cout]`
 * @param inputGrad false when x never needs a gradient (the network's input spectrogram): the
 *   input gradient is then zeros instead of a convolution
 * @returns `[N, Ho, Wo, Cout]` (without bias), owned by the caller.
 */
export function conv2dTrainable(x: tf.Tensor4D, kernel: tf.Tensor4D, pad: [number, number], inputGrad = true): tf.Tensor4D {
  const f = tf.customGrad(((xi: tf.Tensor4D, ki: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xi, ki]);
    return {
      value: tf.conv2d(xi, ki, 1, explicitPad(pad)),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sk] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [kh, kw] = sk.shape;
        const fullPad: [number, number] = [kh - 1 - pad[0], kw - 1 - pad[1]];
        let dx: tf.Tensor;
        if (!inputGrad) dx = tf.zeros(sx.shape);
        else if (fullPad[0] >= 0 && fullPad[1] >= 0) {
          // dx is the full correlation of dy with the flipped kernel (in/out swapped): a forward
          // Conv2D, ~5x faster on wasm than its Conv2DBackpropInput kernel.
          const flipped = tf.transpose(tf.reverse(sk, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
          dx = tf.conv2d(dy, flipped, 1, explicitPad(fullPad));
        } else dx = tf.conv2dTranspose(dy, sk, sx.shape, 1, explicitPad(pad) as never);
        const xp = tf.pad(sx, explicitPad(pad));
        const dw = tf.conv2d(tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid');
        return [dx, tf.transpose(dw, [1, 2, 0, 3])];
      },
    };
  }) as never) as (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D;
  return f(x, kernel);
}

/**
 * MaxPool2d(kernel 2, stride 2, padding 1) with PyTorch's floor-mode output size
 * (floor(n / 2) + 1 per axis). Padding is -1e30 (PyTorch pads max-pool with -inf).
 * @param x `[N, H, W, C]`
 * @returns `[N, floor(H/2)+1, floor(W/2)+1, C]`, owned by the caller.
 */
export function maxPool2Pad1(x: tf.Tensor4D): tf.Tensor4D {
  // tfjs with numeric pad: out = trunc((n - 2 + 2) / 2 + 1) = floor(n / 2) + 1, as PyTorch's
  // floor mode; padded cells never win the max (MaxPool/MaxPoolGrad exist on wasm).
  return tf.maxPool(x, 2, 2, 1);
}

/** Running-statistics update candidates from a training-mode forward (per BatchNorm layer). */
export type BatchStats = Record<string, { mean: tf.Tensor; varUnbiased: tf.Tensor }>;

/**
 * The local CNN adapter.
 * @param mel `[N, frames, mels]` (N = batch x steps)
 * @param stats when given (training), receives each BN layer's batch statistics (caller disposes)
 * @returns `[N, flat]` (flat = 476 for 51 x 128), owned by the caller.
 */
export function spectrogramFeatureExtractor(
  params: ParamMap,
  mel: tf.Tensor3D,
  ctx: ForwardContext,
  eps: number,
  stats?: BatchStats,
): tf.Tensor2D {
  const [n, f, m] = mel.shape;
  let x = tf.reshape(mel, [n, f, m, 1]) as tf.Tensor4D;
  const pads: Array<[number, number]> = [
    [2, 1],
    [1, 1],
  ];
  for (let b = 0; b < 2; b++) {
    const L = `${P.cnn}.feature_extractor.${b}`;
    const kernel = params[`${L}.conv.kernel`] as tf.Tensor4D;
    const bnp = {
      gamma: params[`${L}.bn.gamma`],
      beta: params[`${L}.bn.beta`],
      runningMean: params[`${L}.bn.running_mean`],
      runningVar: params[`${L}.bn.running_var`],
    };
    let act: tf.Tensor4D;
    if (!ctx.training) {
      // Evaluation: fold BatchNorm (running stats) into the conv and fuse the ReLU (one kernel).
      const scale = tf.mul(bnp.gamma, tf.rsqrt(tf.add(bnp.runningVar, eps)));
      const bias = tf.add(tf.mul(tf.sub(params[`${L}.conv.bias`], bnp.runningMean), scale), bnp.beta);
      act = tf.fused.conv2d({
        x,
        filter: tf.mul(kernel, scale) as tf.Tensor4D,
        strides: 1,
        pad: explicitPad(pads[b]),
        bias,
        activation: 'relu',
      });
    } else {
      // The first block's input is the spectrogram, which never needs a gradient.
      const conv = tf.add(conv2dTrainable(x, kernel, pads[b], b > 0), params[`${L}.conv.bias`]);
      const bn = batchNorm(conv, bnp, true, eps);
      if (stats && bn.mean && bn.varUnbiased) stats[`${L}.bn`] = { mean: bn.mean, varUnbiased: bn.varUnbiased };
      act = tf.relu(bn.y) as tf.Tensor4D;
    }
    x = maxPool2Pad1(act);
  }
  const [, h2, w2, c2] = x.shape;
  // conv1x1 16 -> 1 is a matMul over channels.
  const z = tf.add(mm(tf.reshape(x, [n * h2 * w2, c2]), tf.reshape(params[`${P.cnn}.conv1x1.kernel`], [c2, 1])), params[`${P.cnn}.conv1x1.bias`]);
  // PyTorch flattens [1, H', W'] row-major: same order as our [H', W', 1].
  return tf.reshape(z, [n, h2 * w2]) as tf.Tensor2D;
}
