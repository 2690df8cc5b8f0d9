/**
 * Anti-aliased sample-rate conversion: a Kaiser-windowed sinc low-pass evaluated polyphase.
 *
 * For a rate change in -> out with L/M = out/in in lowest terms, output sample j sits at input
 * time t_j = j * M / L; y[j] = sum_n x[n] h(t_j - n), with
 *   h(tau) = 2 fc sinc(2 fc tau) kaiser(tau / W),  fc = ROLLOFF * 0.5 * min(1, L / M) cycles/input sample,
 *   W = ZERO_CROSSINGS / (2 fc) input samples (half-width).
 * The L phases of h are tabulated when L <= MAX_EXACT_PHASES; otherwise MAX_EXACT_PHASES phases are
 * tabulated and linearly interpolated (phase error < 1/4096 sample).
 *
 * Streaming: `Resampler.push(chunk)` returns every output sample whose full kernel support has
 * arrived and keeps only ~2W input samples of history, `flush()` returns the tail (input
 * implicitly zero after the end, as before the start). Concatenated chunked output equals the
 * one-shot output bit for bit (same arithmetic, same order). Output length ceil(nIn * L / M).
 *
 * Measured (KAISER_BETA 10, 32 zero crossings, cutoff 0.95 x the lower Nyquist; /tmp probe, asserted
 * in resample.test.ts): flat within 0.001 dB up to 0.85 x the lower Nyquist, -0.38 dB at 0.9,
 * -6 dB at 0.95, >= 98 dB attenuation at and above the new Nyquist. (torchaudio's default, which
 * the reference used, is a 6-zero-crossing Hann sinc with rolloff 0.99: ours is sharper and
 * cleaner, so resampled inputs differ from the reference's by the filters' difference only.)
 * Cost: ~2 * 32 / min(1, L/M) taps per output sample; integer decimation uses the kernel's symmetry
 * to halve the multiplies.
 *
 * Decimation by a power of two (44.1 -> 22.05 kHz, 88.2/96 -> 44.1/48 kHz, ...) runs the SAME
 * kernel as an FFT correlation instead (`FftDecimator`, overlap-save on fixed absolute blocks,
 * two blocks per 4096-point complex FFT (features/fft.ts Pow2ComplexFft), decimated in the
 * frequency domain): 44.1 -> 22.05 kHz at ~1400x real time vs ~315x for the direct sum (CPU, one
 * core, scripts/bench-audio.ts). Its results equal the direct sum up to float64 rounding (|diff| <= ~1e-15 relative to the
 * block's scale, i.e. the float32 outputs are identical or 1 ulp apart), and outputs whose whole
 * kernel support is exactly zero (digital silence) are exactly 0 as in the direct sum, so e.g.
 * zero-crossing counts of silent passages do not see rounding noise. Blocks sit at fixed
 * absolute input positions, so chunked output still equals one-shot output bit for bit.
 */
import { Pow2ComplexFft } from './features/fft';


/** Kaiser beta: ~ -100 dB side lobes for the window; sets the stop-band floor. */
const KAISER_BETA = 10;
/** Zero crossings of the sinc on each side: sets the transition width. */
const ZERO_CROSSINGS = 32;
/** Cutoff as a fraction of the lower Nyquist (transition band 0.95..1.05 of it). */
const ROLLOFF = 0.95;
const MAX_EXACT_PHASES = 4096;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

interface Kernel {
  up: number;
  down: number;
  /** Taps each side: output uses x[n0 - half + 1 .. n0 + half]. */
  half: number;
  phases: number;
  /** [phases + 1][2 * half] */
  table: Float64Array;
}

const kernelCache = new Map<string, Kernel>();

function buildKernel(inRate: number, outRate: number): Kernel {
  const key = `${inRate}:${outRate}`;
  const hit = kernelCache.get(key);
  if (hit) return hit;
  const g = gcd(inRate, outRate);
  const up = outRate / g, down = inRate / g;
  const fc = ROLLOFF * 0.5 * Math.min(1, up / down);
  const W = ZERO_CROSSINGS / (2 * fc);
  const half = Math.ceil(W) + 1;
  const phases = Math.min(up, MAX_EXACT_PHASES);
  const taps = 2 * half;
  const table = new Float64Array((phases + 1) * taps);
  const i0b = besselI0(KAISER_BETA);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases; // t - n0 in [0, 1]
    for (let k = 0; k < taps; k++) {
      const n = k - half + 1; // offset of input sample from n0
      const tau = frac - n;
      const r = tau / W;
      let v = 0;
      if (Math.abs(r) < 1) {
        const x = 2 * fc * tau;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        v = 2 * fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0b);
      }
      table[p * taps + k] = v;
    }
  }
  const kern = { up, down, half, phases, table };
  kernelCache.set(key, kern);
  return kern;
}

