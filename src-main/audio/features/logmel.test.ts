/**
 * Log-mel vs an independent slow implementation written here from the formulas (torchaudio
 * MelSpectrogram semantics: per-step clip, reflect pad n_fft//2, periodic Hann, direct DFT power,
 * HTK triangles on linspace(0, sr//2, n_fft//2+1), no norm, natural log(x + 1e-6)).
 * Tolerance: 1e-5 absolute on log values (measured max 4.8e-7: float32 rounding of the output of
 * a float64 pipeline; the slow path sums in a different order).
 */
import { describe, expect, it } from 'vitest';
import { COMPACT_FEATURES, PAPER_FEATURES, type FeatureConfig } from '../../../src-shared/audio/feature-config';
import { chirp, rng } from '../../../test/fixtures/audio';
import { AppError } from '../../../src-shared/ipc/envelope';
import { localFeatures } from './logmel';

function slowLogMel(pcm: Float32Array, cfg: FeatureConfig, step: number): number[][] {
  const N = cfg.nFft, S = cfg.stepSec * cfg.sampleRate, hop = cfg.hop, pad = Math.floor(N / 2);
  const clip = Array.from(pcm.subarray(step * S, (step + 1) * S));
  // reflect: index -1 -> 1, index S -> S-2
  const at = (i: number) => (i < 0 ? clip[-i] : i >= S ? clip[2 * (S - 1) - i] : clip[i]);
  const cosT = new Float64Array(N), sinT = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    cosT[i] = Math.cos((2 * Math.PI * i) / N);
    sinT[i] = Math.sin((2 * Math.PI * i) / N);
  }
  const nBins = Math.floor(N / 2) + 1;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const imel = (m: number) => 700 * (Math.pow(10, m / 2595) - 1);
  const pts: number[] = [];
  for (let i = 0; i < cfg.nMels + 2; i++) pts.push(imel(mel(cfg.fMin) + (i * (mel(cfg.fMax) - mel(cfg.fMin))) / (cfg.nMels + 1)));
  const binF = (k: number) => (k * Math.floor(cfg.sampleRate / 2)) / (nBins - 1);
  const frames: number[][] = [];
  for (let f = 0; f < 1 + Math.floor(S / hop); f++) {
    const x: number[] = [];
    for (let n = 0; n < N; n++) x.push(at(f * hop - pad + n) * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N)));
    const power: number[] = [];
    for (let k = 0; k < nBins; k++) {
      let re = 0, im = 0;
      for (let n = 0; n < N; n++) {
        const idx = (k * n) % N;
        re += x[n] * cosT[idx];
        im -= x[n] * sinT[idx];
      }
      power.push(re * re + im * im);
    }
    const row: number[] = [];
    for (let m = 0; m < cfg.nMels; m++) {
      let e = 0;
      for (let k = 0; k < nBins; k++) {
        const fk = binF(k);
        let w = 0;
        if (fk > pts[m] && fk <= pts[m + 1]) w = (fk - pts[m]) / (pts[m + 1] - pts[m]);
        else if (fk > pts[m + 1] && fk < pts[m + 2]) w = (pts[m + 2] - fk) / (pts[m + 2] - pts[m + 1]);
        e += w * power[k];
      }
      row.push(Math.log(e + 1e-6));
    }
    frames.push(row);
  }
  return frames;
}

function signal(seconds: number, sr: number): Float32Array {
  const c = chirp(60, sr / 2 - 500, seconds, sr, 0.4);
  const r = rng(42);
  for (let i = 0; i < c.length; i++) c[i] += 0.05 * (r() * 2 - 1);
  return c;
}

describe('localFeatures', () => {
  for (const cfg of [PAPER_FEATURES, COMPACT_FEATURES]) {
    it(`${cfg.name}: shape [steps, ${cfg.framesPerStep}, ${cfg.nMels}] and matches the slow reference within 1e-5`, () => {
      const pcm = signal(1.3, cfg.sampleRate); // 2 whole steps + a dropped partial step
      const out = localFeatures(pcm, cfg);
      expect(out.steps).toBe(2);
      expect(out.frames).toBe(cfg.framesPerStep);
      expect(out.mels).toBe(cfg.nMels);
      expect(out.data.length).toBe(2 * cfg.framesPerStep * cfg.nMels);
      let maxErr = 0;
      for (const step of [0, 1]) {
        const ref = slowLogMel(pcm, cfg, step);
        for (let f = 0; f < cfg.framesPerStep; f++) {
          for (let m = 0; m < cfg.nMels; m++) {
            const got = out.data[(step * cfg.framesPerStep + f) * cfg.nMels + m];
            maxErr = Math.max(maxErr, Math.abs(got - ref[f][m]));
          }
        }
      }
      expect(maxErr).toBeLessThan(1e-5); // measured 4.8e-7 (float32 rounding of the output)
    });
  }

  it('paper features are 51 x 128 per 0.5 s step (DSAML.md)', () => {
    expect(PAPER_FEATURES.framesPerStep).toBe(51);
    expect(PAPER_FEATURES.nFft).toBe(2646);
    expect(PAPER_FEATURES.hop).toBe(441);
  });

  it('silence gives log(1e-6) everywhere, never NaN', () => {
    const out = localFeatures(new Float32Array(44100), PAPER_FEATURES);
    for (const v of out.data) expect(v).toBeCloseTo(Math.log(1e-6), 4);
  });

  it('a 1 kHz tone peaks in the mel band around 1 kHz', () => {
    const sr = 44100;
    const pcm = Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sr));
    const out = localFeatures(pcm, PAPER_FEATURES);
    const frame = out.data.subarray(25 * 128, 26 * 128);
    const argmax = frame.indexOf(Math.max(...frame));
    const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
    const expected = Math.round((mel(1000) / mel(22050)) * 129) - 1;
    expect(Math.abs(argmax - expected)).toBeLessThanOrEqual(1);
  });

  it('under one step of audio throws AUDIO_TOO_SHORT with the durations', () => {
    try {
      localFeatures(new Float32Array(13230), PAPER_FEATURES);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('AUDIO_TOO_SHORT');
      expect((e as AppError).message).toContain('expected at least 0.5 s of audio, got 0.3 s');
    }
  });
});
