/**
 * EmotionModel: the only object the rest of the app uses to run the network. Plain data in
 * (Float32Array features), plain data out (Float32Array curves); tensors never leave src-main/model.
 *
 * Full-song inference (DSAML.md "Inference on full songs"; our documented rule):
 * - Per-step embeddings z (CNN adapter + fusion) are computed ONCE per step (they do not depend on
 *   neighbouring steps in evaluation mode), in chunks of `EMBED_CHUNK` steps.
 * - The sequence part (dual-scale transformer + BiLSTM) runs on windows of W = 60 steps with
 *   stride W / 2 = 30 (`stride` option); the last window is aligned to the song's end.
 * - Overlapping predictions are averaged with triangular weights w(i) = min(i + 1, W - i), so each
 *   step is dominated by the window in which it is most central, without seams.
 * - Songs of at most W steps run as ONE shorter sequence (no padding): the network is
 *   length-agnostic (relative positions, band masks, BiLSTM), so a W-step song gives exactly the
 *   direct forward result (tested).
 * - Windows are batched (`batchSize`, default 16); batch sizes ramp 1, 2, 4, ... so the first
 *   30 s of curve are final after three windows (`onPartial`).
 */
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../src-shared/ipc/envelope';
import { ensureBackend, type BackendChoice, type BackendName } from './backend';
import { CONFIGS, validateConfig, type ConfigName, type ModelConfig } from './config';
import { deserializeParams, loadWeights, serializeParams, type ParamBlobManifest, type WeightsManifest } from './io';
import { attentionMaps, cnnFeatures, encodeSequence, forward, fuseFeatures, predictSequence, sequenceForward, stepEmbeddings } from './network';
import { countParams, disposeParams, initParams, isRunningStat, P, type ParamMap } from './params';

/** Local features of a track: row-major `[steps, frames, mels]` (src-main/audio `localFeatures`). */
export interface LocalFeatures {
  data: Float32Array;
  steps: number;
  frames: number;
  mels: number;
}
/** Global features of a track: row-major `[steps, dim]` (src-main/audio `globalFeatures`). */
export interface GlobalFeatures {
  data: Float32Array;
  steps: number;
  dim: number;
}
/**
 * What `predict` needs. The audio module's `FeatureSet` (src-main/audio/index.ts) is accepted
 * as is: its `configHash` is checked against the model's input.featureConfigHash.
 */
export interface ModelFeatures {
  local: LocalFeatures;
  /** Null (a front end without a global stream) is rejected: every config here needs it. */
  global: GlobalFeatures | null;
  /** FeatureSet's hash field; when present must equal the model's input.featureConfigHash. */
  configHash?: string;
  /** Alias of `configHash`. */
  featureConfigHash?: string;
}

/** A 2 Hz emotion curve (arousal and valence per step, same length). */
export interface EmotionCurve {
  arousal: Float32Array;
  valence: Float32Array;
}

/** Progress of one `predict` call. */
export interface PredictProgress {
  /** 0..1 */
  fraction: number;
  windowsDone: number;
  windowsTotal: number;
  /** Steps whose values are final (no later window changes them). */
  stepsFinal: number;
}

/** Options of `predict`. */
export interface PredictOptions {
  onProgress?: (p: PredictProgress) => void;
  /** Receives the finalised prefix of the curve (copies) after each batch. */
  onPartial?: (p: EmotionCurve & { steps: number }) => void;
  signal?: AbortSignal;
  /** Personal weights to use instead of the base weights. */
  personal?: PersonalWeights;
  /** Window stride in steps (default windowSteps / 2). */
  stride?: number;
  /** Windows per batch (default 16). */
  batchSize?: number;
}

/** Options of `EmotionModel.create`. */
export interface CreateOptions {
  /** A config object or name; ignored for the architecture when `weightsDir` is given (the manifest's config is used, and must match `config` if both are given). */
  config?: ModelConfig | ConfigName;
  /** Directory with manifest.json + weights.bin; without it the model uses seeded untrained weights. */
  weightsDir?: string;
  backend?: BackendChoice;
  /** Seed for untrained init (default 0). */
  seed?: number;
  /** Run one warm-up batch (default true). */
  warmup?: boolean;
  /** Expected feature-config hash (from the audio module); mismatches are rejected. */
  featureConfigHash?: string;
}

