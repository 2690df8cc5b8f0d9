/**
 * Public API of the audio pipeline (STYLE B7): file -> mono PCM -> local log-mel + global
 * descriptors. Pure functions and small stateful helpers, no tf. See README.md in this folder.
 */
import { featureConfigHash, samplesPerStep, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { AppError } from '../../src-shared/ipc/envelope';
import { openMonoStream, type AudioSourceInfo } from './decode';
import { assertFeatureConfig, LocalFeaturizer, type LocalFeatures } from './features/logmel';
import { GlobalAccumulator, type GlobalFeatures } from './global';

export {
  COMPACT_FEATURES,
  FEATURE_CONFIGS,
  GLOBAL_DESCRIPTOR_DIM,
  PAPER_FEATURES,
  canonicalJson,
  featureConfigHash,
  globalWindowSteps,
  samplesPerStep,
  validateFeatureConfig,
  type FeatureConfig,
  type GlobalFeatureConfig,
} from '../../src-shared/audio/feature-config';
export { decodeToMono, openMonoStream, sniffFormat, SUPPORTED_EXTENSIONS, type AudioFormat, type AudioSourceInfo, type DecodeOptions, type DecodedAudio, type MonoStream } from './decode';
export { resample, Resampler } from './resample';
export { LocalFeaturizer, localFeatures, stepCount, type FrameObserver, type LocalFeatures } from './features/logmel';
export { GLOBAL_DESCRIPTOR_NAMES, GlobalAccumulator, globalFeatures, type GlobalFeatures } from './global';

/** Everything the model needs for one track, tagged with the config that made it. */
export interface FeatureSet {
  /** featureConfigHash(config): store it with cached features and predictions. */
  configHash: string;
  config: FeatureConfig;
  /** Decoded duration (the partial last step, < stepSec, has no features). */
  durationSec: number;
  local: LocalFeatures;
  /** Null when config.global.kind is 'none'. */
  global: GlobalFeatures | null;
  source: AudioSourceInfo;
}

/** Progress of a feature extraction. */
export interface FeatureProgress {
  /** 0..1 of the input consumed. */
  fraction: number;
  stepsDone: number;
}

export interface ExtractOptions {
  onProgress?: (p: FeatureProgress) => void;
  signal?: AbortSignal;
}

/** One piece of a streamed extraction: steps [startStep, startStep + local.steps). */
export interface FeatureChunk {
  startStep: number;
  local: LocalFeatures;
  /** Same steps as `local`; absent when config.global.kind is 'none'. */
  global?: GlobalFeatures;
  /** True on the last chunk; then `totalSteps` and `durationSec` are final. */
  final: boolean;
  /** Steps emitted so far including this chunk. */
  totalSteps: number;
  /** Decoded duration so far. */
  durationSec: number;
  configHash: string;
  source: AudioSourceInfo;
}

export interface ChunkOptions {
  /** Steps per chunk (default 60 = 30 s); the last chunk may be shorter. */
  chunkSteps?: number;
  signal?: AbortSignal;
}

function tooShort(samples: number, cfg: FeatureConfig): AppError {
  const got = Number((samples / cfg.sampleRate).toFixed(2));
  return new AppError('AUDIO_TOO_SHORT', `expected at least ${cfg.stepSec} s of audio, got ${got} s`);
}

/** Growable [steps, stepSize] float store with a movable base step. */
class StepStore {
  data: Float32Array;
  base = 0;
  count = 0;
  constructor(readonly stepSize: number, initialSteps: number) {
    this.data = new Float32Array(Math.max(1, initialSteps) * stepSize);
  }
  /** Reserves the next step and returns its offset in `data`. */
  next(): number {
    if ((this.count + 1) * this.stepSize > this.data.length) {
      const d = new Float32Array(Math.max((this.count + 1) * this.stepSize, this.data.length * 2));
      d.set(this.data.subarray(0, this.count * this.stepSize));
      this.data = d;
    }
    return this.count++ * this.stepSize;
  }
  /** Copies absolute steps [from, to). */
  take(from: number, to: number): Float32Array {
    return this.data.slice((from - this.base) * this.stepSize, (to - this.base) * this.stepSize);
  }
  /** Forgets steps before `step`. */
  dropBefore(step: number): void {
    const n = step - this.base;
    if (n <= 0) return;
    this.data.copyWithin(0, n * this.stepSize, this.count * this.stepSize);
    this.count -= n;
    this.base = step;
  }
}

/**
 * Drives decode -> step framing -> local featurizer (+ global accumulator sharing the STFT),
 * holding at most one step of PCM plus a decoder chunk.
 */
async function* featureSteps(
  path: string,
  cfg: FeatureConfig,
  store: (expectedSteps: number | undefined) => StepStore,
  signal?: AbortSignal,
): AsyncGenerator<{ kind: 'open'; info: AudioSourceInfo; progress: () => number; store: StepStore; acc: GlobalAccumulator | null } | { kind: 'step'; step: number } | { kind: 'end'; samples: number; steps: number }> {
  assertFeatureConfig(cfg);
  const S = samplesPerStep(cfg);
  const ms = await openMonoStream(path, { sampleRate: cfg.sampleRate, signal });
  const fz = new LocalFeaturizer(cfg);
  const acc = cfg.global.kind === 'none' ? null : new GlobalAccumulator(cfg);
  const st = store(ms.expectedSamples === undefined ? undefined : Math.floor(ms.expectedSamples / S));
  yield { kind: 'open', info: ms.info, progress: ms.progress, store: st, acc };
  const rem = new Float32Array(S);
  let remLen = 0, samples = 0, step = 0;
  for await (const chunk of ms.chunks) {
    samples += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const take = Math.min(S - remLen, chunk.length - off);
      rem.set(chunk.subarray(off, off + take), remLen);
      remLen += take;
      off += take;
      if (remLen === S) {
        const o = st.next();
        fz.step(rem, 0, st.data, o, step, acc ?? undefined);
        acc?.addStepPcm(step, rem, 0, S);
        remLen = 0;
        yield { kind: 'step', step };
        step++;
      }
    }
  }
  acc?.finish();
  yield { kind: 'end', samples, steps: step };
}

