/**
 * Multi-head self-attention with relative-position keys and the post-LN transformer encoder
 * (reference: models/layer/attention.py `MultiHeadAttention` with position_embedding_type
 * "relative_key", models/layer/transformer_encoder.py = BLIP-2 Q-Former layers without
 * cross-attention). No absolute positions.
 *
 * The relative term einsum("bhld,lrd->bhlr", q, E[l - r + P - 1]) is computed without gather
 * (whose gradient the wasm backend lacks) and without einsum (missing on wasm): the needed
 * 2S - 1 rows of the distance table are sliced, spread to [S, S, dh] by a constant one-hot
 * matrix (a matMul, so its gradient exists everywhere), and contracted per query position with
 * one batched matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../config';
import { P, type ParamMap } from '../params';
import { dense, gelu, layerNorm, mm, type ForwardContext } from './ops';

const oneHotCache = new Map<number, Float32Array>();

/**
 * Constant spreading matrix O [2S - 1, S * S]: O[k, l * S + r] = 1 iff k = l - r + S - 1.
 * Cached as a plain array per S (tensors are created per forward, so nothing leaks).
 */
export function distanceOneHot(s: number): Float32Array {
  let m = oneHotCache.get(s);
  if (!m) {
    m = new Float32Array((2 * s - 1) * s * s);
    for (let l = 0; l < s; l++) for (let r = 0; r < s; r++) m[(l - r + s - 1) * s * s + l * s + r] = 1;
    oneHotCache.set(s, m);
  }
  return m;
}

/**
 * Additive band mask: 0 where |i - j| <= context, -10000 elsewhere (reference
 * utils/mask.py generate_short_context_mask + get_extended_attention_mask).
 * @returns `[S, S]`, owned by the caller.
 */
export function bandMask(s: number, context: number): tf.Tensor2D {
  const m = new Float32Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) m[i * s + j] = Math.abs(i - j) <= context ? 0 : -10000;
  return tf.tensor2d(m, [s, s]);
}

/**
 * Relative-position key table spread per (query, key) position and transposed for the matMul.
 * @param distanceEmbedding `[2P - 1, dh]`
 * @param spread the one-hot `[2S - 1, S*S]` from `distanceOneHot(S)` as a tensor
 * @returns `[S(query), dh, S(key)]`, owned by the caller.
 */
function relativeKeys(distanceEmbedding: tf.Tensor, spread: tf.Tensor, s: number, maxPos: number): tf.Tensor3D {
  const dh = distanceEmbedding.shape[1] as number;
  const sub = tf.slice(distanceEmbedding, [maxPos - s, 0], [2 * s - 1, dh]); // distances -(S-1)..S-1
  const pt = mm(tf.transpose(sub), spread); // [dh, S*S]
  return tf.transpose(tf.reshape(pt, [dh, s, s]), [1, 0, 2]) as tf.Tensor3D;
}

/** Shared per-forward constants of one sequence length (created and disposed by the caller's tidy). */
export interface EncoderConstants {
  s: number;
  spread: tf.Tensor2D;
}

/** Creates the constants for sequence length `s` (tensors owned by the caller). */
export function encoderConstants(s: number): EncoderConstants {
  return { s, spread: tf.tensor2d(distanceOneHot(s), [2 * s - 1, s * s]) };
}

/**
 * One encoder layer: self-attention (+ dropout, residual, LayerNorm), GELU FFN (+ dropout,
 * residual, LayerNorm).
 * @param x `[B, S, D]`
 * @param mask `[S, S]` additive
 * @returns `hidden` `[B, S, D]` and `probs` `[B, H, S, S]` (pre-dropout attention), owned by the caller.
 */
