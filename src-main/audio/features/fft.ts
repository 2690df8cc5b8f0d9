/**
 * FFTs for the log-mel front end, in plain TypeScript (the tfjs wasm backend has no FFT kernel,
 * STYLE B13). Power-of-two real transforms use a radix-4 FFT of n/2 packed points (Pow2RealFft);
 * any other size (the reference's n_fft = 2646 = 2 * 3^3 * 7^2) uses a mixed-radix Stockham autosort FFT written here, with
 * unrolled radix-2/3/4/7/9 butterflies and a generic odd-radix butterfly for other prime factors.
 * Even real sizes run as a half-size complex FFT plus the standard split post-processing.
 * Large prime factors cost O(p) per point (no Bluestein): fine for the sizes configs use.
 * Tested against a direct DFT in fft.test.ts.
 */

/** Factorisation into butterflies: 4s first, then 9s, then primes 2, 3, 5, 7, ... */
export function fftRadices(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`Expected a positive integer FFT size, got ${n}`);
  const out: number[] = [];
  let m = n;
  while (m % 4 === 0) {
    out.push(4);
    m /= 4;
  }
  while (m % 9 === 0) {
    out.push(9);
    m /= 9;
  }
  for (let p = 2; m > 1; p++) {
    while (m % p === 0) {
      out.push(p);
      m /= p;
    }
    if (p * p > m && m > 1) {
      out.push(m);
      m = 1;
    }
  }
  return out;
}

interface Stage {
  radix: number;
  /** Current transform length at this stage (n / product of previous radices). */
  len: number;
  /** Stride (product of previous radices). */
  stride: number;
  /** Twiddles w^(p*k), w = exp(-2 pi i / len), laid out [p][k-1], k = 1..radix-1. */
  twRe: Float64Array;
  twIm: Float64Array;
  /** cos/sin(2 pi j k / radix) for the generic odd butterfly, [j*radix + k]. */
  cRe?: Float64Array;
  cIm?: Float64Array;
}

/**
 * Complex forward DFT of any size: X[k] = sum_n x[n] exp(-2 pi i n k / N).
 * One instance owns its scratch buffers: not re-entrant, cheap to create per worker.
 */
export class ComplexFft {
  readonly size: number;
  private readonly stages: Stage[];
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;

  constructor(n: number) {
    this.size = n;
    const radices = n === 1 ? [] : fftRadices(n);
    this.stages = [];
    let len = n;
    let stride = 1;
    for (const r of radices) {
      const m = len / r;
      const twRe = new Float64Array(m * (r - 1));
      const twIm = new Float64Array(m * (r - 1));
      for (let p = 0; p < m; p++) {
        for (let k = 1; k < r; k++) {
          const a = (-2 * Math.PI * ((p * k) % len)) / len;
          twRe[p * (r - 1) + k - 1] = Math.cos(a);
          twIm[p * (r - 1) + k - 1] = Math.sin(a);
        }
      }
      const st: Stage = { radix: r, len, stride, twRe, twIm };
      if (r !== 2 && r !== 3 && r !== 4 && r !== 7 && r !== 9) {
        st.cRe = new Float64Array(r * r);
        st.cIm = new Float64Array(r * r);
        for (let j = 0; j < r; j++) {
          for (let k = 0; k < r; k++) {
            const a = (2 * Math.PI * ((j * k) % r)) / r;
            st.cRe[j * r + k] = Math.cos(a);
            st.cIm[j * r + k] = Math.sin(a);
          }
        }
      }
      this.stages.push(st);
      len = m;
      stride *= r;
    }
    this.bRe = new Float64Array(n);
    this.bIm = new Float64Array(n);
    const maxR = Math.max(1, ...radices);
    this.tRe = new Float64Array(maxR);
    this.tIm = new Float64Array(maxR);
  }

  /**
   * Transforms in place: `re`/`im` (length N) hold the input and receive the spectrum.
   */
  forward(re: Float64Array, im: Float64Array): void {
    let xr = re, xi = im, yr = this.bRe, yi = this.bIm;
    for (const st of this.stages) {
      switch (st.radix) {
        case 2: radix2(st, xr, xi, yr, yi); break;
        case 3: radix3(st, xr, xi, yr, yi); break;
        case 4: radix4(st, xr, xi, yr, yi); break;
        case 7: radix7(st, xr, xi, yr, yi); break;
        case 9: radix9(st, xr, xi, yr, yi); break;
        default: radixOdd(st, xr, xi, yr, yi, this.tRe, this.tIm);
      }
      const sr = xr, si = xi;
      xr = yr; xi = yi; yr = sr; yi = si;
    }
    if (xr !== re) {
      re.set(xr);
      im.set(xi);
    }
  }
}

// Stockham decimation-in-frequency stage (OTFFT formulation generalised to radix r):
//   a_j = x[q + s*(p + j*m)], b_k = DFT_r(a)_k, y[q + s*(r*p + k)] = b_k * w^(p*k).

