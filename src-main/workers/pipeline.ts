/**
 * The analysis pipeline the worker runs, streamed end to end so the first 30 s of curve is ready
 * long before the whole track is decoded:
 *
 *   extractFeatureChunks (src-main/audio: decode + mixdown + resample + log-mel + 30 s-window
 *   global descriptors, in 30 s chunks whose concatenation equals `extractFeatures` exactly)
 *     -> EmotionModel.predict over sliding windows.
 *
 * Why the streamed curve equals whole-track inference: the network predicts output step
 * t >= windowSteps - 1 from the window that ENDS at t and the first windowSteps outputs from the
 * first window (src-main/model/engine.ts); so outputs [a, b) need features
 * [max(0, a - windowSteps + 1), max(b, windowSteps)), and the source keeps the last
 * windowSteps - 1 steps of features from the previous chunk. Tested in
 * test/integration/analysis-service.int.test.ts (streamed == one-shot curve).
 *
 * Memory stays bounded for long files: the audio module holds one decoder chunk of PCM plus
 * per-step statistics; this source holds one curve chunk of features plus the window context.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../src-shared/ipc/envelope';
import { FEATURE_CONFIGS, extractFeatureChunks, featureConfigHash, type FeatureChunk, type FeatureConfig } from '../audio/index';
import { parseBackendChoice } from '../model/backend';
import { CONFIGS, withInput, type ModelConfig } from '../model/config';
import { DEFAULT_MODEL_NAME, EmotionModel, defaultWeightsDir, type PersonalWeights } from '../model/engine';
import type { ParamBlobManifest } from '../model/io';
import { tensorMemory } from '../model/memory';
import type { ReadyInfo, StageTimings, WorkerModelOptions } from './protocol';

/** One streamed piece of a curve. */
export interface CurveChunk {
  fromStep: number;
  arousal: Float32Array;
  valence: Float32Array;
  /** True on the last chunk; `totalSteps` is then exact. */
  final: boolean;
}

/** Steps per feature chunk pulled from the audio stream (15 s: fine-grained look-ahead). */
export const FEATURE_CHUNK_STEPS = 30;
/** Profiles' personal weights kept loaded in the worker at once. */
const MAX_PERSONAL = 2;

export interface AnalysisSource {
  /** Exact when the container tells (WAV) or after the final chunk; else an estimate or null. */
  readonly totalSteps: number | null;
  readonly durationSec: number | null;
  /** Computes the next (up to) `maxSteps` curve points. Adds stage times to `t`. */
  next(maxSteps: number, t: StageTimings): Promise<CurveChunk>;
  dispose(): void;
}

export interface AnalysisPipeline {
  info(): ReadyInfo;
  /** @param personalKey weights given to `loadPersonal` (null = base model) */
  /** @param minTotalSteps a lower bound on the track's steps when known (lets the first chunk go out sooner) */
  open(path: string, signal: AbortSignal | undefined, t: StageTimings, personalKey?: string | null, minTotalSteps?: number | null): Promise<AnalysisSource>;
  /** Loads a profile's personal weights under `key` (keeps the last MAX_PERSONAL; older ones are disposed). */
  loadPersonal(key: string, data: Uint8Array, manifestJson: string): void;
  memory(): { numTensors: number; numBytes: number };
  dispose(): void;
}

/** The feature configuration a model configuration name uses. */
export function featureConfigFor(config: string): FeatureConfig {
  return config === 'paper' ? FEATURE_CONFIGS.paper : FEATURE_CONFIGS.compact;
}

/** The shipped feature config a loaded model was trained with (by hash, else by dimensions). */
function featureConfigOfModel(input: ModelConfig['input'], fallback: FeatureConfig): FeatureConfig {
  const all = [fallback, FEATURE_CONFIGS.compact, FEATURE_CONFIGS.paper];
  if (input.featureConfigHash) {
    const byHash = all.find((f) => featureConfigHash(f) === input.featureConfigHash);
    if (byHash) return byHash;
    throw new AppError('MODEL_SHAPE_MISMATCH', `The model expects feature config ${input.featureConfigHash}, which matches none of this build's (${all.map((f) => `${f.name} ${featureConfigHash(f)}`).join(', ')})`);
  }
  const byDims = all.find((f) => f.framesPerStep === input.framesPerStep && f.nMels === input.mels && f.global.dim === input.globalDim);
  if (!byDims) {
    throw new AppError(
      'MODEL_SHAPE_MISMATCH',
      `The model expects ${input.framesPerStep} x ${input.mels} log-mel steps and ${input.globalDim}-d global vectors; no feature config of this build produces that`,
    );
  }
  return byDims;
}