export function encoderLayer(
  params: ParamMap,
  layer: number,
  x: tf.Tensor3D,
  mask: tf.Tensor2D,
  k: EncoderConstants,
  c: ModelConfig,
  ctx: ForwardContext,
): { hidden: tf.Tensor3D; probs: tf.Tensor4D } {
  const L = `${P.encoder}.${layer}`;
  const A = `${L}.attention.attention`;
  const [b, s, d] = x.shape;
  const h = c.heads;
  const dh = d / h;
  const q = dense(x, params[`${A}.query.kernel`], params[`${A}.query.bias`]);
  const key = dense(x, params[`${A}.key.kernel`], params[`${A}.key.bias`]);
  const v = dense(x, params[`${A}.value.kernel`], params[`${A}.value.bias`]);
  const q4 = tf.reshape(q, [b, s, h, dh]);
  const qh = tf.reshape(tf.transpose(q4, [0, 2, 1, 3]), [b * h, s, dh]);
  const kt = tf.reshape(tf.transpose(tf.reshape(key, [b, s, h, dh]), [0, 2, 3, 1]), [b * h, dh, s]);
  const vh = tf.reshape(tf.transpose(tf.reshape(v, [b, s, h, dh]), [0, 2, 1, 3]), [b * h, s, dh]);
  let scores = tf.reshape(mm(qh, kt), [b, h, s, s]);
  // Relative-position scores: for each query position l, q[., l, :] @ E[l - r]^T.
  const rel = relativeKeys(params[`${A}.distance_embedding`], k.spread, s, c.maxPositions); // [S, dh, S]
  const qByPos = tf.reshape(tf.transpose(q4, [1, 0, 2, 3]), [s, b * h, dh]);
  const relScores = tf.transpose(tf.reshape(mm(qByPos, rel), [s, b, h, s]), [1, 2, 0, 3]);
  scores = tf.add(tf.mul(tf.add(scores, relScores), 1 / Math.sqrt(dh)), mask);
  const probs = tf.softmax(scores) as tf.Tensor4D; // softmax over the last axis
  const dropped = ctx.dropout(probs);
  const context = mm(tf.reshape(dropped, [b * h, s, s]), vh); // [BH, S, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(context, [b, h, s, dh]), [0, 2, 1, 3]), [b, s, d]);
  const O = `${L}.attention.output`;
  const attnOut = layerNorm(
    tf.add(ctx.dropout(dense(merged, params[`${O}.dense.kernel`], params[`${O}.dense.bias`])), x),
    params[`${O}.LayerNorm.gamma`],
    params[`${O}.LayerNorm.beta`],
    c.layerNormEps,
  );
  const inter = gelu(dense(attnOut, params[`${L}.intermediate.dense.kernel`], params[`${L}.intermediate.dense.bias`]));
  const out = layerNorm(
    tf.add(ctx.dropout(dense(inter, params[`${L}.output.dense.kernel`], params[`${L}.output.dense.bias`])), attnOut),
    params[`${L}.output.LayerNorm.gamma`],
    params[`${L}.output.LayerNorm.beta`],
    c.layerNormEps,
  );
  return { hidden: out as tf.Tensor3D, probs };
}

/**
 * The encoder (all layers) with one mask.
 * @returns last hidden state `[B, S, D]` and the last layer's attention averaged over heads and
 * batch `[S, S]`; owned by the caller.
 */
export function transformerEncoder(
  params: ParamMap,
  x: tf.Tensor3D,
  mask: tf.Tensor2D,
  k: EncoderConstants,
  c: ModelConfig,
  ctx: ForwardContext,
): { hidden: tf.Tensor3D; attn: tf.Tensor2D } {
  let hidden = x;
  let probs: tf.Tensor4D | null = null;
  for (let i = 0; i < c.layers; i++) {
    const r = encoderLayer(params, i, hidden, mask, k, c, ctx);
    hidden = r.hidden;
    probs = r.probs;
  }
  return { hidden, attn: tf.mean(probs!, [0, 1]) as tf.Tensor2D };
}

/**
 * Dual-scale attention (reference models/layer/multi_scale_attention.py): the SAME encoder run
 * with the local and the global band masks; z' = sigmoid(Enc_local + Enc_global).
 * @param z `[B, S, D]`
 * @returns `hidden` `[B, S, D]`, `attnLocal`/`attnGlobal` `[S, S]`; owned by the caller.
 */
export function multiScaleAttention(
  params: ParamMap,
  z: tf.Tensor3D,
  c: ModelConfig,
  ctx: ForwardContext,
): { hidden: tf.Tensor3D; attnLocal: tf.Tensor2D; attnGlobal: tf.Tensor2D } {
  const s = z.shape[1];
  if (s > c.maxPositions) {
    throw new Error(`sequence of ${s} steps exceeds maxPositions ${c.maxPositions}`);
  }
  const k = encoderConstants(s);
  const local = transformerEncoder(params, z, bandMask(s, c.localContext), k, c, ctx);
  const global = transformerEncoder(params, z, bandMask(s, c.globalContext), k, c, ctx);
  return {
    hidden: tf.sigmoid(tf.add(local.hidden, global.hidden)) as tf.Tensor3D,
    attnLocal: local.attn,
    attnGlobal: global.attn,
  };
}

