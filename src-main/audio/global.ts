/**
 * Global stream, kind 'descriptors-v1': one 36-d vector per 0.5 s step describing the 30 s window
 * centred on the step's start (steps [i - 30, i + 30), clipped at the track's edges), built from
 * fixed long-window descriptors (DSAML.md "Global branch": ImageBind is unavailable here).
 *
 * Efficiency: the descriptors reuse the local stream's STFT frames (same power spectra, through
 * the FrameObserver hook), reduce each step to sufficient statistics (sums, sums of squares,
 * chroma sums, onset-peak counts, onset lag products for the tempo autocorrelation), and window
 * statistics come from prefix sums over steps: O(1) per step and descriptor, never 30 s recomputed.
 * Frames: only frames whose window lies entirely inside their step are used (frames 3..47 of 51
 * for paper and compact): the reflect-padded edge frames of the per-step framing would otherwise
 * put a spurious onset at every step boundary, i.e. a fake 120 BPM pulse (measured). The onset
 * envelope therefore has a 60 ms gap per step; the autocorrelation and peak picking skip gaps
 * (sums over valid pairs, normalised by their counts), and the onset rate is per valid second.
 *
 * Dimensions (all finite; silence gives the documented fallbacks):
 *  0 onset rate: onset peaks per second / 10
 *  1 tempo: log2(BPM / 120), autocorrelation of the onset envelope over 50..200 BPM with a
 *    log-Gaussian prior at 120 BPM (1 octave), as librosa's beat.tempo. 0 when no pulse (onset
 *    envelope std < 0.005, e.g. silence or a steady tone).
 *  2 pulse clarity: autocorrelation coefficient at the chosen lag minus its mean over all
 *    searched lags, clamped to [0, 1]
 *  3 onset strength mean, 4 its std (mean positive log-mel difference between frames)
 *  5..16 chroma C..B: share of spectral power in each pitch class (bins 55..4200 Hz, each bin
 *    to its nearest equal-tempered pitch class, A4 = 440 Hz), as 12 * share - 1. Power rather
 *    than magnitude keeps window leakage out of neighbouring classes (measured on triads)
 *    (0 = uniform; silence gives 0)
 * 17 key clarity: max Pearson correlation of the window chroma with the 24 rotated
 *    Krumhansl-Kessler profiles; 18 best major correlation; 19 best minor; 20 mode = 18 - 19
 * 21 loudness: mean frame RMS in dBFS (sine at full scale = -3 dB), as (dB + 25) / 15; floor -100 dB
 * 22 loudness std / 10 dB
 * 23/24 spectral centroid mean/std / 5 kHz; 25/26 bandwidth mean/std / 5 kHz
 * 27/28 roll-off (85 %) mean/std / 10 kHz; 29/30 flatness (geometric/arithmetic mean of power) mean/std
 * 31/32 spectral flux mean/std (mean |log-mel difference|, floored at -80 dB re full scale)
 * 33/34 zero-crossing rate (per sample) mean/std over steps, x 10
 * 35 dissonance proxy: sum_ij c_i c_j D(|i - j|) over the normalised chroma with interval
 *    weights D (constants.ts INTERVAL_DISSONANCE), x 4
 */