function radix2(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const s = st.stride, m = st.len / 2, { twRe, twIm } = st;
  for (let p = 0; p < m; p++) {
    const wr = twRe[p], wi = twIm[p];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p, i1 = i0 + s * m;
      const ar = xr[i0], ai = xi[i0], br = xr[i1], bi = xi[i1];
      const o = q + s * 2 * p;
      yr[o] = ar + br; yi[o] = ai + bi;
      const dr = ar - br, di = ai - bi;
      yr[o + s] = dr * wr - di * wi; yi[o + s] = dr * wi + di * wr;
    }
  }
}

const S3 = Math.sqrt(3) / 2;
function radix3(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const s = st.stride, m = st.len / 3, { twRe, twIm } = st;
  for (let p = 0; p < m; p++) {
    const w1r = twRe[2 * p], w1i = twIm[2 * p], w2r = twRe[2 * p + 1], w2i = twIm[2 * p + 1];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p, i1 = i0 + s * m, i2 = i1 + s * m;
      const a0r = xr[i0], a0i = xi[i0];
      const tr = xr[i1] + xr[i2], ti = xi[i1] + xi[i2];
      const dr = S3 * (xr[i1] - xr[i2]), di = S3 * (xi[i1] - xi[i2]);
      const mr = a0r - 0.5 * tr, mi = a0i - 0.5 * ti;
      const o = q + s * 3 * p;
      yr[o] = a0r + tr; yi[o] = a0i + ti;
      const b1r = mr + di, b1i = mi - dr, b2r = mr - di, b2i = mi + dr;
      yr[o + s] = b1r * w1r - b1i * w1i; yi[o + s] = b1r * w1i + b1i * w1r;
      yr[o + 2 * s] = b2r * w2r - b2i * w2i; yi[o + 2 * s] = b2r * w2i + b2i * w2r;
    }
  }
}

function radix4(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const s = st.stride, m = st.len / 4, { twRe, twIm } = st;
  for (let p = 0; p < m; p++) {
    const w1r = twRe[3 * p], w1i = twIm[3 * p], w2r = twRe[3 * p + 1], w2i = twIm[3 * p + 1], w3r = twRe[3 * p + 2], w3i = twIm[3 * p + 2];
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m;
      const t0r = xr[i0] + xr[i2], t0i = xi[i0] + xi[i2];
      const t1r = xr[i0] - xr[i2], t1i = xi[i0] - xi[i2];
      const t2r = xr[i1] + xr[i3], t2i = xi[i1] + xi[i3];
      const t3r = xr[i1] - xr[i3], t3i = xi[i1] - xi[i3];
      const o = q + s * 4 * p;
      yr[o] = t0r + t2r; yi[o] = t0i + t2i;
      const b1r = t1r + t3i, b1i = t1i - t3r;
      const b2r = t0r - t2r, b2i = t0i - t2i;
      const b3r = t1r - t3i, b3i = t1i + t3r;
      yr[o + s] = b1r * w1r - b1i * w1i; yi[o + s] = b1r * w1i + b1i * w1r;
      yr[o + 2 * s] = b2r * w2r - b2i * w2i; yi[o + 2 * s] = b2r * w2i + b2i * w2r;
      yr[o + 3 * s] = b3r * w3r - b3i * w3i; yi[o + 3 * s] = b3r * w3i + b3i * w3r;
    }
  }
}

