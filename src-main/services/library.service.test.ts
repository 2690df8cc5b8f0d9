import { describe, expect, it } from 'vitest';
import { formatName, isAudioExtension, outermost } from './library.service';
import type { IAudioMetadata } from 'music-metadata';

describe('outermost', () => {
  it('keeps only folders not inside another one', () => {
    expect(outermost(['/m/jazz', '/m', '/music', '/m/jazz/bop', '/other', '/m'])).toEqual(['/m', '/music', '/other']);
    expect(outermost(['/'])).toEqual(['/']);
    expect(outermost(['/', '/x'])).toEqual(['/']);
  });
});

describe('formatName', () => {
  const meta = (container: string | undefined, codec: string | undefined) => ({ format: { container, codec } }) as unknown as IAudioMetadata;
  it('maps music-metadata container/codec to our format names', () => {
    expect(formatName(meta('MPEG', 'MPEG 1 Layer 3'), 'mp3')).toBe('mp3');
    expect(formatName(meta('FLAC', 'FLAC'), 'flac')).toBe('flac');
    expect(formatName(meta('Ogg', 'Vorbis I'), 'ogg')).toBe('ogg');
    expect(formatName(meta('Ogg', 'Opus'), 'opus')).toBe('opus');
    expect(formatName(meta('Ogg', 'Opus'), 'ogg')).toBe('opus');
    expect(formatName(meta('WAVE', 'PCM'), 'wav')).toBe('wav');
    expect(formatName(meta('M4A/isom/iso2', 'MPEG-4/AAC'), 'm4a')).toBe('m4a');
    expect(formatName(meta('ADTS/MPEG-4', 'AAC'), 'aac')).toBe('aac');
    expect(formatName(meta('MPEG', 'MPEG 2 Layer 2'), 'mp3')).toBe('mp3');
    expect(formatName(meta('AIFF', 'PCM'), 'wav')).toBeNull(); // AIFF data in a .wav name: not a WAV
    expect(formatName(meta('Matroska', 'V_VP9'), 'webm')).toBeNull();
  });
});

describe('isAudioExtension', () => {
  it('accepts our formats only (no prototype keys)', () => {
    for (const e of ['mp3', 'flac', 'ogg', 'opus', 'wav', 'm4a']) expect(isAudioExtension(e)).toBe(true);
    for (const e of ['txt', 'constructor', '__proto__', 'toString', '']) expect(isAudioExtension(e)).toBe(false);
  });
});