/** FFT size of the decimator (complex points; two real blocks per transform). */
const FFT_DECIM_SIZE = 4096;

/**
 * Streaming decimation by D (a power of two) with the kernel's single phase h = table[0 .. taps),
 * y[j] = sum_i h[i] x[j D - half + 1 + i], computed by FFT:
 * group g holds outputs j in [g K, (g + 1) K) and reads u_g[t] = x[g B - half + 1 + t], t < Lu,
 * with B = K D and Lu = (K - 1) D + taps <= N; then y[g K + q] = corr(u_g, h)[q D]. Groups 2p and
 * 2p+1 go into the real and imaginary parts of one N-point complex FFT; the correlation spectrum
 * conj(U) H / N is folded to N / D bins (decimation in frequency) and one N/D-point FFT returns
 * conj(both groups' outputs). Inputs outside [0, nIn) are zero, as in the direct sum.
 */
class FftDecimator {
  private readonly D: number;
  private readonly taps: number;
  private readonly N: number;
  private readonly M: number;
  private readonly K: number;
  private readonly B: number;
  private readonly Lu: number;
  private readonly first: number;
  /** Taps [tapLo, tapHi) are the kernel's nonzero ones. */
  private readonly tapLo: number;
  private readonly tapHi: number;
  private readonly fwd: Pow2ComplexFft;
  private readonly inv: Pow2ComplexFft;
  /** Spectrum of the kernel / N. */
  private readonly hRe: Float64Array;
  private readonly hIm: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly fRe: Float64Array;
  private readonly fIm: Float64Array;
  /** Nonzero-input prefix counts of one group (zeroSilent). */
  private readonly cntA: Int32Array;
  private buf: Float32Array;
  /** Absolute input index of buf[0]. */
  private bufStart = 0;
  private bufLen = 0;
  private nIn = 0;
  /** Next pair of groups to compute. */
  private pair = 0;

  constructor(D: number, half: number, kernel: Float64Array) {
    this.D = D;
    this.taps = 2 * half;
    this.first = 1 - half;
    let lo = 0, hi = this.taps;
    while (lo < hi && kernel[lo] === 0) lo++;
    while (hi > lo && kernel[hi - 1] === 0) hi--;
    this.tapLo = lo;
    this.tapHi = hi;
    let N = FFT_DECIM_SIZE;
    while (N < 4 * this.taps) N *= 2;
    this.N = N;
    this.M = N / D;
    this.K = Math.floor((N - this.taps + D) / D);
    this.B = this.K * D;
    this.Lu = (this.K - 1) * D + this.taps;
    this.fwd = new Pow2ComplexFft(N);
    this.inv = new Pow2ComplexFft(this.M);
    this.hRe = new Float64Array(N);
    this.hIm = new Float64Array(N);
    const rev = this.fwd.bitrev;
    for (let i = 0; i < this.taps; i++) this.hRe[rev[i]] = kernel[i];
    this.fwd.transform(this.hRe, this.hIm);
    for (let i = 0; i < N; i++) {
      this.hRe[i] /= N;
      this.hIm[i] /= N;
    }
    this.re = new Float64Array(N);
    this.im = new Float64Array(N);
    this.fRe = new Float64Array(this.M);
    this.fIm = new Float64Array(this.M);
    this.cntA = new Int32Array(this.Lu + 1);
    this.buf = new Float32Array(2 * this.B + this.taps + 32768);
  }

  /** Absolute input index after the last input pair p reads. */
  private pairEnd(p: number): number {
    return (2 * p + 1) * this.B + this.first + this.Lu;
  }

  push(chunk: Float32Array): Float32Array {
    // drop history the next pair does not read
    const keepFrom = Math.max(0, 2 * this.pair * this.B + this.first);
    const drop = Math.min(this.bufLen, keepFrom - this.bufStart);
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    if (this.bufLen + chunk.length > this.buf.length) {
      const nb = new Float32Array(Math.max(this.bufLen + chunk.length, 2 * this.buf.length));
      nb.set(this.buf.subarray(0, this.bufLen));
      this.buf = nb;
    }
    this.buf.set(chunk, this.bufLen);
    this.bufLen += chunk.length;
    this.nIn += chunk.length;
    let pairs = 0;
    while (this.pairEnd(this.pair + pairs) <= this.nIn) pairs++;
    const out = new Float32Array(pairs * 2 * this.K);
    for (let i = 0; i < pairs; i++) this.runPair(this.pair++, out, i * 2 * this.K, out.length);
    return out;
  }

