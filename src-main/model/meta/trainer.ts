/**
 * Training, inference and personalization on plain arrays: the bridge between learning/ (datasets,
 * commands; no tf) and the functional network (H4's network.ts). Tensors never leave this module;
 * long-lived params and Adam state are owned by `ModelState` (dispose it).
 *
 * Personalization (CPU preset, documented in learning/README.md): the DSAML predictor head is
 * Linear(2H -> headHidden) -> Dropout -> Linear(headHidden -> 2), purely linear, so a person's
 * curve is modelled as a person-specific linear read-out of the (person-independent) BiLSTM
 * features. Adaptation and FOMAML update the head only, on body features computed once per clip
 * with the base params; this is exact (head(features) equals the full forward in evaluation mode,
 * tested) and makes 16 inner steps cost milliseconds instead of seconds on 2 CPU cores.
 * Full-network adaptation is available through `adapt` with a full forward loss (slow).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../config';
import { dense } from '../layers/ops';
import { forward, updateBatchNormStats, disposeBatchStats, stepEmbeddings, type Batch } from '../network';
import { initParams, isRunningStat, trainableNames, P } from '../params';
import { binnedLoss, compositeLoss, type LabelBatch, type LossOptions } from '../losses';
import { AdamState } from './adam';
import { adapt, type ParamMap } from './inner-loop';
import { fomamlStep, type MetaConfig } from './fomaml';
import { multiScaleAttention } from '../layers/attention';
import { biLstm } from '../layers/prediction';
import { ForwardContext } from '../layers/ops';

/** Label of one training window. */
export type WindowLabel =
  | { kind: 'curve'; /** [S*2] (A,V) per step */ target: Float32Array; mask?: Float32Array }
  | { kind: 'binned'; /** [nb*S] */ pool: Float32Array; /** [nb*2] */ target: Float32Array; /** [nb] */ mask: Float32Array; nb: number }
  | { kind: 'quadrant'; /** (sign A, sign V) */ signs: [number, number] };

/** One training window: S steps of features and a label. */
export interface WindowSample {
  steps: number;
  /** [S, frames, mels] */
  local: Float32Array;
  /** [S, globalDim] */
  global: Float32Array;
  label: WindowLabel;
}

/** Plain clip features (as learning/feature-cache.ts returns them). */
export interface ClipInput {
  steps: number;
  local: Float32Array;
  global: Float32Array;
}

const KIND_ORDER = { curve: 0, binned: 1, quadrant: 2 } as const;

/**
 * Builds batch and label tensors from samples (all with the same S), rows sorted by label kind.
 * @returns tensors owned by the caller (dispose with `disposeBatch`)
 */
export function buildBatch(c: ModelConfig, samples: WindowSample[]): { batch: Batch; labels: LabelBatch } {
  if (samples.length === 0) throw new RangeError('buildBatch: expected at least one sample');
  const s = samples[0].steps;
  const { framesPerStep: f, mels: m, globalDim: g } = c.input;
  const sorted = [...samples].sort((a, b) => KIND_ORDER[a.label.kind] - KIND_ORDER[b.label.kind]);
  const local = new Float32Array(sorted.length * s * f * m);
  const global = new Float32Array(sorted.length * s * g);
  sorted.forEach((x, i) => {
    if (x.steps !== s || x.local.length !== s * f * m || x.global.length !== s * g) {
      throw new RangeError(`buildBatch: expected ${s} steps of [${f}, ${m}] + [${g}], got ${x.steps} steps (${x.local.length}, ${x.global.length} values)`);
    }
    local.set(x.local, i * s * f * m);
    global.set(x.global, i * s * g);
  });
  const batch: Batch = { local: tf.tensor4d(local, [sorted.length, s, f, m]), global: tf.tensor3d(global, [sorted.length, s, g]) };
  const labels: LabelBatch = {};
  const idx = (k: WindowLabel['kind']) => sorted.map((x, i) => (x.label.kind === k ? i : -1)).filter((i) => i >= 0);
  const curve = idx('curve');
  if (curve.length) {
    const t = new Float32Array(curve.length * s * 2);
    const mk = new Float32Array(curve.length * s).fill(1);
    curve.forEach((r, j) => {
      const l = sorted[r].label as Extract<WindowLabel, { kind: 'curve' }>;
      t.set(l.target, j * s * 2);
      if (l.mask) mk.set(l.mask, j * s);
    });
    labels.curve = { start: curve[0], count: curve.length, target: tf.tensor3d(t, [curve.length, s, 2]), mask: tf.tensor2d(mk, [curve.length, s]) };
  }
  const binned = idx('binned');
  if (binned.length) {
    const nb = Math.max(...binned.map((r) => (sorted[r].label as Extract<WindowLabel, { kind: 'binned' }>).nb));
    const pool = new Float32Array(binned.length * nb * s);
    const t = new Float32Array(binned.length * nb * 2);
    const mk = new Float32Array(binned.length * nb);
    binned.forEach((r, j) => {
      const l = sorted[r].label as Extract<WindowLabel, { kind: 'binned' }>;
      pool.set(l.pool, j * nb * s);
      t.set(l.target, j * nb * 2);
      mk.set(l.mask, j * nb);
    });
    labels.binned = {
      start: binned[0],
      count: binned.length,
      pool: tf.tensor3d(pool, [binned.length, nb, s]),
      target: tf.tensor3d(t, [binned.length, nb, 2]),
      mask: tf.tensor2d(mk, [binned.length, nb]),
    };
  }
  const quad = idx('quadrant');
  if (quad.length) {
    const sg = new Float32Array(quad.length * 2);
    quad.forEach((r, j) => sg.set((sorted[r].label as Extract<WindowLabel, { kind: 'quadrant' }>).signs, j * 2));
    labels.quadrant = { start: quad[0], count: quad.length, signs: tf.tensor2d(sg, [quad.length, 2]) };
  }
  return { batch, labels };
}

