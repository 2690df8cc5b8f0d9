/**
 * Evaluation suites of `pdmer eval` (plain data in and out; the model is a ModelState).
 * - fourq / emopia: quadrant of the clip-mean prediction on the TEST split: accuracy, macro-F1,
 *   valence/arousal sign accuracy; baseline: the constant prediction at the training-label mean.
 * - deam / pmemo: per-song RMSE, Pearson r, CCC per dimension on the test split, averaged over songs;
 *   the model is scored only for songs whose audio is present; the global-mean baseline always.
 * - vgmidi-personal: see personal.ts.
 */
import type { FeatureConfig } from '../../src-shared/audio/feature-config';
import type { ModelState } from '../model/meta/trainer';
import type { DynamicSong } from './datasets/types';
import { cachedFeatures } from './feature-cache';
import { averageCurveMetrics, curveMetrics, mean, quadrantMetrics, quadrantSigns, type CurveMetrics, type Quadrant, type QuadrantMetrics } from './metrics';
import type { Pool, QuadrantEntry } from './pool';

export interface QuadrantRow extends QuadrantMetrics {
  method: string;
}

/** Quadrant suite over the pool's quadrant clips of one dataset (test split). */
export function evalQuadrant(model: ModelState | null, pool: Pool, dataset: 'fourq' | 'emopia', log?: (s: string) => void): QuadrantRow[] {
  const test = pool.quadrant.filter((q) => q.clip.dataset === dataset && q.clip.split === 'test');
  const train = pool.quadrant.filter((q) => q.clip.dataset === dataset && q.clip.split === 'train');
  const truth = test.map((q) => q.clip.quadrant as Quadrant);
  const rows: QuadrantRow[] = [];
  // Global mean of the training labels (quadrant signs), predicted for every clip.
  const ma = train.length ? mean(train.map((q) => quadrantSigns(q.clip.quadrant).arousal)) : 0;
  const mv = train.length ? mean(train.map((q) => quadrantSigns(q.clip.quadrant).valence)) : 0;
  rows.push({ method: 'global mean (constant)', ...quadrantMetrics(test.map(() => ({ arousal: ma, valence: mv })), truth) });
  rows.push({ method: 'linear probe (logistic regr. on clip-mean descriptors + log-mel)', ...quadrantMetrics(linearProbe(train, test), truth) });
  if (model) {
    const preds = test.map((q, i) => {
      const p = model.predict(q.feats);
      if ((i + 1) % 50 === 0) log?.(`eval: ${dataset} ${i + 1}/${test.length}`);
      return { arousal: mean(p.arousal), valence: mean(p.valence) };
    });
    rows.push({ method: 'model (clip mean)', ...quadrantMetrics(preds, truth) });
  }
  return rows;
}

export interface CurveRow {
  method: string;
  songs: number;
  arousal: CurveMetrics;
  valence: CurveMetrics;
}

/** Dynamic-curve suite (DEAM/PMEmo) on the test split. */
export async function evalCurves(model: ModelState | null, songs: DynamicSong[], feat: FeatureConfig, log?: (s: string) => void): Promise<CurveRow[]> {
  const train = songs.filter((s) => s.split === 'train');
  const test = songs.filter((s) => s.split === 'test');
  const all = (k: 'arousal' | 'valence') => mean(train.flatMap((s) => Array.from(s[k])));
  const ga = train.length ? all('arousal') : 0;
  const gv = train.length ? all('valence') : 0;
  const constRow = (name: string, a: number, v: number): CurveRow => ({
    method: name,
    songs: test.length,
    arousal: averageCurveMetrics(test.map((s) => curveMetrics(new Float32Array(s.arousal.length).fill(a), s.arousal))),
    valence: averageCurveMetrics(test.map((s) => curveMetrics(new Float32Array(s.valence.length).fill(v), s.valence))),
  });
  const rows: CurveRow[] = [constRow('global mean (constant)', ga, gv)];
  const withAudio = test.filter((s) => s.audioPath);
  if (model && withAudio.length) {
    const ma: CurveMetrics[] = [];
    const mv: CurveMetrics[] = [];
    for (const s of withAudio) {
      const f = await cachedFeatures(s.audioPath!, feat);
      const p = model.predict(f);
      const off = Math.round(s.startSec / 0.5);
      const n = Math.min(s.arousal.length, p.arousal.length - off);
      if (n <= 1) continue;
      ma.push(curveMetrics(p.arousal.subarray(off, off + n), s.arousal.subarray(0, n)));
      mv.push(curveMetrics(p.valence.subarray(off, off + n), s.valence.subarray(0, n)));
      if (ma.length % 20 === 0) log?.(`eval: ${ma.length}/${withAudio.length} songs`);
    }
    rows.push({ method: 'model', songs: ma.length, arousal: averageCurveMetrics(ma), valence: averageCurveMetrics(mv) });
  }
  return rows;
}

/** Clip-level summary vector: mean global descriptors and mean log-mel per band (/10). */
function clipVector(f: QuadrantEntry['feats']): number[] {
  const g = new Array<number>(f.globalDim).fill(0);
  for (let t = 0; t < f.steps; t++) for (let d = 0; d < f.globalDim; d++) g[d] += f.global[t * f.globalDim + d] / f.steps;
  const mel = new Array<number>(f.mels).fill(0);
  const n = f.steps * f.frames;
  for (let i = 0; i < n; i++) for (let m = 0; m < f.mels; m++) mel[m] += f.local[i * f.mels + m] / n / 10;
  return [...g, ...mel];
}

/**
 * A non-neural reference in the spirit of the published anchor (hand-crafted features + a linear
 * classifier): two L2-regularised logistic regressions (sign of arousal, sign of valence) on
 * standardised clip vectors, full-batch gradient descent (300 epochs, lr 0.1, L2 1e-3), trained on
 * the train split only.
 */
export function linearProbe(train: QuadrantEntry[], test: QuadrantEntry[]): { arousal: number; valence: number }[] {
  if (train.length === 0) return test.map(() => ({ arousal: 0, valence: 0 }));
  const X = train.map((q) => clipVector(q.feats));
  const D = X[0].length;
  const mu = new Array<number>(D).fill(0);
  const sd = new Array<number>(D).fill(0);
  for (const x of X) x.forEach((v, d) => (mu[d] += v / X.length));
  for (const x of X) x.forEach((v, d) => (sd[d] += (v - mu[d]) ** 2 / X.length));
  const z = (x: number[]) => x.map((v, d) => (v - mu[d]) / Math.sqrt(sd[d] + 1e-8));
  const Z = X.map(z);
  const Y = train.map((q) => quadrantSigns(q.clip.quadrant));
  const fit = (k: 'arousal' | 'valence') => {
    const w = new Array<number>(D).fill(0);
    let b = 0;
    for (let ep = 0; ep < 300; ep++) {
      const g = new Array<number>(D).fill(0);
      let gb = 0;
      Z.forEach((x, i) => {
        const y = Y[i][k];
        const m = x.reduce((a, v, d) => a + v * w[d], b);
        const p = -y / (1 + Math.exp(y * m));
        x.forEach((v, d) => (g[d] += p * v));
        gb += p;
      });
      for (let d = 0; d < D; d++) w[d] -= 0.1 * (g[d] / Z.length + 1e-3 * w[d]);
      b -= (0.1 * gb) / Z.length;
    }
    return (x: number[]) => x.reduce((a, v, d) => a + v * w[d], b);
  };
  const fa = fit('arousal');
  const fv = fit('valence');
  return test.map((q) => {
    const x = z(clipVector(q.feats));
    return { arousal: fa(x), valence: fv(x) };
  });
}
