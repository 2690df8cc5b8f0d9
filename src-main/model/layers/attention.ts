/**
 * Multi-head self-attention with relative-position keys and the post-LN transformer encoder
 * (reference: models/layer/attention.py `MultiHeadAttention` with position_embedding_type
 * "relative_key", models/layer/transformer_encoder.py = BLIP-2 Q-Former layers without
 * cross-attention). No absolute positions.
 *
 * The relative term einsum("bhld,lrd->bhlr", q, E[l - r + P - 1]) is computed without gather
 * (whose gradient the wasm backend lacks) and without einsum (missing on wasm): one matMul
 * against the needed 2S - 1 table rows, then a reshape/slice skew (`relativePositionScores`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../config';
import { P, type ParamMap } from '../params';
import { dense, gelu, layerNorm, mm, type ForwardContext } from './ops';

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
 * Relative-position scores rel[bh, l, r] = q[bh, l, :] . E[l - r + P - 1, :] (HF "relative_key").
 * One plain matMul against the 2S - 1 needed rows of the distance table (reversed), then the
 * Transformer-XL style skew: with QEr[l, j] = q_l . E[P - 1 + (S - 1) - j], rel[l, r] =
 * QEr[l, (S - 1 - l) + r], i.e. in the flattened [S * (2S - 1)] row-major array the element at
 * (S - 1) + l (2S - 2) + r: drop S - 1 leading values, view as [S, 2S - 2], keep S columns.
 * @param qh `[BH, S, dh]`
 * @param distanceEmbedding `[2P - 1, dh]`
 * @returns `[BH, S, S]`, owned by the caller.
 */
export function relativePositionScores(qh: tf.Tensor3D, distanceEmbedding: tf.Tensor, maxPos: number): tf.Tensor3D {
  const [bh, s, dh] = qh.shape;
  if (s === 1) {
    const e0 = tf.transpose(tf.slice(distanceEmbedding, [maxPos - 1, 0], [1, dh]));
    return tf.reshape(mm(tf.reshape(qh, [bh, dh]), e0), [bh, 1, 1]) as tf.Tensor3D;
  }
  const sub = tf.reverse(tf.slice(distanceEmbedding, [maxPos - s, 0], [2 * s - 1, dh]), 0);
  const qer = mm(tf.reshape(qh, [bh * s, dh]), tf.transpose(sub)); // [BH*S, 2S-1]
  const flat = tf.reshape(qer, [bh, s * (2 * s - 1)]);
  const skew = tf.reshape(tf.slice(flat, [0, s - 1], [bh, s * (2 * s - 2)]), [bh, s, 2 * s - 2]);
  return tf.slice(skew, [0, 0, 0], [bh, s, s]) as tf.Tensor3D;
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
  const qh = tf.reshape(tf.transpose(tf.reshape(q, [b, s, h, dh]), [0, 2, 1, 3]), [b * h, s, dh]);
  const kt = tf.reshape(tf.transpose(tf.reshape(key, [b, s, h, dh]), [0, 2, 3, 1]), [b * h, dh, s]);
  const vh = tf.reshape(tf.transpose(tf.reshape(v, [b, s, h, dh]), [0, 2, 1, 3]), [b * h, s, dh]);
  const rel = relativePositionScores(qh as tf.Tensor3D, params[`${A}.distance_embedding`], c.maxPositions);
  const scores = tf.add(tf.mul(tf.reshape(tf.add(mm(qh, kt), rel), [b, h, s, s]), 1 / Math.sqrt(dh)), mask);
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
  c: ModelConfig,
  ctx: ForwardContext,
): { hidden: tf.Tensor3D; attn: tf.Tensor2D } {
  let hidden = x;
  let probs: tf.Tensor4D | null = null;
  for (let i = 0; i < c.layers; i++) {
    const r = encoderLayer(params, i, hidden, mask, c, ctx);
    hidden = r.hidden;
    probs = r.probs;
  }
  return { hidden, attn: tf.mean(probs!, [0, 1]) as tf.Tensor2D };
}

/**
 * Dual-scale attention (reference models/layer/multi_scale_attention.py): the SAME encoder run
 * with the local and the global band masks; z' = sigmoid(Enc_local + Enc_global).
 * @param z `[B, S, D]`
 * With `c.scales` = `local` or `global` (ablations) only that band runs: z' = sigmoid(Enc(z; M)),
 * and the other scale's attention map is null.
 * @returns `hidden` `[B, S, D]`, `attnLocal`/`attnGlobal` `[S, S]` (or null); owned by the caller.
 */
export function multiScaleAttention(
  params: ParamMap,
  z: tf.Tensor3D,
  c: ModelConfig,
  ctx: ForwardContext,
): { hidden: tf.Tensor3D; attnLocal: tf.Tensor2D | null; attnGlobal: tf.Tensor2D | null } {
  const s = z.shape[1];
  if (s > c.maxPositions) {
    throw new Error(`sequence of ${s} steps exceeds maxPositions ${c.maxPositions}`);
  }
  const scales = c.scales ?? 'both';
  if (scales === 'local' || scales === 'global') {
    const one = transformerEncoder(params, z, bandMask(s, scales === 'local' ? c.localContext : c.globalContext), c, ctx);
    return { hidden: tf.sigmoid(one.hidden) as tf.Tensor3D, attnLocal: scales === 'local' ? one.attn : null, attnGlobal: scales === 'global' ? one.attn : null };
  }
  if (scales !== 'both') throw new Error(`config.scales: expected both, local or global, got ${JSON.stringify(scales)}`);
  const local = transformerEncoder(params, z, bandMask(s, c.localContext), c, ctx);
  const global = transformerEncoder(params, z, bandMask(s, c.globalContext), c, ctx);
  return {
    hidden: tf.sigmoid(tf.add(local.hidden, global.hidden)) as tf.Tensor3D,
    attnLocal: local.attn,
    attnGlobal: global.attn,
  };
}

