/**
 * Training losses for (personalized) dynamic music emotion recognition.
 *
 * The DMER loss follows the DSAML reference (Littleor/Personalized-DMER `utils/loss.py`, see
 * /work/shared/DSAML.md): per song and per dimension over time compute CCC, Pearson r (eps 1e-8)
 * and RMSE, average each over the batch, then
 *   score = mean(CCC_A, PCC_A, 1-RMSE_A, CCC_V, PCC_V, 1-RMSE_V),  loss = (1 - score) + L_attn
 * with the diagonal attention loss L_attn = MSE(diag(A_local), 0.9) + MSE(diag(A_global), 0.1).
 *
 * ## How labels of different kinds train one network
 * The network always predicts a 2 Hz curve `[B, S, 2]` (arousal, valence) for each S-step window.
 * A mini-batch is sorted by label kind, and each kind scores its own contiguous slice of the batch
 * (tf.slice has a gradient on every backend; gather does not on wasm):
 * - `curve`: 2 Hz targets `[n, S, 2]` (DEAM/PMEmo averaged or per-rater curves). The DMER score above.
 * - `binned`: coarse per-person curves (VGMIDI: one value per measure, ~2 s). The 2 Hz prediction is
 *   pooled into the person's bins with a row-normalised pooling matrix `[n, nb, S]` (step i belongs to
 *   the bin holding its centre), and the same CCC/PCC/RMSE score is computed over the bins, with a
 *   mask for bins that fall outside the window.
 * - `quadrant`: clip-level quadrant labels (4Q, EMOPIA). Only the signs of the clip-mean valence and
 *   arousal are known, so the loss is a logistic loss on the sign of each clip mean:
 *   softplus(-k * s * mean_t(y)), with s = +-1 from the quadrant and k = `quadrantScale` (default 5,
 *   so a mean of +-0.5 on the right side costs ~0.08 and one on the wrong side ~2.5). It only moves
 *   the curve's level, never its shape.
 * Each kind's loss is weighted by its share of the batch (times an optional per-kind weight), so the
 * mixture proportions of the sampler decide the balance; L_attn is added once per batch.
 *
 * Ownership: every function returns new tensors owned by the caller and never disposes its inputs.
 */
import * as tf from '@tensorflow/tfjs-core';
// Registers tfjs-core's gradient functions (H4's side-effect module; the Node entry ships none).
import './tf-gradients';

/** Pearson eps from the reference code. */
export const PCC_EPS = 1e-8;
/** Diagonal targets of the attention loss (reference `utils/loss.py`). */
export const DIAG_TARGET_LOCAL = 0.9;
export const DIAG_TARGET_GLOBAL = 0.1;

/** Batch-averaged CCC, PCC and RMSE of one dimension (scalars owned by the caller). */
export interface ScoreTerms {
  ccc: tf.Scalar;
  pcc: tf.Scalar;
  rmse: tf.Scalar;
}

/**
 * Per-sequence CCC, Pearson r and RMSE over time, averaged over the batch.
 * @param pred `[B, T]`
 * @param target `[B, T]`
 * @param mask optional `[B, T]` of 0/1 (masked steps are ignored; each row needs at least one 1)
 * @returns three new scalars owned by the caller
 */
export function scoreTerms(pred: tf.Tensor2D, target: tf.Tensor2D, mask?: tf.Tensor2D): ScoreTerms {
  if (pred.shape.join() !== target.shape.join()) {
    throw new RangeError(`scoreTerms: expected pred and target of equal shape, got [${pred.shape}] and [${target.shape}]`);
  }
  return tf.tidy(() => {
    const m = mask ?? tf.onesLike(pred);
    const n = tf.maximum(tf.sum(m, 1, true), 1); // [B,1]
    const mp = tf.div(tf.sum(tf.mul(pred, m), 1, true), n);
    const mt = tf.div(tf.sum(tf.mul(target, m), 1, true), n);
    const dp = tf.mul(tf.sub(pred, mp), m);
    const dt = tf.mul(tf.sub(target, mt), m);
    const cov = tf.div(tf.sum(tf.mul(dp, dt), 1, true), n);
    const vp = tf.div(tf.sum(tf.square(dp), 1, true), n);
    const vt = tf.div(tf.sum(tf.square(dt), 1, true), n);
    // Pearson with the reference eps: cov / (sqrt(vp) sqrt(vt) + eps). sqrt(x + tiny) keeps the
    // gradient finite for flat sequences.
    const pcc = tf.div(cov, tf.add(tf.mul(tf.sqrt(tf.add(vp, 1e-12)), tf.sqrt(tf.add(vt, 1e-12))), PCC_EPS));
    const ccc = tf.div(tf.mul(2, cov), tf.add(tf.add(tf.add(vp, vt), tf.square(tf.sub(mp, mt))), 1e-12));
    const mse = tf.div(tf.sum(tf.mul(tf.square(tf.sub(pred, target)), m), 1, true), n);
    const rmse = tf.sqrt(tf.add(mse, 1e-12));
    return { ccc: tf.mean(ccc) as tf.Scalar, pcc: tf.mean(pcc) as tf.Scalar, rmse: tf.mean(rmse) as tf.Scalar };
  });
}

