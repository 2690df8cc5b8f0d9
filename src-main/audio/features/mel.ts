/**
 * Mel filterbank exactly as torchaudio.functional.melscale_fbanks(norm=None, mel_scale="htk"),
 * which torchaudio.transforms.MelSpectrogram uses by default: triangles between HTK mel points
 * evenly spaced from f_min to f_max, evaluated at the STFT bin frequencies
 * linspace(0, sample_rate // 2, n_fft // 2 + 1), no area normalisation.
 * Stored sparsely (each bin feeds at most two bands) for speed.
 */

/** HTK mel scale: 2595 log10(1 + f / 700). */
export function hzToMelHtk(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

/** Inverse of hzToMelHtk. */
export function melToHzHtk(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/** Sparse [nMels x nBins] filterbank: band m covers bins start[m] .. start[m] + len[m] - 1. */
export interface MelFilterbank {
  nMels: number;
  nBins: number;
  start: Int32Array;
  len: Int32Array;
  /** Weights of band m at offset[m] .. offset[m] + len[m] - 1. */
  offset: Int32Array;
  weights: Float64Array;
}

/**
 * The filterbank (cached per parameters: callers must not modify it).
 * @param nBins n_fft // 2 + 1
 */
export function melFilterbank(sampleRate: number, nBins: number, nMels: number, fMin: number, fMax: number): MelFilterbank {
  const key = `${sampleRate}:${nBins}:${nMels}:${fMin}:${fMax}`;
  let fb = fbCache.get(key);
  if (!fb) {
    fb = buildMelFilterbank(sampleRate, nBins, nMels, fMin, fMax);
    fbCache.set(key, fb);
  }
  return fb;
}

/** Built filterbanks by parameters (read-only after construction; one per config in practice). */
const fbCache = new Map<string, MelFilterbank>();

function buildMelFilterbank(sampleRate: number, nBins: number, nMels: number, fMin: number, fMax: number): MelFilterbank {
  const allFreqs = new Float64Array(nBins);
  const top = Math.floor(sampleRate / 2);
  for (let k = 0; k < nBins; k++) allFreqs[k] = nBins === 1 ? 0 : (top * k) / (nBins - 1);
  const mMin = hzToMelHtk(fMin), mMax = hzToMelHtk(fMax);
  const fPts = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) fPts[i] = melToHzHtk(mMin + ((mMax - mMin) * i) / (nMels + 1));
  const start = new Int32Array(nMels), len = new Int32Array(nMels), offset = new Int32Array(nMels);
  const w: number[] = [];
  for (let m = 0; m < nMels; m++) {
    const lo = fPts[m], c = fPts[m + 1], hi = fPts[m + 2];
    let first = -1, last = -2;
    const vals: number[] = [];
    for (let k = 0; k < nBins; k++) {
      const down = (allFreqs[k] - lo) / (c - lo);
      const up = (hi - allFreqs[k]) / (hi - c);
      const v = Math.max(0, Math.min(down, up));
      if (v > 0) {
        if (first < 0) first = k;
        // bins with positive weight are contiguous for a triangle
        vals.push(v);
        last = k;
      }
    }
    start[m] = first < 0 ? 0 : first;
    len[m] = last - first + 1 > 0 ? last - first + 1 : 0;
    offset[m] = w.length;
    for (const v of vals) w.push(v);
  }
  return { nMels, nBins, start, len, offset, weights: Float64Array.from(w) };
}

/** mel[m] = sum_k fb[m][k] * power[k]. */
export function applyMel(fb: MelFilterbank, power: Float64Array, out: Float64Array): void {
  const { start, len, offset, weights } = fb;
  for (let m = 0; m < fb.nMels; m++) {
    let acc = 0;
    const s = start[m], o = offset[m], n = len[m];
    for (let i = 0; i < n; i++) acc += weights[o + i] * power[s + i];
    out[m] = acc;
  }
}
