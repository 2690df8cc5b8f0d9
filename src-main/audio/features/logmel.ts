/**
 * Local stream: log-mel per 0.5 s step, [steps, framesPerStep, nMels] row-major, exactly the
 * reference's `torch.log(MelSpectrogram(...)(clip) + 1e-6)` on each clip (see constants.ts).
 * Computed in float64, stored as float32.
 */
import { AppError } from '../../../src-shared/ipc/envelope';
import { samplesPerStep, validateFeatureConfig, type FeatureConfig } from '../../../src-shared/audio/feature-config';
import { applyMel, melFilterbank, type MelFilterbank } from './mel';
import { StepStft } from './stft';

/** Local features: `data` is [steps, frames, mels] row-major. */
export interface LocalFeatures {
  data: Float32Array;
  steps: number;
  frames: number;
  mels: number;
}

/** Receives every frame of every step (used by the global descriptors to share the STFT). */
export interface FrameObserver {
  /**
   * @param step absolute step index
   * @param frame frame index within the step (0..framesPerStep-1)
   * @param power power spectrum (nFft/2+1 bins), reused after the call returns
   * @param mel mel energies before the log (nMels), reused after the call returns
   */
  onFrame(step: number, frame: number, power: Float64Array, mel: Float64Array): void;
}

/** Throws VALIDATION_FAILED when a config is inconsistent. */
export function assertFeatureConfig(cfg: FeatureConfig): void {
  const problems = validateFeatureConfig(cfg);
  if (problems.length) throw new AppError('VALIDATION_FAILED', `Invalid feature config '${cfg.name}': ${problems.join('; ')}`);
}

/** Number of whole steps in `nSamples` (the reference drops a partial last step). */
export function stepCount(nSamples: number, cfg: FeatureConfig): number {
  return Math.floor(nSamples / samplesPerStep(cfg));
}

/**
 * Stateful per-step featurizer: owns FFT scratch buffers, so one per worker/thread.
 */
export class LocalFeaturizer {
  readonly cfg: FeatureConfig;
  readonly stepSamples: number;
  readonly frames: number;
  readonly mels: number;
  private readonly stft: StepStft;
  private readonly fb: MelFilterbank;
  private readonly power: Float64Array;
  private readonly mel: Float64Array;

  constructor(cfg: FeatureConfig) {
    assertFeatureConfig(cfg);
    this.cfg = cfg;
    this.stepSamples = samplesPerStep(cfg);
    this.stft = new StepStft(cfg.nFft, cfg.hop, this.stepSamples);
    this.frames = this.stft.frames;
    this.mels = cfg.nMels;
    this.fb = melFilterbank(cfg.sampleRate, this.stft.bins, cfg.nMels, cfg.fMin, cfg.fMax);
    this.power = new Float64Array(this.stft.bins);
    this.mel = new Float64Array(cfg.nMels);
  }

  /** Values per step in the output (frames * mels). */
  get stepSize(): number {
    return this.frames * this.mels;
  }

  /**
   * Featurizes the step whose samples start at pcm[start] and writes frames*mels values at
   * out[outOffset]. `stepIndex` is only passed through to the observer.
   */
  step(pcm: ArrayLike<number>, start: number, out: Float32Array, outOffset: number, stepIndex = 0, observer?: FrameObserver): void {
    const { mels, fb, mel, cfg } = this;
    const eps = cfg.logEps;
    this.stft.run(pcm, start, this.power, (f, power) => {
      applyMel(fb, power, mel);
      const o = outOffset + f * mels;
      for (let m = 0; m < mels; m++) out[o + m] = Math.log(mel[m] + eps);
      observer?.onFrame(stepIndex, f, power, mel);
    });
  }
}

/**
 * Log-mel features of mono PCM at cfg.sampleRate.
 * @param pcm mono samples at cfg.sampleRate
 * @returns a new [steps, frames, mels] Float32Array owned by the caller; steps = floor(duration / stepSec)
 * @throws AppError AUDIO_TOO_SHORT when there is less than one step of audio; VALIDATION_FAILED for a bad config
 */
export function localFeatures(pcm: Float32Array, cfg: FeatureConfig): LocalFeatures {
  const fz = new LocalFeaturizer(cfg);
  const steps = stepCount(pcm.length, cfg);
  if (steps < 1) {
    throw new AppError('AUDIO_TOO_SHORT', `expected at least ${cfg.stepSec} s of audio, got ${Number((pcm.length / cfg.sampleRate).toFixed(2))} s`);
  }
  const data = new Float32Array(steps * fz.stepSize);
  for (let s = 0; s < steps; s++) fz.step(pcm, s * fz.stepSamples, data, s * fz.stepSize, s);
  return { data, steps, frames: fz.frames, mels: fz.mels };
}
