/**
 * Raw samples -> 2 Hz bins (DEAM convention: the mean of the samples in each 0.5 s bin).
 *
 * Edge handling (documented because every choice here changes the numbers):
 * - Bin k covers the half-open interval [k * binSec, (k + 1) * binSec) of the audio clock and is
 *   labelled by its start (`sample_{k*500}ms` in the wide CSV, as DEAM's column names are).
 * - Samples with t < 0 are dropped (pre-roll).
 * - With a known track duration D, there are ceil(D / binSec) bins; samples at t >= that many
 *   bins' end (output-latency tail after the end) are dropped. The last bin may be partial
 *   (a 10.2 s track has a bin [10.0, 10.2)) and is the mean of what it holds.
 * - Without a duration, the bins run up to the bin holding the last sample.
 * - A bin without samples (pause, gap) is `null`: never interpolated, so downstream statistics
 *   use complete cases and the completeness check still sees the gap.
 */
import { BIN_SEC } from './constants';
import type { Bins } from './types';

export interface TimedValue {
  t: number;
  valence: number;
  arousal: number;
  buttons?: number;
}

export interface BinOptions {
  /** Track duration in seconds, when known. */
  durationSec?: number | null;
  /** Bin width in seconds (default 0.5 = 2 Hz). */
  binSec?: number;
}

/** Number of bins for a duration: ceil(D / binSec), tolerant to float noise (10.0 s -> 20 bins). */
export function binCount(durationSec: number, binSec = BIN_SEC): number {
  return Math.max(0, Math.ceil(durationSec / binSec - 1e-9));
}

/** Index of the bin holding time t. */
export function binIndex(t: number, binSec = BIN_SEC): number {
  return Math.floor(t / binSec);
}

/**
 * Means of the samples in each bin.
 * @param samples raw samples in any order
 * @returns bins with `null` where a bin holds no sample
 */
export function binSamples(samples: readonly TimedValue[], opts: BinOptions = {}): Bins {
  const binSec = opts.binSec ?? BIN_SEC;
  if (!(binSec > 0)) throw new RangeError(`binSec must be > 0, got ${binSec}`);
  let n: number;
  if (opts.durationSec != null && Number.isFinite(opts.durationSec)) n = binCount(opts.durationSec, binSec);
  else {
    let maxT = -1;
    for (const s of samples) if (s.t >= 0 && s.t > maxT) maxT = s.t;
    n = maxT < 0 ? 0 : binIndex(maxT, binSec) + 1;
  }
  const sumV = new Float64Array(n);
  const sumA = new Float64Array(n);
  const counts = new Array<number>(n).fill(0);
  const buttons = new Array<number>(n).fill(0);
  for (const s of samples) {
    if (!(s.t >= 0)) continue;
    const k = binIndex(s.t, binSec);
    if (k >= n) continue;
    sumV[k] += s.valence;
    sumA[k] += s.arousal;
    counts[k]++;
    buttons[k] |= s.buttons ?? 0;
  }
  const valence: (number | null)[] = new Array(n);
  const arousal: (number | null)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const c = counts[k];
    valence[k] = c > 0 ? sumV[k] / c : null;
    arousal[k] = c > 0 ? sumA[k] / c : null;
  }
  return { binSec, valence, arousal, counts, buttons };
}