  /** Remaining outputs up to ceil(nIn / D) (inputs past the end are zero). */
  flush(): Float32Array {
    const total = Math.ceil(this.nIn / this.D);
    const done = 2 * this.pair * this.K;
    const out = new Float32Array(Math.max(0, total - done));
    for (let o = 0; o < out.length; o += 2 * this.K) this.runPair(this.pair++, out, o, out.length);
    return out;
  }

  /** Computes groups 2p and 2p+1 into out[o ..], stopping at out[limit]. */
  private runPair(p: number, out: Float32Array, o: number, limit: number): void {
    const { N, M, K, D, Lu, re, im, fRe, fIm, hRe, hIm } = this;
    const rev = this.fwd.bitrev;
    const a0 = 2 * p * this.B + this.first - this.bufStart, b0 = a0 + this.B;
    const buf = this.buf;
    const avail = this.nIn - this.bufStart; // inputs past the end read as zero
    if (Lu < N) {
      re.fill(0);
      im.fill(0);
    }
    let za = 0, zb = 0; // zero inputs seen
    if (Lu === N && a0 >= 0 && b0 + Lu <= avail) {
      // gather in bit-reversed order (rev is an involution): sequential writes
      for (let i = 0; i < N; i++) {
        const t = rev[i];
        const a = buf[a0 + t], b = buf[b0 + t];
        re[i] = a;
        im[i] = b;
        za += a === 0 ? 1 : 0;
        zb += b === 0 ? 1 : 0;
      }
    } else {
      for (let t = 0; t < Lu; t++) {
        const ia = a0 + t, ib = b0 + t, r = rev[t];
        const a = ia >= 0 && ia < avail ? buf[ia] : 0, b = ib >= 0 && ib < avail ? buf[ib] : 0;
        re[r] = a;
        im[r] = b;
        za += a === 0 ? 1 : 0;
        zb += b === 0 ? 1 : 0;
      }
    }
    this.fwd.transform(re, im);
    // fold[k] = sum_r conj(U[k + r M]) H[k + r M] / N, loaded bit-reversed for the M-point FFT
    const frev = this.inv.bitrev;
    if (D === 2) {
      for (let k = 0; k < M; k++) {
        const i = k + M;
        const ur = re[k], ui = im[k], hr = hRe[k], hi = hIm[k];
        const vr = re[i], vi = im[i], gr = hRe[i], gi = hIm[i];
        const r = frev[k];
        fRe[r] = ur * hr + ui * hi + vr * gr + vi * gi;
        fIm[r] = ur * hi - ui * hr + vr * gi - vi * gr;
      }
    } else {
      for (let k = 0; k < M; k++) {
        let fr = 0, fi = 0;
        for (let i = k; i < N; i += M) {
          const ur = re[i], ui = im[i], hr = hRe[i], hi = hIm[i];
          fr += ur * hr + ui * hi;
          fi += ur * hi - ui * hr;
        }
        const r = frev[k];
        fRe[r] = fr;
        fIm[r] = fi;
      }
    }
    this.inv.transform(fRe, fIm);
    // group 2p = Re, group 2p+1 = -Im
    const nA = Math.min(K, limit - o), nB = Math.min(K, limit - o - K);
    for (let q = 0; q < nA; q++) out[o + q] = fRe[q];
    for (let q = 0; q < nB; q++) out[o + K + q] = -fIm[q];
    // exact zeros where the kernel's whole support reads zero inputs (digital silence)
    if (za >= this.tapHi - this.tapLo) this.zeroSilent(a0, avail, out, o, nA);
    if (zb >= this.tapHi - this.tapLo) this.zeroSilent(b0, avail, out, o + K, nB);
  }

  /** Sets out[o + q] = 0 for the outputs of the group starting at buffer index g0 whose nonzero taps read only zeros. */
  private zeroSilent(g0: number, avail: number, out: Float32Array, o: number, n: number): void {
    const { Lu, D, tapLo, tapHi, buf } = this;
    const cnt = this.cntA;
    let c = 0;
    cnt[0] = 0;
    for (let t = 0; t < Lu; t++) {
      const i = g0 + t;
      c += i >= 0 && i < avail && buf[i] !== 0 ? 1 : 0;
      cnt[t + 1] = c;
    }
    for (let q = 0; q < n; q++) if (cnt[q * D + tapHi] === cnt[q * D + tapLo]) out[o + q] = 0;
  }
}

