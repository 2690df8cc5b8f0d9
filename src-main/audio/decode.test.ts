/**
 * Decoding every supported format to mono, complete (no missing tail), with correct mixdown.
 * Fixtures are generated here (WAV written in code; FLAC/OGG via sox, MP3 via lame, Opus via
 * opusenc). Length tolerances, measured and asserted:
 *   wav / flac / ogg vorbis / mp3: exact sample count (lame writes a LAME/Xing gapless header with
 *   its encoder delay and padding, which the mp3 decoder honours);
 *   opus: opusenc encodes at 48 kHz and marks pre-skip and end trim, both honoured; after
 *   48 -> 44.1 kHz resampling the length is within 1 sample (measured: exact).
 * Alignment: lossy outputs line up with the source at lag 0 (measured by a lag search) and differ
 * from it by coding error only: max |diff| 0.023 (mp3 128k), 0.016 (vorbis), 0.010 (opus);
 * asserted < 0.05.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src-shared/ipc/envelope';
import { chirp, encodeWav, tone, transcode, writeWav } from '../../test/fixtures/audio';
import { decodeToMono, openMonoStream, sniffFormat } from './decode';

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h3-decode-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

type Kind = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
/** WAV writer for the formats test/fixtures/audio.ts does not write (8/24/32-bit int, float64, EXTENSIBLE). */
function wavBytes(channels: Float32Array[], sr: number, kind: Kind, extensible = false): Buffer {
  const bytes = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[kind];
  const C = channels.length, n = channels[0].length, dataLen = n * C * bytes;
  const fmtLen = extensible ? 40 : 16;
  const buf = Buffer.alloc(12 + 8 + fmtLen + 8 + dataLen);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(fmtLen, 16);
  const tag = kind === 'f32' || kind === 'f64' ? 3 : 1;
  buf.writeUInt16LE(extensible ? 0xfffe : tag, 20);
  buf.writeUInt16LE(C, 22);
  buf.writeUInt32LE(sr, 24);
  buf.writeUInt32LE(sr * C * bytes, 28);
  buf.writeUInt16LE(C * bytes, 32);
  buf.writeUInt16LE(bytes * 8, 34);
  let o = 36;
  if (extensible) {
    buf.writeUInt16LE(22, 36);
    buf.writeUInt16LE(bytes * 8, 38);
    buf.writeUInt32LE(C === 6 ? 0x3f : 3, 40);
    buf.writeUInt16LE(tag, 44); // SubFormat GUID starts with the format tag
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(buf, 46);
    o = 60;
  }
  buf.write('data', o, 'ascii');
  buf.writeUInt32LE(dataLen, o + 4);
  o += 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const v = Math.max(-1, Math.min(1, channels[c][i]));
      switch (kind) {
        case 'u8': buf.writeUInt8(Math.round(v * 127 + 128), o); break;
        case 's16': buf.writeInt16LE(Math.round(v * 32767), o); break;
        case 's24': buf.writeIntLE(Math.round(v * 8388607), o, 3); break;
        case 's32': buf.writeInt32LE(Math.round(v * 2147483647), o); break;
        case 'f32': buf.writeFloatLE(v, o); break;
        case 'f64': buf.writeDoubleLE(v, o); break;
      }
      o += bytes;
    }
  }
  return buf;
}