const C71 = Math.cos((2 * Math.PI) / 7), C72 = Math.cos((4 * Math.PI) / 7), C73 = Math.cos((6 * Math.PI) / 7);
const S71 = Math.sin((2 * Math.PI) / 7), S72 = Math.sin((4 * Math.PI) / 7), S73 = Math.sin((6 * Math.PI) / 7);
function radix7(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const s = st.stride, m = st.len / 7, { twRe, twIm } = st;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const tw = 6 * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0], a0i = xi[i0];
      const x1r = xr[i0 + sm], x1i = xi[i0 + sm], x6r = xr[i0 + 6 * sm], x6i = xi[i0 + 6 * sm];
      const x2r = xr[i0 + 2 * sm], x2i = xi[i0 + 2 * sm], x5r = xr[i0 + 5 * sm], x5i = xi[i0 + 5 * sm];
      const x3r = xr[i0 + 3 * sm], x3i = xi[i0 + 3 * sm], x4r = xr[i0 + 4 * sm], x4i = xi[i0 + 4 * sm];
      const p1r = x1r + x6r, p1i = x1i + x6i, m1r = x1r - x6r, m1i = x1i - x6i;
      const p2r = x2r + x5r, p2i = x2i + x5i, m2r = x2r - x5r, m2i = x2i - x5i;
      const p3r = x3r + x4r, p3i = x3i + x4i, m3r = x3r - x4r, m3i = x3i - x4i;
      const o = q + s * 7 * p;
      yr[o] = a0r + p1r + p2r + p3r; yi[o] = a0i + p1i + p2i + p3i;
      // k = 1, 2, 3 and their mirrors 6, 5, 4: y_k = A_k - iB_k, y_{7-k} = A_k + iB_k
      const A1r = a0r + C71 * p1r + C72 * p2r + C73 * p3r, A1i = a0i + C71 * p1i + C72 * p2i + C73 * p3i;
      const B1r = S71 * m1r + S72 * m2r + S73 * m3r, B1i = S71 * m1i + S72 * m2i + S73 * m3i;
      const A2r = a0r + C72 * p1r + C73 * p2r + C71 * p3r, A2i = a0i + C72 * p1i + C73 * p2i + C71 * p3i;
      const B2r = S72 * m1r - S73 * m2r - S71 * m3r, B2i = S72 * m1i - S73 * m2i - S71 * m3i;
      const A3r = a0r + C73 * p1r + C71 * p2r + C72 * p3r, A3i = a0i + C73 * p1i + C71 * p2i + C72 * p3i;
      const B3r = S73 * m1r - S71 * m2r + S72 * m3r, B3i = S73 * m1i - S71 * m2i + S72 * m3i;
      let br: number, bi: number, wr: number, wi: number;
      br = A1r + B1i; bi = A1i - B1r; wr = twRe[tw]; wi = twIm[tw];
      yr[o + s] = br * wr - bi * wi; yi[o + s] = br * wi + bi * wr;
      br = A2r + B2i; bi = A2i - B2r; wr = twRe[tw + 1]; wi = twIm[tw + 1];
      yr[o + 2 * s] = br * wr - bi * wi; yi[o + 2 * s] = br * wi + bi * wr;
      br = A3r + B3i; bi = A3i - B3r; wr = twRe[tw + 2]; wi = twIm[tw + 2];
      yr[o + 3 * s] = br * wr - bi * wi; yi[o + 3 * s] = br * wi + bi * wr;
      br = A3r - B3i; bi = A3i + B3r; wr = twRe[tw + 3]; wi = twIm[tw + 3];
      yr[o + 4 * s] = br * wr - bi * wi; yi[o + 4 * s] = br * wi + bi * wr;
      br = A2r - B2i; bi = A2i + B2r; wr = twRe[tw + 4]; wi = twIm[tw + 4];
      yr[o + 5 * s] = br * wr - bi * wi; yi[o + 5 * s] = br * wi + bi * wr;
      br = A1r - B1i; bi = A1i + B1r; wr = twRe[tw + 5]; wi = twIm[tw + 5];
      yr[o + 6 * s] = br * wr - bi * wi; yi[o + 6 * s] = br * wi + bi * wr;
    }
  }
}

