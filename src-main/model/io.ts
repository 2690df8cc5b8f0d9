/**
 * Weights on disk and in memory.
 *
 * Directory format (`resources/models/<name>/`):
 *   manifest.json  {format: "pdmer-weights", formatVersion: 1, name, version, trained, config,
 *                   featureConfigHash, createdAt, trainedBy?, notes?, paramCount,
 *                   weightsManifest: [{paths: ["weights.bin"], weights: [{name, shape, dtype}]}]}
 *   weights.bin    float32 little-endian values of every weight, concatenated in manifest order
 * `weightsManifest` is tfjs's WeightsManifestConfig, so the bytes decode with
 * tf.io.decodeWeights exactly like a tfjs model.json; files are read with plain fs (no fetch, no
 * URL), in the spirit of tf.io.fromMemory.
 *
 * Blob format (per-profile personal weights in SQLite): `serializeParams` -> one Buffer (the same
 * concatenation) + a JSON-able `ParamBlobManifest` ({formatVersion, configName, featureConfigHash,
 * weights: [{name, shape, dtype}]}). Store both; `deserializeParams` validates and rebuilds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src-shared/ipc/envelope';
import { validateConfig, type ModelConfig } from './config';
import { checkParamShapes, countParams, sizeOf, type ParamMap } from './params';

export const WEIGHTS_FORMAT = 'pdmer-weights';
export const WEIGHTS_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';

/** One weight entry (tfjs WeightsManifestEntry subset). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** The manifest stored next to the weights. */
export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  formatVersion: number;
  /** Model name, e.g. "dsaml-compact-v0" (the directory name). */
  name: string;
  /** Semantic version of these weights; part of prediction cache keys. */
  version: string;
  /** False for seeded, untrained weights: predictions are NOT meaningful. */
  trained: boolean;
  config: ModelConfig;
  /** Copy of config.input.featureConfigHash (the feature configuration the weights expect). */
  featureConfigHash: string | null;
  createdAt: string;
  trainedBy?: string;
  notes?: string;
  paramCount: number;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/** Metadata the caller supplies when saving. */
export interface SaveMeta {
  name: string;
  version: string;
  trained: boolean;
  trainedBy?: string;
  notes?: string;
  createdAt?: string;
}

async function concatParams(params: ParamMap, names: string[]): Promise<{ bytes: Buffer; specs: WeightSpec[] }> {
  const specs: WeightSpec[] = [];
  const total = names.reduce((a, n) => a + params[n].size, 0);
  const out = new Float32Array(total);
  let off = 0;
  for (const n of names) {
    const t = params[n];
    if (t.dtype !== 'float32') throw new AppError('VALIDATION_FAILED', `${n}: expected float32, got ${t.dtype}`);
    out.set((await t.data()) as Float32Array, off);
    off += t.size;
    specs.push({ name: n, shape: [...t.shape], dtype: 'float32' });
  }
  return { bytes: Buffer.from(out.buffer, out.byteOffset, out.byteLength), specs };
}

function decode(bytes: Uint8Array, specs: WeightSpec[], where: string): ParamMap {
  const expectBytes = specs.reduce((a, s) => a + sizeOf(s.shape) * 4, 0);
  if (bytes.byteLength !== expectBytes) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `${where}: expected ${expectBytes} bytes of float32 weights, got ${bytes.byteLength}`);
  }
  // Copy into an aligned buffer (a Node Buffer may sit at any byte offset of its pool).
  const f32 = new Float32Array(expectBytes / 4);
  new Uint8Array(f32.buffer).set(bytes);
  const out: ParamMap = {};
  let off = 0;
  for (const s of specs) {
    if (s.dtype !== 'float32') throw new AppError('MODEL_SHAPE_MISMATCH', `${where}: ${s.name}: expected float32, got ${s.dtype}`);
    const n = sizeOf(s.shape);
    out[s.name] = tf.tensor(f32.subarray(off, off + n), s.shape, 'float32');
    off += n;
  }
  return out;
}

