/**
 * The training/evaluation data pool built from the datasets in a data directory: features per clip
 * (cached), labels, splits, and window sampling into `WindowSample`s for the trainer.
 *
 * Splits (all seeded and reported):
 * - 4Q: train/val/test by artist hash (datasets/fourq.ts), default 70/10/20.
 * - VGMIDI: PEOPLE are split train/val/test (default 70/10/20, episode.ts splitPeople); pieces are
 *   shared (every piece was annotated by many people). The base model trains on per-piece consensus
 *   curves = the mean of TRAIN people's curves only, so held-out people's labels are never seen.
 * - EMOPIA: the official clip splits.
 */
import fs from 'node:fs';
import type { FeatureConfig } from '../../src-shared/audio/feature-config';
import { binPoolingMatrix } from '../model/losses';
import { mulberry32, splitPeople } from '../model/meta/episode';
import type { WindowSample } from '../model/meta/trainer';
import { loadEmopia } from './datasets/emopia';
import { loadFourq } from './datasets/fourq';
import { renderMidi } from './datasets/render';
import type { QuadrantClip, Split, VgmidiCurve, VgmidiPiece } from './datasets/types';
import { loadVgmidi } from './datasets/vgmidi';
import { cachedFeatures, type ClipFeatures } from './feature-cache';
import { quadrantSigns } from './metrics';

export interface PoolOptions {
  seed: number;
  /** which sets to load */
  sets: ('fourq' | 'vgmidi' | 'emopia')[];
  /** dataset directories (default: <data>/fourq, <data>/vgmidi, <data>/emopia) */
  dirs: Partial<Record<'fourq' | 'vgmidi' | 'emopia', string>>;
  /** cap items per set (quick runs) */
  limit?: number;
  onProgress?: (msg: string) => void;
}

export interface QuadrantEntry {
  clip: QuadrantClip;
  feats: ClipFeatures;
}
export interface PieceEntry {
  piece: VgmidiPiece;
  feats: ClipFeatures;
  /** consensus (mean of train people's curves), bins x (A,V) */
  consensus: { arousal: Float32Array; valence: Float32Array } | null;
}
export interface Pool {
  seed: number;
  dirs: PoolOptions['dirs'];
  quadrant: QuadrantEntry[];
  pieces: Map<string, PieceEntry>;
  curves: VgmidiCurve[];
  peopleSplit: Map<string, Split>;
  /** global mean of train labels (A, V) over VGMIDI train curves (0 when none) */
  trainMean: { arousal: number; valence: number };
}

/** Loads the requested sets, computing/caching features. Slow the first time (decode + features). */
export async function buildPool(cfg: FeatureConfig, o: PoolOptions): Promise<Pool> {
  const pool: Pool = {
    seed: o.seed,
    dirs: o.dirs,
    quadrant: [],
    pieces: new Map(),
    curves: [],
    peopleSplit: new Map(),
    trainMean: { arousal: 0, valence: 0 },
  };
  const say = o.onProgress ?? (() => {});
  const quadSets: ('fourq' | 'emopia')[] = o.sets.filter((s): s is 'fourq' | 'emopia' => s === 'fourq' || s === 'emopia');
  for (const set of quadSets) {
    const dir = o.dirs[set];
    if (!dir) continue;
    let clips = set === 'fourq' ? loadFourq(dir, { seed: o.seed }) : loadEmopia(dir);
    if (o.limit) clips = clips.slice(0, o.limit);
    let i = 0;
    for (const clip of clips) {
      const audio = clip.kind === 'midi' ? await renderMidi(clip.path, { sampleRate: cfg.sampleRate }) : clip.path;
      try {
        pool.quadrant.push({ clip, feats: await cachedFeatures(audio, cfg) });
      } catch (e) {
        say(`${set}: skipping ${clip.id}: ${(e as Error).message}`);
      }
      if (++i % 50 === 0) say(`${set}: features ${i}/${clips.length}`);
    }
  }
  if (o.sets.includes('vgmidi') && o.dirs.vgmidi && fs.existsSync(o.dirs.vgmidi)) {
    const v = loadVgmidi(o.dirs.vgmidi);
    let pieces = [...v.pieces.values()];
    if (o.limit) pieces = pieces.slice(0, o.limit);
    let i = 0;
    for (const piece of pieces) {
      try {
        const wav = await renderMidi(piece.midiPath, { sampleRate: cfg.sampleRate });
        pool.pieces.set(piece.key, { piece, feats: await cachedFeatures(wav, cfg), consensus: null });
      } catch (e) {
        say(`vgmidi: skipping ${piece.key}: ${(e as Error).message}`);
      }
      if (++i % 20 === 0) say(`vgmidi: features ${i}/${pieces.length}`);
    }
    pool.curves = v.curves.filter((c) => pool.pieces.has(c.pieceKey));
    const people = [...new Set(pool.curves.map((c) => c.person))];
    const sp = splitPeople(people, { val: 0.1, test: 0.2 }, o.seed);
    for (const [k, list] of Object.entries(sp) as [Split, string[]][]) for (const p of list) pool.peopleSplit.set(p, k);
    // Consensus per piece from train people only.
    let sa = 0;
    let sv = 0;
    let n = 0;
    for (const entry of pool.pieces.values()) {
      const cs = pool.curves.filter((c) => c.pieceKey === entry.piece.key && pool.peopleSplit.get(c.person) === 'train');
      if (cs.length === 0) continue;
      const nb = Math.min(...cs.map((c) => c.arousal.length));
      const a = new Float32Array(nb);
      const vv = new Float32Array(nb);
      for (const c of cs) {
        for (let b = 0; b < nb; b++) {
          a[b] += c.arousal[b] / cs.length;
          vv[b] += c.valence[b] / cs.length;
          sa += c.arousal[b];
          sv += c.valence[b];
          n++;
        }
      }
      entry.consensus = { arousal: a, valence: vv };
    }
    pool.trainMean = n ? { arousal: sa / n, valence: sv / n } : { arousal: 0, valence: 0 };
  }
  return pool;
}