/** Streaming resampler of one mono channel. Not re-entrant. */
export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  private readonly k: Kernel | null;
  /** Power-of-two decimation runs through the FFT path. */
  private readonly fft: FftDecimator | null;
  /** Input history; buf[0] is absolute input index bufStart. */
  private buf: Float32Array;
  private bufLen = 0;
  private bufStart = 0;
  /** Absolute input samples received. */
  private nIn = 0;
  /** Next output index. */
  private j = 0;
  private finished = false;

  /**
   * @param opts.fft false forces the direct sum for power-of-two decimation (tests compare the two)
   */
  constructor(inRate: number, outRate: number, opts: { fft?: boolean } = {}) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new Error(`Expected positive integer sample rates, got ${inRate} -> ${outRate}`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.k = inRate === outRate ? null : buildKernel(inRate, outRate);
    const k = this.k;
    this.fft = k && opts.fft !== false && k.up === 1 && (k.down & (k.down - 1)) === 0 ? new FftDecimator(k.down, k.half, k.table.subarray(0, 2 * k.half)) : null;
    this.buf = new Float32Array(this.k && !this.fft ? 4 * this.k.half + 4096 : 0);
  }

  /** Feeds input, returns the output samples that are now complete (a new array). */
  push(chunk: Float32Array): Float32Array {
    if (this.finished) throw new Error('Resampler already flushed');
    if (!this.k) {
      this.nIn += chunk.length;
      return chunk.slice();
    }
    if (this.fft) return this.fft.push(chunk);
    this.append(chunk);
    this.nIn += chunk.length;
    return this.produce(false);
  }

  /** Ends the stream: returns the remaining outputs (input beyond the end counts as zeros). */
  flush(): Float32Array {
    if (this.finished) return new Float32Array(0);
    this.finished = true;
    if (!this.k) return new Float32Array(0);
    if (this.fft) return this.fft.flush();
    return this.produce(true);
  }

  private append(chunk: Float32Array): void {
    const k = this.k!;
    // Drop history no longer needed: the next output needs inputs from n0(j) - half + 1.
    const need = Math.floor((this.j * k.down) / k.up) - k.half + 1;
    const drop = Math.max(0, Math.min(this.bufLen, need - this.bufStart));
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart += drop;
    }
    if (this.bufLen + chunk.length > this.buf.length) {
      const nb = new Float32Array(Math.max(this.bufLen + chunk.length, 2 * this.buf.length));
      nb.set(this.buf.subarray(0, this.bufLen));
      this.buf = nb;
    }
    this.buf.set(chunk, this.bufLen);
    this.bufLen += chunk.length;
  }

  private produce(final: boolean): Float32Array {
    const k = this.k!;
    const { up, down, half, phases, table } = k;
    const taps = 2 * half;
    const totalOut = Math.ceil((this.nIn * up) / down);
    // Output j is ready when its last input n0 + half has arrived (or the stream ended).
    let end: number;
    if (final) end = totalOut;
    else {
      // largest j with floor(j*down/up) + half <= nIn - 1
      end = Math.floor(((this.nIn - half) * up + up - 1) / down) + 1;
      while (end > 0 && Math.floor(((end - 1) * down) / up) + half > this.nIn - 1) end--;
      while (Math.floor((end * down) / up) + half <= this.nIn - 1) end++;
      end = Math.min(end, totalOut);
    }
    const count = Math.max(0, end - this.j);
    const out = new Float32Array(count);
    const buf = this.buf, bufStart = this.bufStart, bufLen = this.bufLen;
    const exact = phases === up;
    const symmetric = up === 1;
    // grouped range [oA, oB) for rational ratios, from the first output whose support is buffered
    let oA = 0, oB = 0;
    if (exact && !symmetric) {
      while (oA < count && Math.floor(((this.j + oA) * down) / up) - half + 1 - bufStart < 0) oA++;
      oB = oA + groupedPhases(buf, bufStart, bufLen, table, taps, half, up, down, this.j + oA, count - oA, out, oA);
    }
    for (let o = 0; o < count; o++) {
      if (o === oA && oB > oA) {
        o = oB - 1;
        continue;
      }
      const j = this.j + o;
      const num = j * down;
      const n0 = Math.floor(num / up);
      const rem = num - n0 * up;
      const first = n0 - half + 1 - bufStart; // buffer index of tap 0
      let acc = 0;
      if (exact) {
        const t = rem * taps;
        if (symmetric && first >= 0 && first + taps <= bufLen) {
          // integer decimation: one phase, h(n) = h(-n) around tap half-1, h(half) = 0
          const c = first + half - 1, h1 = half - 1;
          let a0 = table[h1] * buf[c], a1 = 0, a2 = 0, a3 = 0, i = 1;
          for (; i + 4 <= h1; i += 4) {
            a0 += table[h1 + i] * (buf[c - i] + buf[c + i]);
            a1 += table[h1 + i + 1] * (buf[c - i - 1] + buf[c + i + 1]);
            a2 += table[h1 + i + 2] * (buf[c - i - 2] + buf[c + i + 2]);
            a3 += table[h1 + i + 3] * (buf[c - i - 3] + buf[c + i + 3]);
          }
          for (; i < half; i++) a0 += table[h1 + i] * (buf[c - i] + buf[c + i]);
          acc = a0 + a1 + a2 + a3;
        } else if (first >= 0 && first + taps <= bufLen) {
          // same order as groupedPhases (one accumulator, taps in order)
          for (let i = 0; i < taps; i++) acc += buf[first + i] * table[t + i];
        } else {
          for (let i = 0; i < taps; i++) {
            const b = first + i;
            if (b >= 0 && b < bufLen) acc += buf[b] * table[t + i];
          }
        }
      } else {
        const pf = (rem * phases) / up;
        const p0 = Math.floor(pf);
        const a = pf - p0;
        const t0 = p0 * taps, t1 = t0 + taps;
        for (let i = 0; i < taps; i++) {
          const b = first + i;
          if (b >= 0 && b < bufLen) acc += buf[b] * (table[t0 + i] + a * (table[t1 + i] - table[t0 + i]));
        }
      }
      out[o] = acc;
    }
    this.j += count;
    return out;
  }
}