/**
 * Builds the model (async factory: backend, weights, manifest validation, warm-up). Weights:
 * `weightsDir`, else the shipped `resources/models/dsaml-<config>-v0` when present and no `seed`
 * is given, else the named configuration bound to its feature config (frames, mels, global dim
 * and hash) initialised from `seed` (untrained).
 * @throws AppError MODEL_NOT_READY / MODEL_SHAPE_MISMATCH / NOT_FOUND from the model factory
 */
export async function createPipeline(opts: WorkerModelOptions): Promise<AnalysisPipeline> {
  const name = opts.config === 'paper' ? 'paper' : 'compact';
  if (opts.config !== 'paper' && opts.config !== 'compact') {
    throw new AppError('VALIDATION_FAILED', `Unknown model config "${opts.config}": expected compact or paper`);
  }
  const backend = parseBackendChoice(opts.backend);
  let fcfg = featureConfigFor(name);
  let model: EmotionModel;
  // Shipped weights (resources/models/dsaml-<config>-v0) unless a seed asks for a fresh init.
  const shipped = defaultWeightsDir(name === 'compact' ? DEFAULT_MODEL_NAME : `dsaml-${name}-v0`);
  const weightsDir = opts.weightsDir ?? (opts.seed === undefined && existsSync(path.join(shipped, 'manifest.json')) ? shipped : undefined);
  if (weightsDir) {
    model = await EmotionModel.create({ weightsDir, backend, seed: opts.seed });
    try {
      fcfg = featureConfigOfModel(model.config.input, fcfg);
    } catch (e) {
      model.dispose();
      throw e;
    }
  } else {
    const bound = withInput(CONFIGS[name], {
      framesPerStep: fcfg.framesPerStep,
      mels: fcfg.nMels,
      globalDim: fcfg.global.dim,
      featureConfigHash: featureConfigHash(fcfg),
    });
    model = await EmotionModel.create({ config: bound, backend, seed: opts.seed ?? 0 });
  }
  const featureHash = featureConfigHash(fcfg);
  const info = model.info;
  const personal = new Map<string, PersonalWeights>();
  const win = info.windowSteps;
  const memory = tensorMemory;
  return {
    info: () => ({
      name: info.name,
      version: info.version,
      trained: info.trained,
      config: name,
      backend: info.backend,
      featureHash,
      numTensors: memory().numTensors,
    }),
    memory,
    dispose: () => {
      for (const p of personal.values()) p.dispose();
      personal.clear();
      model.dispose();
    },
    loadPersonal(key, data, manifestJson) {
      if (personal.has(key)) return;
      let manifest: ParamBlobManifest;
      try {
        manifest = JSON.parse(manifestJson) as ParamBlobManifest;
      } catch (e) {
        throw new AppError('MODEL_SHAPE_MISMATCH', `Personal weights ${key}: expected a JSON manifest, got ${(e as Error).message}`);
      }
      personal.set(key, model.loadPersonal(data, manifest));
      while (personal.size > MAX_PERSONAL) {
        const oldest = personal.keys().next().value!;
        personal.get(oldest)!.dispose();
        personal.delete(oldest);
      }
    },
    open: (path, signal, t, personalKey, minTotalSteps) => {
      const pw = personalKey ? personal.get(personalKey) : undefined;
      if (personalKey && !pw) throw new AppError('MODEL_NOT_READY', `Personal weights ${personalKey} are not loaded in the worker`);
      return openSource(
        path,
        fcfg,
        win,
        (local, global) => model.predict({ local, global, featureConfigHash: featureHash }, { signal, personal: pw }),
        signal,
        t,
        minTotalSteps ?? null,
      );
    },
  };
}

type Predict = (
  local: { data: Float32Array; steps: number; frames: number; mels: number },
  global: { data: Float32Array; steps: number; dim: number },
) => Promise<{ arousal: Float32Array; valence: Float32Array }>;

/**
 * Opens a streamed source over `path` (see the module comment). Features come from
 * `extractFeatureChunks`; the time spent pulling them is decode + features (the benchmark
 * splits decode / local / global with the standalone audio functions).
 *
 * Chunk rule, for the engine's window grid (windows of W steps at stride H = W / 2 from step 0,
 * plus one window aligned to the song's end; overlaps averaged with triangular weights):
 * - chunk boundaries are multiples of H; a non-final chunk [a, b) is predicted on the slice
 *   [max(0, a - H), b + H), whose windows are exactly the song's grid windows covering [a, b);
 * - a non-final chunk needs b <= T - W (the end-aligned window must not reach it), so it is only
 *   emitted once features up to b + W are in (T >= that), or once features up to b + H are in
 *   when the caller's `minTotalSteps` (the library's duration, less a 2 s margin) already shows
 *   T >= b + W;
 * - the final chunk [a, T) runs on [max(0, a - H), T), whose windows (grid + end-aligned) are
 *   again the song's own.
 * So every chunk equals whole-song `predict` on those steps (up to float summation order).
 */
