/**
 * The public API end to end on generated files: extractFeatures equals decode + localFeatures +
 * globalFeatures; streamed chunks equal the one-shot result; bad input gives clear errors or
 * NaN-free output.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chirp, rng, silence, tone, transcode, writeWav } from '../../test/fixtures/audio';
import {
  COMPACT_FEATURES,
  PAPER_FEATURES,
  decodeToMono,
  extractFeatureChunks,
  extractFeatures,
  featureConfigHash,
  globalFeatures,
  localFeatures,
  type FeatureChunk,
} from './index';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h3-index-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function musicLike(seconds: number, sr: number, seed = 3): Float32Array[] {
  const r = rng(seed);
  const a = chirp(110, 1760, seconds, sr, 0.3), b = tone(220, seconds, sr, 0.2);
  for (let i = 0; i < a.length; i++) {
    if (i % Math.round(sr * 0.5) < 400) a[i] += 0.4 * (r() * 2 - 1); // a click every 0.5 s
  }
  return [a, b];
}

function allFinite(x: Float32Array): boolean {
  for (const v of x) if (!Number.isFinite(v)) return false;
  return true;
}

describe('extractFeatures', () => {
  it('equals decodeToMono + localFeatures + globalFeatures (paper), with hash and source info', async () => {
    const p = writeWav(path.join(dir, 'm.wav'), musicLike(7.3, 48000), 48000);
    const fs1 = await extractFeatures(p, PAPER_FEATURES);
    const d = await decodeToMono(p, { sampleRate: 44100 });
    const l = localFeatures(d.pcm, PAPER_FEATURES), g = globalFeatures(d.pcm, PAPER_FEATURES);
    expect(fs1.configHash).toBe(featureConfigHash(PAPER_FEATURES));
    expect(fs1.source).toEqual({ format: 'wav', sampleRate: 48000, channels: 2, truncated: false });
    expect(fs1.durationSec).toBeCloseTo(7.3, 4);
    expect(fs1.local.steps).toBe(14);
    expect([fs1.local.frames, fs1.local.mels]).toEqual([51, 128]);
    expect(fs1.local.data).toEqual(l.data);
    expect(fs1.global!.data).toEqual(g.data);
    expect(fs1.global!.dim).toBe(36);
  });

  it('reports progress up to 1 and honours cancellation', async () => {
    const p = writeWav(path.join(dir, 'p.wav'), [tone(330, 40, 22050, 0.3)], 22050);
    const seen: number[] = [];
    await extractFeatures(p, COMPACT_FEATURES, { onProgress: (x) => seen.push(x.fraction) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    const ac = new AbortController();
    const run = extractFeatures(p, COMPACT_FEATURES, { onProgress: () => ac.abort(), signal: ac.signal });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('extractFeatureChunks', () => {
  it('chunks concatenate to the one-shot features; the first chunk arrives before the end', async () => {
    const p = writeWav(path.join(dir, 'long.wav'), musicLike(50, 44100), 44100);
    const whole = await extractFeatures(p, COMPACT_FEATURES);
    const chunks: FeatureChunk[] = [];
    for await (const c of extractFeatureChunks(p, COMPACT_FEATURES, { chunkSteps: 13 })) chunks.push(c);
    expect(chunks[0].startStep).toBe(0);
    expect(chunks[0].final).toBe(false);
    expect(chunks.at(-1)!.final).toBe(true);
    expect(chunks.at(-1)!.totalSteps).toBe(whole.local.steps);
    expect(chunks.at(-1)!.durationSec).toBeCloseTo(50, 4);
    let step = 0;
    for (const c of chunks) {
      expect(c.startStep).toBe(step);
      const n = c.local.steps;
      const ls = whole.local.frames * whole.local.mels;
      expect(c.local.data).toEqual(whole.local.data.subarray(step * ls, (step + n) * ls));
      expect(c.global!.data).toEqual(whole.global!.data.subarray(step * 36, (step + n) * 36));
      step += n;
    }
    expect(step).toBe(100);
  });
});

describe('bad input', () => {
  it('0.3 s file: AUDIO_TOO_SHORT naming both durations (one-shot and streamed)', async () => {
    const p = writeWav(path.join(dir, 'short.wav'), [tone(440, 0.3, 44100)], 44100);
    const msg = 'expected at least 0.5 s of audio, got 0.3 s';
    await expect(extractFeatures(p, PAPER_FEATURES)).rejects.toMatchObject({ code: 'AUDIO_TOO_SHORT', message: msg });
    const it = extractFeatureChunks(p, PAPER_FEATURES)[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({ code: 'AUDIO_TOO_SHORT', message: msg });
  });

  it('silence, stereo, 5.1, 8 kHz and 192 kHz sources give finite features of the right shape', async () => {
    const files: Array<[string, Float32Array[], number]> = [
      ['sil.wav', [silence(2.2, 44100)], 44100],
      ['st.wav', musicLike(2.2, 44100), 44100],
      ['six.wav', [0, 1, 2, 3, 4, 5].map((c) => tone(100 + 50 * c, 2.2, 48000, 0.3)), 48000],
      ['low.wav', [tone(1000, 2.2, 8000, 0.5)], 8000],
      ['high.wav', [chirp(100, 90000, 2.2, 192000, 0.5)], 192000],
    ];
    for (const [name, chans, sr] of files) {
      const p = writeWav(path.join(dir, name), chans, sr);
      for (const cfg of [PAPER_FEATURES, COMPACT_FEATURES]) {
        const f = await extractFeatures(p, cfg);
        expect(f.local.steps).toBe(4);
        expect(f.source.channels).toBe(chans.length);
        expect(allFinite(f.local.data)).toBe(true);
        expect(allFinite(f.global!.data)).toBe(true);
      }
    }
  });

  it('a float WAV containing NaN and Inf samples gives finite features (bad samples read as 0)', async () => {
    const x = tone(440, 1.2, 44100, 0.5);
    x[100] = Number.NaN;
    x[5000] = Number.POSITIVE_INFINITY;
    x[30000] = Number.NEGATIVE_INFINITY;
    const p = writeWav(path.join(dir, 'nan.wav'), [x], 44100, 'float32');
    // the fixture writer clamps to [-1, 1]: put the infinities in by hand (data starts at byte 44)
    const bytes = fs.readFileSync(p);
    bytes.writeFloatLE(Number.POSITIVE_INFINITY, 44 + 5000 * 4);
    bytes.writeFloatLE(Number.NEGATIVE_INFINITY, 44 + 30000 * 4);
    fs.writeFileSync(p, bytes);
    const f = await extractFeatures(p, PAPER_FEATURES);
    expect(allFinite(f.local.data)).toBe(true);
    expect(allFinite(f.global!.data)).toBe(true);
  });

  it('a 192 kHz source whose content is all above 22.05 kHz leaves no aliased energy at 44.1 kHz', async () => {
    // 30..90 kHz chirp with 0.1 s fades (no onset clicks): after anti-aliased resampling to 44.1 kHz
    // it is (almost) silence; an aliased full-scale tone would reach about +10 in log-mel.
    const x = chirp(30000, 90000, 2.2, 192000, 0.5);
    const fade = Math.round(0.1 * 192000);
    for (let i = 0; i < fade; i++) {
      const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
      x[i] *= g;
      x[x.length - 1 - i] *= g;
    }
    const p = writeWav(path.join(dir, 'ultra.wav'), [x], 192000, 'float32');
    const f = await extractFeatures(p, PAPER_FEATURES);
    let max = -Infinity;
    for (const v of f.local.data) max = Math.max(max, v);
    const inBand = await extractFeatures(writeWav(path.join(dir, 'inband.wav'), [tone(15000, 2.2, 192000, 0.5)], 192000, 'float32'), PAPER_FEATURES);
    let maxIn = -Infinity;
    for (const v of inBand.local.data) maxIn = Math.max(maxIn, v);
    // natural-log units: 80 dB = ln(1e8) = 18.4
    expect(maxIn - max).toBeGreaterThan(Math.log(1e8));
  });

  it('truncated WAV decodes what is there (flagged); truncated FLAC/MP3 give features or AUDIO_DECODE_FAILED, never NaN or a crash', async () => {
    const w = writeWav(path.join(dir, 'full.wav'), musicLike(3, 44100), 44100);
    const bytes = fs.readFileSync(w);
    const tw = path.join(dir, 'trunc.wav');
    fs.writeFileSync(tw, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const f = await extractFeatures(tw, PAPER_FEATURES);
    expect(f.source.truncated).toBe(true);
    expect(f.durationSec).toBeCloseTo(1.8, 1);
    expect(allFinite(f.local.data)).toBe(true);
    for (const ext of ['flac', 'mp3', 'ogg'] as const) {
      const full = fs.readFileSync(transcode(w, ext));
      const tp = path.join(dir, `trunc-${ext}.${ext}`);
      fs.writeFileSync(tp, full.subarray(0, Math.floor(full.length * 0.6)));
      try {
        const g = await extractFeatures(tp, PAPER_FEATURES);
        expect(g.durationSec).toBeGreaterThan(0.5);
        expect(g.durationSec).toBeLessThan(3);
        expect(allFinite(g.local.data)).toBe(true);
        expect(allFinite(g.global!.data)).toBe(true);
      } catch (e) {
        expect(e).toMatchObject({ code: 'AUDIO_DECODE_FAILED' });
      }
    }
  });

  it('non-audio bytes: UNSUPPORTED_FORMAT; garbage after a valid magic: AUDIO_DECODE_FAILED or UNSUPPORTED_FORMAT', async () => {
    const r = rng(11);
    const junk = path.join(dir, 'junk.mp3');
    fs.writeFileSync(junk, Buffer.from(Array.from({ length: 5000 }, () => Math.floor(r() * 256)).map((b, i) => (i === 0 ? 0x00 : b))));
    await expect(extractFeatures(junk, PAPER_FEATURES)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    const fakeFlac = path.join(dir, 'fake.flac');
    fs.writeFileSync(fakeFlac, Buffer.concat([Buffer.from('fLaC'), Buffer.from(Array.from({ length: 5000 }, () => Math.floor(r() * 256)))]));
    await expect(extractFeatures(fakeFlac, PAPER_FEATURES)).rejects.toMatchObject({ code: expect.stringMatching(/^(AUDIO_DECODE_FAILED|UNSUPPORTED_FORMAT)$/) });
    const noData = path.join(dir, 'nodata.wav');
    const hdr = writeWav(path.join(dir, 'tmp.wav'), [tone(440, 0.01, 44100)], 44100);
    fs.writeFileSync(noData, fs.readFileSync(hdr).subarray(0, 36));
    await expect(extractFeatures(noData, PAPER_FEATURES)).rejects.toMatchObject({ code: 'AUDIO_DECODE_FAILED', message: expect.stringContaining("found no 'data' chunk") });
  });
});
