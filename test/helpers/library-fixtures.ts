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