function validateShapes(specs: WeightSpec[], config: ModelConfig, where: string): void {
  const problems = checkParamShapes(Object.fromEntries(specs.map((s) => [s.name, { shape: s.shape }])), config);
  if (problems.length > 0) {
    const head = problems.slice(0, 5).join('; ');
    throw new AppError(
      'MODEL_SHAPE_MISMATCH',
      `${where}: weights do not match config "${config.name}": ${head}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
      { problems },
    );
  }
}

/**
 * Writes `params` to `dir` (manifest.json + weights.bin), atomically per file.
 * @throws AppError MODEL_SHAPE_MISMATCH when params do not match `config`.
 */
export async function saveWeights(dir: string, params: ParamMap, config: ModelConfig, meta: SaveMeta): Promise<WeightsManifest> {
  validateConfig(config);
  const names = Object.keys(params);
  const { bytes, specs } = await concatParams(params, names);
  validateShapes(specs, config, dir);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    formatVersion: WEIGHTS_FORMAT_VERSION,
    name: meta.name,
    version: meta.version,
    trained: meta.trained,
    config,
    featureConfigHash: config.input.featureConfigHash,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    ...(meta.trainedBy ? { trainedBy: meta.trainedBy } : {}),
    ...(meta.notes ? { notes: meta.notes } : {}),
    paramCount: countParams(config).trainable,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  await mkdir(dir, { recursive: true });
  const tmpW = path.join(dir, `${WEIGHTS_FILE}.tmp`);
  const tmpM = path.join(dir, `${MANIFEST_FILE}.tmp`);
  await writeFile(tmpW, bytes);
  await writeFile(tmpM, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmpW, path.join(dir, WEIGHTS_FILE));
  await rename(tmpM, path.join(dir, MANIFEST_FILE));
  return manifest;
}

/**
 * Reads and checks a manifest (no tensors).
 * @throws AppError NOT_FOUND when the directory or manifest is missing, VALIDATION_FAILED when malformed.
 */
export async function readManifest(dir: string): Promise<WeightsManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `Model weights not found: expected ${file}`);
  let m: WeightsManifest;
  try {
    m = JSON.parse(await readFile(file, 'utf8')) as WeightsManifest;
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file}: expected JSON, got a parse error: ${(e as Error).message}`);
  }
  if (m.format !== WEIGHTS_FORMAT) throw new AppError('VALIDATION_FAILED', `${file}: expected format "${WEIGHTS_FORMAT}", got ${JSON.stringify(m.format)}`);
  if (m.formatVersion !== WEIGHTS_FORMAT_VERSION) {
    throw new AppError('VALIDATION_FAILED', `${file}: expected formatVersion ${WEIGHTS_FORMAT_VERSION}, got ${m.formatVersion}`);
  }
  if (!m.config || !Array.isArray(m.weightsManifest)) throw new AppError('VALIDATION_FAILED', `${file}: missing config or weightsManifest`);
  try {
    validateConfig(m.config);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `${file}: ${(e as Error).message}`);
  }
  return m;
}

/**
 * Loads weights from `dir`, validating every shape against the manifest's config (or `expect`,
 * when given: e.g. the app's configured network).
 * @returns the manifest and new tensors owned by the caller.
 * @throws AppError NOT_FOUND (missing files), MODEL_SHAPE_MISMATCH ("expected [..], got [..]").
 */
export async function loadWeights(dir: string, expect?: ModelConfig): Promise<{ manifest: WeightsManifest; params: ParamMap }> {
  const manifest = await readManifest(dir);
  const config = expect ?? manifest.config;
  const specs = manifest.weightsManifest.flatMap((g) => g.weights);
  validateShapes(specs, config, dir);
  const chunks: Buffer[] = [];
  for (const g of manifest.weightsManifest) {
    for (const p of g.paths) {
      const f = path.join(dir, p);
      if (!existsSync(f)) throw new AppError('NOT_FOUND', `Model weights file missing: expected ${f} (listed in ${MANIFEST_FILE})`);
      chunks.push(await readFile(f));
    }
  }
  return { manifest, params: decode(Buffer.concat(chunks), specs, dir) };
}

/** JSON-able description of a serialized ParamMap (store next to the blob). */
export interface ParamBlobManifest {
  formatVersion: number;
  configName: string;
  featureConfigHash: string | null;
  weights: WeightSpec[];
}

/**
 * Serializes a ParamMap (e.g. a profile's fast weights) into one Buffer plus its manifest.
 * @param names which entries to store (default all; e.g. only the adapted ones).
 */
export async function serializeParams(
  params: ParamMap,
  config: ModelConfig,
  names: string[] = Object.keys(params),
): Promise<{ data: Buffer; manifest: ParamBlobManifest }> {
  const { bytes, specs } = await concatParams(params, names);
  return {
    data: bytes,
    manifest: { formatVersion: WEIGHTS_FORMAT_VERSION, configName: config.name, featureConfigHash: config.input.featureConfigHash, weights: specs },
  };
}

/**
 * Rebuilds a ParamMap from `serializeParams` output, checking every shape against `config`
 * (a subset of the config's parameters is allowed: entries not stored fall back to base weights).
 * @returns new tensors owned by the caller.
 * @throws AppError MODEL_SHAPE_MISMATCH on any unknown name, shape or size mismatch.
 */
export function deserializeParams(data: Uint8Array, manifest: ParamBlobManifest, config: ModelConfig): ParamMap {
  if (manifest.formatVersion !== WEIGHTS_FORMAT_VERSION) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `personal weights: expected formatVersion ${WEIGHTS_FORMAT_VERSION}, got ${manifest.formatVersion}`);
  }
  if (manifest.featureConfigHash !== config.input.featureConfigHash) {
    throw new AppError(
      'MODEL_SHAPE_MISMATCH',
      `personal weights: expected feature config ${config.input.featureConfigHash}, got ${manifest.featureConfigHash}`,
    );
  }
  const problems = checkParamShapes(Object.fromEntries(manifest.weights.map((s) => [s.name, { shape: s.shape }])), config).filter(
    (p) => !p.endsWith('got missing'),
  );
  if (problems.length > 0) throw new AppError('MODEL_SHAPE_MISMATCH', `personal weights: ${problems.slice(0, 5).join('; ')}`, { problems });
  return decode(data, manifest.weights, 'personal weights');
}