export async function openSource(
  path: string,
  cfg: FeatureConfig,
  win: number,
  predict: Predict,
  signal: AbortSignal | undefined,
  t: StageTimings,
  minTotalSteps: number | null = null,
): Promise<AnalysisSource> {
  const gen = extractFeatureChunks(path, cfg, { chunkSteps: FEATURE_CHUNK_STEPS, signal });
  const stepSize = cfg.framesPerStep * cfg.nMels;
  const gDim = cfg.global.kind === 'none' ? 0 : cfg.global.dim;
  const H = Math.max(1, Math.floor(win / 2));
  // Features of steps [start, start + steps).
  let local = new Float32Array(0);
  let global = new Float32Array(0);
  let start = 0;
  let steps = 0;
  let ended = false;
  let totalSteps: number | null = null;
  let durationSec: number | null = null;
  let next = 0;

  function append(c: FeatureChunk): void {
    const n = c.local.steps;
    if (c.startStep !== start + steps) throw new Error(`feature chunk out of order: expected step ${start + steps}, got ${c.startStep}`);
    const l = new Float32Array((steps + n) * stepSize);
    l.set(local.subarray(0, steps * stepSize));
    l.set(c.local.data, steps * stepSize);
    local = l;
    if (gDim > 0) {
      const g = new Float32Array((steps + n) * gDim);
      g.set(global.subarray(0, steps * gDim));
      if (c.global) g.set(c.global.data, steps * gDim);
      global = g;
    }
    steps += n;
    durationSec = c.durationSec;
    if (c.final) {
      ended = true;
      totalSteps = c.totalSteps;
    }
  }

  /** Pulls feature chunks until steps up to `want` (exclusive) are held or the stream ends. */
  async function pull(want: number): Promise<void> {
    while (!ended && start + steps < want) {
      const t0 = performance.now();
      const r = await gen.next();
      t.localMs += performance.now() - t0;
      if (r.done) {
        ended = true;
        totalSteps = start + steps;
        break;
      }
      append(r.value);
    }
  }

  // Open eagerly so decode errors (missing file, unsupported format, too short) surface at open.
  await pull(1);

  return {
    get totalSteps() {
      return totalSteps;
    },
    get durationSec() {
      return durationSec;
    },
    async next(maxSteps) {
      signal?.throwIfAborted();
      const n0 = Math.max(H, Math.ceil(maxSteps / H) * H);
      let to = next + n0;
      await pull(minTotalSteps !== null && minTotalSteps >= to + win ? to + H : to + win);
      const held = start + steps;
      const final = ended && to > held - win;
      if (final) to = held;
      const ctxStart = Math.max(0, next - H);
      const ctxEnd = final ? held : to + H;
      const off = ctxStart - start;
      const n = ctxEnd - ctxStart;
      if (off < 0 || ctxEnd > held) throw new Error(`analysis context [${ctxStart}, ${ctxEnd}) outside the features held [${start}, ${held})`);
      const p0 = performance.now();
      const out = await predict(
        { data: local.subarray(off * stepSize, (off + n) * stepSize), steps: n, frames: cfg.framesPerStep, mels: cfg.nMels },
        { data: global.subarray(off * gDim, (off + n) * gDim), steps: n, dim: gDim },
      );
      t.networkMs += performance.now() - p0;
      const i0 = next - ctxStart;
      const chunk: CurveChunk = {
        fromStep: next,
        arousal: out.arousal.slice(i0, i0 + (to - next)),
        valence: out.valence.slice(i0, i0 + (to - next)),
        final,
      };
      next = to;
      // Keep only the context the next chunk needs (from next - H).
      const keepFrom = Math.max(start, next - H);
      const drop = Math.min(steps, keepFrom - start);
      if (drop > 0) {
        local = local.slice(drop * stepSize, steps * stepSize);
        global = global.slice(drop * gDim, steps * gDim);
        start += drop;
        steps -= drop;
      }
      return chunk;
    },
    dispose() {
      void gen.return(undefined);
      local = new Float32Array(0);
      global = new Float32Array(0);
    },
  };
}