/** Disposes what buildBatch returned. */
export function disposeBatch(b: { batch: Batch; labels: LabelBatch }): void {
  const l = b.labels;
  tf.dispose([b.batch.local, b.batch.global]);
  if (l.curve) tf.dispose([l.curve.target, ...(l.curve.mask ? [l.curve.mask] : [])]);
  if (l.binned) tf.dispose([l.binned.pool, l.binned.target, l.binned.mask]);
  if (l.quadrant) tf.dispose([l.quadrant.signs]);
}

/** Names of the predictor head (adapted in the CPU personalization preset). */
export function headNames(): string[] {
  return [`${P.head}.0.kernel`, `${P.head}.0.bias`, `${P.head}.2.kernel`, `${P.head}.2.bias`];
}

/** Head forward (evaluation mode): `[B, S, 2H]` body features -> `[B, S, 2]`. New tensor owned by the caller. */
export function headForward(params: ParamMap, y: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const h = dense(y, params[`${P.head}.0.kernel`], params[`${P.head}.0.bias`]);
    return dense(h, params[`${P.head}.2.kernel`], params[`${P.head}.2.bias`]) as tf.Tensor3D;
  });
}

/** Plain arrays of a ParamMap (for checkpoints). */
export interface PlainTensor {
  shape: number[];
  data: Float32Array;
}

/** Reads a ParamMap into plain arrays. */
export async function toPlain(p: ParamMap): Promise<Record<string, PlainTensor>> {
  const out: Record<string, PlainTensor> = {};
  for (const [k, t] of Object.entries(p)) out[k] = { shape: t.shape.slice(), data: (await t.data()) as Float32Array };
  return out;
}

/** Creates tensors from plain arrays. @returns a ParamMap owned by the caller */
export function fromPlain(p: Record<string, PlainTensor>): ParamMap {
  const out: ParamMap = {};
  for (const [k, t] of Object.entries(p)) out[k] = tf.tensor(t.data, t.shape);
  return out;
}

/** Training step figures (plain numbers). */
export interface StepFigures {
  total: number;
  curve?: number;
  binned?: number;
  quadrant?: number;
  attn?: number;
}

/**
 * Owns base params (and optionally Adam state) of one model. Every method takes and returns plain
 * data; `dispose()` frees everything.
 */
export class ModelState {
  params: ParamMap;
  adam: AdamState;
  readonly config: ModelConfig;
  private readonly trainable: Set<string>;

  constructor(config: ModelConfig, params?: ParamMap, adam?: AdamState) {
    this.config = config;
    this.params = params ?? initParams(config, 0);
    this.adam = adam ?? new AdamState();
    this.trainable = new Set(trainableNames(config));
  }

  /** Fresh random params from a seed. */
  static init(config: ModelConfig, seed: number): ModelState {
    return new ModelState(config, initParams(config, seed));
  }

