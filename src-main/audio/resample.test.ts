/**
 * Resampler: length rule, passband flatness, stop-band attenuation, chunked == one-shot.
 * Amplitudes are measured by least-squares fit of a sine at the known frequency over the
 * steady-state middle of the output (edges skipped: the kernel is ~W input samples long).
 */
import { describe, expect, it } from 'vitest';
import { rng, tone } from '../../test/fixtures/audio';
import { resample, Resampler } from './resample';

/** Amplitude of the `freq` component in x (least squares on sin/cos). */
function amplitudeAt(x: Float32Array, freq: number, sr: number): number {
  const a = Math.floor(x.length * 0.2), b = Math.floor(x.length * 0.8);
  let ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
  for (let i = a; i < b; i++) {
    const s = Math.sin((2 * Math.PI * freq * i) / sr), c = Math.cos((2 * Math.PI * freq * i) / sr);
    ss += s * s; cc += c * c; sc += s * c; xs += x[i] * s; xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const A = (xs * cc - xc * sc) / det, B = (xc * ss - xs * sc) / det;
  return Math.hypot(A, B);
}

function rms(x: Float32Array): number {
  const a = Math.floor(x.length * 0.2), b = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
}

const PAIRS: Array<[number, number]> = [
  [8000, 44100], [11025, 44100], [16000, 44100], [22050, 44100], [32000, 44100], [48000, 44100], [96000, 44100], [192000, 44100],
  [44100, 22050], [48000, 22050], [192000, 22050], [8000, 22050], [44100, 44100], [44100, 16001],
];

describe('Resampler', () => {
  for (const [inR, outR] of PAIRS) {
    it(`${inR} -> ${outR}: length ceil(n*out/in), passband tone within 0.01 dB`, () => {
      const seconds = 0.4;
      const f = 0.8 * 0.5 * Math.min(inR, outR); // 80 % of the lower Nyquist
      const x = tone(f, seconds, inR, 0.5);
      const y = resample(x, inR, outR);
      expect(y.length).toBe(Math.ceil((x.length * outR) / inR));
      const amp = amplitudeAt(y, f, outR);
      expect(Math.abs(20 * Math.log10(amp / 0.5))).toBeLessThan(0.01);
      for (const v of y) expect(Number.isFinite(v)).toBe(true);
    });
  }

  for (const [inR, outR] of [[48000, 44100], [192000, 44100], [44100, 22050], [96000, 22050]] as Array<[number, number]>) {
    it(`${inR} -> ${outR}: a tone 5 % above the new Nyquist is attenuated by > 80 dB`, () => {
      const f = 1.05 * (outR / 2);
      const y = resample(tone(f, 0.4, inR, 0.5), inR, outR);
      const att = 20 * Math.log10(rms(y) / (0.5 / Math.SQRT2));
      expect(att).toBeLessThan(-80);
    });
  }

  it('chunked output equals one-shot output (any chunk sizes)', () => {
    const r = rng(9);
    const x = Float32Array.from({ length: 48000 }, () => r() * 2 - 1);
    for (const [inR, outR] of [[48000, 44100], [8000, 22050], [192000, 44100], [44100, 16001], [44100, 22050], [192000, 48000]] as Array<[number, number]>) {
      const ref = resample(x, inR, outR);
      const rs = new Resampler(inR, outR);
      const parts: Float32Array[] = [];
      let i = 0, k = 1;
      while (i < x.length) {
        const n = Math.min(x.length - i, (k * 7919) % 5000 + 1);
        parts.push(rs.push(x.subarray(i, i + n)));
        i += n;
        k++;
      }
      parts.push(rs.flush());
      const y = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        y.set(p, o);
        o += p.length;
      }
      expect(y.length).toBe(ref.length);
      let maxDiff = 0;
      for (let j = 0; j < y.length; j++) maxDiff = Math.max(maxDiff, Math.abs(y[j] - ref[j]));
      expect(maxDiff).toBeLessThanOrEqual(1e-6);
    }
  });

  it('power-of-two decimation: the FFT path equals the direct sum, exact zeros kept in digital silence', () => {
    const r = rng(11);
    for (const [inR, outR] of [[44100, 22050], [88200, 22050], [192000, 48000]] as Array<[number, number]>) {
      for (const n of [3, 500, 7921, 30011]) {
        const x = Float32Array.from({ length: n }, () => r() * 2 - 1);
        if (n > 20000) x.fill(0, 4000, 12000); // silence inside a block: outputs whose support is all zero
        const fast = resample(x, inR, outR);
        const slow = resample(x, inR, outR, { fft: false });
        expect(fast.length).toBe(slow.length);
        let maxDiff = 0, zeroMismatch = 0, zeros = 0;
        for (let j = 0; j < fast.length; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(fast[j] - slow[j]));
          if ((fast[j] === 0) !== (slow[j] === 0)) zeroMismatch++;
          if (slow[j] === 0) zeros++;
        }
        expect(maxDiff).toBeLessThanOrEqual(1e-7);
        expect(zeroMismatch).toBe(0);
        if (n > 20000) expect(zeros).toBeGreaterThan(1000);
      }
    }
  });

  it('rejects non-integer rates', () => {
    expect(() => new Resampler(44100.5, 22050)).toThrow(/positive integer sample rates/);
  });
});