// radix 9 = 3 x 3 with internal twiddles w9^(j2*k1): fewer passes than two radix-3 stages
const W9 = [1, 2, 4].map((k) => [Math.cos((-2 * Math.PI * k) / 9), Math.sin((-2 * Math.PI * k) / 9)]);
const W91R = W9[0][0], W91I = W9[0][1], W92R = W9[1][0], W92I = W9[1][1], W94R = W9[2][0], W94I = W9[2][1];
function radix9(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array): void {
  const s = st.stride, m = st.len / 9, { twRe, twIm } = st;
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const tw = 8 * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      // column DFT3 over j1 for j2 = 0, 1, 2: inputs a[j2], a[3+j2], a[6+j2]
      let ar = xr[i0], ai = xi[i0], br = xr[i0 + 3 * sm], bi = xi[i0 + 3 * sm], cr = xr[i0 + 6 * sm], ci = xi[i0 + 6 * sm];
      let tr = br + cr, ti = bi + ci, dr = S3 * (br - cr), di = S3 * (bi - ci), mr = ar - 0.5 * tr, mi = ai - 0.5 * ti;
      const u00r = ar + tr, u00i = ai + ti, u01r = mr + di, u01i = mi - dr, u02r = mr - di, u02i = mi + dr;
      ar = xr[i0 + sm]; ai = xi[i0 + sm]; br = xr[i0 + 4 * sm]; bi = xi[i0 + 4 * sm]; cr = xr[i0 + 7 * sm]; ci = xi[i0 + 7 * sm];
      tr = br + cr; ti = bi + ci; dr = S3 * (br - cr); di = S3 * (bi - ci); mr = ar - 0.5 * tr; mi = ai - 0.5 * ti;
      const u10r = ar + tr, u10i = ai + ti;
      let vr = mr + di, vi = mi - dr;
      const u11r = vr * W91R - vi * W91I, u11i = vr * W91I + vi * W91R;
      vr = mr - di; vi = mi + dr;
      const u12r = vr * W92R - vi * W92I, u12i = vr * W92I + vi * W92R;
      ar = xr[i0 + 2 * sm]; ai = xi[i0 + 2 * sm]; br = xr[i0 + 5 * sm]; bi = xi[i0 + 5 * sm]; cr = xr[i0 + 8 * sm]; ci = xi[i0 + 8 * sm];
      tr = br + cr; ti = bi + ci; dr = S3 * (br - cr); di = S3 * (bi - ci); mr = ar - 0.5 * tr; mi = ai - 0.5 * ti;
      const u20r = ar + tr, u20i = ai + ti;
      vr = mr + di; vi = mi - dr;
      const u21r = vr * W92R - vi * W92I, u21i = vr * W92I + vi * W92R;
      vr = mr - di; vi = mi + dr;
      const u22r = vr * W94R - vi * W94I, u22i = vr * W94I + vi * W94R;
      const o = q + s * 9 * p;
      // row DFT3 over j2 for k1 = 0, 1, 2 -> outputs k1, k1 + 3, k1 + 6
      for (let k1 = 0; k1 < 3; k1++) {
        const a0r = k1 === 0 ? u00r : k1 === 1 ? u01r : u02r, a0i = k1 === 0 ? u00i : k1 === 1 ? u01i : u02i;
        const a1r = k1 === 0 ? u10r : k1 === 1 ? u11r : u12r, a1i = k1 === 0 ? u10i : k1 === 1 ? u11i : u12i;
        const a2r = k1 === 0 ? u20r : k1 === 1 ? u21r : u22r, a2i = k1 === 0 ? u20i : k1 === 1 ? u21i : u22i;
        const sr = a1r + a2r, si = a1i + a2i, er = S3 * (a1r - a2r), ei = S3 * (a1i - a2i);
        const hr = a0r - 0.5 * sr, hi = a0i - 0.5 * si;
        let br2 = a0r + sr, bi2 = a0i + si;
        let k = k1;
        if (k === 0) {
          yr[o] = br2; yi[o] = bi2;
        } else {
          const wr = twRe[tw + k - 1], wi = twIm[tw + k - 1];
          yr[o + k * s] = br2 * wr - bi2 * wi; yi[o + k * s] = br2 * wi + bi2 * wr;
        }
        k = k1 + 3;
        br2 = hr + ei; bi2 = hi - er;
        let wr = twRe[tw + k - 1], wi = twIm[tw + k - 1];
        yr[o + k * s] = br2 * wr - bi2 * wi; yi[o + k * s] = br2 * wi + bi2 * wr;
        k = k1 + 6;
        br2 = hr - ei; bi2 = hi + er;
        wr = twRe[tw + k - 1]; wi = twIm[tw + k - 1];
        yr[o + k * s] = br2 * wr - bi2 * wi; yi[o + k * s] = br2 * wi + bi2 * wr;
      }
    }
  }
}

/** Any odd radix r, using the pair symmetry y_k = A_k - iB_k, y_{r-k} = A_k + iB_k. */
function radixOdd(st: Stage, xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, tRe: Float64Array, tIm: Float64Array): void {
  const r = st.radix, s = st.stride, m = st.len / r, { twRe, twIm } = st;
  const cRe = st.cRe!, cIm = st.cIm!;
  const h = (r - 1) / 2;
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < s; q++) {
      const i0 = q + s * p;
      const a0r = xr[i0], a0i = xi[i0];
      let sumr = a0r, sumi = a0i;
      for (let j = 1; j <= h; j++) {
        const ur = xr[i0 + j * s * m], ui = xi[i0 + j * s * m];
        const vr = xr[i0 + (r - j) * s * m], vi = xi[i0 + (r - j) * s * m];
        tRe[2 * j - 2] = ur + vr; tIm[2 * j - 2] = ui + vi; // sums
        tRe[2 * j - 1] = ur - vr; tIm[2 * j - 1] = ui - vi; // differences
        sumr += ur + vr; sumi += ui + vi;
      }
      const o = q + s * r * p;
      yr[o] = sumr; yi[o] = sumi;
      for (let k = 1; k <= h; k++) {
        let Ar = a0r, Ai = a0i, Br = 0, Bi = 0;
        for (let j = 1; j <= h; j++) {
          const c = cRe[j * r + k], sn = cIm[j * r + k];
          Ar += c * tRe[2 * j - 2]; Ai += c * tIm[2 * j - 2];
          Br += sn * tRe[2 * j - 1]; Bi += sn * tIm[2 * j - 1];
        }
        let br = Ar + Bi, bi = Ai - Br;
        let wr = twRe[p * (r - 1) + k - 1], wi = twIm[p * (r - 1) + k - 1];
        yr[o + k * s] = br * wr - bi * wi; yi[o + k * s] = br * wi + bi * wr;
        br = Ar - Bi; bi = Ai + Br;
        wr = twRe[p * (r - 1) + r - k - 1]; wi = twIm[p * (r - 1) + r - k - 1];
        yr[o + (r - k) * s] = br * wr - bi * wi; yi[o + (r - k) * s] = br * wi + bi * wr;
      }
    }
  }
}