  /** Replaces params, disposing the old tensors that are not shared with the new map. */
  private replaceParams(next: ParamMap): void {
    const keep = new Set(Object.values(next));
    tf.dispose(Object.values(this.params).filter((t) => !keep.has(t)));
    this.params = next;
  }

  /**
   * One mini-batch step of the composite loss (losses.ts) with Adam, then the BatchNorm running
   * statistics update.
   */
  trainStep(samples: WindowSample[], opts: { lr: number; seed?: number; clipNorm?: number; loss?: LossOptions }): StepFigures {
    const built = buildBatch(this.config, samples);
    let stats: Record<string, { mean: tf.Tensor; varUnbiased: tf.Tensor }> | undefined;
    let figs: StepFigures = { total: NaN };
    try {
      const names = Object.keys(this.params).filter((n) => this.trainable.has(n) && !isRunningStat(n));
      const fixed = Object.keys(this.params).filter((n) => !names.includes(n));
      const { value, grads } = tf.tidy(() => {
        const f = (...xs: tf.Tensor[]): tf.Scalar => {
          const p: ParamMap = {};
          for (const n of fixed) p[n] = this.params[n];
          names.forEach((n, i) => (p[n] = xs[i]));
          const r = forward(p, this.config, built.batch, { training: true, seed: opts.seed });
          if (r.batchStats) {
            stats = r.batchStats;
            for (const s of Object.values(r.batchStats)) tf.keep(s.mean), tf.keep(s.varUnbiased);
          }
          const parts = compositeLoss(r, built.labels, opts.loss);
          figs = { total: NaN };
          for (const k of ['curve', 'binned', 'quadrant', 'attn'] as const) if (parts[k]) figs[k] = parts[k]!.dataSync()[0];
          return parts.total;
        };
        const vg = tf.valueAndGrads(f)(names.map((n) => this.params[n]));
        let g = vg.grads;
        if (opts.clipNorm) {
          const norm = tf.sqrt(tf.addN(g.map((x) => tf.sum(tf.square(x)))));
          const scale = tf.div(opts.clipNorm, tf.maximum(norm, opts.clipNorm));
          g = g.map((x) => tf.mul(x, scale));
        }
        const gm: ParamMap = {};
        names.forEach((n, i) => (gm[n] = g[i]));
        return { value: vg.value, grads: gm };
      });
      figs.total = value.dataSync()[0];
      value.dispose();
      const next = this.adam.step(this.params, grads, { lr: opts.lr });
      tf.dispose(Object.values(grads));
      let withStats = next;
      if (stats) withStats = updateBatchNormStats(next, stats);
      const keep = new Set(Object.values(withStats));
      tf.dispose(Object.values(next).filter((t) => !keep.has(t)));
      this.replaceParams(withStats);
      return figs;
    } finally {
      disposeBatchStats(stats);
      disposeBatch(built);
    }
  }

  /** Composite loss of a batch in evaluation mode (no update). */
  evalLoss(samples: WindowSample[], loss?: LossOptions): StepFigures {
    const built = buildBatch(this.config, samples);
    try {
      const out: StepFigures = { total: NaN };
      tf.tidy(() => {
        const r = forward(this.params, this.config, built.batch, { training: false });
        const parts = compositeLoss(r, built.labels, loss);
        out.total = parts.total.dataSync()[0];
        for (const k of ['curve', 'binned', 'quadrant', 'attn'] as const) if (parts[k]) out[k] = parts[k]!.dataSync()[0];
      });
      return out;
    } finally {
      disposeBatch(built);
    }
  }

  /**
   * Whole-clip prediction (evaluation mode). Clips up to `windowSteps` run in one pass; longer
   * clips run in windows of `windowSteps` with stride windowSteps/2 and overlapping outputs are
   * averaged (documented inference scheme, tested against whole-window predictions).
   * @returns per-step arousal and valence (plain arrays)
   */
  predict(clip: ClipInput): { arousal: Float32Array; valence: Float32Array } {
    const y = this.windowed(clip, 2, (loc, glo) => forward(this.params, this.config, { local: loc, global: glo }, { training: false }).output);
    const a = new Float32Array(clip.steps);
    const v = new Float32Array(clip.steps);
    for (let i = 0; i < clip.steps; i++) {
      a[i] = y[i * 2];
      v[i] = y[i * 2 + 1];
    }
    return { arousal: a, valence: v };
  }

