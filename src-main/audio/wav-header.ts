/** RIFF/WAVE header writer shared by the bench, the MIDI render cache and the test fixtures. */

export type WavSampleFormat = 'pcm16' | 'float32';

/**
 * The canonical 44-byte header of a WAV file with one `fmt ` and one `data` chunk.
 * @param frames samples per channel
 * @returns a new 44-byte Buffer; the caller appends `frames * channels` interleaved samples
 */
export function wavHeader(frames: number, sampleRate: number, channels: number, format: WavSampleFormat = 'pcm16'): Buffer {
  const bytes = format === 'pcm16' ? 2 : 4;
  const dataLen = frames * channels * bytes;
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataLen, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(format === 'pcm16' ? 1 : 3, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * bytes, 28);
  h.writeUInt16LE(channels * bytes, 32);
  h.writeUInt16LE(bytes * 8, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataLen, 40);
  return h;
}
