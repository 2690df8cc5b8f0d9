/**
 * Folders of generated audio for library tests (WAV written in code; FLAC/OGG via sox, MP3 via
 * lame). Every file is distinct (different tone), so content hashes differ.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTool, tone, transcode, writeWav } from '../fixtures/audio';

/** A 1x1 PNG, for embedded cover art. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

let freq = 200;
/** A short mono WAV with a tone nobody else uses (so its hash is unique). */
export function uniqueWav(file: string, seconds = 0.5, sampleRate = 22_050, channels = 1): string {
  freq += 7;
  const ch = tone(freq, seconds, sampleRate);
  return writeWav(file, Array.from({ length: channels }, () => ch), sampleRate);
}

/** An MP3 with ID3 tags and a PNG cover (lame). */
export function taggedMp3(file: string, tags: { title: string; artist: string; album: string; genre?: string; year?: number }): string {
  requireTool('lame');
  const wav = uniqueWav(file.replace(/\.mp3$/i, '.src.wav'), 1, 44_100);
  const png = `${file}.cover.png`;
  fs.writeFileSync(png, TINY_PNG);
  execFileSync('lame', [
    '--quiet',
    '--tt', tags.title,
    '--ta', tags.artist,
    '--tl', tags.album,
    ...(tags.genre ? ['--tg', tags.genre] : []),
    ...(tags.year ? ['--ty', String(tags.year)] : []),
    '--ti', png,
    wav,
    file,
  ]);
  fs.rmSync(wav);
  fs.rmSync(png);
  return file;
}

/** Converts a fresh unique WAV to `ext` and removes the WAV. */
export function encoded(dir: string, stem: string, ext: 'flac' | 'mp3' | 'ogg'): string {
  const wav = uniqueWav(path.join(dir, `${stem}.wav`), 1, 44_100, 2);
  const out = transcode(wav, ext);
  fs.rmSync(wav);
  return out;
}

export interface MixedFolder {
  root: string;
  good: string[];
  /** path -> expected skip code */
  bad: Record<string, string>;
}

/**
 * A folder with good files of each format (in subfolders too, unicode and long names) and
 * broken ones (zero-byte, truncated header, truncated data, text named .mp3, non-audio).
 */
export function mixedFolder(root: string): MixedFolder {
  fs.mkdirSync(root, { recursive: true });
  const good = [
    uniqueWav(path.join(root, 'tone.wav')),
    encoded(root, 'flac-tone', 'flac'),
    encoded(path.join(root, 'sub'), 'mp3-tone', 'mp3'),
    encoded(path.join(root, 'sub', 'deeper'), 'ogg-tone', 'ogg'),
    silentOpus(path.join(root, 'sub', 'quiet.opus'), 1.5, 'Quiet'),
    uniqueWav(path.join(root, 'ünïcødé 曲 — ☃.wav')),
    uniqueWav(path.join(root, `${'長'.repeat(80)}.wav`)), // 240 bytes of UTF-8 + ".wav": near NAME_MAX (255)
  ];
  const bad: Record<string, string> = {};
  const zero = path.join(root, 'zero.wav');
  fs.writeFileSync(zero, '');
  bad[zero] = 'EMPTY_FILE';
  const full = fs.readFileSync(good[0]!);
  const hdr = path.join(root, 'header-cut.wav');
  fs.writeFileSync(hdr, full.subarray(0, 30));
  bad[hdr] = 'AUDIO_DECODE_FAILED';
  const mid = path.join(root, 'data-cut.wav');
  fs.writeFileSync(mid, full.subarray(0, Math.floor(full.length / 2)));
  bad[mid] = 'TRUNCATED';
  const fake = path.join(root, 'sub', 'not-really.mp3');
  fs.writeFileSync(fake, 'This is a text file pretending to be an MP3.\n'.repeat(20));
  bad[fake] = 'AUDIO_DECODE_FAILED';
  const txt = path.join(root, 'notes.txt');
  fs.writeFileSync(txt, 'liner notes');
  bad[txt] = 'NOT_AUDIO';
  const dangling = path.join(root, 'dangling.wav');
  fs.symlinkSync(path.join(root, 'does-not-exist.wav'), dangling);
  bad[dangling] = 'UNREADABLE';
  return { root, good, bad };
}

// ---------------------------------------------------------------- Ogg Opus without an encoder

const OGG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(buf: Buffer): number {
  let crc = 0;
  for (const b of buf) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc;
}

function oggPage(packets: Buffer[], opts: { granule: bigint; seq: number; flags: number }): Buffer {
  const segs: number[] = [];
  for (const p of packets) {
    let n = p.length;
    while (n >= 255) {
      segs.push(255);
      n -= 255;
    }
    segs.push(n);
  }
  const header = Buffer.alloc(27 + segs.length);
  header.write('OggS', 0, 'latin1');
  header[4] = 0;
  header[5] = opts.flags;
  header.writeBigInt64LE(opts.granule, 6);
  header.writeUInt32LE(0x5044_4d52, 14); // stream serial "PDMR"
  header.writeUInt32LE(opts.seq, 18);
  header.writeUInt32LE(0, 22);
  header[26] = segs.length;
  segs.forEach((s, i) => (header[27 + i] = s));
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * A valid Ogg Opus stream of digital silence, written without an encoder (opus-tools is not
 * always installed): OpusHead + OpusTags + 20 ms CELT silence frames (0xF8 0xFF 0xFE, the
 * canonical Opus "silence" packet).
 */
export function silentOpus(file: string, seconds: number, title?: string): string {
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0; // mapping family
  const vendor = Buffer.from('pdmer-test');
  const comments = title ? [Buffer.from(`TITLE=${title}`)] : [];
  const tags = Buffer.concat([
    Buffer.from('OpusTags', 'latin1'),
    u32(vendor.length),
    vendor,
    u32(comments.length),
    ...comments.flatMap((c) => [u32(c.length), c]),
  ]);
  const pages = [oggPage([head], { granule: 0n, seq: 0, flags: 2 }), oggPage([tags], { granule: 0n, seq: 1, flags: 0 })];
  const frames = Math.round((seconds * 1000) / 20);
  const frame = Buffer.from([0xf8, 0xff, 0xfe]);
  let seq = 2;
  for (let done = 0; done < frames; ) {
    const n = Math.min(50, frames - done);
    done += n;
    pages.push(oggPage(Array.from({ length: n }, () => frame), { granule: BigInt(preSkip + done * 960), seq: seq++, flags: done === frames ? 4 : 0 }));
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat(pages));
  return file;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
