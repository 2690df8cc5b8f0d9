import { describe, expect, it } from 'vitest';
import { rng } from '../../../test/fixtures/audio';
import { ComplexFft, createRealPowerFft, fftRadices, Pow2ComplexFft } from './fft';

/** Direct O(N^2) DFT: the independent reference. */
function directDft(re: Float64Array, im: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const oRe = new Float64Array(n), oIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(a), s = Math.sin(a);
      sr += re[t] * c - im[t] * s;
      si += re[t] * s + im[t] * c;
    }
    oRe[k] = sr;
    oIm[k] = si;
  }
  return { re: oRe, im: oIm };
}

function randomVec(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => r() * 2 - 1);
}

describe('fft', () => {
  it('factorises sizes into butterflies', () => {
    expect(fftRadices(2646)).toEqual([9, 2, 3, 7, 7]);
    expect(fftRadices(1323)).toEqual([9, 3, 7, 7]);
    expect(fftRadices(1024)).toEqual([4, 4, 4, 4, 4]);
    expect(fftRadices(2 * 11 * 13)).toEqual([2, 11, 13]);
  });

  // Sizes cover every butterfly: radix 2, 3, 4, 7, 9 and the generic odd radix (5, 11, 13, 17 prime).
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 12, 18, 49, 60, 77, 81, 143, 17, 1323, 2646]) {
    it(`complex FFT of size ${n} equals a direct DFT (max abs err < 1e-9 * N)`, () => {
      const re = randomVec(n, n), im = randomVec(n, n + 1000);
      const ref = directDft(re, im);
      const fft = new ComplexFft(n);
      fft.forward(re, im);
      let err = 0;
      for (let k = 0; k < n; k++) err = Math.max(err, Math.abs(re[k] - ref.re[k]), Math.abs(im[k] - ref.im[k]));
      expect(err).toBeLessThan(1e-9 * Math.max(1, n));
    });
  }

  // radix-2 first pass (odd log2) and radix-4 only (even log2)
  for (const n of [2, 4, 8, 16, 32, 512, 1024]) {
    it(`power-of-two complex FFT of size ${n} (bit-reversed input) equals a direct DFT`, () => {
      const re = randomVec(n, 3 * n), im = randomVec(n, 3 * n + 1);
      const ref = directDft(re, im);
      const fft = new Pow2ComplexFft(n);
      const r2 = new Float64Array(n), i2 = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        r2[fft.bitrev[i]] = re[i];
        i2[fft.bitrev[i]] = im[i];
      }
      fft.transform(r2, i2);
      let err = 0;
      for (let k = 0; k < n; k++) err = Math.max(err, Math.abs(r2[k] - ref.re[k]), Math.abs(i2[k] - ref.im[k]));
      expect(err).toBeLessThan(1e-12 * n);
    });
  }

  for (const n of [2646, 1323, 1024, 2048, 882, 10, 4, 8, 16, 32, 64, 128, 512]) {
    it(`real power FFT of size ${n} equals |direct DFT|^2 (rel err < 1e-10)`, () => {
      const x = randomVec(n, 7 * n);
      const ref = directDft(x, new Float64Array(n));
      const f = createRealPowerFft(n);
      expect(f.bins).toBe(Math.floor(n / 2) + 1);
      const out = new Float64Array(f.bins);
      f.power(x, out);
      let maxRef = 0, err = 0;
      for (let k = 0; k < f.bins; k++) {
        const p = ref.re[k] ** 2 + ref.im[k] ** 2;
        maxRef = Math.max(maxRef, p);
        err = Math.max(err, Math.abs(out[k] - p));
      }
      expect(err / maxRef).toBeLessThan(1e-10);
    });
  }

  for (const n of [15, 2646, 1024, 512, 16]) {
    it(`powerWindowed(n = ${n}) equals power() of the windowed frame`, () => {
      const src = randomVec(n + 7, n), win = randomVec(n, n + 1);
      const f = createRealPowerFft(n);
      const a = new Float64Array(f.bins), b = new Float64Array(f.bins);
      f.powerWindowed(src, 7, win, a);
      f.power(Float64Array.from({ length: n }, (_, i) => src[7 + i] * win[i]), b);
      for (let k = 0; k < f.bins; k++) expect(a[k]).toBeCloseTo(b[k], 9);
    });
  }
});
