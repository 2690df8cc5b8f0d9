/**
 * Decoding any supported file to mono PCM at a target rate, streamed in bounded memory.
 *
 * - WAV (RIFF; PCM u8/s16/s24/s32, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE) is read by our own
 *   streaming reader: blocks of BLOCK_FRAMES frames from disk -> mono -> resampler. Truncated
 *   files (data chunk shorter than its header says) decode what is present and report
 *   `truncated: true`.
 * - mp3, flac, ogg (vorbis, opus), aac (ADTS), webm, aiff, caf, qoa, amr, wma go through
 *   audio-decode 3's chunked API (`decodeChunked`), fed from a file stream in READ_CHUNK-byte
 *   pieces; each decoded piece is mixed to mono and resampled immediately.
 * - m4a/mp4 need their index (moov), which encoders often put at the end: read whole (bounded by
 *   the file size, compressed) then decoded by audio-decode; the PCM is still streamed out.
 *
 * Memory: besides the compressed m4a case, nothing holds more than one decoded chunk plus the
 * resampler's history. `decodeToMono` then assembles one Float32Array of the result (one
 * full-song copy at the target rate); `openMonoStream` never does.
 *
 * Mixdown: plain mean over all channels (5.1 included), as the reference's
 * `waveform.mean(dim=0)` (utils/music/util.py). MP3: lame adds ~1105 samples of encoder delay +
 * padding; the mp3 decoder honours the LAME/Xing gapless header for MPEG-1 rates (32/44.1/48 kHz:
 * exact lengths, measured). MPEG-2/2.5 LSF files (<= 24 kHz) from lame carry no Xing/Info header
 * (checked), so their delay/padding (+1216..+1701 samples, measured) cannot be known and stays;
 * decode.test.ts states the tolerance per format.
 */
import fs from 'node:fs';
import { decodeChunked } from 'audio-decode';
import decodeAudio from 'audio-decode';
import { AppError } from '../../src-shared/ipc/envelope';
import { Resampler } from './resample';

/** What the file was, before resampling and mixdown. */
export interface AudioSourceInfo {
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  /** Only WAV can tell: the data chunk ended early. */
  truncated: boolean;
}

export type AudioFormat = 'wav' | 'mp3' | 'flac' | 'oga' | 'opus' | 'm4a' | 'aac' | 'aiff' | 'caf' | 'webm' | 'qoa' | 'amr' | 'wma';

/** Mono PCM at the requested rate. */
export interface DecodedAudio {
  pcm: Float32Array;
  sampleRate: number;
  durationSec: number;
  source: AudioSourceInfo;
}

export interface DecodeOptions {
  /** Target rate (e.g. 44100 or 22050). */
  sampleRate: number;
  signal?: AbortSignal;
}

/** A streamed decode: `info` is known once the stream is open; `chunks` yields mono PCM at the target rate. */
export interface MonoStream {
  info: AudioSourceInfo;
  /** Estimated total samples at the target rate when the container says (WAV), else undefined. */
  expectedSamples?: number;
  chunks: AsyncIterable<Float32Array>;
  /** Fraction of the input consumed so far (0..1): bytes for compressed files, frames for WAV. */
  progress(): number;
}

/** File extensions the library accepts (for import filters). */
export const SUPPORTED_EXTENSIONS = ['wav', 'wave', 'mp3', 'flac', 'ogg', 'oga', 'opus', 'm4a', 'mp4', 'aac', 'aif', 'aiff', 'caf', 'webm', 'qoa', 'amr', 'wma'] as const;

const READ_CHUNK = 1 << 16;
const BLOCK_FRAMES = 1 << 15;