/** Selects channel `c` of a `[B, T, 2]` tensor as `[B, T]` (slice+reshape, gradient-safe on wasm). */
function channel(x: tf.Tensor3D, c: 0 | 1): tf.Tensor2D {
  const [b, t] = x.shape;
  return tf.reshape(tf.slice(x, [0, 0, c], [b, t, 1]), [b, t]);
}

/**
 * The DMER score over both dimensions: mean(CCC_A, PCC_A, 1-RMSE_A, CCC_V, PCC_V, 1-RMSE_V).
 * @param pred `[B, T, 2]` (arousal, valence)
 * @param target `[B, T, 2]`
 * @param mask optional `[B, T]`
 * @returns new scalar owned by the caller (1 is perfect)
 */
export function dmerScore(pred: tf.Tensor3D, target: tf.Tensor3D, mask?: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const parts: tf.Scalar[] = [];
    for (const c of [0, 1] as const) {
      const s = scoreTerms(channel(pred, c), channel(target, c), mask);
      parts.push(s.ccc, s.pcc, tf.sub(1, s.rmse) as tf.Scalar);
    }
    return tf.div(tf.addN(parts), parts.length) as tf.Scalar;
  });
}

/** Head- and batch-averaged `[S, S]` map from an attention tensor of rank 2, 3 (`[B,S,S]`) or 4 (`[B,H,S,S]`). */
function averageMap(a: tf.Tensor): tf.Tensor2D {
  if (a.rank === 2) return a as tf.Tensor2D;
  if (a.rank === 3) return tf.mean(a, 0) as tf.Tensor2D;
  if (a.rank === 4) return tf.mean(a, [0, 1]) as tf.Tensor2D;
  throw new RangeError(`attention map: expected rank 2, 3 or 4, got shape [${a.shape}]`);
}

/**
 * Diagonal attention loss: MSE(diag(mean A_local), 0.9) + MSE(diag(mean A_global), 0.1).
 * The diagonal is read with an identity mask (no gather, so it trains on wasm).
 * @returns new scalar owned by the caller
 */
export function diagonalAttentionLoss(attnLocal: tf.Tensor | null, attnGlobal: tf.Tensor | null): tf.Scalar {
  return tf.tidy(() => {
    const term = (a: tf.Tensor, target: number): tf.Tensor => {
      const m = averageMap(a);
      const s = m.shape[0];
      const diag = tf.sum(tf.mul(m, tf.eye(s)), 1);
      return tf.mean(tf.square(tf.sub(diag, target)));
    };
    // Single-scale ablations have one map: only its term.
    const terms = [attnLocal ? term(attnLocal, DIAG_TARGET_LOCAL) : null, attnGlobal ? term(attnGlobal, DIAG_TARGET_GLOBAL) : null].filter((t): t is tf.Tensor => t !== null);
    if (terms.length === 0) throw new RangeError('diagonalAttentionLoss: no attention map given');
    return (terms.length === 1 ? tf.add(terms[0], 0) : tf.add(terms[0], terms[1])) as tf.Scalar;
  });
}

/**
 * Row-normalised pooling matrix from 2 Hz steps to uniform bins, for one window.
 * Step i (time [i*stepSec + offsetSec, +stepSec)) is assigned to the bin containing its centre.
 * @param steps window length S in steps
 * @param offsetSec time of the window's first step within the song
 * @param binSec bin width in seconds (e.g. VGMIDI duration / measures)
 * @param nBins total bins in the song
 * @param maxBins padded number of rows in the output
 * @returns `{pool: Float32Array [maxBins*S], bins: song-bin index per row (-1 for padding)}`
 */
export function binPoolingMatrix(
  steps: number,
  offsetSec: number,
  binSec: number,
  nBins: number,
  maxBins: number,
  stepSec = 0.5,
): { pool: Float32Array; bins: Int32Array } {
  const assign = new Int32Array(steps);
  for (let i = 0; i < steps; i++) {
    const centre = offsetSec + (i + 0.5) * stepSec;
    const b = Math.floor(centre / binSec);
    assign[i] = b >= 0 && b < nBins ? b : -1;
  }
  const distinct = [...new Set(Array.from(assign).filter((b) => b >= 0))].sort((a, b) => a - b).slice(0, maxBins);
  const pool = new Float32Array(maxBins * steps);
  const bins = new Int32Array(maxBins).fill(-1);
  distinct.forEach((b, r) => {
    bins[r] = b;
    let count = 0;
    for (let i = 0; i < steps; i++) if (assign[i] === b) count++;
    for (let i = 0; i < steps; i++) if (assign[i] === b) pool[r * steps + i] = 1 / count;
  });
  return { pool, bins };
}

/** 2 Hz curve labels for batch rows [start, start+count). */
export interface CurveLabels {
  start: number;
  count: number;
  /** `[count, S, 2]` (arousal, valence) */
  target: tf.Tensor3D;
  /** optional `[count, S]` 0/1 */
  mask?: tf.Tensor2D;
}