  /**
   * Body features (BiLSTM outputs, `[steps, 2H]` row-major) of a clip in evaluation mode, with the
   * same windowing as `predict`. The head applied to them reproduces `predict` exactly.
   */
  bodyFeatures(clip: ClipInput): { data: Float32Array; dim: number } {
    const dim = 2 * this.config.lstmHidden;
    const data = this.windowed(clip, dim, (loc, glo) => {
      const [b, s, f, m] = loc.shape;
      const g = glo.shape[2];
      const ctx = new ForwardContext(false, this.config.dropout);
      const emb = stepEmbeddings(this.params, this.config, tf.reshape(loc, [b * s, f, m]) as tf.Tensor3D, tf.reshape(glo, [b * s, g]) as tf.Tensor2D);
      const z = tf.reshape(emb.z, [b, s, this.config.hidden]) as tf.Tensor3D;
      return biLstm(this.params, multiScaleAttention(this.params, z, this.config, ctx).hidden);
    });
    return { data, dim };
  }

  /** Runs `fn` over windows of a clip and averages overlapping per-step outputs of width `width`. */
  private windowed(clip: ClipInput, width: number, fn: (local: tf.Tensor4D, global: tf.Tensor3D) => tf.Tensor3D): Float32Array {
    const { framesPerStep: f, mels: m, globalDim: g } = this.config.input;
    const W = this.config.windowSteps;
    const n = clip.steps;
    const starts: number[] = [];
    let len: number;
    if (n <= this.config.maxPositions) {
      starts.push(0);
      len = n;
    } else {
      len = W;
      const stride = Math.max(1, Math.floor(W / 2));
      for (let s = 0; s + W <= n; s += stride) starts.push(s);
      if (starts[starts.length - 1] + W < n) starts.push(n - W);
    }
    const sum = new Float32Array(n * width);
    const cnt = new Float32Array(n);
    const per = 8;
    for (let i = 0; i < starts.length; i += per) {
      const group = starts.slice(i, i + per);
      const loc = new Float32Array(group.length * len * f * m);
      const glo = new Float32Array(group.length * len * g);
      group.forEach((s, j) => {
        loc.set(clip.local.subarray(s * f * m, (s + len) * f * m), j * len * f * m);
        glo.set(clip.global.subarray(s * g, (s + len) * g), j * len * g);
      });
      const out = tf.tidy(() => fn(tf.tensor4d(loc, [group.length, len, f, m]), tf.tensor3d(glo, [group.length, len, g])).dataSync() as Float32Array);
      group.forEach((s, j) => {
        for (let t = 0; t < len; t++) {
          cnt[s + t]++;
          for (let d = 0; d < width; d++) sum[(s + t) * width + d] += out[(j * len + t) * width + d];
        }
      });
    }
    for (let t = 0; t < n; t++) for (let d = 0; d < width; d++) sum[t * width + d] /= Math.max(1, cnt[t]);
    return sum;
  }

  /** Copies of the head params (owned by the caller). */
  headParams(): ParamMap {
    const out: ParamMap = {};
    for (const n of headNames()) out[n] = tf.clone(this.params[n]);
    return out;
  }

  /** Replaces the head params with `head` (tensors are cloned; the caller keeps its own). */
  setHead(head: ParamMap): void {
    const next: ParamMap = { ...this.params };
    for (const n of headNames()) next[n] = tf.clone(head[n]);
    this.replaceParams(next);
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    this.params = {};
    this.adam.dispose();
  }
}

/** A personal item on body features: a whole clip's features and its binned curve. */
export interface BodyItem {
  /** [steps, dim] */
  features: Float32Array;
  steps: number;
  dim: number;
  /** [nb, steps] pooling from steps to the curve's bins (row-normalised) */
  pool: Float32Array;
  nb: number;
  /** [nb*2] (A,V) */
  target: Float32Array;
}

/** Tensors of one BodyItem. */
interface BodyBatch {
  y: tf.Tensor3D;
  pool: tf.Tensor3D;
  target: tf.Tensor3D;
  mask: tf.Tensor2D;
}