import {
  CHROMA_FMAX,
  CHROMA_FMIN,
  INTERVAL_DISSONANCE,
  KK_MAJOR,
  KK_MINOR,
  ROLLOFF_FRACTION,
  TEMPO_MAX_BPM,
  TEMPO_MIN_BPM,
  TEMPO_PRIOR_BPM,
  TEMPO_PRIOR_OCTAVES,
} from '../../src-shared/audio/constants';
import { GLOBAL_DESCRIPTOR_DIM, globalWindowSteps, samplesPerStep, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { AppError } from '../../src-shared/ipc/envelope';
import { LocalFeaturizer, stepCount, type FrameObserver } from './features/logmel';

/** Global features: `data` is [steps, dim] row-major. */
export interface GlobalFeatures {
  data: Float32Array;
  steps: number;
  dim: number;
}

/** Names of the 36 dimensions, index-aligned with the vectors. */
export const GLOBAL_DESCRIPTOR_NAMES: readonly string[] = [
  'onset_rate', 'tempo_log2_rel120', 'pulse_clarity', 'onset_mean', 'onset_std',
  'chroma_C', 'chroma_Cs', 'chroma_D', 'chroma_Ds', 'chroma_E', 'chroma_F', 'chroma_Fs', 'chroma_G', 'chroma_Gs', 'chroma_A', 'chroma_As', 'chroma_B',
  'key_clarity', 'major_corr', 'minor_corr', 'mode',
  'loudness_mean', 'loudness_std', 'centroid_mean', 'centroid_std', 'bandwidth_mean', 'bandwidth_std',
  'rolloff_mean', 'rolloff_std', 'flatness_mean', 'flatness_std', 'flux_mean', 'flux_std', 'zcr_mean', 'zcr_std', 'dissonance',
];

/** Per-frame scalar descriptors accumulated as sum and sum of squares. */
const Q = { loud: 0, cent: 1, band: 2, roll: 3, flat: 4, onset: 5, flux: 6 } as const;
const NQ = 7;
/** Per-step vector: [2*NQ sums/sumsq, zcr, zcr^2, chroma 12, onset peaks, valid frames, frames with an onset value] */
const S_ZCR = 2 * NQ, S_CHROMA = S_ZCR + 2, S_PEAKS = S_CHROMA + 12, S_FRAMES = S_PEAKS + 1, S_ONSETS = S_FRAMES + 1, S_LEN = S_ONSETS + 1;
/** Onset peak picking: local max over +-PEAK_RADIUS frames and above the +-PEAK_MEAN_RADIUS mean by PEAK_DELTA. */
const PEAK_RADIUS = 3, PEAK_MEAN_RADIUS = 10, PEAK_DELTA = 0.1;
/**
 * Below this onset-envelope variance (std 0.005 log units) there is no pulse to speak of: a steady
 * tone's envelope is numerical noise, whose autocorrelation would otherwise look periodic (measured).
 */
const MIN_ONSET_VAR = 0.005 ** 2;

class GrowF64 {
  a = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  ensure(n: number): void {
    if (n > this.a.length) {
      const b = new Float64Array(Math.max(n, this.a.length * 2));
      b.set(this.a.subarray(0, this.n));
      this.a = b;
    }
  }
}

/**
 * Streaming accumulator of the global descriptors. Feed it every frame (as the FrameObserver of
 * a LocalFeaturizer) and every step's PCM (`addStepPcm`), in step order; ask `readySteps()` how
 * many leading steps' vectors are final, and `finish()` at the end of the track.
 */
export class GlobalAccumulator implements FrameObserver {
  readonly cfg: FeatureConfig;
  readonly dim = GLOBAL_DESCRIPTOR_DIM;
  private readonly F: number; // frames per step in the onset timeline (framesPerStep - 1)
  /** valid[f]: frame f's window lies inside its step (no reflected samples). */
  private readonly valid: Uint8Array;
  private readonly validPerStep: number;
  private readonly fps: number;
  private readonly half: number; // window half-length in steps
  private readonly binHz: number;
  private readonly chromaBin: Int8Array;
  private readonly minLag: number;
  private readonly maxLag: number;
  private readonly floor: number; // mel floor for onset/flux logs
  private readonly msNorm: number;
  private readonly prevLog: Float64Array;
  private hasPrev = false;
  private readonly curLog: Float64Array;
  private readonly chromaLo: number;
  private readonly chromaHi: number;
  private readonly onset = new GrowF64(); // per frame, whole track (100 floats/s); NaN = no value (gap)
  /** Per-step sufficient statistics, S_LEN values per step. */
  private readonly stats = new GrowF64();
  /** Prefix sums over completed steps: (completed + 1) * S_LEN. */
  private readonly prefix = new GrowF64();
  /** Per completed step: lag products sums for lags 0 and minLag..maxLag, plus pair counts and onset sums. */
  private readonly lagPrefix = new GrowF64();
  private readonly nLag: number;
  private stepsSeen = 0;
  private completed = 0;
  private finished = false;

  constructor(cfg: FeatureConfig) {
    if (cfg.global.kind !== 'descriptors-v1') throw new AppError('VALIDATION_FAILED', `Expected global kind 'descriptors-v1', got '${cfg.global.kind}'`);
    this.cfg = cfg;
    this.F = cfg.framesPerStep - 1;
    this.fps = this.F / cfg.stepSec;
    const S = samplesPerStep(cfg), pad = Math.floor(cfg.nFft / 2);
    this.valid = new Uint8Array(this.F);
    for (let f = 0; f < this.F; f++) this.valid[f] = f * cfg.hop - pad >= 0 && f * cfg.hop - pad + cfg.nFft <= S ? 1 : 0;
    this.validPerStep = this.valid.reduce((a, b) => a + b, 0);
    if (this.validPerStep < 2) throw new AppError('VALIDATION_FAILED', `Global descriptors need >= 2 frames per step without padding, config '${cfg.name}' has ${this.validPerStep}`);
    this.half = Math.round(globalWindowSteps(cfg) / 2);
    this.binHz = cfg.sampleRate / cfg.nFft;
    const bins = Math.floor(cfg.nFft / 2) + 1;
    this.chromaBin = new Int8Array(bins).fill(-1);
    for (let k = 1; k < bins; k++) {
      const f = k * this.binHz;
      if (f < CHROMA_FMIN || f > CHROMA_FMAX) continue;
      const midi = 69 + 12 * Math.log2(f / 440);
      this.chromaBin[k] = ((Math.round(midi) % 12) + 12) % 12;
    }
    this.chromaLo = Math.max(1, Math.ceil(CHROMA_FMIN / this.binHz));
    this.chromaHi = Math.min(bins - 1, Math.floor(CHROMA_FMAX / this.binHz));
    this.minLag = Math.max(1, Math.floor((60 * this.fps) / TEMPO_MAX_BPM));
    this.maxLag = Math.ceil((60 * this.fps) / TEMPO_MIN_BPM);
    this.nLag = 1 + (this.maxLag - this.minLag + 1);
    // Full-scale sine: peak |X|^2 ~ (N/4)^2 spread over the mel band; -80 dB of (N/2)^2.
    this.floor = ((cfg.nFft / 2) ** 2) * 1e-8;
    // Mean square of the signal from a one-sided power spectrum of a Hann-windowed frame: 2/N^2 / mean(w^2 = 3/8).
    this.msNorm = 2 / (cfg.nFft * cfg.nFft * 0.375);
    this.curLog = new Float64Array(cfg.nMels);
    this.prevLog = new Float64Array(cfg.nMels);
    this.prefix.ensure(S_LEN);
    this.prefix.n = S_LEN; // prefix[0] = zeros
    this.lagPrefix.ensure(3 * this.nLag + 2);
    this.lagPrefix.n = 2 * this.nLag + 2;
  }

  /** FrameObserver: per-frame descriptors from the shared STFT. */
  onFrame(step: number, frame: number, power: Float64Array, mel: Float64Array): void {
    if (frame >= this.F) return;
    const expected = frame === 0 ? this.stepsSeen : this.stepsSeen - 1;
    if (step !== expected) throw new Error(`GlobalAccumulator expects frames in order: step ${expected}, got step ${step} frame ${frame}`);
    if (frame === 0) {
      this.stepsSeen++;
      this.stats.ensure(this.stepsSeen * S_LEN);
      this.stats.a.fill(0, (this.stepsSeen - 1) * S_LEN, this.stepsSeen * S_LEN);
      this.stats.n = this.stepsSeen * S_LEN;
    }
    const base = (this.stepsSeen - 1) * S_LEN;
    const st = this.stats.a;
    if (!this.valid[frame]) {
      this.onset.push(Number.NaN);
      this.hasPrev = false;
      return;
    }
    const bins = power.length;
    // one pass: energy, first and second moments, sum of logs (as logs of products of 16 factors
    // in [1e-10, ~1e7]: no under/overflow in float64, 16x fewer Math.log calls; groups outside
    // that range, e.g. from huge float WAV samples, fall back to one log per bin)
    let e = 0, fe = 0, fe2 = 0, logSum = 0;
    let k = 0;
    for (; k + 16 <= bins; k += 16) {
      let prod = 1;
      for (let j = k; j < k + 16; j++) {
        const p = power[j];
        e += p;
        fe += j * p;
        fe2 += j * j * p;
        prod *= p + 1e-10;
      }
      if (prod > 1e-300 && prod < 1e300) logSum += Math.log(prod);
      else for (let j = k; j < k + 16; j++) logSum += Math.log(power[j] + 1e-10);
    }
    for (; k < bins; k++) {
      const p = power[k];
      e += p;
      fe += k * p;
      fe2 += k * k * p;
      logSum += Math.log(p + 1e-10);
    }
    const binHz = this.binHz;
    let cent = 0, band = 0, roll = 0, flat = 0;
    if (e > 1e-10) {
      const c = fe / e;
      cent = c * binHz;
      // sum (j - c)^2 p_j = sum j^2 p_j - c sum j p_j
      band = Math.sqrt(Math.max(0, fe2 - c * fe) / e) * binHz;
      let cum = 0, rk = -1;
      const target = ROLLOFF_FRACTION * e;
      for (let j = 0; j < bins; j++) {
        cum += power[j];
        if (cum >= target) {
          rk = j;
          break;
        }
      }
      roll = Math.max(0, rk) * binHz;
      flat = Math.exp(logSum / bins) / (e / bins + 1e-10);
      // chroma from power
      const cb = this.chromaBin;
      for (let j = this.chromaLo; j <= this.chromaHi; j++) {
        const pc = cb[j];
        if (pc >= 0) st[base + S_CHROMA + pc] += power[j];
      }
    }
    const loud = 10 * Math.log10(e * this.msNorm + 1e-10);
    // onset strength and flux on floored log-mel, against the previous valid frame of this step
    const nM = mel.length, cur = this.curLog, prev = this.prevLog;
    for (let m = 0; m < nM; m++) cur[m] = Math.log(mel[m] + this.floor);
    let onset = Number.NaN, flux = 0;
    if (this.hasPrev) {
      onset = 0;
      for (let m = 0; m < nM; m++) {
        const d = cur[m] - prev[m];
        if (d > 0) onset += d;
        flux += d < 0 ? -d : d;
      }
      onset /= nM;
      flux /= nM;
    }
    prev.set(cur);
    this.hasPrev = true;
    this.onset.push(onset);
    this.addQ(base, Q.loud, loud);
    this.addQ(base, Q.cent, cent);
    this.addQ(base, Q.band, band);
    this.addQ(base, Q.roll, roll);
    this.addQ(base, Q.flat, flat);
    st[base + S_FRAMES] += 1;
    if (!Number.isNaN(onset)) {
      this.addQ(base, Q.onset, onset);
      this.addQ(base, Q.flux, flux);
      st[base + S_ONSETS] += 1;
    }
  }

  private addQ(base: number, q: number, v: number): void {
    const st = this.stats.a;
    st[base + 2 * q] += v;
    st[base + 2 * q + 1] += v * v;
  }

  /** Zero-crossing rate of the step's own samples. Call once per step, after its frames. */
  addStepPcm(step: number, pcm: ArrayLike<number>, start: number, len: number): void {
    if (step !== this.stepsSeen - 1) throw new Error(`addStepPcm expects the current step ${this.stepsSeen - 1}, got ${step}`);
    let z = 0;
    let prev = pcm[start] >= 0 ? 1 : 0;
    for (let i = start + 1; i < start + len; i++) {
      const cur = pcm[i] >= 0 ? 1 : 0;
      z += cur ^ prev; // branch-free: sign changes of noisy audio are unpredictable
      prev = cur;
    }
    const zcr = z / len;
    const base = step * S_LEN;
    this.stats.a[base + S_ZCR] = zcr;
    this.stats.a[base + S_ZCR + 1] = zcr * zcr;
    this.completeSteps();
  }

  /** Marks the end of the track: every step's vector becomes final. */
  finish(): void {
    this.finished = true;
    this.completeSteps();
  }

  /** Steps whose statistics are complete (their lookahead frames have arrived). */
  private completeSteps(): void {
    const F = this.F;
    const nFrames = this.onset.n;
    const lookahead = Math.max(this.maxLag, PEAK_MEAN_RADIUS);
    while (this.completed < this.stepsSeen) {
      const s = this.completed;
      const end = (s + 1) * F;
      if (!this.finished && end + lookahead > nFrames) break;
      // zcr is written after the frames; require it for the newest step unless finished
      if (!this.finished && s === this.stepsSeen - 1) break;
      this.completeStep(s);
      this.completed++;
    }
  }

  private completeStep(s: number): void {
    const F = this.F, o = this.onset.a, n = this.onset.n;
    const st = this.stats.a, base = s * S_LEN;
    // onset peaks of this step's frames (gaps are NaN: never peaks, skipped as neighbours)
    let peaks = 0;
    for (let t = s * F; t < (s + 1) * F; t++) {
      const v = o[t];
      if (Number.isNaN(v)) continue;
      let isPeak = true;
      for (let d = 1; d <= PEAK_RADIUS && isPeak; d++) {
        if (t - d >= 0 && o[t - d] > v) isPeak = false;
        if (t + d < n && o[t + d] >= v) isPeak = false;
      }
      if (!isPeak) continue;
      let sum = 0, cnt = 0;
      for (let u = Math.max(0, t - PEAK_MEAN_RADIUS); u <= Math.min(n - 1, t + PEAK_MEAN_RADIUS); u++) {
        if (Number.isNaN(o[u])) continue;
        sum += o[u];
        cnt++;
      }
      if (v > sum / cnt + PEAK_DELTA) peaks++;
    }
    st[base + S_PEAKS] = peaks;
    // prefix of step stats
    this.prefix.ensure((s + 2) * S_LEN);
    const P = this.prefix.a;
    for (let i = 0; i < S_LEN; i++) P[(s + 1) * S_LEN + i] = P[s * S_LEN + i] + st[base + i];
    this.prefix.n = (s + 2) * S_LEN;
    // lag products over valid pairs: [lag0, minLag..maxLag] sums, then pair counts, then onset sum, onset count
    const L = this.nLag, W = 2 * L + 2;
    this.lagPrefix.ensure((s + 2) * W);
    const LP = this.lagPrefix.a;
    const prevRow = s * W, row = (s + 1) * W;
    const { minLag } = this;
    for (let li = 0; li < L; li++) {
      const lag = li === 0 ? 0 : minLag + li - 1;
      let acc = 0, cnt = 0;
      for (let t = s * F; t < (s + 1) * F && t + lag < n; t++) {
        const x = o[t] * o[t + lag];
        if (x === x) {
          acc += x;
          cnt++;
        }
      }
      LP[row + li] = LP[prevRow + li] + acc;
      LP[row + L + li] = LP[prevRow + L + li] + cnt;
    }
    let os = 0, oc = 0;
    for (let t = s * F; t < (s + 1) * F; t++) {
      if (!Number.isNaN(o[t])) {
        os += o[t];
        oc++;
      }
    }
    LP[row + 2 * L] = LP[prevRow + 2 * L] + os;
    LP[row + 2 * L + 1] = LP[prevRow + 2 * L + 1] + oc;
    this.lagPrefix.n = (s + 2) * W;
  }

  /** Number of leading steps whose global vectors are final now. */
  readySteps(): number {
    if (this.finished) return this.completed;
    // step i needs completed steps up to i + half - 1
    return Math.max(0, Math.min(this.completed, this.completed - this.half + 1));
  }

  /** Total steps seen so far. */
  get steps(): number {
    return this.stepsSeen;
  }

  /**
   * Writes the vectors of steps [from, to) (all must be ready) into out at outOffset.
   */
  vectors(from: number, to: number, out: Float32Array, outOffset = 0): void {
    const ready = this.readySteps();
    if (to > ready) throw new Error(`Global vectors requested up to step ${to}, only ${ready} ready`);
    const total = this.finished ? this.completed : Number.POSITIVE_INFINITY;
    const v = new Float64Array(this.dim);
    for (let i = from; i < to; i++) {
      const a = Math.max(0, i - this.half), b = Math.min(total, i + this.half, this.completed);
      this.windowVector(a, b, v);
      for (let d = 0; d < this.dim; d++) out[outOffset + (i - from) * this.dim + d] = v[d];
    }
  }

  private windowVector(a: number, b: number, v: Float64Array): void {
    const P = this.prefix.a;
    const sum = (i: number) => P[b * S_LEN + i] - P[a * S_LEN + i];
    const frames = Math.max(1, sum(S_FRAMES));
    const steps = Math.max(1, b - a);
    const onsetFrames = Math.max(1, sum(S_ONSETS));
    const meanStd = (q: number): [number, number] => {
      const n = q === Q.onset || q === Q.flux ? onsetFrames : frames;
      const m = sum(2 * q) / n;
      const v2 = sum(2 * q + 1) / n - m * m;
      return [m, Math.sqrt(Math.max(0, v2))];
    };
    // onset rate per second of frames that can hold an onset
    const sec = onsetFrames / this.fps;
    v[0] = sum(S_PEAKS) / sec / 10;
    // tempo
    const LP = this.lagPrefix.a, L = this.nLag, W = 2 * L + 2;
    const lsum = (i: number) => LP[b * W + i] - LP[a * W + i];
    const oMean = lsum(2 * L) / Math.max(1, lsum(2 * L + 1));
    const var0 = lsum(0) / Math.max(1, lsum(L)) - oMean * oMean;
    let bestScore = -Infinity, bestLag = 0, bestR = 0, rSum = 0, rCnt = 0;
    if (var0 > MIN_ONSET_VAR) {
      for (let li = 1; li < L; li++) {
        const cnt = lsum(L + li);
        if (cnt < 1) continue;
        const r = (lsum(li) / cnt - oMean * oMean) / var0;
        rSum += r;
        rCnt++;
        const lag = this.minLag + li - 1;
        const bpm = (60 * this.fps) / lag;
        const z = Math.log2(bpm / TEMPO_PRIOR_BPM) / TEMPO_PRIOR_OCTAVES;
        const score = r * Math.exp(-0.5 * z * z);
        if (score > bestScore) {
          bestScore = score;
          bestLag = lag;
          bestR = r;
        }
      }
    }
    v[1] = bestLag > 0 && bestR > 0 ? Math.log2((60 * this.fps) / bestLag / TEMPO_PRIOR_BPM) : 0;
    // clarity: how much the chosen lag stands out from the average lag (a smooth envelope
    // correlates at every lag and must not count as a pulse)
    v[2] = rCnt > 0 ? Math.min(1, Math.max(0, bestR - rSum / rCnt)) : 0;
    const [om, os] = meanStd(Q.onset);
    v[3] = om;
    v[4] = os;
    // chroma
    let ctot = 0;
    const c = new Float64Array(12);
    for (let i = 0; i < 12; i++) {
      c[i] = sum(S_CHROMA + i);
      ctot += c[i];
    }
    if (ctot > 1e-9) for (let i = 0; i < 12; i++) c[i] /= ctot;
    else c.fill(1 / 12);
    for (let i = 0; i < 12; i++) v[5 + i] = 12 * c[i] - 1;
    let bestMaj = -1, bestMin = -1;
    if (ctot > 1e-9) {
      for (let tonic = 0; tonic < 12; tonic++) {
        bestMaj = Math.max(bestMaj, pearsonRot(c, KK_MAJOR, tonic));
        bestMin = Math.max(bestMin, pearsonRot(c, KK_MINOR, tonic));
      }
    } else {
      bestMaj = 0;
      bestMin = 0;
    }
    v[17] = Math.max(bestMaj, bestMin);
    v[18] = bestMaj;
    v[19] = bestMin;
    v[20] = bestMaj - bestMin;
    const [lm, ls] = meanStd(Q.loud);
    v[21] = (Math.max(-100, lm) + 25) / 15;
    v[22] = ls / 10;
    const [cm, cs] = meanStd(Q.cent);
    v[23] = cm / 5000;
    v[24] = cs / 5000;
    const [bm, bs] = meanStd(Q.band);
    v[25] = bm / 5000;
    v[26] = bs / 5000;
    const [rm, rs] = meanStd(Q.roll);
    v[27] = rm / 10000;
    v[28] = rs / 10000;
    const [fm, fs] = meanStd(Q.flat);
    v[29] = fm;
    v[30] = fs;
    const [xm, xs] = meanStd(Q.flux);
    v[31] = xm;
    v[32] = xs;
    const zm = sum(S_ZCR) / steps;
    v[33] = zm * 10;
    v[34] = Math.sqrt(Math.max(0, sum(S_ZCR + 1) / steps - zm * zm)) * 10;
    let dis = 0;
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) dis += c[i] * c[j] * INTERVAL_DISSONANCE[Math.abs(i - j)];
    v[35] = ctot > 1e-9 ? dis * 4 : 0;
    for (let d = 0; d < this.dim; d++) if (!Number.isFinite(v[d])) v[d] = 0;
  }
}