/** Power spectrum |X[k]|^2, k = 0..n/2, of a real frame of length n. */
export interface RealPowerFft {
  readonly size: number;
  /** Number of output bins: floor(n/2) + 1. */
  readonly bins: number;
  /**
   * @param frame real input, length `size` (not modified)
   * @param out receives `bins` values
   */
  power(frame: Float64Array, out: Float64Array): void;
  /**
   * Same as power() on frame[i] = src[offset + i] * window[i], without materialising the frame.
   */
  powerWindowed(src: Float64Array, offset: number, window: Float64Array, out: Float64Array): void;
}

function isPow2(n: number): boolean {
  return n >= 4 && (n & (n - 1)) === 0;
}

/**
 * Complex FFT of a power-of-two size over split re/im arrays: radix-4 decimation in time (a radix-2
 * first pass when log2(n) is odd). The caller loads the input in bit-reversed order
 * (re[bitrev[i]] = Re x_i, or equivalently re[i] = Re x_{bitrev[i]}), so the permutation is
 * fused into whatever fills the arrays (windowing, packing); `transform` leaves X in natural order.
 */
export class Pow2ComplexFft {
  readonly size: number;
  /** Bit reversal of i in log2(size) bits (an involution). */
  readonly bitrev: Int32Array;
  /** Stage lengths of the radix-4 passes and their twiddle offsets in tw. */
  private readonly stageLen: Int32Array;
  private readonly stageTw: Int32Array;
  /** Per stage, per k < L/4: w^k, w^2k, w^3k (re, im), w = exp(-2 pi i / L). */
  private readonly tw: Float64Array;
  /** log2(size) is odd: the first pass is radix 2 (else radix 4). */
  readonly radix2First: boolean;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) throw new Error(`Expected a power-of-two FFT size >= 2, got ${n}`);
    this.size = n;
    let bits = 0;
    while (1 << bits < n) bits++;
    this.bitrev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.bitrev[i] = r;
    }
    this.radix2First = bits % 2 === 1;
    const lens: number[] = [];
    for (let L = this.radix2First ? 8 : 16; L <= n; L *= 4) lens.push(L);
    this.stageLen = Int32Array.from(lens);
    this.stageTw = new Int32Array(lens.length);
    let total = 0;
    for (let s = 0; s < lens.length; s++) {
      this.stageTw[s] = total;
      total += (lens[s] / 4) * 6;
    }
    this.tw = new Float64Array(total);
    for (let s = 0; s < lens.length; s++) {
      const L = lens[s];
      for (let k = 0; k < L / 4; k++) {
        for (let q = 1; q <= 3; q++) {
          const ang = (-2 * Math.PI * q * k) / L;
          this.tw[this.stageTw[s] + 6 * k + 2 * (q - 1)] = Math.cos(ang);
          this.tw[this.stageTw[s] + 6 * k + 2 * (q - 1) + 1] = Math.sin(ang);
        }
      }
    }
  }

  /** In place: (re, im) hold the input in bit-reversed order; on return, the DFT in natural order. */
  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size;
    if (this.radix2First) pow2Radix2Pass(re, im, n);
    else pow2Radix4FirstPass(re, im, n);
    this.transformAfter(re, im, this.radix2First ? 2 : 4);
  }

  /**
   * The passes after the caller has already done DFTs of length `done` (a stage boundary: 8 when
   * radix2First, else 4, or the first pass's 2 / 4) over consecutive slots.
   */
  transformAfter(re: Float64Array, im: Float64Array, done: number): void {
    const n = this.size;
    for (let s = 0; s < this.stageLen.length; s++) if (this.stageLen[s] > done) pow2Radix4Pass(re, im, n, this.tw, this.stageTw[s], this.stageLen[s]);
  }
}

/**
 * Power-of-two real transform: the n/2-point complex FFT (Pow2ComplexFft) of
 * z[m] = x[2m] + i x[2m+1], with the bit-reversal permutation and the window fused into the load,
 * then the real split fused with |X_k|^2; powerWindowed also fuses the first radix-8 (log2(n/2)
 * odd) or radix-4 pass into the load. n = 1024: 7.1 us per windowed frame vs 10.3 us for fft.js's
 * realTransform + window + power loops (measured, CPU time).
 */