/** Coarse binned labels (per-person VGMIDI curves) for batch rows [start, start+count). */
export interface BinnedLabels {
  start: number;
  count: number;
  /** `[count, nb, S]` row-normalised pooling (see binPoolingMatrix) */
  pool: tf.Tensor3D;
  /** `[count, nb, 2]` */
  target: tf.Tensor3D;
  /** `[count, nb]` 0/1 */
  mask: tf.Tensor2D;
}

/** Clip-level quadrant labels for batch rows [start, start+count). */
export interface QuadrantLabels {
  start: number;
  count: number;
  /** `[count, 2]` of +-1: (sign of arousal, sign of valence) */
  signs: tf.Tensor2D;
}

/** Labels of one mini-batch, one contiguous slice per kind. Tensors are owned by the caller. */
export interface LabelBatch {
  curve?: CurveLabels;
  binned?: BinnedLabels;
  quadrant?: QuadrantLabels;
}

/** Loss options. */
export interface LossOptions {
  /** weight of L_attn (reference: 1; 0 is the "no diagonal loss" ablation) */
  attnWeight?: number;
  /** per-kind weights (default 1 each) */
  weights?: { curve?: number; binned?: number; quadrant?: number };
  /** logistic scale k of the quadrant loss (default 5) */
  quadrantScale?: number;
}

/** Model output as H4's network.forward returns it. */
export interface ForwardOutput {
  /** `[B, S, 2]` (arousal, valence) */
  output: tf.Tensor3D;
  attnLocal?: tf.Tensor | null;
  attnGlobal?: tf.Tensor | null;
}

function rows(x: tf.Tensor3D, start: number, count: number): tf.Tensor3D {
  const [b, s, c] = x.shape;
  if (start < 0 || start + count > b) throw new RangeError(`label rows [${start}, ${start + count}) outside batch of ${b}`);
  return tf.slice(x, [start, 0, 0], [count, s, c]);
}

/**
 * Logistic sign loss on clip means: mean(softplus(-k * s * mean_t(pred))).
 * @param pred `[n, S, 2]`, signs `[n, 2]`
 */
export function quadrantSignLoss(pred: tf.Tensor3D, signs: tf.Tensor2D, scale = 5): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.mul(-scale, tf.mul(signs, tf.mean(pred, 1))))) as tf.Scalar);
}

/**
 * Binned-curve loss: pool the 2 Hz prediction into the person's bins, then 1 - DMER score.
 * @param pred `[n, S, 2]`
 */
export function binnedLoss(pred: tf.Tensor3D, pool: tf.Tensor3D, target: tf.Tensor3D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const pooled = tf.matMul(pool, pred) as tf.Tensor3D; // [n, nb, 2]
    return tf.sub(1, dmerScore(pooled, target, mask)) as tf.Scalar;
  });
}

/** Loss value with its parts (all new scalars owned by the caller). */
export interface LossParts {
  total: tf.Scalar;
  curve?: tf.Scalar;
  binned?: tf.Scalar;
  quadrant?: tf.Scalar;
  attn?: tf.Scalar;
}

/**
 * The composite training loss of one mini-batch (see the module comment).
 * @returns new scalars owned by the caller; `total` is what the optimizer minimises
 */
export function compositeLoss(fwd: ForwardOutput, labels: LabelBatch, opts: LossOptions = {}): LossParts {
  const b = fwd.output.shape[0];
  const w = { curve: 1, binned: 1, quadrant: 1, ...opts.weights };
  const attnWeight = opts.attnWeight ?? 1;
  return tf.tidy(() => {
    const out: Omit<LossParts, 'total'> = {};
    const terms: tf.Tensor[] = [];
    if (labels.curve && labels.curve.count > 0) {
      const c = labels.curve;
      out.curve = tf.sub(1, dmerScore(rows(fwd.output, c.start, c.count), c.target, c.mask)) as tf.Scalar;
      terms.push(tf.mul(out.curve, (w.curve * c.count) / b));
    }
    if (labels.binned && labels.binned.count > 0) {
      const c = labels.binned;
      out.binned = binnedLoss(rows(fwd.output, c.start, c.count), c.pool, c.target, c.mask);
      terms.push(tf.mul(out.binned, (w.binned * c.count) / b));
    }
    if (labels.quadrant && labels.quadrant.count > 0) {
      const c = labels.quadrant;
      out.quadrant = quadrantSignLoss(rows(fwd.output, c.start, c.count), c.signs, opts.quadrantScale ?? 5);
      terms.push(tf.mul(out.quadrant, (w.quadrant * c.count) / b));
    }
    if (attnWeight > 0 && (fwd.attnLocal || fwd.attnGlobal)) {
      out.attn = diagonalAttentionLoss(fwd.attnLocal ?? null, fwd.attnGlobal ?? null);
      terms.push(tf.mul(out.attn, attnWeight));
    }
    if (terms.length === 0) throw new RangeError('compositeLoss: the batch has no labels of any kind');
    const total = (terms.length === 1 ? tf.add(terms[0], 0) : tf.addN(terms)) as tf.Scalar;
    return { total, ...out };
  });
}
