/**
 * Per-step STFT framing as the reference does it (see src-shared/audio/constants.ts): each
 * 0.5 s step is its own clip, reflect-padded by n_fft // 2 at both ends (torch.stft center=True,
 * pad_mode="reflect"), windowed by a periodic Hann window of n_fft samples, and framed every
 * `hop` samples: 1 + floor(stepSamples / hop) frames per step.
 */
import { createRealPowerFft, type RealPowerFft } from './fft';

/** torch.hann_window(n, periodic=True): 0.5 - 0.5 cos(2 pi i / n). */
export function hannPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * Copies pcm[start, start + len) into out with `pad` reflected samples at each end
 * (numpy/torch "reflect": the edge sample is not repeated). Requires pad < len.
 */
export function reflectPad(pcm: ArrayLike<number>, start: number, len: number, pad: number, out: Float64Array): void {
  if (pcm instanceof Float32Array || pcm instanceof Float64Array) out.set(pcm.subarray(start, start + len), pad);
  else for (let i = 0; i < len; i++) out[pad + i] = pcm[start + i];
  for (let i = 1; i <= pad; i++) {
    out[pad - i] = pcm[start + i];
    out[pad + len - 1 + i] = pcm[start + len - 1 - i];
  }
}

/** Frames of one step and their power spectra. */
export class StepStft {
  readonly nFft: number;
  readonly hop: number;
  readonly stepSamples: number;
  readonly frames: number;
  readonly bins: number;
  private readonly pad: number;
  private readonly window: Float64Array;
  private readonly padded: Float64Array;
  private readonly fft: RealPowerFft;

  constructor(nFft: number, hop: number, stepSamples: number) {
    this.nFft = nFft;
    this.hop = hop;
    this.stepSamples = stepSamples;
    this.pad = Math.floor(nFft / 2);
    if (this.pad >= stepSamples) throw new Error(`Expected n_fft/2 < samples per step for reflect padding, got ${this.pad} >= ${stepSamples}`);
    this.frames = 1 + Math.floor(stepSamples / hop);
    this.window = hannPeriodic(nFft);
    this.padded = new Float64Array(stepSamples + 2 * this.pad);
    this.fft = createRealPowerFft(nFft);
    this.bins = this.fft.bins;
  }

  /**
   * Runs the step starting at pcm[start] (stepSamples samples must exist) and calls
   * onFrame(f, power) for f = 0..frames-1; `power` is reused between calls.
   */
  run(pcm: ArrayLike<number>, start: number, power: Float64Array, onFrame: (f: number, power: Float64Array) => void): void {
    reflectPad(pcm, start, this.stepSamples, this.pad, this.padded);
    const { hop, window, padded } = this;
    for (let f = 0; f < this.frames; f++) {
      this.fft.powerWindowed(padded, f * hop, window, power);
      onFrame(f, power);
    }
  }
}