/** Pearson correlation of chroma c with a key profile rotated so that its tonic is `tonic`. */
function pearsonRot(c: Float64Array, prof: readonly number[], tonic: number): number {
  let mc = 0, mp = 0;
  for (let i = 0; i < 12; i++) {
    mc += c[i];
    mp += prof[i];
  }
  mc /= 12;
  mp /= 12;
  let num = 0, dc = 0, dp = 0;
  for (let i = 0; i < 12; i++) {
    const x = c[(i + tonic) % 12] - mc, y = prof[i] - mp;
    num += x * y;
    dc += x * x;
    dp += y * y;
  }
  return dc > 1e-15 ? num / Math.sqrt(dc * dp) : 0;
}

/**
 * Global descriptors of mono PCM at cfg.sampleRate: one vector per step from the 30 s window
 * centred on the step's start. Recomputes the STFT; `extractFeatures` shares it with the local
 * stream instead.
 * @returns a new [steps, dim] Float32Array owned by the caller (steps as localFeatures)
 * @throws AppError AUDIO_TOO_SHORT under one step; VALIDATION_FAILED when cfg.global.kind is not descriptors-v1
 */
export function globalFeatures(pcm: Float32Array, cfg: FeatureConfig): GlobalFeatures {
  const steps = stepCount(pcm.length, cfg);
  if (steps < 1) {
    throw new AppError('AUDIO_TOO_SHORT', `expected at least ${cfg.stepSec} s of audio, got ${Number((pcm.length / cfg.sampleRate).toFixed(2))} s`);
  }
  const fz = new LocalFeaturizer(cfg);
  const acc = new GlobalAccumulator(cfg);
  const scratch = new Float32Array(fz.stepSize);
  const S = samplesPerStep(cfg);
  for (let s = 0; s < steps; s++) {
    fz.step(pcm, s * S, scratch, 0, s, acc);
    acc.addStepPcm(s, pcm, s * S, S);
  }
  acc.finish();
  const data = new Float32Array(steps * acc.dim);
  acc.vectors(0, steps, data, 0);
  return { data, steps, dim: acc.dim };
}
