/**
 * `pdmer train`: non-personalized DMER training of the base network on a mixture of label kinds
 * (4Q/EMOPIA clip quadrants, VGMIDI per-piece consensus curves in measure bins; see losses.ts for
 * how they share one network). Resumable: `<out>/last.ckpt` holds params, Adam moments and the
 * iteration; the mini-batch of iteration i is drawn from a generator seeded by (seed, i), so a
 * resumed run sees the same batches as an uninterrupted one. Model selection uses the VALIDATION
 * split only (4Q val artists, VGMIDI val people); the test split is never looked at here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { featureConfigHash, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { COMPACT_CONFIG, PAPER_CONFIG, withInput, type ModelConfig } from '../model/config';
import { AdamState } from '../model/meta/adam';
import { mulberry32 } from '../model/meta/episode';
import { ModelState, fromPlain, toPlain, type WindowSample } from '../model/meta/trainer';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { hash32 } from './datasets/common';
import { mean, quadrantMetrics, rmse, type Quadrant } from './metrics';
import { binnedWindow, quadrantWindow, type Pool } from './pool';

/** Model config for a feature config (compact or paper network sizes). */
export function modelConfigFor(name: 'compact' | 'paper', feat: FeatureConfig): ModelConfig {
  return withInput(name === 'paper' ? PAPER_CONFIG : COMPACT_CONFIG, {
    framesPerStep: feat.framesPerStep,
    mels: feat.nMels,
    globalDim: feat.global.dim,
    featureConfigHash: featureConfigHash(feat),
  });
}

export interface TrainOptions {
  out: string;
  iterations: number;
  batch: number;
  lr: number;
  seed: number;
  evalEvery: number;
  mix: { quadrant: number; vgmidi: number };
  attnWeight: number;
  clipNorm: number;
  /** stop (after a checkpoint) when this many minutes have passed */
  maxMinutes: number;
  resume: boolean;
}

export interface TrainMeta {
  kind: 'dmer';
  iteration: number;
  config: ModelConfig;
  options: TrainOptions;
  best: { iteration: number; score: number; val: ValFigures } | null;
  history: { iteration: number; loss: number; val?: ValFigures }[];
  elapsedSec: number;
  [k: string]: unknown;
}

export interface ValFigures {
  fourqMacroF1?: number;
  fourqAccuracy?: number;
  vgmidiRmse?: number;
  /** EMOPIA validation macro-F1 when EMOPIA is in the pool (reported; not part of the score). */
  emopiaMacroF1?: number;
  /** selection score: 4Q macroF1 - VGMIDI rmse (each term present only when its set is present) */
  score: number;
}

/** Validation metrics on the pool's validation splits. */
export function validate(model: ModelState, pool: Pool): ValFigures {
  const out: ValFigures = { score: 0 };
  const quadrantVal = (dataset: 'fourq' | 'emopia') => {
    const val = pool.quadrant.filter((q) => q.clip.dataset === dataset && q.clip.split === 'val');
    if (!val.length) return null;
    const preds = val.map((q) => {
      const p = model.predict(q.feats);
      return { arousal: mean(p.arousal), valence: mean(p.valence) };
    });
    return quadrantMetrics(preds, val.map((q) => q.clip.quadrant as Quadrant));
  };
  // Selection targets real audio: the 4Q validation artists only (EMOPIA val is reported beside).
  const m = quadrantVal('fourq');
  if (m) {
    out.fourqMacroF1 = m.macroF1;
    out.fourqAccuracy = m.accuracy;
    out.score += m.macroF1;
  }
  const e = quadrantVal('emopia');
  if (e) out.emopiaMacroF1 = e.macroF1;
  // At most 30 pieces (sorted keys, deterministic) keep a validation pass to ~1 min on 2 busy cores.
  const valPieces = new Set([...new Set(pool.curves.filter((c) => pool.peopleSplit.get(c.person) === 'val').map((c) => c.pieceKey))].sort().slice(0, 30));
  const valCurves = pool.curves.filter((c) => pool.peopleSplit.get(c.person) === 'val' && valPieces.has(c.pieceKey));
  if (valCurves.length) {
    const cache = new Map<string, { a: Float32Array; v: Float32Array }>();
    const errs: number[] = [];
    for (const c of valCurves) {
      const entry = pool.pieces.get(c.pieceKey)!;
      let b = cache.get(c.pieceKey);
      if (!b) {
        const p = model.predict(entry.feats);
        b = { a: binMeans(p.arousal, entry.piece.binSec, c.arousal.length), v: binMeans(p.valence, entry.piece.binSec, c.arousal.length) };
        cache.set(c.pieceKey, b);
      }
      const n = Math.min(b.a.length, c.arousal.length);
      errs.push((rmse(b.a.subarray(0, n), c.arousal.subarray(0, n)) + rmse(b.v.subarray(0, n), c.valence.subarray(0, n))) / 2);
    }
    out.vgmidiRmse = mean(errs);
    out.score -= out.vgmidiRmse;
  }
  return out;
}