/** Summary of the loaded model (plain data). */
export interface ModelInfo {
  name: string;
  version: string;
  trained: boolean;
  configName: string;
  featureConfigHash: string | null;
  backend: string;
  paramCount: number;
  stepSeconds: number;
  windowSteps: number;
}

/** Support example for one-shot adaptation: features of a clip and the person's curve for it. */
export interface SupportExample {
  features: ModelFeatures;
  /** Same length as the clip's steps (<= windowSteps steps are used: the first window). */
  arousal: Float32Array;
  valence: Float32Array;
}

/**
 * Which parameters one-shot adaptation updates (everything else stays at the base weights):
 * - `all`: every trainable parameter, full forward per step (the reference's inner loop);
 * - `no-cnn` (default): all but the local CNN adapter (1.3k parameters); the clip's CNN features
 *   are computed once (training-mode BatchNorm), which removes the CNN's backward pass, the
 *   dominant per-step cost on wasm;
 * - `predictor`: only the BiLSTM + head; the encoder output is computed once (the attention loss
 *   is then constant and omitted). Cheapest.
 */
export type AdaptScope = 'all' | 'no-cnn' | 'predictor';

/** Options of `adapt`. */
export interface AdaptOptions {
  steps?: number;
  lr?: number;
  /** Default `no-cnn` (see AdaptScope). */
  scope?: AdaptScope;
  /** Restrict which parameters adapt (default: all trainable). */
  trainable?: (name: string) => boolean;
  /** Seed for dropout masks (deterministic adaptation). */
  seed?: number;
  signal?: AbortSignal;
  onStep?: (step: number, loss: number) => void;
}

/** Directory name of the shipped compact model under resources/models/. */
export const DEFAULT_MODEL_NAME = 'dsaml-compact-v1';

/**
 * Where shipped weights live: `$PDMER_MODELS_DIR/<name>` when set (packaged apps point it at the
 * unpacked resources), else `<repo>/resources/models/<name>` resolved from this file.
 */
export function defaultWeightsDir(name: string = DEFAULT_MODEL_NAME): string {
  const root = process.env.PDMER_MODELS_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../resources/models');
  return path.join(root, name);
}

/** Number of steps embedded per chunk (bounds memory: ~60 MB of CNN activations at paper size). */
export const EMBED_CHUNK = 64;

/**
 * Personal (fast) weights produced by `adapt` or loaded from storage. Owns its tensors: call
 * `dispose()` when done (idempotent). Serialize with `toBlob()` for SQLite.
 */
export class PersonalWeights {
  #params: ParamMap | null;
  readonly #config: ModelConfig;
  /** Loss before each inner step (when produced by `adapt`). */
  readonly losses: number[];
  /** @internal created by EmotionModel */
  constructor(params: ParamMap, config: ModelConfig, losses: number[] = []) {
    this.#params = params;
    this.#config = config;
    this.losses = losses;
  }
  /** @internal tensors for predict; throws after dispose */
  get params(): ParamMap {
    if (!this.#params) throw new AppError('MODEL_NOT_READY', 'Personal weights were disposed');
    return this.#params;
  }
  /** True until `dispose()`. */
  get alive(): boolean {
    return this.#params !== null;
  }
  /** One Buffer + JSON manifest (store both; see io.ts). */
  async toBlob(): Promise<{ data: Buffer; manifest: ParamBlobManifest }> {
    return serializeParams(this.params, this.#config);
  }
  dispose(): void {
    disposeParams(this.#params);
    this.#params = null;
  }
}

function featureDims(c: ModelConfig, f: ModelFeatures): number {
  const { local, global } = f;
  const e = c.input;
  if (!global) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `Global features: expected [steps, ${e.globalDim}], got none (feature config without a global stream)`);
  }
  if (local.frames !== e.framesPerStep || local.mels !== e.mels) {
    throw new AppError(
      'MODEL_SHAPE_MISMATCH',
      `Local features: expected [steps, ${e.framesPerStep}, ${e.mels}], got [${local.steps}, ${local.frames}, ${local.mels}]`,
    );
  }
  if (global.dim !== e.globalDim) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `Global features: expected [steps, ${e.globalDim}], got [${global.steps}, ${global.dim}]`);
  }
  if (global.steps !== local.steps) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `Global features: expected ${local.steps} steps (as local), got ${global.steps}`);
  }
  if (local.data.length !== local.steps * local.frames * local.mels || global.data.length !== global.steps * global.dim) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `Feature arrays: expected ${local.steps * local.frames * local.mels} + ${global.steps * global.dim} values, got ${local.data.length} + ${global.data.length}`);
  }
  const hash = f.configHash ?? f.featureConfigHash;
  if (hash && e.featureConfigHash && hash !== e.featureConfigHash) {
    throw new AppError('MODEL_SHAPE_MISMATCH', `Features: expected feature config ${e.featureConfigHash}, got ${hash}`);
  }
  if (local.steps < 1) throw new AppError('AUDIO_TOO_SHORT', 'Features: expected at least 1 step (0.5 s of audio), got 0');
  // Non-finite inputs would silently turn the whole curve into NaN (through attention and the LSTM).
  for (const [name, arr, per] of [
    ['local', local.data, local.frames * local.mels],
    ['global', global.data, global.dim],
  ] as const) {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) {
        throw new AppError('VALIDATION_FAILED', `${name} features: expected finite values, got ${arr[i]} at step ${Math.floor(i / per)}`);
      }
    }
  }
  return local.steps;
}

