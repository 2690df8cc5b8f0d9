/**
 * Global descriptors: meaning of the main dimensions on synthetic signals (tempo of click tracks,
 * key/mode of triads, loudness of the centred window), NaN-free output, and equality of the
 * streaming accumulator with the one-shot function.
 */
import { describe, expect, it } from 'vitest';
import { COMPACT_FEATURES, PAPER_FEATURES } from '../../src-shared/audio/feature-config';
import { rng, silence } from '../../test/fixtures/audio';
import { GLOBAL_DESCRIPTOR_NAMES, globalFeatures } from './global';
import { resample } from './resample';

const SR = 44100;
const dim = (name: string) => GLOBAL_DESCRIPTOR_NAMES.indexOf(name);

function clicks(bpm: number, seconds: number, seed = 1): Float32Array {
  const pcm = new Float32Array(SR * seconds), r = rng(seed);
  for (let t = 0; t < seconds; t += 60 / bpm) {
    const i0 = Math.round(t * SR);
    for (let i = 0; i < 2000 && i0 + i < pcm.length; i++) pcm[i0 + i] += (r() * 2 - 1) * Math.exp(-i / 300) * 0.8;
  }
  return pcm;
}

/** Sustained triad of harmonic tones (MIDI notes), `seconds` long. */
function chord(notes: number[], seconds: number): Float32Array {
  const pcm = new Float32Array(SR * seconds);
  for (const n of notes) {
    const f = 440 * 2 ** ((n - 69) / 12);
    for (let h = 1; h <= 2; h++) { // octave harmonic only: keeps the pitch classes of the triad
      for (let i = 0; i < pcm.length; i++) pcm[i] += (0.15 / h) * Math.sin((2 * Math.PI * f * h * i) / SR);
    }
  }
  return pcm;
}

describe('globalFeatures', () => {
  it('has 36 named dimensions, one vector per step', () => {
    expect(GLOBAL_DESCRIPTOR_NAMES).toHaveLength(36);
    const g = globalFeatures(clicks(120, 3), PAPER_FEATURES);
    expect(g.steps).toBe(6);
    expect(g.dim).toBe(36);
    expect(g.data.length).toBe(6 * 36);
  });

  for (const bpm of [75, 100, 128, 150]) {
    it(`click track at ${bpm} BPM: tempo within 4 %, clear pulse (paper and compact)`, () => {
      const pcm = clicks(bpm, 30, bpm);
      for (const cfg of [PAPER_FEATURES, COMPACT_FEATURES]) {
        const x = cfg.sampleRate === SR ? pcm : resample(pcm, SR, cfg.sampleRate);
        const g = globalFeatures(x, cfg);
        const v = g.data.subarray(30 * 36, 31 * 36);
        const est = 120 * 2 ** v[dim('tempo_log2_rel120')];
        expect(Math.abs(est / bpm - 1)).toBeLessThan(0.04);
        expect(v[dim('pulse_clarity')]).toBeGreaterThan(0.3);
      }
    });
  }

  it('C major chord (wide voicing) reads major with C/E/G chroma peaks; A minor and D minor read minor', () => {
    // Close-voiced triads are ambiguous at 16.7 Hz bins (low notes leak into neighbouring pitch
    // classes, measured), so the chords span three octaves as a pianist would voice them.
    const at = (notes: number[]) => globalFeatures(chord(notes, 4), PAPER_FEATURES).data.subarray(4 * 36, 5 * 36);
    const maj = at([48, 52, 55, 60, 64, 67, 72]);
    expect(maj[dim('mode')]).toBeGreaterThan(0.1);
    const chroma = Array.from(maj.subarray(dim('chroma_C'), dim('chroma_C') + 12));
    const top3 = chroma.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 3).map((x) => x[1]).sort((a, b) => a - b);
    expect(top3).toEqual([0, 4, 7]);
    expect(maj[dim('key_clarity')]).toBeGreaterThan(0.7);
    expect(at([45, 48, 52, 57, 60, 64, 69])[dim('mode')]).toBeLessThan(-0.1);
    expect(at([50, 53, 57, 62, 65, 69, 74])[dim('mode')]).toBeLessThan(-0.05);
  });

  it('the 30 s window is centred on the step: loudness sees noise only within 15 s', () => {
    // 40 s of silence then 20 s of noise: step at 20 s (window 5..35 s) is silent, at 30 s (15..45 s) not
    const pcm = new Float32Array(60 * SR), r = rng(5);
    for (let i = 40 * SR; i < pcm.length; i++) pcm[i] = 0.3 * (r() * 2 - 1);
    const g = globalFeatures(pcm, PAPER_FEATURES);
    const loud = (sec: number) => g.data[sec * 2 * 36 + dim('loudness_mean')];
    expect(loud(20)).toBeCloseTo((-100 + 25) / 15, 3);
    // 5 of the window's 30 s are noise (~ -15 dBFS among -100 dB frames): mean dB up by ~14 dB
    expect(loud(30)).toBeGreaterThan(loud(20) + 0.5);
    expect(loud(59)).toBeGreaterThan(loud(30)); // edge window clipped to [44.5, 60) s: all noise
  });

  it('silence and DC are NaN-free with the documented fallbacks', () => {
    for (const pcm of [silence(3), new Float32Array(3 * SR).fill(0.5)]) {
      for (const cfg of [PAPER_FEATURES, COMPACT_FEATURES]) {
        const x = cfg.sampleRate === SR ? pcm : resample(pcm, SR, cfg.sampleRate);
        const g = globalFeatures(x, cfg);
        for (const v of g.data) expect(Number.isFinite(v)).toBe(true);
        expect(g.data[dim('tempo_log2_rel120')]).toBe(0);
        expect(g.data[dim('pulse_clarity')]).toBe(0);
      }
    }
    const g = globalFeatures(silence(2), PAPER_FEATURES);
    expect(g.data[dim('chroma_C')]).toBe(0);
    expect(g.data[dim('loudness_mean')]).toBeCloseTo(-5, 5);
  });

  it('a PCM slice with 32 steps of margin on each side gives exactly the whole-track vectors of its inner steps', () => {
    const pcm = clicks(110, 60, 7);
    const r = rng(8);
    for (let i = 0; i < pcm.length; i++) pcm[i] += 0.1 * Math.sin(i * 0.05) + 0.02 * (r() * 2 - 1);
    const S = 22050;
    const whole = globalFeatures(pcm, PAPER_FEATURES);
    const a = 40, b = 50, m = 32;
    const part = globalFeatures(pcm.subarray((a - m) * S, (b + m) * S), PAPER_FEATURES);
    expect(part.data.subarray(m * 36, (m + b - a) * 36)).toEqual(whole.data.subarray(a * 36, b * 36));
  });
});
