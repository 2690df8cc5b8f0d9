/**
 * Inter-rater reliability of continuous traces (2 Hz bins), per dimension.
 *
 * Data layout: `ratings[i][j]` = rater j's value at bin (target) i, `null` when missing.
 * - ICC: two-way model, single rater (McGraw & Wong 1996, Psychol. Methods 1(1):30-46, Table 4):
 *   ICC(C,1) = (MSR - MSE) / (MSR + (k-1) MSE)                           (consistency)
 *   ICC(A,1) = (MSR - MSE) / (MSR + (k-1) MSE + (k/n) (MSC - MSE))       (absolute agreement)
 *   over complete cases (bins every rater has).
 * - Krippendorff's alpha, interval metric (Krippendorff 2011, "Computing Krippendorff's alpha-
 *   reliability", coincidence form): alpha = 1 - Do/De, with missing values allowed; units with
 *   fewer than two values are not pairable and are skipped.
 * - CCC: Lin's concordance correlation (Lin 1989), population moments:
 *   2 s_xy / (s_x^2 + s_y^2 + (mean_x - mean_y)^2), over bins both raters have; the mean over all
 *   rater pairs. With a lag tolerance of L steps, each pair's CCC is the best over shifts
 *   d in [-L, L] of y against x (raters react with different delays).
 * Undefined statistics (no variance, too few bins or raters) are `null`, never NaN.
 */

export type Ratings = readonly (readonly (number | null)[])[];

export interface IccResult {
  /** ICC(A,1) */
  agreement: number | null;
  /** ICC(C,1) */
  consistency: number | null;
  n: number;
  k: number;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Rows where every rater has a value. */
export function completeCases(ratings: Ratings): number[][] {
  return ratings.filter((r) => r.length > 0 && r.every((x) => x !== null && Number.isFinite(x))) as number[][];
}

/** Two-way ICC(A,1) and ICC(C,1) over complete cases. */
export function icc(ratings: Ratings): IccResult {
  const rows = completeCases(ratings);
  const n = rows.length;
  const k = n > 0 ? rows[0].length : 0;
  if (n < 2 || k < 2) return { agreement: null, consistency: null, n, k };
  let grand = 0;
  for (const r of rows) for (const x of r) grand += x;
  grand /= n * k;
  const colMeans = new Array<number>(k).fill(0);
  for (const r of rows) for (let j = 0; j < k; j++) colMeans[j] += r[j] / n;
  let ssr = 0;
  let ssc = 0;
  let sst = 0;
  for (const r of rows) {
    const m = r.reduce((a, b) => a + b, 0) / k;
    ssr += k * (m - grand) ** 2;
    for (const x of r) sst += (x - grand) ** 2;
  }
  for (const c of colMeans) ssc += n * (c - grand) ** 2;
  const sse = Math.max(0, sst - ssr - ssc);
  const msr = ssr / (n - 1);
  const msc = ssc / (k - 1);
  const mse = sse / ((n - 1) * (k - 1));
  const consistency = finiteOrNull((msr - mse) / (msr + (k - 1) * mse));
  const agreement = finiteOrNull((msr - mse) / (msr + (k - 1) * mse + (k / n) * (msc - mse)));
  return { agreement, consistency, n, k };
}

/** Krippendorff's alpha with the interval metric; missing values allowed. */
export function krippendorffAlphaInterval(ratings: Ratings): number | null {
  const units: number[][] = [];
  for (const r of ratings) {
    const vals = r.filter((x): x is number => x !== null && Number.isFinite(x));
    if (vals.length >= 2) units.push(vals);
  }
  let nTotal = 0;
  for (const u of units) nTotal += u.length;
  if (nTotal < 2) return null;
  // Observed disagreement: sum over units of (1/(m_u - 1)) * sum over ordered pairs (i != j) of (v_i - v_j)^2.
  let dO = 0;
  for (const u of units) {
    const m = u.length;
    let s = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) s += (u[i] - u[j]) ** 2;
    dO += s / (m - 1);
  }
  dO /= nTotal;
  // Expected disagreement over all ordered pairs of pairable values: sum (v_i - v_j)^2 = 2 N sum v^2 - 2 (sum v)^2.
  let sum = 0;
  let sumSq = 0;
  for (const u of units) for (const v of u) {
    sum += v;
    sumSq += v * v;
  }
  const dE = (2 * nTotal * sumSq - 2 * sum * sum) / (nTotal * (nTotal - 1));
  if (!(dE > 0)) return null;
  return finiteOrNull(1 - dO / dE);
}