/**
 * Window start positions for a song of `t` steps: 0, stride, 2 stride, ... plus a final window
 * aligned to the end. A song of at most `w` steps is one window [0, t).
 */
export function windowStarts(t: number, w: number, stride: number): number[] {
  if (t <= w) return [0];
  const starts: number[] = [];
  for (let s = 0; s + w <= t; s += stride) starts.push(s);
  if (starts[starts.length - 1] + w < t) starts.push(t - w);
  return starts;
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('CANCELLED', 'Prediction cancelled');
}

/** The DSAML emotion model: base weights + inference + one-shot adaptation. */
export class EmotionModel {
  readonly config: ModelConfig;
  readonly manifest: Pick<WeightsManifest, 'name' | 'version' | 'trained' | 'createdAt' | 'trainedBy' | 'notes'>;
  readonly backend: BackendName;
  #params: ParamMap | null;
  #baseline: number;

  private constructor(config: ModelConfig, params: ParamMap, manifest: EmotionModel['manifest'], backend: BackendName, baseline: number) {
    this.config = config;
    this.#params = params;
    this.manifest = manifest;
    this.backend = backend;
    this.#baseline = baseline;
  }

  /**
   * Sets up the backend, loads (or seeds) weights, validates the manifest against the requested
   * config and feature configuration, and runs a warm-up batch.
   * @throws AppError NOT_FOUND (weights missing), MODEL_SHAPE_MISMATCH (shapes, input contract or
   *   feature config differ), MODEL_NOT_READY (no backend).
   */
  static async create(opts: CreateOptions = {}): Promise<EmotionModel> {
    const backend = await ensureBackend(opts.backend ?? 'auto');
    const baseline = tf.memory().numTensors;
    const requested = typeof opts.config === 'string' ? CONFIGS[opts.config] : opts.config;
    if (typeof opts.config === 'string' && !requested) {
      throw new AppError('VALIDATION_FAILED', `Unknown model config "${opts.config}": expected one of ${Object.keys(CONFIGS).join(', ')}`);
    }
    let config: ModelConfig;
    let params: ParamMap;
    let manifest: EmotionModel['manifest'];
    if (opts.weightsDir) {
      const loaded = await loadWeights(opts.weightsDir, requested);
      config = requested ?? loaded.manifest.config;
      if (requested) {
        const a = JSON.stringify(requested.input);
        const b = JSON.stringify(loaded.manifest.config.input);
        if (a !== b) {
          disposeParams(loaded.params);
          throw new AppError('MODEL_SHAPE_MISMATCH', `Weights in ${opts.weightsDir}: expected input contract ${a}, got ${b}`);
        }
      }
      params = loaded.params;
      const m = loaded.manifest;
      manifest = { name: m.name, version: m.version, trained: m.trained, createdAt: m.createdAt, trainedBy: m.trainedBy, notes: m.notes };
    } else {
      config = requested ?? CONFIGS.compact;
      validateConfig(config);
      params = initParams(config, opts.seed ?? 0);
      manifest = { name: `${config.name}-untrained-seed${opts.seed ?? 0}`, version: '0.0.0', trained: false, createdAt: new Date(0).toISOString() };
    }
    if (opts.featureConfigHash && config.input.featureConfigHash && opts.featureConfigHash !== config.input.featureConfigHash) {
      disposeParams(params);
      throw new AppError(
        'MODEL_SHAPE_MISMATCH',
        `Model "${manifest.name}" expects feature config ${config.input.featureConfigHash}, got ${opts.featureConfigHash}`,
      );
    }
    const model = new EmotionModel(config, params, manifest, backend, baseline);
    if (opts.warmup !== false) {
      try {
        await model.#warmup();
      } catch (e) {
        model.dispose();
        throw e;
      }
    }
    return model;
  }

