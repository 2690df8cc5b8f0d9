/**
 * Messages between `AnalysisService` (main thread) and `analysis.worker.ts`. Plain structured-
 * clone data only (typed arrays are transferred, never JSON-encoded). Errors cross the boundary
 * as `{name, message, code, stack}` (Signal's worker error shape, STYLE B10).
 */
import { isAppErrorCode, type AppErrorCode } from '../../src-shared/ipc/envelope';

/** How the worker builds its model (see `EmotionModel.create`). */
export interface WorkerModelOptions {
  /** `compact` | `paper` (or a test configuration name the model module knows). */
  config: string;
  /** Directory with manifest.json + weights; omitted = shipped weights (resources/models), or a seeded untrained init when `seed` is set or nothing is shipped. */
  weightsDir?: string;
  /** tfjs backend (`auto` | `wasm` | `cpu` | `node` ...). */
  backend?: string;
  /** Seed for untrained initialisation. */
  seed?: number;
  /** Personal parameters to run instead of the base weights (profile curves). Optional. */
  personal?: { profileId: number; weights: ArrayBuffer; manifest: string } | null;
}

export interface SerializedError {
  name: string;
  message: string;
  code: AppErrorCode;
  stack?: string;
}

/** Per-stage time in milliseconds (summed over chunks), for the benchmark. */
export interface StageTimings {
  decodeMs: number;
  localMs: number;
  globalMs: number;
  networkMs: number;
}

export interface ReadyInfo {
  name: string;
  version: string;
  trained: boolean;
  config: string;
  backend: string;
  featureHash: string;
  numTensors: number;
}

export type ToWorker =
  | { type: 'init'; model: WorkerModelOptions }
  | {
      type: 'analyze';
      jobId: string;
      path: string;
      /** Lower bound on the track's steps (library duration less a margin), when known. */
      minTotalSteps?: number | null;
      /** Personal weights sent earlier with `loadPersonal` (null = base model). */
      personalKey?: string | null;
      /** 0 = play (runs first, preempts background at chunk boundaries), 1 = background. */
      priority: 0 | 1;
      /** Steps in the first chunk (default 60 = 30 s) and in later chunks. */
      firstChunkSteps?: number;
      chunkSteps?: number;
    }
  | { type: 'setPriority'; jobId: string; priority: 0 | 1 }
  /** Personal weights of a profile (EmotionModel.loadPersonal format); the worker keeps the last few. */
  | { type: 'loadPersonal'; key: string; weights: ArrayBuffer; manifest: string }
  | { type: 'cancel'; jobId: string }
  | { type: 'memory'; reqId: number }
  /** Test hook: exits the worker thread abruptly (crash recovery tests). */
  | { type: 'debug:exit'; code: number }
  /** Personalization (personalize-task.ts), run in a separate instance of this worker. */
  | { type: 'personalize'; req: PersonalizeRequest }
  | { type: 'dispose' };

export type FromWorker =
  | { type: 'ready'; info: ReadyInfo }
  | { type: 'initFailed'; error: SerializedError }
  /** `totalSteps` is exact for WAV (header) and null for streamed formats until the final chunk. */
  | { type: 'started'; jobId: string; totalSteps: number | null; durationSec: number | null }
  | {
      type: 'chunk';
      jobId: string;
      fromStep: number;
      arousal: Float32Array;
      valence: Float32Array;
      /** True on the last chunk; `totalSteps` is then exact. */
      final: boolean;
      totalSteps: number | null;
    }
  | { type: 'done'; jobId: string; totalSteps: number; durationSec: number; timings: StageTimings }
  | { type: 'failed'; jobId: string; error: SerializedError }
  | { type: 'cancelled'; jobId: string }
  | { type: 'memory'; reqId: number; numTensors: number; numBytes: number; rss: number; heapUsed: number }
  | { type: 'personalizeProgress'; done: number; total: number; message: string }
  | { type: 'personalizeDone'; result: PersonalizeOutcome }
  | { type: 'personalizeFailed'; error: SerializedError };

/** What the personalization worker needs: base weights, feature config, the sessions' tracks and curves. */
export interface PersonalizeRequest {
  /** Base weights (default: the shipped weights of `config`, as the analysis pipeline uses). */
  weightsDir?: string;
  /** compact | paper (feature configuration of the base model). */
  config: string;
  backend?: string;
  /** Feature cache directory (the library's data dir cache). */
  cacheDir: string;
  sessions: { sessionId: number; path: string; valence: (number | null)[]; arousal: (number | null)[] }[];
  steps?: number;
  lr?: number;
  holdoutFraction?: number;
}

/** Personal head weights (EmotionModel.loadPersonal format) and the held-out report. */
export interface PersonalizeOutcome {
  modelVersion: string;
  featureHash: string;
  weights: ArrayBuffer;
  manifest: string;
  report: {
    sessions: number;
    adaptSteps: number;
    heldOutSteps: number;
    before: { rmse: number; rmseA: number; rmseV: number };
    after: { rmse: number; rmseA: number; rmseV: number };
  };
}

export function serializeError(e: unknown, fallback: AppErrorCode = 'INTERNAL'): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return {
      name: e.name,
      message: e.message,
      code: isAppErrorCode(code) ? code : fallback,
      stack: e.stack,
    };
  }
  return { name: 'Error', message: String(e), code: fallback };
}