/** Copies steps [start, start+S) of a clip, repeating the edge steps when the clip is shorter. */
export function sliceWindow(f: ClipFeatures, start: number, S: number): { local: Float32Array; global: Float32Array } {
  const fm = f.frames * f.mels;
  const local = new Float32Array(S * fm);
  const global = new Float32Array(S * f.globalDim);
  for (let t = 0; t < S; t++) {
    const src = Math.min(f.steps - 1, Math.max(0, start + t));
    local.set(f.local.subarray(src * fm, (src + 1) * fm), t * fm);
    global.set(f.global.subarray(src * f.globalDim, (src + 1) * f.globalDim), t * f.globalDim);
  }
  return { local, global };
}

/** A random S-step window of a quadrant clip with its sign label (A, V). */
export function quadrantWindow(e: QuadrantEntry, S: number, rand: () => number): WindowSample {
  const start = e.feats.steps > S ? Math.floor(rand() * (e.feats.steps - S + 1)) : 0;
  const w = sliceWindow(e.feats, start, S);
  const s = quadrantSigns(e.clip.quadrant);
  return { steps: S, ...w, label: { kind: 'quadrant', signs: [s.arousal, s.valence] } };
}

/**
 * A random S-step window of a piece with a binned curve (A, V per bin) as label: the 2 Hz
 * prediction is pooled into the curve's bins inside the window.
 */
export function binnedWindow(f: ClipFeatures, binSec: number, arousal: ArrayLike<number>, valence: ArrayLike<number>, S: number, rand: () => number): WindowSample {
  const usable = Math.min(f.steps, Math.floor((arousal.length * binSec) / 0.5));
  const start = usable > S ? Math.floor(rand() * (usable - S + 1)) : 0;
  const w = sliceWindow(f, start, S);
  const maxBins = Math.ceil((S * 0.5) / binSec) + 1;
  const pm = binPoolingMatrix(S, start * 0.5, binSec, arousal.length, maxBins);
  const target = new Float32Array(maxBins * 2);
  const mask = new Float32Array(maxBins);
  pm.bins.forEach((b, r) => {
    if (b < 0) return;
    target[r * 2] = arousal[b];
    target[r * 2 + 1] = valence[b];
    mask[r] = 1;
  });
  return { steps: S, ...w, label: { kind: 'binned', pool: pm.pool, target, mask, nb: maxBins } };
}

/** Weighted mixture sampler over the training items of a pool. */
export function makeSampler(pool: Pool, S: number, mix: { quadrant: number; vgmidi: number }, seed: number) {
  const rand = mulberry32(seed);
  const quad = pool.quadrant.filter((q) => q.clip.split === 'train');
  const pieces = [...pool.pieces.values()].filter((p) => p.consensus);
  const wq = quad.length ? mix.quadrant : 0;
  const wv = pieces.length ? mix.vgmidi : 0;
  if (wq + wv === 0) throw new RangeError('sampler: no training items (check --data and --sets)');
  return {
    rand,
    counts: { quadrant: quad.length, pieces: pieces.length },
    next(): WindowSample {
      if (rand() * (wq + wv) < wq) return quadrantWindow(quad[Math.floor(rand() * quad.length)], S, rand);
      const p = pieces[Math.floor(rand() * pieces.length)];
      return binnedWindow(p.feats, p.piece.binSec, p.consensus!.arousal, p.consensus!.valence, S, rand);
    },
  };
}

/** Row-normalised pooling `[nb, steps]` of a whole piece's 2 Hz steps into its bins. */
export function wholePiecePooling(steps: number, binSec: number, nb: number): { pool: Float32Array; covered: boolean[] } {
  const pm = binPoolingMatrix(steps, 0, binSec, nb, nb);
  // binPoolingMatrix packs the covered bins first; expand back to bin index order.
  const pool = new Float32Array(nb * steps);
  const covered = new Array<boolean>(nb).fill(false);
  pm.bins.forEach((b, r) => {
    if (b < 0) return;
    covered[b] = true;
    pool.set(pm.pool.subarray(r * steps, (r + 1) * steps), b * steps);
  });
  return { pool, covered };
}
