/**
 * Computes (once) and caches per-clip features for training and evaluation, outside the repository
 * (default ~/.cache/pdmer/features/<featureConfigHash>/). Features of research data are derived
 * data and are never committed. The cache key hashes the file's absolute path, size and mtime, so
 * a changed file is recomputed.
 *
 * File format (little-endian): magic "PDF1", u32 steps, u32 frames, u32 mels, u32 globalDim, then
 * steps*frames*mels float32 local features, then steps*globalDim float32 global features.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { featureConfigHash, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { AppError } from '../../src-shared/ipc/envelope';
import { decodeToMono, globalFeatures, localFeatures } from '../audio';
import { cacheRoot } from './datasets/render';

/** One clip's features in plain arrays. */
export interface ClipFeatures {
  steps: number;
  frames: number;
  mels: number;
  globalDim: number;
  /** `[steps, frames, mels]` row-major */
  local: Float32Array;
  /** `[steps, globalDim]` row-major */
  global: Float32Array;
}

const MAGIC = 0x31464450; // "PDF1"

/** Serialises features to the cache format. */
export function encodeFeatures(f: ClipFeatures): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(f.steps, 4);
  head.writeUInt32LE(f.frames, 8);
  head.writeUInt32LE(f.mels, 12);
  head.writeUInt32LE(f.globalDim, 16);
  return Buffer.concat([head, Buffer.from(f.local.buffer, f.local.byteOffset, f.local.byteLength), Buffer.from(f.global.buffer, f.global.byteOffset, f.global.byteLength)]);
}

/** Parses the cache format. @throws AppError IO_FAILED on a truncated or foreign file */
export function decodeFeatures(buf: Buffer): ClipFeatures {
  if (buf.length < 20 || buf.readUInt32LE(0) !== MAGIC) throw new AppError('IO_FAILED', 'feature cache: expected a PDF1 file, got something else');
  const steps = buf.readUInt32LE(4);
  const frames = buf.readUInt32LE(8);
  const mels = buf.readUInt32LE(12);
  const globalDim = buf.readUInt32LE(16);
  const nl = steps * frames * mels;
  const ng = steps * globalDim;
  if (buf.length !== 20 + 4 * (nl + ng)) throw new AppError('IO_FAILED', `feature cache: expected ${20 + 4 * (nl + ng)} bytes, got ${buf.length}`);
  const copy = new Uint8Array(buf.subarray(20)); // aligned copy
  return {
    steps,
    frames,
    mels,
    globalDim,
    local: new Float32Array(copy.buffer, 0, nl),
    global: new Float32Array(copy.buffer, nl * 4, ng),
  };
}

/** Computes features of one audio file (no cache). */
export async function computeFeatures(audioPath: string, cfg: FeatureConfig): Promise<ClipFeatures> {
  const dec = await decodeToMono(audioPath, { sampleRate: cfg.sampleRate });
  const loc = localFeatures(dec.pcm, cfg);
  const glo = globalFeatures(dec.pcm, cfg);
  if (glo.steps !== loc.steps) throw new AppError('INTERNAL', `features: local has ${loc.steps} steps but global ${glo.steps}`);
  return { steps: loc.steps, frames: loc.frames, mels: loc.mels, globalDim: glo.dim, local: loc.data, global: glo.data };
}

/** Cache directory for one feature configuration. */
export function featureCacheDir(cfg: FeatureConfig, root = cacheRoot()): string {
  return path.join(root, 'features', featureConfigHash(cfg).slice(0, 16));
}

/**
 * Features of `audioPath`, from the cache when present, else computed and cached.
 * @throws AppError from decoding (AUDIO_DECODE_FAILED, AUDIO_TOO_SHORT ...)
 */
export async function cachedFeatures(audioPath: string, cfg: FeatureConfig, root = cacheRoot()): Promise<ClipFeatures> {
  const abs = path.resolve(audioPath);
  const st = fs.statSync(abs);
  const key = crypto.createHash('sha256').update(`${abs}|${st.size}|${Math.floor(st.mtimeMs)}`).digest('hex').slice(0, 24);
  const dir = featureCacheDir(cfg, root);
  const file = path.join(dir, `${key}.bin`);
  if (fs.existsSync(file)) return decodeFeatures(fs.readFileSync(file));
  const f = await computeFeatures(abs, cfg);
  fs.mkdirSync(dir, { recursive: true });
  const part = `${file}.${process.pid}.part`;
  fs.writeFileSync(part, encodeFeatures(f));
  fs.renameSync(part, file);
  return f;
}