class Pow2RealFft implements RealPowerFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: number;
  private readonly cfft: Pow2ComplexFft;
  private readonly radix2First: boolean;
  /** 2 * bitrev(i) for i < n/2: the even input sample loaded into slot i. */
  private readonly idx: Int32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  /** Window permuted into load order (even and odd samples), for the last window seen. */
  private lastWindow: Float64Array | null = null;
  private readonly winE: Float64Array;
  private readonly winO: Float64Array;

  constructor(n: number) {
    this.size = n;
    const M = n / 2;
    this.half = M;
    this.bins = M + 1;
    this.cfft = new Pow2ComplexFft(M);
    this.radix2First = this.cfft.radix2First;
    this.idx = this.cfft.bitrev.map((r) => 2 * r);
    this.re = new Float64Array(M);
    this.im = new Float64Array(M);
    this.wr = new Float64Array(this.bins);
    this.wi = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.wr[k] = Math.cos((-2 * Math.PI * k) / n);
      this.wi[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    this.winE = new Float64Array(M);
    this.winO = new Float64Array(M);
  }

  power(frame: Float64Array, out: Float64Array): void {
    const M = this.half, idx = this.idx, re = this.re, im = this.im;
    for (let i = 0; i < M; i++) {
      const j = idx[i];
      re[i] = frame[j];
      im[i] = frame[j + 1];
    }
    this.cfft.transform(re, im);
    this.split(out);
  }

  powerWindowed(src: Float64Array, offset: number, window: Float64Array, out: Float64Array): void {
    const M = this.half, idx = this.idx, re = this.re, im = this.im;
    if (window !== this.lastWindow) {
      for (let i = 0; i < M; i++) {
        this.winE[i] = window[idx[i]];
        this.winO[i] = window[idx[i] + 1];
      }
      this.lastWindow = window;
    }
    const we = this.winE, wo = this.winO;
    if (M >= 8 && this.radix2First) {
      pow2LoadRadix8(src, offset, idx, we, wo, re, im, M);
      this.cfft.transformAfter(re, im, 8);
    } else if (M >= 4 && !this.radix2First) {
      pow2LoadRadix4(src, offset, idx, we, wo, re, im, M);
      this.cfft.transformAfter(re, im, 4);
    } else {
      for (let i = 0; i < M; i++) {
        const j = offset + idx[i];
        re[i] = src[j] * we[i];
        im[i] = src[j + 1] * wo[i];
      }
      this.cfft.transform(re, im);
    }
    this.split(out);
  }

  /** Real split of Z = FFT(x_even + i x_odd) into |X_k|^2, k = 0..n/2 (see PackedRealFft.finish). */
  private split(out: Float64Array): void {
    const M = this.half, re = this.re, im = this.im, wr = this.wr, wi = this.wi;
    const d0 = re[0] + im[0], dM = re[0] - im[0];
    out[0] = d0 * d0;
    out[M] = dM * dM;
    for (let k = 1, m = M - 1; k <= m; k++, m--) {
      const zr = re[k], zi = im[k], cr = re[m], ci = -im[m];
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      const orr = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
      const tr = wr[k] * orr - wi[k] * oi, ti = wr[k] * oi + wi[k] * orr;
      const ar = er + tr, ai = ei + ti;
      out[k] = ar * ar + ai * ai;
      if (m !== k) {
        const br = er - tr, bi = ei - ti;
        out[m] = br * br + bi * bi;
      }
    }
  }
}

// Pow2RealFft passes, as small module functions (V8 optimises them independently of the caller).

function pow2Radix2Pass(re: Float64Array, im: Float64Array, M: number): void {
  for (let i = 0; i < M; i += 2) {
    const ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
    re[i] = ar + br; im[i] = ai + bi;
    re[i + 1] = ar - br; im[i + 1] = ai - bi;
  }
}

/** Radix-4 pass with L = 4: all twiddles are 1. */
function pow2Radix4FirstPass(re: Float64Array, im: Float64Array, M: number): void {
  for (let i = 0; i < M; i += 4) {
    const ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
    const cr = re[i + 2], ci = im[i + 2], dr = re[i + 3], di = im[i + 3];
    const t0r = ar + br, t0i = ai + bi, t1r = ar - br, t1i = ai - bi;
    const t2r = cr + dr, t2i = ci + di, t3r = cr - dr, t3i = ci - di;
    re[i] = t0r + t2r; im[i] = t0i + t2i;
    re[i + 2] = t0r - t2r; im[i + 2] = t0i - t2i;
    re[i + 1] = t1r + t3i; im[i + 1] = t1i - t3r;
    re[i + 3] = t1r - t3i; im[i + 3] = t1i + t3r;
  }
}

/**
 * Windowed bit-reversed load fused with the first two passes (radix 2, then radix 4 with L = 8):
 * slot i gets z = x[o + idx[i]] we[i] + i x[o + idx[i] + 1] wo[i], then each group of 8 slots
 * becomes its 8-point DFT.
 */