/**
 * Rational ratios (up > 1, exact phases): outputs j, j + up, j + 2 up, j + 3 up share phase row
 * rem(j) and read inputs `down` apart, so they are summed together, one table load per four
 * multiply-adds (~1.45x faster than one output at a time, measured). Each output is still one
 * accumulator over the taps in order, exactly as the per-output loop, so results do not depend
 * on how outputs were grouped (chunked == one-shot). Handles whole groups of 4 up outputs from
 * output j0 while their supports are buffered.
 * @returns how many outputs (from out[outOffset]) were written
 */
function groupedPhases(
  buf: Float32Array, bufStart: number, bufLen: number, table: Float64Array, taps: number, half: number,
  up: number, down: number, j0: number, count: number, out: Float32Array, outOffset: number,
): number {
  let o = 0;
  for (; o + 4 * up <= count; o += 4 * up) {
    const jFirst = j0 + o, jLast = jFirst + 4 * up - 1;
    if (Math.floor((jFirst * down) / up) - half + 1 - bufStart < 0) break;
    if (Math.floor((jLast * down) / up) - half + 1 - bufStart + taps > bufLen) break;
    for (let q = 0; q < up; q++) {
      const j = jFirst + q;
      const num = j * down;
      const n0 = Math.floor(num / up);
      const t = (num - n0 * up) * taps;
      const f0 = n0 - half + 1 - bufStart, f1 = f0 + down, f2 = f1 + down, f3 = f2 + down;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let i = 0; i < taps; i++) {
        const h = table[t + i];
        a0 += buf[f0 + i] * h;
        a1 += buf[f1 + i] * h;
        a2 += buf[f2 + i] * h;
        a3 += buf[f3 + i] * h;
      }
      const w = outOffset + o + q;
      out[w] = a0;
      out[w + up] = a1;
      out[w + 2 * up] = a2;
      out[w + 3 * up] = a3;
    }
  }
  return o;
}

/**
 * One-shot resampling of a mono signal.
 * @returns a new Float32Array of length ceil(n * outRate / inRate) (the input itself, copied, when rates match)
 */
export function resample(pcm: Float32Array, inRate: number, outRate: number, opts: { fft?: boolean } = {}): Float32Array {
  const r = new Resampler(inRate, outRate, opts);
  const a = r.push(pcm);
  const b = r.flush();
  if (b.length === 0) return a;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