/** Lin's concordance correlation over the indices where both series are present. */
export function ccc(x: readonly (number | null)[], y: readonly (number | null)[], shift = 0): { value: number | null; n: number } {
  // Pairs (x[i], y[i + shift]).
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const j = i + shift;
    if (j < 0 || j >= y.length) continue;
    const a = x[i];
    const b = y[j];
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    xs.push(a);
    ys.push(b);
  }
  const n = xs.length;
  if (n < 2) return { value: null, n };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  sxx /= n;
  syy /= n;
  sxy /= n;
  const den = sxx + syy + (mx - my) ** 2;
  if (!(den > 0)) return { value: null, n };
  return { value: finiteOrNull((2 * sxy) / den), n };
}

export interface PairCcc {
  i: number;
  j: number;
  ccc: number | null;
  /** Shift (in bins) of rater j against rater i that gave `ccc` (0 without lag tolerance). */
  lag: number;
}

/**
 * Mean CCC over all rater pairs (columns of `ratings`).
 * @param maxLagSteps lag tolerance L: best CCC within +-L bins (0 = none)
 */
export function meanPairwiseCcc(ratings: Ratings, maxLagSteps = 0): { mean: number | null; pairs: PairCcc[] } {
  const k = ratings.reduce((m, r) => Math.max(m, r.length), 0);
  const cols: (number | null)[][] = [];
  for (let j = 0; j < k; j++) cols.push(ratings.map((r) => (j < r.length ? r[j] : null)));
  const pairs: PairCcc[] = [];
  const L = Math.max(0, Math.floor(maxLagSteps));
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      let best: number | null = null;
      let bestLag = 0;
      for (let d = -L; d <= L; d++) {
        const c = ccc(cols[i], cols[j], d).value;
        if (c !== null && (best === null || c > best || (c === best && Math.abs(d) < Math.abs(bestLag)))) {
          best = c;
          bestLag = d;
        }
      }
      pairs.push({ i, j, ccc: best, lag: best === null ? 0 : bestLag });
    }
  }
  const vals = pairs.map((p) => p.ccc).filter((x): x is number => x !== null);
  return { mean: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null, pairs };
}

export interface ReliabilityResult {
  /** Raters (columns). */
  k: number;
  /** Complete-case bins used by ICC. */
  n: number;
  iccAgreement: number | null;
  iccConsistency: number | null;
  alpha: number | null;
  meanCcc: number | null;
  /** Lag tolerance used for `meanCcc` (bins). */
  maxLagSteps: number;
  pairs: PairCcc[];
}

/** All four statistics for one dimension. */
export function reliability(ratings: Ratings, opts: { maxLagSteps?: number } = {}): ReliabilityResult {
  const maxLagSteps = Math.max(0, Math.floor(opts.maxLagSteps ?? 0));
  const i = icc(ratings);
  const c = meanPairwiseCcc(ratings, maxLagSteps);
  return {
    k: ratings.reduce((m, r) => Math.max(m, r.length), 0),
    n: i.n,
    iccAgreement: i.agreement,
    iccConsistency: i.consistency,
    alpha: krippendorffAlphaInterval(ratings),
    meanCcc: c.mean,
    maxLagSteps,
    pairs: c.pairs,
  };
}

/**
 * Builds the ratings matrix from per-rater series (bins), aligned on bin index; a rater
 * shorter than the longest contributes `null` beyond its end.
 */
export function toRatings(series: readonly (readonly (number | null)[])[]): (number | null)[][] {
  const n = series.reduce((m, s) => Math.max(m, s.length), 0);
  const out: (number | null)[][] = [];
  for (let i = 0; i < n; i++) out.push(series.map((s) => (i < s.length ? s[i] : null)));
  return out;
}