/**
 * Decodes a file and computes local and global features in one streamed pass (the PCM is never
 * held whole; the outputs are: paper local features are 26 KB per step, ~190 MB per hour).
 * @throws AppError NOT_FOUND, UNSUPPORTED_FORMAT, AUDIO_DECODE_FAILED, AUDIO_TOO_SHORT (< one step), CANCELLED, VALIDATION_FAILED (bad config)
 */
export async function extractFeatures(path: string, cfg: FeatureConfig, opts: ExtractOptions = {}): Promise<FeatureSet> {
  const fz = { frames: cfg.framesPerStep, mels: cfg.nMels };
  let info: AudioSourceInfo | undefined, progress = () => 0, st: StepStore | undefined, acc: GlobalAccumulator | null = null;
  let lastReport = -1;
  for await (const ev of featureSteps(path, cfg, (n) => new StepStore(fz.frames * fz.mels, n ?? 64), opts.signal)) {
    if (ev.kind === 'open') {
      ({ info, progress, store: st, acc } = ev);
    } else if (ev.kind === 'step') {
      if (opts.onProgress && ev.step - lastReport >= 20) {
        lastReport = ev.step;
        opts.onProgress({ fraction: progress(), stepsDone: ev.step + 1 });
      }
    } else {
      if (ev.steps < 1) throw tooShort(ev.samples, cfg);
      // WAV sizes are known up front, so the store is usually exactly full: hand it over without a copy
      const exact = st!.data.length === ev.steps * st!.stepSize;
      const local: LocalFeatures = { data: exact ? st!.data : st!.take(0, ev.steps), steps: ev.steps, frames: fz.frames, mels: fz.mels };
      let global: GlobalFeatures | null = null;
      if (acc) {
        const data = new Float32Array(ev.steps * acc.dim);
        acc.vectors(0, ev.steps, data, 0);
        global = { data, steps: ev.steps, dim: acc.dim };
      }
      opts.onProgress?.({ fraction: 1, stepsDone: ev.steps });
      return { configHash: featureConfigHash(cfg), config: cfg, durationSec: ev.samples / cfg.sampleRate, local, global, source: info! };
    }
  }
  throw new AppError('INTERNAL', 'feature stream ended without an end event');
}

/**
 * Streamed extraction in chunks of `chunkSteps` steps, so analysis can show the first 30 s of
 * curve early. A chunk is emitted once the global vectors of all its steps are final, i.e. once
 * the audio up to 15 s (+ ~1.2 s tempo lookahead) past its last step has been decoded; windows at
 * the track's edges are clipped. Chunks concatenated equal `extractFeatures` exactly. Memory is
 * bounded by chunkSteps + 33 steps of local features plus the per-step statistics (~100 floats
 * per second of audio).
 * @throws as extractFeatures
 */
export async function* extractFeatureChunks(path: string, cfg: FeatureConfig, opts: ChunkOptions = {}): AsyncGenerator<FeatureChunk> {
  const chunkSteps = Math.max(1, Math.floor(opts.chunkSteps ?? 60));
  const configHash = featureConfigHash(cfg);
  const frames = cfg.framesPerStep, mels = cfg.nMels;
  let info: AudioSourceInfo | undefined, st: StepStore | undefined, acc: GlobalAccumulator | null = null;
  let emitted = 0, seen = 0, samples = 0;
  const S = samplesPerStep(cfg);
  const make = (from: number, to: number, final: boolean): FeatureChunk => {
    const n = to - from;
    const chunk: FeatureChunk = {
      startStep: from,
      local: { data: st!.take(from, to), steps: n, frames, mels },
      final,
      totalSteps: to,
      durationSec: final ? samples / cfg.sampleRate : (seen * S) / cfg.sampleRate,
      configHash,
      source: info!,
    };
    if (acc) {
      const data = new Float32Array(n * acc.dim);
      acc.vectors(from, to, data, 0);
      chunk.global = { data, steps: n, dim: acc.dim };
    }
    st!.dropBefore(to);
    return chunk;
  };
  for await (const ev of featureSteps(path, cfg, () => new StepStore(frames * mels, chunkSteps + 64), opts.signal)) {
    if (ev.kind === 'open') {
      ({ info, store: st, acc } = ev);
    } else if (ev.kind === 'step') {
      seen = ev.step + 1;
      const ready = acc ? acc.readySteps() : seen;
      while (ready - emitted >= chunkSteps) {
        yield make(emitted, emitted + chunkSteps, false);
        emitted += chunkSteps;
      }
    } else {
      samples = ev.samples;
      if (ev.steps < 1) throw tooShort(ev.samples, cfg);
      if (emitted === ev.steps) {
        // everything already emitted in full chunks: send an empty final marker
        yield { startStep: emitted, local: { data: new Float32Array(0), steps: 0, frames, mels }, ...(acc ? { global: { data: new Float32Array(0), steps: 0, dim: acc.dim } } : {}), final: true, totalSteps: emitted, durationSec: samples / cfg.sampleRate, configHash, source: info! };
        return;
      }
      while (ev.steps - emitted > chunkSteps) {
        yield make(emitted, emitted + chunkSteps, false);
        emitted += chunkSteps;
      }
      yield make(emitted, ev.steps, true);
      return;
    }
  }
}
