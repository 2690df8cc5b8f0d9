/** Minimal RIFF WAV reader/writer (PCM 16/24/32-bit and IEEE float 32/64), used for fluidsynth renders. */
import { AppError } from '../../../src-shared/ipc/envelope';
import { wavHeader } from '../../audio/wav-header';

/** Decoded WAV: one Float32Array per channel. */
export interface WavData {
  sampleRate: number;
  channels: Float32Array[];
}

/** Parses a WAV buffer. @throws AppError AUDIO_DECODE_FAILED describing what was found */
export function readWav(buf: Buffer): WavData {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new AppError('AUDIO_DECODE_FAILED', `Expected a RIFF/WAVE file, got "${buf.toString('ascii', 0, 4)}"`);
  }
  let off = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | null = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      let format = buf.readUInt16LE(body);
      if (format === 0xfffe) format = buf.readUInt16LE(body + 24); // WAVE_FORMAT_EXTENSIBLE subformat
      fmt = { format, channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new AppError('AUDIO_DECODE_FAILED', 'WAV: data chunk before fmt chunk');
      const bytes = fmt.bits / 8;
      const end = Math.min(buf.length, body + (size === 0xffffffff || size === 0 ? buf.length : size));
      const frames = Math.floor((end - body) / (bytes * fmt.channels));
      const ch = Array.from({ length: fmt.channels }, () => new Float32Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.channels; c++) {
          const p = body + (i * fmt.channels + c) * bytes;
          let x: number;
          if (fmt.format === 3 && fmt.bits === 32) x = buf.readFloatLE(p);
          else if (fmt.format === 3 && fmt.bits === 64) x = buf.readDoubleLE(p);
          else if (fmt.format === 1 && fmt.bits === 16) x = buf.readInt16LE(p) / 32768;
          else if (fmt.format === 1 && fmt.bits === 24) x = buf.readIntLE(p, 3) / 8388608;
          else if (fmt.format === 1 && fmt.bits === 32) x = buf.readInt32LE(p) / 2147483648;
          else throw new AppError('UNSUPPORTED_FORMAT', `WAV: expected PCM 16/24/32 or float 32/64, got format ${fmt.format} with ${fmt.bits} bits`);
          ch[c][i] = x;
        }
      }
      return { sampleRate: fmt.sampleRate, channels: ch };
    }
    off = body + size + (size % 2);
  }
  throw new AppError('AUDIO_DECODE_FAILED', 'WAV: no data chunk found');
}

/** Encodes mono float samples in [-1, 1] as 16-bit PCM WAV. */
export function writeWavMono16(samples: Float32Array, sampleRate: number): Buffer {
  const buf = Buffer.concat([wavHeader(samples.length, sampleRate, 1), Buffer.alloc(samples.length * 2)]);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), 44 + i * 2);
  return buf;
}