function pow2LoadRadix8(src: Float64Array, o: number, idx: Int32Array, we: Float64Array, wo: Float64Array, re: Float64Array, im: Float64Array, M: number): void {
  const c = Math.SQRT1_2;
  for (let i = 0; i < M; i += 8) {
    let j = o + idx[i];
    const s0r = src[j] * we[i], s0i = src[j + 1] * wo[i];
    j = o + idx[i + 1];
    const s1r = src[j] * we[i + 1], s1i = src[j + 1] * wo[i + 1];
    j = o + idx[i + 2];
    const s2r = src[j] * we[i + 2], s2i = src[j + 1] * wo[i + 2];
    j = o + idx[i + 3];
    const s3r = src[j] * we[i + 3], s3i = src[j + 1] * wo[i + 3];
    j = o + idx[i + 4];
    const s4r = src[j] * we[i + 4], s4i = src[j + 1] * wo[i + 4];
    j = o + idx[i + 5];
    const s5r = src[j] * we[i + 5], s5i = src[j + 1] * wo[i + 5];
    j = o + idx[i + 6];
    const s6r = src[j] * we[i + 6], s6i = src[j + 1] * wo[i + 6];
    j = o + idx[i + 7];
    const s7r = src[j] * we[i + 7], s7i = src[j + 1] * wo[i + 7];
    // radix 2 on slot pairs
    const a0r = s0r + s1r, a0i = s0i + s1i, a1r = s0r - s1r, a1i = s0i - s1i;
    const a2r = s2r + s3r, a2i = s2i + s3i, a3r = s2r - s3r, a3i = s2i - s3i;
    const a4r = s4r + s5r, a4i = s4i + s5i, a5r = s4r - s5r, a5i = s4i - s5i;
    const a6r = s6r + s7r, a6i = s6i + s7i, a7r = s6r - s7r, a7i = s6i - s7i;
    // radix 4, L = 8, k = 0 (twiddles 1): slots 0, 2, 4, 6
    let t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
    let t2r = a4r + a6r, t2i = a4i + a6i, t3r = a4r - a6r, t3i = a4i - a6i;
    re[i] = t0r + t2r; im[i] = t0i + t2i;
    re[i + 4] = t0r - t2r; im[i + 4] = t0i - t2i;
    re[i + 2] = t1r + t3i; im[i + 2] = t1i - t3r;
    re[i + 6] = t1r - t3i; im[i + 6] = t1i + t3r;
    // k = 1: w = exp(-i pi/4) on slot 5, w^2 = -i on slot 3, w^3 = exp(-3i pi/4) on slot 7
    const br = a3i, bi = -a3r;
    const cr = c * (a5r + a5i), ci = c * (a5i - a5r);
    const dr = c * (a7i - a7r), di = -c * (a7r + a7i);
    t0r = a1r + br; t0i = a1i + bi; t1r = a1r - br; t1i = a1i - bi;
    t2r = cr + dr; t2i = ci + di; t3r = cr - dr; t3i = ci - di;
    re[i + 1] = t0r + t2r; im[i + 1] = t0i + t2i;
    re[i + 5] = t0r - t2r; im[i + 5] = t0i - t2i;
    re[i + 3] = t1r + t3i; im[i + 3] = t1i - t3r;
    re[i + 7] = t1r - t3i; im[i + 7] = t1i + t3r;
  }
}

/** Windowed bit-reversed load fused with the first radix-4 pass (L = 4, twiddles 1). */
function pow2LoadRadix4(src: Float64Array, o: number, idx: Int32Array, we: Float64Array, wo: Float64Array, re: Float64Array, im: Float64Array, M: number): void {
  for (let i = 0; i < M; i += 4) {
    let j = o + idx[i];
    const ar = src[j] * we[i], ai = src[j + 1] * wo[i];
    j = o + idx[i + 1];
    const br = src[j] * we[i + 1], bi = src[j + 1] * wo[i + 1];
    j = o + idx[i + 2];
    const cr = src[j] * we[i + 2], ci = src[j + 1] * wo[i + 2];
    j = o + idx[i + 3];
    const dr = src[j] * we[i + 3], di = src[j + 1] * wo[i + 3];
    const t0r = ar + br, t0i = ai + bi, t1r = ar - br, t1i = ai - bi;
    const t2r = cr + dr, t2i = ci + di, t3r = cr - dr, t3i = ci - di;
    re[i] = t0r + t2r; im[i] = t0i + t2i;
    re[i + 2] = t0r - t2r; im[i + 2] = t0i - t2i;
    re[i + 1] = t1r + t3i; im[i + 1] = t1i - t3r;
    re[i + 3] = t1r - t3i; im[i + 3] = t1i + t3r;
  }
}

/**
 * Radix-4 decimation-in-time pass of length L: in each block, quarters 0..3 hold the DFTs of the
 * residues 0, 2, 1, 3 (bit-reversed order); tw[t0 + 6k ..] = w^k, w^2k, w^3k, w = exp(-2 pi i / L).
 */
function pow2Radix4Pass(re: Float64Array, im: Float64Array, M: number, tw: Float64Array, t0: number, L: number): void {
  const Q = L >> 2;
  for (let k = 0; k < Q; k++) {
    const t = t0 + 6 * k;
    const w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3], w3r = tw[t + 4], w3i = tw[t + 5];
    for (let i0 = k; i0 < M; i0 += L) {
      const i1 = i0 + Q, i2 = i1 + Q, i3 = i2 + Q;
      const ar = re[i0], ai = im[i0];
      let xr = re[i1], xi = im[i1];
      const br = xr * w2r - xi * w2i, bi = xr * w2i + xi * w2r;
      xr = re[i2]; xi = im[i2];
      const cr = xr * w1r - xi * w1i, ci = xr * w1i + xi * w1r;
      xr = re[i3]; xi = im[i3];
      const dr = xr * w3r - xi * w3i, di = xr * w3i + xi * w3r;
      const t0r = ar + br, t0i = ai + bi, t1r = ar - br, t1i = ai - bi;
      const t2r = cr + dr, t2i = ci + di, t3r = cr - dr, t3i = ci - di;
      re[i0] = t0r + t2r; im[i0] = t0i + t2i;
      re[i2] = t0r - t2r; im[i2] = t0i - t2i;
      re[i1] = t1r + t3i; im[i1] = t1i - t3r;
      re[i3] = t1r - t3i; im[i3] = t1i + t3r;
    }
  }
}