function bodyBatch(it: BodyItem): BodyBatch {
  return {
    y: tf.tensor3d(it.features, [1, it.steps, it.dim]),
    pool: tf.tensor3d(it.pool, [1, it.nb, it.steps]),
    target: tf.tensor3d(it.target, [1, it.nb, 2]),
    mask: tf.ones([1, it.nb]) as tf.Tensor2D,
  };
}
function disposeBody(b: BodyBatch): void {
  tf.dispose([b.y, b.pool, b.target, b.mask]);
}

/** Loss used for adaptation: the reference DMER score ('dmer') or plain MSE on bins ('mse'). */
export type AdaptLoss = 'dmer' | 'mse';

function headLoss(kind: AdaptLoss) {
  return (p: ParamMap, b: BodyBatch): tf.Scalar =>
    tf.tidy(() => {
      const pred = headForward(p, b.y);
      if (kind === 'dmer') return binnedLoss(pred, b.pool, b.target, b.mask);
      const pooled = tf.matMul(b.pool, pred);
      return tf.mean(tf.square(tf.sub(pooled, b.target))) as tf.Scalar;
    });
}

/** Inner-loop settings for head personalization. */
export interface HeadAdaptOptions {
  steps: number;
  lr: number;
  loss: AdaptLoss;
  clipNorm?: number;
}

/**
 * Adapts `head` on one support item and predicts the query items' bins.
 * @returns per-query predicted bins `[nb*2]` (A,V interleaved) and the support losses
 */
export function adaptHeadAndPredict(head: ParamMap, support: BodyItem, queries: BodyItem[], o: HeadAdaptOptions): { preds: Float32Array[]; losses: number[]; finalLoss: number } {
  const sb = bodyBatch(support);
  try {
    const r = adapt(headLoss(o.loss), head, sb, { steps: o.steps, lr: o.lr, clipNorm: o.clipNorm });
    try {
      return { preds: queries.map((q) => predictHeadBins(r.params, q)), losses: r.losses, finalLoss: r.finalLoss };
    } finally {
      tf.dispose(Object.values(r.params));
    }
  } finally {
    disposeBody(sb);
  }
}

/**
 * Adapts `head` on one support item.
 * @returns the adapted head params, owned by the caller (`head` is not disposed)
 */
export function adaptHead(head: ParamMap, support: BodyItem, o: HeadAdaptOptions): ParamMap {
  const sb = bodyBatch(support);
  try {
    return adapt(headLoss(o.loss), head, sb, { steps: o.steps, lr: o.lr, clipNorm: o.clipNorm }).params;
  } finally {
    disposeBody(sb);
  }
}

/** Head prediction pooled to an item's bins: `[nb*2]`. */
export function predictHeadBins(head: ParamMap, q: BodyItem): Float32Array {
  return tf.tidy(() => {
    const y = tf.tensor3d(q.features, [1, q.steps, q.dim]);
    return tf.matMul(tf.tensor3d(q.pool, [1, q.nb, q.steps]), headForward(head, y)).dataSync() as Float32Array;
  });
}

/**
 * One FOMAML meta-iteration on the head over body-feature tasks.
 * @returns new head params (caller owns; dispose the old ones) and plain figures
 */
export function metaStepHead(head: ParamMap, tasks: { support: BodyItem; query: BodyItem[] }[], adam: AdamState, cfg: MetaConfig, loss: AdaptLoss) {
  const batches = tasks.map((t) => ({ support: bodyBatch(t.support), queries: t.query.map(bodyBatch) }));
  try {
    // Several query items of a task are scored as the mean of their losses.
    const lossFn = headLoss(loss);
    type TB = BodyBatch | BodyBatch[];
    const fl = (p: ParamMap, b: TB): tf.Scalar => (Array.isArray(b) ? (tf.tidy(() => tf.div(tf.addN(b.map((x) => lossFn(p, x))), b.length)) as tf.Scalar) : lossFn(p, b));
    return fomamlStep<TB>(
      fl,
      head,
      batches.map((b) => ({ support: b.support, query: b.queries })),
      adam,
      cfg,
    );
  } finally {
    for (const b of batches) {
      disposeBody(b.support);
      b.queries.forEach(disposeBody);
    }
  }
}

/** Random initial head params (the "fine-tune from random init" baseline), owned by the caller. */
export function randomHead(config: ModelConfig, seed: number): ParamMap {
  const all = initParams(config, seed);
  const out: ParamMap = {};
  for (const n of headNames()) out[n] = all[n];
  tf.dispose(Object.entries(all).filter(([n]) => !headNames().includes(n)).map(([, t]) => t));
  return out;
}