function ascii(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len && i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * Identifies a container from its first bytes (>= 64 recommended).
 * @returns the format or null when unknown
 */
export function sniffFormat(b: Uint8Array): AudioFormat | null {
  if (b.length < 4) return null;
  const head = ascii(b, 0, 4);
  if ((head === 'RIFF' || head === 'RIFX') && ascii(b, 8, 4) === 'WAVE') return 'wav';
  if (head === 'RIFF' && ascii(b, 8, 4) !== 'WAVE') return null;
  if (head === 'fLaC') return 'flac';
  if (head === 'OggS') {
    if (ascii(b, 28, 8) === 'OpusHead') return 'opus';
    if (ascii(b, 29, 6) === 'vorbis') return 'oga';
    return null; // ogg FLAC / speex / theora: not decoded
  }
  if (head === 'FORM' && (ascii(b, 8, 4) === 'AIFF' || ascii(b, 8, 4) === 'AIFC')) return 'aiff';
  if (head === 'caff') return 'caf';
  if (head === 'qoaf') return 'qoa';
  if (ascii(b, 0, 5) === '#!AMR') return 'amr';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'webm';
  if (b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return 'wma';
  if (ascii(b, 4, 4) === 'ftyp') return 'm4a';
  if (ascii(b, 0, 3) === 'ID3') {
    // ID3v2 may also precede ADTS AAC or FLAC; look past the tag
    const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
    const off = 10 + size;
    if (b.length > off + 4) {
      const inner = sniffFormat(b.subarray(off));
      if (inner && inner !== 'mp3') return inner;
    }
    return 'mp3';
  }
  if (b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return 'aac'; // ADTS: sync 12 bits, layer 00
  if (b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && (b[1] & 0x06) !== 0) return 'mp3'; // MPEG audio frame sync, layer != 0
  return null;
}

function cancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Decoding was cancelled');
}

async function readHead(path: string, n: number): Promise<{ head: Uint8Array; size: number }> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `Expected an audio file at ${path}, found nothing there`);
    throw new AppError('IO_FAILED', `Could not open ${path}: ${(e as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new AppError('UNSUPPORTED_FORMAT', `Expected an audio file, got a directory: ${path}`);
    const buf = Buffer.alloc(Math.min(n, st.size));
    await fh.read(buf, 0, buf.length, 0);
    return { head: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), size: st.size };
  } finally {
    await fh.close();
  }
}

function describeBytes(b: Uint8Array): string {
  const hex = Array.from(b.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).join(' ');
  const printable = b.length > 0 && Array.from(b.subarray(0, 32)).every((x) => x === 9 || x === 10 || x === 13 || (x >= 32 && x < 127));
  return printable ? `text starting '${ascii(b, 0, 24).replace(/\s+/g, ' ')}'` : `bytes ${hex || '(empty file)'}`;
}

// ---------- WAV ----------

interface WavHeader {
  channels: number;
  sampleRate: number;
  kind: 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
  blockAlign: number;
  dataOffset: number;
  /** Bytes of audio available in the file (min of declared size and what exists). */
  dataBytes: number;
  truncated: boolean;
  bigEndian: boolean;
}

async function readWavHeader(path: string, fileSize: number): Promise<WavHeader> {
  const fh = await fs.promises.open(path, 'r');
  try {
    const hdr = Buffer.alloc(12);
    await fh.read(hdr, 0, 12, 0);
    const bigEndian = hdr.toString('ascii', 0, 4) === 'RIFX';
    const u32 = (b: Buffer, o: number) => (bigEndian ? b.readUInt32BE(o) : b.readUInt32LE(o));
    const u16 = (b: Buffer, o: number) => (bigEndian ? b.readUInt16BE(o) : b.readUInt16LE(o));
    let pos = 12;
    let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number } | null = null;
    const ch = Buffer.alloc(8);
    while (pos + 8 <= fileSize) {
      await fh.read(ch, 0, 8, pos);
      const id = ch.toString('ascii', 0, 4);
      const size = u32(ch, 4);
      if (id === 'fmt ') {
        const f = Buffer.alloc(Math.min(size, 40));
        await fh.read(f, 0, f.length, pos + 8);
        if (f.length < 16) break;
        let tag = u16(f, 0);
        if (tag === 0xfffe && f.length >= 26) tag = u16(f, 24); // EXTENSIBLE: first 2 bytes of the SubFormat GUID
        fmt = { tag, channels: u16(f, 2), rate: u32(f, 4), blockAlign: u16(f, 12), bits: u16(f, 14) };
      } else if (id === 'data') {
        if (!fmt) break;
        const avail = Math.max(0, fileSize - (pos + 8));
        const declared = size === 0xffffffff || size === 0 ? avail : size;
        const dataBytes = Math.min(declared, avail);
        let kind: WavHeader['kind'] | null = null;
        if (fmt.tag === 1) kind = fmt.bits === 8 ? 'u8' : fmt.bits === 16 ? 's16' : fmt.bits === 24 ? 's24' : fmt.bits === 32 ? 's32' : null;
        else if (fmt.tag === 3) kind = fmt.bits === 32 ? 'f32' : fmt.bits === 64 ? 'f64' : null;
        if (!kind) {
          throw new AppError('UNSUPPORTED_FORMAT', `Expected WAV PCM 8/16/24/32-bit or float 32/64, got format tag ${fmt.tag} with ${fmt.bits} bits in ${path}`);
        }
        const bytes = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[kind];
        if (fmt.channels < 1 || fmt.rate < 1 || fmt.blockAlign !== bytes * fmt.channels) {
          throw new AppError('AUDIO_DECODE_FAILED', `Inconsistent WAV header in ${path}: ${fmt.channels} channels, ${fmt.rate} Hz, block align ${fmt.blockAlign} (expected ${bytes * fmt.channels})`);
        }
        return { channels: fmt.channels, sampleRate: fmt.rate, kind, blockAlign: fmt.blockAlign, dataOffset: pos + 8, dataBytes, truncated: declared > avail, bigEndian };
      }
      pos += 8 + size + (size & 1);
    }
    throw new AppError('AUDIO_DECODE_FAILED', `Expected 'fmt ' and 'data' chunks in WAV file ${path}, ${fmt ? "found no 'data' chunk" : "found no 'fmt ' chunk"}`);
  } finally {
    await fh.close();
  }
}

/** Converts interleaved WAV bytes of `frames` frames to mono float (channel mean). */
function wavToMono(h: WavHeader, b: Buffer, frames: number): Float32Array {
  const out = new Float32Array(frames);
  const C = h.channels, inv = 1 / C, be = h.bigEndian;
  if (h.kind === 's16' && !be && b.byteOffset % 2 === 0) {
    // fast path for the common case: typed view instead of per-sample Buffer reads
    const v = new Int16Array(b.buffer, b.byteOffset, frames * C);
    const scale = inv / 32768;
    if (C === 2) {
      for (let f = 0; f < frames; f++) out[f] = (v[2 * f] + v[2 * f + 1]) * scale;
      return out;
    }
    if (C === 1) {
      for (let f = 0; f < frames; f++) out[f] = v[f] * scale;
      return out;
    }
    for (let f = 0, o = 0; f < frames; f++) {
      let acc = 0;
      for (let c = 0; c < C; c++) acc += v[o++];
      out[f] = acc * scale;
    }
    return out;
  }
  let o = 0;
  for (let f = 0; f < frames; f++) {
    let acc = 0;
    for (let c = 0; c < C; c++) {
      switch (h.kind) {
        case 'u8': acc += (b[o] - 128) / 128; o += 1; break;
        case 's16': acc += (be ? b.readInt16BE(o) : b.readInt16LE(o)) / 32768; o += 2; break;
        case 's24': acc += (be ? b.readIntBE(o, 3) : b.readIntLE(o, 3)) / 8388608; o += 3; break;
        case 's32': acc += (be ? b.readInt32BE(o) : b.readInt32LE(o)) / 2147483648; o += 4; break;
        case 'f32': acc += be ? b.readFloatBE(o) : b.readFloatLE(o); o += 4; break;
        case 'f64': acc += be ? b.readDoubleBE(o) : b.readDoubleLE(o); o += 8; break;
      }
    }
    const v = acc * inv;
    out[f] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

async function* wavChunks(path: string, h: WavHeader, resampler: Resampler, counter: { bytes: number }, signal?: AbortSignal): AsyncGenerator<Float32Array> {
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(path, 'r');
  } catch (e) {
    throw new AppError('IO_FAILED', `Could not reopen ${path}: ${(e as Error).message}`);
  }
  try {
    const totalFrames = Math.floor(h.dataBytes / h.blockAlign);
    const buf = Buffer.alloc(BLOCK_FRAMES * h.blockAlign);
    for (let f = 0; f < totalFrames; f += BLOCK_FRAMES) {
      cancelled(signal);
      const n = Math.min(BLOCK_FRAMES, totalFrames - f);
      const { bytesRead } = await fh.read(buf, 0, n * h.blockAlign, h.dataOffset + f * h.blockAlign);
      const got = Math.floor(bytesRead / h.blockAlign);
      if (got === 0) break;
      counter.bytes += got * h.blockAlign;
      const out = resampler.push(wavToMono(h, buf, got));
      if (out.length) yield out;
    }
    const tail = resampler.flush();
    if (tail.length) yield tail;
  } finally {
    await fh.close();
  }
}

// ---------- compressed formats via audio-decode ----------

interface AudioData {
  channelData: Float32Array[];
  sampleRate: number;
}

function mixToMono(d: AudioData): Float32Array {
  const chs = d.channelData;
  const n = chs[0]?.length ?? 0;
  if (chs.length === 1) {
    const out = chs[0].slice();
    for (let i = 0; i < n; i++) if (!Number.isFinite(out[i])) out[i] = 0;
    return out;
  }
  const out = new Float32Array(n);
  const inv = 1 / chs.length;
  for (const ch of chs) for (let i = 0; i < n; i++) out[i] += ch[i];
  for (let i = 0; i < n; i++) {
    const v = out[i] * inv;
    out[i] = Number.isFinite(v) ? v : 0;
  }
  return out;
}

function decodeError(path: string, format: string, e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('AUDIO_DECODE_FAILED', `Could not decode ${path} as ${format}: ${(e as Error)?.message ?? String(e)}`);
}

async function* fileBytes(path: string, counter: { bytes: number }, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const rs = fs.createReadStream(path, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of rs) {
      cancelled(signal);
      const b = chunk as Buffer;
      counter.bytes += b.length;
      yield new Uint8Array(b.buffer, b.byteOffset, b.length);
    }
  } finally {
    rs.destroy();
  }
}

async function* decodedPieces(path: string, format: AudioFormat, counter: { bytes: number }, signal?: AbortSignal): AsyncGenerator<AudioData> {
  if (format === 'm4a') {
    const bytes = await fs.promises.readFile(path);
    counter.bytes = bytes.length;
    cancelled(signal);
    yield (await decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))) as AudioData;
    return;
  }
  yield* decodeChunked(fileBytes(path, counter, signal), format) as AsyncGenerator<AudioData>;
}

/**
 * Opens a file for streamed decoding to mono PCM at `opts.sampleRate`.
 * @throws AppError NOT_FOUND (no file), UNSUPPORTED_FORMAT (unknown container), AUDIO_DECODE_FAILED (corrupt data or no samples), CANCELLED
 */
export async function openMonoStream(path: string, opts: DecodeOptions): Promise<MonoStream> {
  const { signal } = opts;
  cancelled(signal);
  const { head, size } = await readHead(path, 4096);
  const format = sniffFormat(head);
  if (!format) {
    throw new AppError('UNSUPPORTED_FORMAT', `Expected an audio file (wav, mp3, flac, ogg vorbis/opus, m4a/aac, aiff, caf, webm, wma, amr, qoa), got ${describeBytes(head)} in ${path}`);
  }
  if (format === 'wav') {
    const h = await readWavHeader(path, size);
    const resampler = new Resampler(h.sampleRate, opts.sampleRate);
    const frames = Math.floor(h.dataBytes / h.blockAlign);
    const counter = { bytes: 0 };
    return {
      info: { format, sampleRate: h.sampleRate, channels: h.channels, truncated: h.truncated },
      expectedSamples: Math.ceil((frames * opts.sampleRate) / h.sampleRate),
      chunks: wavChunks(path, h, resampler, counter, signal),
      progress: () => (h.dataBytes > 0 ? Math.min(1, counter.bytes / h.dataBytes) : 1),
    };
  }
  const fmt: AudioFormat = format;
  const counter = { bytes: 0 };
  const pieces = decodedPieces(path, fmt, counter, signal);
  let first: IteratorResult<AudioData>;
  try {
    first = await pieces.next();
  } catch (e) {
    throw decodeError(path, format, e);
  }
  if (first.done || !first.value.channelData.length || !first.value.sampleRate) {
    throw new AppError('AUDIO_DECODE_FAILED', `Expected audio samples in ${path} (${format}), the decoder produced none`);
  }
  const info: AudioSourceInfo = { format, sampleRate: first.value.sampleRate, channels: first.value.channelData.length, truncated: false };
  const resampler = new Resampler(info.sampleRate, opts.sampleRate);
  async function* chunks(): AsyncGenerator<Float32Array> {
    try {
      let cur: AudioData | undefined = first.value;
      while (cur) {
        cancelled(signal);
        if (cur.channelData.length && cur.channelData[0].length) {
          if (cur.sampleRate !== info.sampleRate) {
            throw new AppError('AUDIO_DECODE_FAILED', `Sample rate changed mid-stream in ${path}: ${info.sampleRate} Hz then ${cur.sampleRate} Hz`);
          }
          const out = resampler.push(mixToMono(cur));
          if (out.length) yield out;
        }
        const nx: IteratorResult<AudioData> = await pieces.next();
        cur = nx.done ? undefined : nx.value;
      }
      const tail = resampler.flush();
      if (tail.length) yield tail;
    } catch (e) {
      throw decodeError(path, fmt, e);
    } finally {
      await pieces.return(undefined);
    }
  }
  return { info, chunks: chunks(), progress: () => (size > 0 ? Math.min(1, counter.bytes / size) : 1) };
}

/**
 * Decodes a whole file to one mono Float32Array at `opts.sampleRate` (one full-song copy; use
 * openMonoStream / extractFeatureChunks for long files).
 * @throws AppError NOT_FOUND, UNSUPPORTED_FORMAT, AUDIO_DECODE_FAILED, CANCELLED
 */
export async function decodeToMono(path: string, opts: DecodeOptions): Promise<DecodedAudio> {
  const st = await openMonoStream(path, opts);
  let pcm: Float32Array;
  if (st.expectedSamples !== undefined) {
    pcm = new Float32Array(st.expectedSamples);
    let n = 0;
    for await (const c of st.chunks) {
      if (n + c.length > pcm.length) {
        const grown = new Float32Array(Math.max(n + c.length, pcm.length * 2));
        grown.set(pcm.subarray(0, n));
        pcm = grown;
      }
      pcm.set(c, n);
      n += c.length;
    }
    if (n !== pcm.length) pcm = pcm.slice(0, n);
  } else {
    const parts: Float32Array[] = [];
    let n = 0;
    for await (const c of st.chunks) {
      parts.push(c);
      n += c.length;
    }
    pcm = new Float32Array(n);
    let o = 0;
    for (const c of parts) {
      pcm.set(c, o);
      o += c.length;
    }
  }
  if (pcm.length === 0) throw new AppError('AUDIO_DECODE_FAILED', `Expected audio samples in ${path}, found none`);
  return { pcm, sampleRate: opts.sampleRate, durationSec: pcm.length / opts.sampleRate, source: st.info };
}
