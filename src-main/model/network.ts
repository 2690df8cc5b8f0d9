/**
 * The DSAML network as one pure function over an explicit parameter map (no state, no I/O), so
 * meta-learning can run it with fast weights. Composition (DSAML.md "Network"):
 *   local CNN adapter -> fusion with the global descriptor -> dual-scale shared transformer
 *   -> BiLSTM predictor -> (arousal, valence) per 0.5 s step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './config';
import { spectrogramFeatureExtractor, type BatchStats } from './layers/cnn';
import { multiScaleAttention } from './layers/attention';
import { featureFusion } from './layers/fusion';
import { ForwardContext } from './layers/ops';
import { sequenceValuePrediction } from './layers/prediction';
import type { ParamMap } from './params';

export type { BatchStats };

/** A batch of windows. */
export interface Batch {
  /** `[B, S, frames, mels]` log-mel per step. */
  local: tf.Tensor4D;
  /** `[B, S, globalDim]` global descriptor per step (broadcast the clip's vector for training clips). */
  global: tf.Tensor3D;
}

/** Options of one forward pass. */
export interface ForwardOptions {
  /** Training mode: dropout on, BatchNorm uses batch statistics. Default false (evaluation). */
  training?: boolean;
  /** Seed for dropout masks (deterministic training steps); random when omitted. */
  seed?: number;
}

/** Result of `forward`. Every tensor is new and owned by the caller. */
export interface ForwardResult {
  /** `[B, S, 2]`: [..., 0] arousal, [..., 1] valence. */
  output: tf.Tensor3D;
  /** Last encoder layer's attention with the local band mask, mean over heads and batch: `[S, S]` (null in the global-only ablation). */
  attnLocal: tf.Tensor2D | null;
  /** Same with the global band mask: `[S, S]` (null in the local-only ablation). */
  attnGlobal: tf.Tensor2D | null;
  /**
   * Training mode only: each BatchNorm layer's batch mean and unbiased variance (`[C]`), keyed
   * `<prefix>.bn`; feed them to `updateBatchNormStats` after the optimiser step. Gradients are
   * stopped on these.
   */
  batchStats?: BatchStats;
}

function checkBatch(c: ModelConfig, batch: Batch): void {
  const { framesPerStep: f, mels: m, globalDim: g } = c.input;
  const [b, s, bf, bm] = batch.local.shape;
  if (batch.local.rank !== 4 || bf !== f || bm !== m) {
    throw new Error(`forward: expected local [B, S, ${f}, ${m}], got [${batch.local.shape.join(', ')}]`);
  }
  const gs = batch.global.shape;
  if (batch.global.rank !== 3 || gs[0] !== b || gs[1] !== s || gs[2] !== g) {
    throw new Error(`forward: expected global [${b}, ${s}, ${g}], got [${gs.join(', ')}]`);
  }
  if (s > c.maxPositions) throw new Error(`forward: expected at most ${c.maxPositions} steps, got ${s}`);
}

/**
 * Local CNN adapter outputs per step (training mode: BN batch statistics, returned too).
 * @param local `[N, frames, mels]`
 * @returns `cnn` `[N, flat]` (+ batchStats in training), owned by the caller.
 */
export function cnnFeatures(
  params: ParamMap,
  c: ModelConfig,
  local: tf.Tensor3D,
  opts: ForwardOptions = {},
): { cnn: tf.Tensor2D; batchStats?: BatchStats } {
  const ctx = new ForwardContext(!!opts.training, c.dropout, opts.seed);
  return tf.tidy(() => {
    const stats: BatchStats | undefined = ctx.training ? {} : undefined;
    const cnn = spectrogramFeatureExtractor(params, local, ctx, c.batchNormEps, stats);
    return stats ? { cnn, batchStats: stats } : { cnn };
  });
}

/** The global input the network sees: the descriptor, or zeros in the no-global-encoder ablation. */
function globalInput(c: ModelConfig, global: tf.Tensor2D): tf.Tensor2D {
  const kind = c.globalInput ?? 'descriptors';
  if (kind === 'descriptors') return global;
  if (kind === 'none') return tf.zerosLike(global);
  throw new Error(`config.globalInput: expected descriptors or none, got ${JSON.stringify(kind)}`);
}

/**
 * Fusion of CNN features with the global descriptor: z = Linear(sigmoid(Wl cnn + Wg global)).
 * @param cnn `[N, flat]`, global `[N, globalDim]`
 * @returns `[N, D]`, owned by the caller.
 */
export function fuseFeatures(params: ParamMap, c: ModelConfig, cnn: tf.Tensor2D, global: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => featureFusion(params, cnn, globalInput(c, global)));
}

/**
 * Per-step embeddings z (CNN adapter + fusion). Steps are independent in evaluation mode, so
 * whole-song inference computes these once per step rather than once per window.
 * @param local `[N, frames, mels]`
 * @param global `[N, globalDim]`
 * @returns `z` `[N, D]` (and BN batch statistics in training mode), owned by the caller.
 */
export function stepEmbeddings(
  params: ParamMap,
  c: ModelConfig,
  local: tf.Tensor3D,
  global: tf.Tensor2D,
  opts: ForwardOptions = {},
): { z: tf.Tensor2D; batchStats?: BatchStats } {
  return tf.tidy(() => {
    const r = cnnFeatures(params, c, local, opts);
    const z = featureFusion(params, r.cnn, globalInput(c, global));
    return r.batchStats ? { z, batchStats: r.batchStats } : { z };
  });
}