/** Even n: complex FFT of n/2 packed samples, then split into the real spectrum. */
class PackedRealFft implements RealPowerFft {
  readonly size: number;
  readonly bins: number;
  private readonly half: number;
  private readonly cfft: ComplexFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  constructor(n: number) {
    this.size = n;
    this.half = n / 2;
    this.bins = this.half + 1;
    this.cfft = new ComplexFft(this.half);
    this.re = new Float64Array(this.half);
    this.im = new Float64Array(this.half);
    this.wr = new Float64Array(this.bins);
    this.wi = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.wr[k] = Math.cos((-2 * Math.PI * k) / n);
      this.wi[k] = Math.sin((-2 * Math.PI * k) / n);
    }
  }
  power(frame: Float64Array, out: Float64Array): void {
    const M = this.half, re = this.re, im = this.im;
    for (let i = 0; i < M; i++) {
      re[i] = frame[2 * i];
      im[i] = frame[2 * i + 1];
    }
    this.finish(out);
  }

  powerWindowed(src: Float64Array, offset: number, window: Float64Array, out: Float64Array): void {
    const M = this.half, re = this.re, im = this.im;
    for (let i = 0, j = offset; i < M; i++, j += 2) {
      re[i] = src[j] * window[2 * i];
      im[i] = src[j + 1] * window[2 * i + 1];
    }
    this.finish(out);
  }

  /**
   * FFT of the packed samples, then the split: with Z = FFT_M(x[2n] + i x[2n+1]),
   * E_k = (Z_k + conj Z_{M-k}) / 2, O_k = (Z_k - conj Z_{M-k}) / 2i, X_k = E_k + W^k O_k and
   * X_{M-k} = conj(E_k - W^k O_k), so each pair (k, M-k) is computed from one pair of loads.
   */
  private finish(out: Float64Array): void {
    const M = this.half, re = this.re, im = this.im;
    this.cfft.forward(re, im);
    const wr = this.wr, wi = this.wi;
    // k = 0 and k = M: X_0 = Re Z0 + Im Z0, X_M = Re Z0 - Im Z0
    const d0 = re[0] + im[0], dM = re[0] - im[0];
    out[0] = d0 * d0;
    out[M] = dM * dM;
    for (let k = 1, m = M - 1; k <= m; k++, m--) {
      const zr = re[k], zi = im[k], cr = re[m], ci = -im[m];
      const er = 0.5 * (zr + cr), ei = 0.5 * (zi + ci);
      const orr = 0.5 * (zi - ci), oi = -0.5 * (zr - cr);
      const tr = wr[k] * orr - wi[k] * oi, ti = wr[k] * oi + wi[k] * orr;
      const ar = er + tr, ai = ei + ti;
      out[k] = ar * ar + ai * ai;
      if (m !== k) {
        const br = er - tr, bi = ei - ti;
        out[m] = br * br + bi * bi;
      }
    }
  }
}

/** Odd n: full complex transform with zero imaginary part. */
class OddRealFft implements RealPowerFft {
  readonly size: number;
  readonly bins: number;
  private readonly cfft: ComplexFft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  constructor(n: number) {
    this.size = n;
    this.bins = Math.floor(n / 2) + 1;
    this.cfft = new ComplexFft(n);
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
  }
  powerWindowed(src: Float64Array, offset: number, window: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.size; i++) this.re[i] = src[offset + i] * window[i];
    this.im.fill(0);
    this.cfft.forward(this.re, this.im);
    for (let k = 0; k < this.bins; k++) out[k] = this.re[k] * this.re[k] + this.im[k] * this.im[k];
  }
  power(frame: Float64Array, out: Float64Array): void {
    this.re.set(frame.subarray(0, this.size));
    this.im.fill(0);
    this.cfft.forward(this.re, this.im);
    for (let k = 0; k < this.bins; k++) out[k] = this.re[k] * this.re[k] + this.im[k] * this.im[k];
  }
}

/**
 * A real-input power-spectrum FFT for any size >= 2 (Pow2RealFft for powers of two >= 4).
 * @throws Error when n is not an integer >= 2
 */
export function createRealPowerFft(n: number): RealPowerFft {
  if (!Number.isInteger(n) || n < 2) throw new Error(`Expected an FFT size >= 2, got ${n}`);
  if (isPow2(n)) return new Pow2RealFft(n);
  if (n % 2 === 0) return new PackedRealFft(n);
  return new OddRealFft(n);
}