  /** Plain-data description of the model. */
  get info(): ModelInfo {
    return {
      name: this.manifest.name,
      version: this.manifest.version,
      trained: this.manifest.trained,
      configName: this.config.name,
      featureConfigHash: this.config.input.featureConfigHash,
      backend: this.backend,
      paramCount: countParams(this.config).trainable,
      stepSeconds: this.config.input.stepSeconds,
      windowSteps: this.config.windowSteps,
    };
  }

  #base(): ParamMap {
    if (!this.#params) throw new AppError('MODEL_NOT_READY', 'EmotionModel was disposed');
    return this.#params;
  }

  async #warmup(): Promise<void> {
    const c = this.config;
    const w = Math.min(c.windowSteps, 8);
    const f: ModelFeatures = {
      local: { data: new Float32Array(w * c.input.framesPerStep * c.input.mels), steps: w, frames: c.input.framesPerStep, mels: c.input.mels },
      global: { data: new Float32Array(w * c.input.globalDim), steps: w, dim: c.input.globalDim },
    };
    await this.predict(f);
  }

  /**
   * Predicts the whole-song 2 Hz curve (see the module comment for the window rule).
   * @param features local `[T, frames, mels]` and global `[T, globalDim]` features
   * @returns arousal and valence, T values each (new arrays).
   * @throws AppError MODEL_SHAPE_MISMATCH (feature dims), AUDIO_TOO_SHORT (0 steps), CANCELLED.
   */
  async predict(features: ModelFeatures, opts: PredictOptions = {}): Promise<EmotionCurve> {
    return this.#predict(opts.personal ? opts.personal.params : this.#base(), features, opts);
  }

  /**
   * Same as `predict` with an explicit parameter map (e.g. fast weights from meta-learning code
   * inside src-main/model). The map is only read.
   */
  async predictWithParams(params: ParamMap, features: ModelFeatures, opts: PredictOptions = {}): Promise<EmotionCurve> {
    return this.#predict(params, features, opts);
  }

  async #predict(params: ParamMap, features: ModelFeatures, opts: PredictOptions): Promise<EmotionCurve> {
    this.#base();
    const c = this.config;
    const t = featureDims(c, features);
    const w = c.windowSteps;
    const stride = Math.max(1, Math.min(w, opts.stride ?? Math.floor(w / 2)));
    const batchSize = Math.max(1, opts.batchSize ?? 16);
    const starts = windowStarts(t, w, stride);
    const winLen = Math.min(t, w);
    const { framesPerStep: fr, mels } = c.input;
    const gdim = c.input.globalDim;
    const sumA = new Float64Array(t);
    const sumV = new Float64Array(t);
    const sumW = new Float64Array(t);
    const weights = new Float64Array(winLen);
    for (let i = 0; i < winLen; i++) weights[i] = Math.min(i + 1, winLen - i);
    // Step embeddings in chunks of EMBED_CHUNK steps; chunks no later window needs are freed, so
    // memory stays bounded for long recordings. Windows are taken from only the chunks a batch
    // covers (wasm's Slice copies its whole input, so slicing one song-long tensor per window
    // would be quadratic in song length).
    const zChunks: Array<{ start: number; z: tf.Tensor2D }> = [];
    let embedded = 0;
    try {
      const ensureEmbedded = (upTo: number): void => {
        while (embedded < upTo) {
          const n = Math.min(EMBED_CHUNK, t - embedded);
          const from = embedded;
          const chunk = tf.tidy(() => {
            const local = tf.tensor3d(features.local.data.subarray(from * fr * mels, (from + n) * fr * mels), [n, fr, mels]);
            const global = tf.tensor2d(features.global!.data.subarray(from * gdim, (from + n) * gdim), [n, gdim]);
            return stepEmbeddings(params, c, local, global).z;
          });
          zChunks.push({ start: from, z: chunk });
          embedded += n;
        }
      };
      const releaseBefore = (step: number): void => {
        while (zChunks.length > 0 && zChunks[0].start + zChunks[0].z.shape[0] <= step) zChunks.shift()!.z.dispose();
      };
      let done = 0;
      let batchIndex = 0;
      const report = (): void => {
        const nextStart = done < starts.length ? starts[done] : t;
        opts.onProgress?.({ fraction: done / starts.length, windowsDone: done, windowsTotal: starts.length, stepsFinal: nextStart });
        if (opts.onPartial && nextStart > 0) {
          const a = new Float32Array(nextStart);
          const v = new Float32Array(nextStart);
          for (let i = 0; i < nextStart; i++) {
            a[i] = sumA[i] / sumW[i];
            v[i] = sumV[i] / sumW[i];
          }
          opts.onPartial({ arousal: a, valence: v, steps: nextStart });
        }
      };
      while (done < starts.length) {
        checkAbort(opts.signal);
        // Batches ramp 1, 2, 4, ... up to batchSize so the start of the curve is final early.
        const n = Math.min(batchSize, 2 ** batchIndex++, starts.length - done);
        const batchStarts = starts.slice(done, done + n);
        const lo = batchStarts[0];
        const hi = Math.min(t, batchStarts[batchStarts.length - 1] + winLen);
        ensureEmbedded(hi);
        const out = tf.tidy(() => {
          const parts = zChunks.filter((ch) => ch.start < hi && ch.start + ch.z.shape[0] > lo);
          const range = parts.length === 1 ? parts[0].z : tf.concat(parts.map((ch) => ch.z), 0);
          const base0 = parts[0].start;
          // Gather (inference only: no gradient needed) all windows' rows in one op.
          const idx = new Int32Array(batchStarts.length * winLen);
          batchStarts.forEach((st, bi) => {
            for (let i = 0; i < winLen; i++) idx[bi * winLen + i] = st - base0 + i;
          });
          const wins = tf.reshape(tf.gather(range, tf.tensor1d(idx, 'int32')), [batchStarts.length, winLen, c.hidden]) as tf.Tensor3D;
          const r = sequenceForward(params, c, wins);
          tf.dispose(attentionMaps(r));
          return r.output;
        });
        let vals: Float32Array;
        try {
          vals = (await out.data()) as Float32Array;
        } finally {
          out.dispose();
        }
        batchStarts.forEach((s, b) => {
          for (let i = 0; i < winLen; i++) {
            const k = (b * winLen + i) * 2;
            const wt = weights[i];
            sumA[s + i] += vals[k] * wt;
            sumV[s + i] += vals[k + 1] * wt;
            sumW[s + i] += wt;
          }
        });
        done += n;
        releaseBefore(done < starts.length ? starts[done] : t);
        report();
      }
    } finally {
      for (const ch of zChunks) ch.z.dispose();
    }
    const arousal = new Float32Array(t);
    const valence = new Float32Array(t);
    for (let i = 0; i < t; i++) {
      arousal[i] = sumA[i] / sumW[i];
      valence[i] = sumV[i] / sumW[i];
    }
    return { arousal, valence };
  }

  /**
   * One-shot personalisation: `steps` SGD steps (default 16, lr 5e-3: the reference inner loop)
   * from the base weights on one annotated clip (its first `windowSteps` steps), training mode,
   * loss = DSAML loss (1 - score + diagonal attention loss) from H6's losses.ts, through H6's
   * meta/inner-loop.ts `adapt`.
   * @returns PersonalWeights owned by the caller (dispose them).
   * @throws AppError VALIDATION_FAILED (curve length), MODEL_SHAPE_MISMATCH, CANCELLED.
   */
  async adapt(support: SupportExample, opts: AdaptOptions = {}): Promise<PersonalWeights> {
    const base = this.#base();
    const c = this.config;
    const t = featureDims(c, support.features);
    if (support.arousal.length < t || support.valence.length < t) {
      throw new AppError('VALIDATION_FAILED', `Support curve: expected ${t} arousal and valence values, got ${support.arousal.length} and ${support.valence.length}`);
    }
    checkAbort(opts.signal);
    const s = Math.min(t, c.windowSteps);
    const { framesPerStep: fr, mels, globalDim: g } = c.input;
    const scope: AdaptScope = opts.scope ?? 'no-cnn';
    const { adapt } = await import('./meta/inner-loop');
    const { compositeLoss } = await import('./losses');
    const seedAt = (k: number) => (opts.seed === undefined ? undefined : opts.seed + k);
    // Inputs and the frozen prefix of the network, computed once.
    const fixed = tf.tidy(() => {
      const target = new Float32Array(s * 2);
      for (let i = 0; i < s; i++) {
        target[2 * i] = support.arousal[i];
        target[2 * i + 1] = support.valence[i];
      }
      const local = tf.tensor3d(support.features.local.data.subarray(0, s * fr * mels), [s, fr, mels]);
      const global = tf.tensor2d(support.features.global!.data.subarray(0, s * g), [s, g]);
      const out: Record<string, tf.Tensor> = { target: tf.tensor3d(target, [1, s, 2]), global };
      if (scope === 'all') out.local = local;
      else {
        const cnn = cnnFeatures(base, c, local, { training: true, seed: seedAt(0) });
        out.cnn = cnn.cnn;
        if (scope === 'predictor') {
          out.hidden = encodeSequence(base, c, tf.reshape(fuseFeatures(base, c, cnn.cnn, global), [1, s, c.hidden]) as tf.Tensor3D, {
            training: true,
            seed: seedAt(1),
          }).hidden;
        }
      }
      return out;
    });
    const inScope = (n: string): boolean =>
      !isRunningStat(n) &&
      (scope === 'all' || (scope === 'no-cnn' ? !n.startsWith(P.cnn) : n.startsWith(P.lstm) || n.startsWith(P.head))) &&
      (opts.trainable ? opts.trainable(n) : true);
    try {
      let step = 0;
      const labels = { curve: { start: 0, count: 1, target: fixed.target as tf.Tensor3D } };
      const lossFn = (p: ParamMap): tf.Scalar => {
        const seed = seedAt(10 + 3 * step++);
        if (scope === 'all') {
          const local = tf.reshape(fixed.local, [1, s, fr, mels]) as tf.Tensor4D;
          const r = forward(p, c, { local, global: tf.reshape(fixed.global, [1, s, g]) as tf.Tensor3D }, { training: true, seed });
          return compositeLoss(r, labels).total;
        }
        if (scope === 'no-cnn') {
          const z = tf.reshape(fuseFeatures(p, c, fixed.cnn as tf.Tensor2D, fixed.global as tf.Tensor2D), [1, s, c.hidden]) as tf.Tensor3D;
          const r = sequenceForward(p, c, z, { training: true, seed });
          return compositeLoss(r, labels).total;
        }
        const output = predictSequence(p, c, fixed.hidden as tf.Tensor3D, { training: true, seed });
        return compositeLoss({ output }, labels, { attnWeight: 0 }).total;
      };
      const result = adapt((p: ParamMap) => lossFn(p), base as Record<string, tf.Tensor>, null, {
        steps: opts.steps,
        lr: opts.lr,
        trainable: inScope,
        onStep: (i: number, loss: number) => {
          opts.onStep?.(i, loss);
        },
      });
      return new PersonalWeights(result.params, c, result.losses);
    } finally {
      tf.dispose(Object.values(fixed));
    }
  }

  /**
   * Loads personal weights stored by `PersonalWeights.toBlob()`; missing entries fall back to
   * (copies of) the base weights.
   * @throws AppError MODEL_SHAPE_MISMATCH.
   */
  loadPersonal(data: Uint8Array, manifest: ParamBlobManifest): PersonalWeights {
    const base = this.#base();
    const loaded = deserializeParams(data, manifest, this.config);
    for (const [k, v] of Object.entries(base)) if (!loaded[k]) loaded[k] = tf.clone(v);
    return new PersonalWeights(loaded, this.config);
  }

  /** Frees the base weights; tf.memory().numTensors returns to its value before `create()`. Idempotent. */
  dispose(): void {
    disposeParams(this.#params);
    this.#params = null;
  }

  /** Tensor count before `create()` (for leak diagnostics). */
  get tensorBaseline(): number {
    return this.#baseline;
  }
}
