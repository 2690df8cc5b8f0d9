/**
 * Evaluation metrics in plain TypeScript (no tf): per-song regression metrics for emotion curves and
 * classification metrics for quadrant labels. The regression formulas match the DSAML reference
 * (Littleor/Personalized-DMER `utils/metrics`): Pearson r with eps 1e-8 in the denominator, Lin's CCC
 * with population (1/N) moments.
 */

/** Numerical guard added to the Pearson denominator (as in the reference code). */
export const PCC_EPS = 1e-8;

type Num = ArrayLike<number>;

function check(a: Num, b: Num): number {
  if (a.length !== b.length) throw new RangeError(`Expected equal lengths, got ${a.length} and ${b.length}`);
  if (a.length === 0) throw new RangeError('Expected at least one value, got an empty series');
  return a.length;
}

/** Arithmetic mean. @throws RangeError on empty input */
export function mean(a: Num): number {
  if (a.length === 0) throw new RangeError('Expected at least one value, got an empty series');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Root mean squared error between a prediction and a target of equal length. */
export function rmse(pred: Num, target: Num): number {
  const n = check(pred, target);
  let s = 0;
  for (let i = 0; i < n; i++) s += (pred[i] - target[i]) ** 2;
  return Math.sqrt(s / n);
}

/** Pearson correlation; a constant series gives 0 (the eps keeps it finite). */
export function pearson(pred: Num, target: Num): number {
  const n = check(pred, target);
  const mp = mean(pred);
  const mt = mean(target);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = pred[i] - mp;
    const dy = target[i] - mt;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / (Math.sqrt(sxx) * Math.sqrt(syy) + PCC_EPS);
}

/** Lin's concordance correlation coefficient 2cov / (var_p + var_t + (mean_p - mean_t)^2), population moments. */
export function ccc(pred: Num, target: Num): number {
  const n = check(pred, target);
  const mp = mean(pred);
  const mt = mean(target);
  let cov = 0;
  let vp = 0;
  let vt = 0;
  for (let i = 0; i < n; i++) {
    const dx = pred[i] - mp;
    const dy = target[i] - mt;
    cov += dx * dy;
    vp += dx * dx;
    vt += dy * dy;
  }
  cov /= n;
  vp /= n;
  vt /= n;
  const den = vp + vt + (mp - mt) ** 2;
  return den === 0 ? 1 : (2 * cov) / den;
}

/** One song's curve metrics for one dimension. */
export interface CurveMetrics {
  rmse: number;
  pearson: number;
  ccc: number;
}

/** RMSE, Pearson r and CCC of one song. */
export function curveMetrics(pred: Num, target: Num): CurveMetrics {
  return { rmse: rmse(pred, target), pearson: pearson(pred, target), ccc: ccc(pred, target) };
}

/** Per-song metrics averaged over songs (the DEAM/PMEmo protocol: compute per song, then average). */
export function averageCurveMetrics(perSong: CurveMetrics[]): CurveMetrics & { songs: number } {
  if (perSong.length === 0) return { rmse: NaN, pearson: NaN, ccc: NaN, songs: 0 };
  return {
    rmse: mean(perSong.map((m) => m.rmse)),
    pearson: mean(perSong.map((m) => m.pearson)),
    ccc: mean(perSong.map((m) => m.ccc)),
    songs: perSong.length,
  };
}

/** Russell quadrants as in 4Q/EMOPIA: Q1 (+V,+A), Q2 (-V,+A), Q3 (-V,-A), Q4 (+V,-A). */
export type Quadrant = 1 | 2 | 3 | 4;

/**
 * Quadrant of a (valence, arousal) point. Zero counts as positive (a tie-break; predictions are
 * continuous so exact zeros are rare).
 */
export function quadrantOf(valence: number, arousal: number): Quadrant {
  const vPos = valence >= 0;
  const aPos = arousal >= 0;
  if (vPos && aPos) return 1;
  if (!vPos && aPos) return 2;
  if (!vPos && !aPos) return 3;
  return 4;
}

/** Signs (+1/-1) of valence and arousal implied by a quadrant. */
export function quadrantSigns(q: Quadrant): { valence: 1 | -1; arousal: 1 | -1 } {
  return { valence: q === 1 || q === 4 ? 1 : -1, arousal: q === 1 || q === 2 ? 1 : -1 };
}

/** Parses "Q1".."Q4" or 1..4. @throws RangeError naming the value */
export function parseQuadrant(x: string | number): Quadrant {
  const s = String(x).trim().toUpperCase().replace(/^Q/, '');
  const n = Number(s);
  if (n === 1 || n === 2 || n === 3 || n === 4) return n;
  throw new RangeError(`Expected a quadrant Q1..Q4, got "${x}"`);
}

/** Fraction of equal labels. */
export function accuracy<T>(pred: readonly T[], truth: readonly T[]): number {
  check(pred as unknown as Num, truth as unknown as Num);
  let c = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === truth[i]) c++;
  return c / pred.length;
}

/**
 * Macro-averaged F1 over `labels` (default: the union of labels seen). A class with no predicted
 * and no true members is skipped; a class with true members but no correct predictions scores 0.
 */
export function macroF1<T>(pred: readonly T[], truth: readonly T[], labels?: readonly T[]): number {
  check(pred as unknown as Num, truth as unknown as Num);
  const classes = labels ?? [...new Set([...truth, ...pred])];
  const f1s: number[] = [];
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < pred.length; i++) {
      if (pred[i] === c && truth[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    if (tp + fp + fn === 0) continue;
    f1s.push(tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  }
  return f1s.length ? mean(f1s) : NaN;
}

/** Quadrant classification summary of clip-mean predictions. */
export interface QuadrantMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  valenceSignAccuracy: number;
  arousalSignAccuracy: number;
  /** confusion[true-1][pred-1] */
  confusion: number[][];
}

/** Scores clip-mean (valence, arousal) predictions against quadrant labels. */
export function quadrantMetrics(pred: { valence: number; arousal: number }[], truth: Quadrant[]): QuadrantMetrics {
  if (pred.length !== truth.length) throw new RangeError(`Expected equal lengths, got ${pred.length} and ${truth.length}`);
  const pq = pred.map((p) => quadrantOf(p.valence, p.arousal));
  const confusion = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  let vs = 0;
  let as = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i] - 1][pq[i] - 1]++;
    const s = quadrantSigns(truth[i]);
    if ((pred[i].valence >= 0 ? 1 : -1) === s.valence) vs++;
    if ((pred[i].arousal >= 0 ? 1 : -1) === s.arousal) as++;
  }
  const n = truth.length;
  return {
    n,
    accuracy: n ? accuracy(pq, truth) : NaN,
    macroF1: n ? macroF1(pq, truth, [1, 2, 3, 4]) : NaN,
    valenceSignAccuracy: n ? vs / n : NaN,
    arousalSignAccuracy: n ? as / n : NaN,
    confusion,
  };
}
