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
import type { Pool } from './pool';

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