/** Means of a 2 Hz curve over uniform bins (bins without steps are dropped from the end). */
export function binMeans(x: Float32Array, binSec: number, nb: number): Float32Array {
  const sum = new Float64Array(nb);
  const cnt = new Float64Array(nb);
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor(((i + 0.5) * 0.5) / binSec);
    if (b < nb) {
      sum[b] += x[i];
      cnt[b]++;
    }
  }
  let n = nb;
  while (n > 0 && cnt[n - 1] === 0) n--;
  const out = new Float32Array(n);
  for (let b = 0; b < n; b++) out[b] = cnt[b] ? sum[b] / cnt[b] : out[b - 1] ?? 0;
  return out;
}

/** Draws the mini-batch of iteration `it` (deterministic in (seed, it)). */
export function batchFor(pool: Pool, cfg: ModelConfig, o: Pick<TrainOptions, 'seed' | 'batch' | 'mix'>, it: number): WindowSample[] {
  const rand = mulberry32(hash32(`${o.seed}:${it}`));
  const quad = pool.quadrant.filter((q) => q.clip.split === 'train');
  const pieces = [...pool.pieces.values()].filter((p) => p.consensus);
  const wq = quad.length ? o.mix.quadrant : 0;
  const wv = pieces.length ? o.mix.vgmidi : 0;
  if (wq + wv === 0) throw new RangeError('train: no training items (check --data and --sets)');
  const S = cfg.windowSteps;
  return Array.from({ length: o.batch }, () => {
    if (rand() * (wq + wv) < wq) return quadrantWindow(quad[Math.floor(rand() * quad.length)], S, rand);
    const p = pieces[Math.floor(rand() * pieces.length)];
    return binnedWindow(p.feats, p.piece.binSec, p.consensus!.arousal, p.consensus!.valence, S, rand);
  });
}

/**
 * Runs (or resumes) DMER training. Writes `<out>/last.ckpt` every `evalEvery` iterations and
 * `<out>/best.ckpt` when the validation score improves.
 * @returns the final metadata
 */
export async function trainDmer(pool: Pool, cfg: ModelConfig, o: TrainOptions, log: (s: string) => void): Promise<TrainMeta> {
  fs.mkdirSync(o.out, { recursive: true });
  const lastPath = path.join(o.out, 'last.ckpt');
  let model: ModelState;
  let meta: TrainMeta;
  if (o.resume && fs.existsSync(lastPath)) {
    const ck = loadCheckpoint<TrainMeta>(lastPath);
    // An ablation's network differs from the method's: never resume one as the other.
    for (const [key, flag, dflt] of [
      ['scales', '--scales', 'both'],
      ['globalInput', '--global-input', 'descriptors'],
    ] as const) {
      const had = ck.meta.config[key] ?? dflt;
      const want = cfg[key] ?? dflt;
      if (had !== want) throw new Error(`${lastPath} was trained with ${flag} ${had}, but this run asks for ${want}; use the same ${flag} or another --out`);
    }
    model = new ModelState(cfg, fromPlain(ck.groups.params), AdamState.fromArrays(Number(ck.meta.adamT ?? 0), ck.groups.adamM ?? {}, ck.groups.adamV ?? {}));
    meta = ck.meta;
    log(`train: resumed from ${lastPath} at iteration ${meta.iteration}`);
  } else {
    model = ModelState.init(cfg, o.seed);
    meta = { kind: 'dmer', iteration: 0, config: cfg, options: o, best: null, history: [], elapsedSec: 0 };
  }
  const t0 = Date.now();
  const elapsed0 = meta.elapsedSec;
  const save = async (file: string) => {
    meta.elapsedSec = elapsed0 + (Date.now() - t0) / 1000;
    saveCheckpoint(file, {
      meta: { ...meta, adamT: model.adam.t },
      groups: { params: await toPlain(model.params), adamM: await toPlain(model.adam.m), adamV: await toPlain(model.adam.v) },
    });
  };
  try {
    let recent: number[] = [];
    while (meta.iteration < o.iterations) {
      const it = meta.iteration;
      const f = model.trainStep(batchFor(pool, cfg, o, it), { lr: o.lr, seed: o.seed * 100_003 + it, clipNorm: o.clipNorm, loss: { attnWeight: o.attnWeight } });
      recent.push(f.total);
      meta.iteration = it + 1;
      if (meta.iteration % 10 === 0) {
        const parts = (['binned', 'quadrant', 'attn'] as const).filter((k) => f[k] !== undefined).map((k) => `${k} ${f[k]!.toFixed(3)}`).join(' ');
        log(`train: it ${meta.iteration}/${o.iterations} loss ${mean(recent).toFixed(4)} (last: ${parts}) ${((Date.now() - t0) / 1000).toFixed(0)}s`);
      }
      const timeUp = (Date.now() - t0) / 60_000 >= o.maxMinutes;
      if (meta.iteration % o.evalEvery === 0 || meta.iteration === o.iterations || timeUp) {
        const val = validate(model, pool);
        meta.history.push({ iteration: meta.iteration, loss: mean(recent), val });
        recent = [];
        log(`train: validation at ${meta.iteration}: ${JSON.stringify(val)}`);
        if (!meta.best || val.score > meta.best.score) {
          meta.best = { iteration: meta.iteration, score: val.score, val };
          await save(path.join(o.out, 'best.ckpt'));
        }
        await save(lastPath);
      }
      if (timeUp) {
        log(`train: --max-minutes ${o.maxMinutes} reached at iteration ${meta.iteration}; resume with --resume`);
        break;
      }
    }
    return meta;
  } finally {
    model.dispose();
  }
}