function file(name: string, data: Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const SR = 44100;
const N = Math.round(1.7 * SR); // 1.7 s: not a multiple of any codec frame
const left = tone(440, 1.7, SR, 0.6);
const right = chirp(200, 4000, 1.7, SR, 0.3);
const mix = Float32Array.from(left, (v, i) => (v + right[i]) / 2);

describe('decode WAV variants', () => {
  const cases: Array<[Kind, boolean, number]> = [
    ['u8', false, 1 / 64],
    ['s16', false, 1 / 16384],
    ['s24', false, 1e-6],
    ['s32', false, 1e-6],
    ['f32', false, 1e-7],
    ['f64', false, 1e-7],
    ['s16', true, 1 / 16384],
    ['f32', true, 1e-7],
  ];
  for (const [kind, ext, tol] of cases) {
    it(`${kind}${ext ? ' EXTENSIBLE' : ''} stereo: exact length, mean mixdown within ${tol}`, async () => {
      const p = file(`v-${kind}-${ext}.wav`, wavBytes([left, right], SR, kind, ext));
      const d = await decodeToMono(p, { sampleRate: SR });
      expect(d.pcm.length).toBe(N);
      expect(d.durationSec).toBeCloseTo(1.7, 6);
      expect(d.source).toEqual({ format: 'wav', sampleRate: SR, channels: 2, truncated: false });
      expect(maxAbsDiff(d.pcm, mix)).toBeLessThan(tol);
    });
  }

  it('5.1 (6 channels) mixes down to the mean of all channels', async () => {
    const chans = [0, 1, 2, 3, 4, 5].map((c) => tone(100 * (c + 1), 0.8, SR, 0.5));
    const p = file('six.wav', wavBytes(chans, SR, 'f32', true));
    const d = await decodeToMono(p, { sampleRate: SR });
    expect(d.source.channels).toBe(6);
    const expected = Float32Array.from(chans[0], (_, i) => chans.reduce((a, ch) => a + ch[i], 0) / 6);
    expect(maxAbsDiff(d.pcm, expected)).toBeLessThan(1e-6);
  });

  it('mono 8 kHz and 192 kHz sources resample to the target rate with the ceil(n * out / in) length', async () => {
    for (const [sr, target] of [[8000, 44100], [192000, 22050], [48000, 44100]] as const) {
      const p = writeWav(path.join(dir, `r${sr}.wav`), [tone(300, 1.3, sr, 0.5)], sr);
      const d = await decodeToMono(p, { sampleRate: target });
      expect(d.sampleRate).toBe(target);
      expect(d.source.sampleRate).toBe(sr);
      expect(d.pcm.length).toBe(Math.ceil((Math.round(1.3 * sr) * target) / sr));
      const ref = tone(300, 1.3, target, 0.5);
      // middle of the signal: resampled tone equals the tone synthesised at the target rate
      expect(maxAbsDiff(d.pcm.subarray(2000, d.pcm.length - 2000), ref.subarray(2000, d.pcm.length - 2000))).toBeLessThan(2e-3);
    }
  });

  it('a long WAV streams in bounded chunks (no chunk above 64k samples)', async () => {
    const p = writeWav(path.join(dir, 'long.wav'), [tone(220, 20, SR, 0.2)], SR);
    const st = await openMonoStream(p, { sampleRate: SR });
    let maxChunk = 0, total = 0;
    for await (const c of st.chunks) {
      maxChunk = Math.max(maxChunk, c.length);
      total += c.length;
    }
    expect(total).toBe(20 * SR);
    expect(maxChunk).toBeLessThanOrEqual(1 << 16);
    expect(st.progress()).toBe(1);
  });
});

describe('decode compressed formats (generated with sox / lame / flac / opusenc)', () => {
  let wav = '';
  beforeAll(() => {
    wav = path.join(dir, 'src.wav');
    fs.writeFileSync(wav, encodeWav([left, right], SR));
  });

  const cases: Array<{ ext: 'flac' | 'mp3' | 'ogg' | 'opus'; format: string; lenTol: number; valTol: number }> = [
    { ext: 'flac', format: 'flac', lenTol: 0, valTol: 1 / 16384 },
    { ext: 'mp3', format: 'mp3', lenTol: 0, valTol: 0.05 },
    { ext: 'ogg', format: 'oga', lenTol: 0, valTol: 0.05 },
    { ext: 'opus', format: 'opus', lenTol: 1, valTol: 0.05 },
  ];
  for (const c of cases) {
    it(`${c.ext}: complete (length within ${c.lenTol} samples), stereo mixed to mono, no NaN`, async () => {
      const p = transcode(wav, c.ext);
      const d = await decodeToMono(p, { sampleRate: SR });
      expect(d.source.format).toBe(c.format);
      expect(d.source.channels).toBe(2);
      expect(Math.abs(d.pcm.length - N)).toBeLessThanOrEqual(c.lenTol);
      for (const v of d.pcm) expect(Number.isFinite(v)).toBe(true);
      // the tail is present: the last 0.1 s carries the signal's energy (not silence)
      const tail = d.pcm.subarray(N - Math.round(0.1 * SR) - c.lenTol, N - c.lenTol);
      const rms = Math.sqrt(tail.reduce((a, v) => a + v * v, 0) / tail.length);
      expect(rms).toBeGreaterThan(0.15);
      // lossless: sample-exact; lossy with gapless trim: aligned with the source, small coding error
      const mid = Math.round(0.2 * SR);
      expect(maxAbsDiff(d.pcm.subarray(mid, N - mid), mix.subarray(mid, N - mid))).toBeLessThan(c.valTol);
    });
  }

  it('a long mp3 streams in bounded chunks (each well under 5 s of audio)', async () => {
    const w = writeWav(path.join(dir, 'long20.wav'), [tone(220, 20, SR, 0.3), tone(330, 20, SR, 0.3)], SR);
    const st = await openMonoStream(transcode(w, 'mp3'), { sampleRate: SR });
    let maxChunk = 0, total = 0, n = 0;
    for await (const c of st.chunks) {
      maxChunk = Math.max(maxChunk, c.length);
      total += c.length;
      n++;
    }
    expect(total).toBe(20 * SR);
    expect(n).toBeGreaterThan(4);
    expect(maxChunk).toBeLessThan(5 * SR);
  });

  it('flac 5.1 decodes with 6 channels averaged', async () => {
    const chans = [0, 1, 2, 3, 4, 5].map((c) => tone(110 * (c + 1), 0.9, SR, 0.4));
    const w = path.join(dir, 'six16.wav');
    fs.writeFileSync(w, encodeWav(chans, SR));
    const d = await decodeToMono(transcode(w, 'flac'), { sampleRate: SR });
    expect(d.source.channels).toBe(6);
    const expected = Float32Array.from(chans[0], (_, i) => chans.reduce((a, ch) => a + ch[i], 0) / 6);
    expect(maxAbsDiff(d.pcm, expected)).toBeLessThan(1e-3);
  });

  it('mp3 decodes to a different target rate (44.1 kHz source -> 22.05 kHz)', async () => {
    const d = await decodeToMono(transcode(wav, 'mp3'), { sampleRate: 22050 });
    expect(d.pcm.length).toBe(Math.ceil(N / 2));
    expect(d.source.sampleRate).toBe(SR);
  });
});

describe('sniffFormat and errors', () => {
  it('identifies containers by magic bytes', () => {
    const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
    expect(sniffFormat(b('RIFF\0\0\0\0WAVEfmt '))).toBe('wav');
    expect(sniffFormat(b('fLaC\0\0\0\x22'))).toBe('flac');
    expect(sniffFormat(b('ID3\x04\0\0\0\0\0\x10' + '\0'.repeat(20)))).toBe('mp3');
    expect(sniffFormat(b('\0\0\0\x20ftypM4A '))).toBe('m4a');
    expect(sniffFormat(b('hello world, not audio'))).toBeNull();
  });

  it('unknown bytes -> UNSUPPORTED_FORMAT naming what arrived; missing file -> NOT_FOUND', async () => {
    const txt = file('notes.wav', Buffer.from('just some text, definitely not audio\n'));
    await expect(decodeToMono(txt, { sampleRate: SR })).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringContaining("text starting 'just some text") });
    const empty = file('empty.mp3', Buffer.alloc(0));
    await expect(decodeToMono(empty, { sampleRate: SR })).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    await expect(decodeToMono(path.join(dir, 'nope.wav'), { sampleRate: SR })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an aborted signal -> CANCELLED', async () => {
    const p = writeWav(path.join(dir, 'c.wav'), [tone(220, 1, SR)], SR);
    const ac = new AbortController();
    ac.abort();
    await expect(decodeToMono(p, { sampleRate: SR, signal: ac.signal })).rejects.toBeInstanceOf(AppError);
    await expect(decodeToMono(p, { sampleRate: SR, signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