/** `tf.tidy` for results with null slots (single-scale attention maps): tidy passes null through, its typing does not. */
function tidyNullable<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/**
 * Dual-scale transformer: z' = sigmoid(Enc(z; M_local) + Enc(z; M_global)) with shared weights.
 * @param z `[B, S, D]`
 * @returns `hidden` `[B, S, D]` and attention maps `[S, S]`, owned by the caller.
 */
export function encodeSequence(
  params: ParamMap,
  c: ModelConfig,
  z: tf.Tensor3D,
  opts: ForwardOptions = {},
): { hidden: tf.Tensor3D; attnLocal: tf.Tensor2D | null; attnGlobal: tf.Tensor2D | null } {
  const ctx = new ForwardContext(!!opts.training, c.dropout, opts.seed === undefined ? undefined : opts.seed + 1_000_003);
  return tidyNullable(() => multiScaleAttention(params, z, c, ctx));
}

/**
 * BiLSTM predictor + head on encoder outputs.
 * @param hidden `[B, S, D]`
 * @returns `[B, S, 2]` (arousal, valence), owned by the caller.
 */
export function predictSequence(params: ParamMap, c: ModelConfig, hidden: tf.Tensor3D, opts: ForwardOptions = {}): tf.Tensor3D {
  const ctx = new ForwardContext(!!opts.training, c.dropout, opts.seed === undefined ? undefined : opts.seed + 2_000_029);
  return tf.tidy(() => sequenceValuePrediction(params, hidden, ctx));
}

/**
 * The sequence part: dual-scale transformer + BiLSTM predictor over step embeddings.
 * @param z `[B, S, D]`
 * @returns output `[B, S, 2]` and attention maps `[S, S]`, owned by the caller.
 */
export function sequenceForward(
  params: ParamMap,
  c: ModelConfig,
  z: tf.Tensor3D,
  opts: ForwardOptions = {},
): Omit<ForwardResult, 'batchStats'> {
  return tidyNullable(() => {
    const enc = encodeSequence(params, c, z, opts);
    return { output: predictSequence(params, c, enc.hidden, opts), attnLocal: enc.attnLocal, attnGlobal: enc.attnGlobal };
  });
}

/** The attention maps of a forward result that exist (single-scale ablations have one). */
export function attentionMaps(r: { attnLocal: tf.Tensor2D | null; attnGlobal: tf.Tensor2D | null }): tf.Tensor2D[] {
  return [r.attnLocal, r.attnGlobal].filter((t): t is tf.Tensor2D => t !== null);
}

/**
 * Full forward pass of the DSAML network. Pure: reads `params`, disposes nothing it was given.
 * Differentiable with respect to every trainable parameter on every backend (wasm included),
 * so `tf.grads`/`tf.variableGrads` over `(params) => loss` work.
 * @param params base or fast weights (see params.ts for names and shapes)
 * @param batch `{local [B, S, frames, mels], global [B, S, globalDim]}`, S <= config.maxPositions
 * @throws Error "forward: expected ..., got ..." on shape mismatch
 * @returns output `[B, S, 2]` (A, V), attnLocal/attnGlobal `[S, S]`, and in training mode
 *   batchStats; all new tensors owned by the caller.
 */
export function forward(params: ParamMap, c: ModelConfig, batch: Batch, opts: ForwardOptions = {}): ForwardResult {
  checkBatch(c, batch);
  const [b, s, f, m] = batch.local.shape;
  const g = batch.global.shape[2];
  return tidyNullable(() => {
    const emb = stepEmbeddings(
      params,
      c,
      tf.reshape(batch.local, [b * s, f, m]) as tf.Tensor3D,
      tf.reshape(batch.global, [b * s, g]) as tf.Tensor2D,
      opts,
    );
    const seq = sequenceForward(params, c, tf.reshape(emb.z, [b, s, c.hidden]) as tf.Tensor3D, opts);
    return emb.batchStats ? { ...seq, batchStats: emb.batchStats } : seq;
  });
}

/**
 * PyTorch-style running-statistics update after a training step:
 * running = (1 - momentum) * running + momentum * batch.
 * @returns a NEW ParamMap sharing every untouched tensor with `params` and holding new running
 *   stat tensors; the caller disposes the replaced ones (see `replacedRunningStats`).
 */
export function updateBatchNormStats(params: ParamMap, stats: BatchStats, momentum = 0.1): ParamMap {
  const out: ParamMap = { ...params };
  for (const [prefix, st] of Object.entries(stats)) {
    const rm = params[`${prefix}.running_mean`];
    const rv = params[`${prefix}.running_var`];
    out[`${prefix}.running_mean`] = tf.tidy(() => tf.add(tf.mul(rm, 1 - momentum), tf.mul(st.mean, momentum)));
    out[`${prefix}.running_var`] = tf.tidy(() => tf.add(tf.mul(rv, 1 - momentum), tf.mul(st.varUnbiased, momentum)));
  }
  return out;
}

/** Disposes every tensor of a BatchStats record. */
export function disposeBatchStats(stats: BatchStats | undefined): void {
  if (!stats) return;
  for (const s of Object.values(stats)) tf.dispose([s.mean, s.varUnbiased]);
}
