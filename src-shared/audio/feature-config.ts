/**
 * Feature configuration as data (STYLE B7): every cached feature row, prediction and weight set
 * stores `featureConfigHash(cfg)`, so a changed front end invalidates caches explicitly.
 * Pure TypeScript with no `node:*` import, so the renderer can hash configs too.
 */
import {
  COMPACT_HOP,
  COMPACT_N_FFT,
  COMPACT_N_MELS,
  COMPACT_SAMPLE_RATE,
  GLOBAL_WINDOW_SEC,
  LOG_EPS,
  PAPER_FRAMES_PER_STEP,
  PAPER_HOP,
  PAPER_N_FFT,
  PAPER_N_MELS,
  PAPER_SAMPLE_RATE,
  STEP_SEC,
} from './constants';
import { sha256Hex } from './sha256';

/** Dimension of the `descriptors-v1` global vector (see src-main/audio/global.ts for the list). */
export const GLOBAL_DESCRIPTOR_DIM = 36;

/** How the global (30 s window) vector is made. */
export interface GlobalFeatureConfig {
  /** Window length in seconds, centred on each step's start (30 in the paper). */
  windowSec: number;
  /** 'descriptors-v1': fixed long-window descriptors (global.ts); 'none': no global stream. */
  kind: 'descriptors-v1' | 'none';
  /** Length of each global vector (36 for descriptors-v1, 0 for none). */
  dim: number;
}

/** Log-mel front end, mirroring torchaudio.transforms.MelSpectrogram's parameters. */
export interface FeatureConfig {
  /** Short name stored next to the hash ('paper', 'compact', or a custom name). */
  name: string;
  /** PCM rate features are computed at (audio is resampled to it). */
  sampleRate: number;
  /** FFT size in samples (any size >= 2; power-of-two sizes use a radix-4 FFT, others a mixed-radix FFT). */
  nFft: number;
  /** Window length; must equal nFft here (torchaudio would centre a shorter window). */
  winLength: number;
  /** Hop between frames in samples. */
  hop: number;
  nMels: number;
  fMin: number;
  fMax: number;
  /** Added before the natural log. */
  logEps: number;
  /** Step length in seconds (0.5 => 2 Hz curve). */
  stepSec: number;
  /** 1 + floor(stepSec * sampleRate / hop): frames per step with center=True. */
  framesPerStep: number;
  /** Fixed choices, stored so the hash changes if they ever do. */
  window: 'hann-periodic';
  power: 2;
  melScale: 'htk';
  melNorm: 'none';
  center: true;
  padMode: 'reflect';
  /** Each step is its own clip, reflect-padded at its own edges (the reference's behaviour). */
  framing: 'per-step';
  global: GlobalFeatureConfig;
}

const COMMON = {
  window: 'hann-periodic',
  power: 2,
  melScale: 'htk',
  melNorm: 'none',
  center: true,
  padMode: 'reflect',
  framing: 'per-step',
} as const;

/** The reference front end (DSAML.md "Input preprocessing"): 51 x 128 log-mel per 0.5 s step. */
export const PAPER_FEATURES: FeatureConfig = Object.freeze({
  name: 'paper',
  sampleRate: PAPER_SAMPLE_RATE,
  nFft: PAPER_N_FFT,
  winLength: PAPER_N_FFT,
  hop: PAPER_HOP,
  nMels: PAPER_N_MELS,
  fMin: 0,
  fMax: PAPER_SAMPLE_RATE / 2,
  logEps: LOG_EPS,
  stepSec: STEP_SEC,
  framesPerStep: PAPER_FRAMES_PER_STEP,
  ...COMMON,
  global: Object.freeze({ windowSec: GLOBAL_WINDOW_SEC, kind: 'descriptors-v1', dim: GLOBAL_DESCRIPTOR_DIM }),
}) as FeatureConfig;

/** Cheaper front end (22.05 kHz, 64 mel, 1024-point FFT): 51 x 64 per step. See constants.ts. */
export const COMPACT_FEATURES: FeatureConfig = Object.freeze({
  name: 'compact',
  sampleRate: COMPACT_SAMPLE_RATE,
  nFft: COMPACT_N_FFT,
  winLength: COMPACT_N_FFT,
  hop: COMPACT_HOP,
  nMels: COMPACT_N_MELS,
  fMin: 0,
  fMax: COMPACT_SAMPLE_RATE / 2,
  logEps: LOG_EPS,
  stepSec: STEP_SEC,
  framesPerStep: 1 + Math.floor((STEP_SEC * COMPACT_SAMPLE_RATE) / COMPACT_HOP),
  ...COMMON,
  global: Object.freeze({ windowSec: GLOBAL_WINDOW_SEC, kind: 'descriptors-v1', dim: GLOBAL_DESCRIPTOR_DIM }),
}) as FeatureConfig;

/** Named configurations (CLI `--config paper|compact`). */
export const FEATURE_CONFIGS: Readonly<Record<'paper' | 'compact', FeatureConfig>> = Object.freeze({
  paper: PAPER_FEATURES,
  compact: COMPACT_FEATURES,
});

/** Samples per step at the config's rate (22050 for paper). Throws if 0.5 s is not a whole number of samples. */
export function samplesPerStep(cfg: FeatureConfig): number {
  const s = cfg.stepSec * cfg.sampleRate;
  if (!Number.isInteger(s)) throw new Error(`Expected stepSec * sampleRate to be an integer, got ${cfg.stepSec} * ${cfg.sampleRate} = ${s}`);
  return s;
}

/** Steps in the global window (60 for 30 s of 0.5 s steps). */
export function globalWindowSteps(cfg: FeatureConfig): number {
  return Math.round(cfg.global.windowSec / cfg.stepSec);
}

/**
 * Checks a config's internal consistency.
 * @returns a list of problems ("expected X, got Y"), empty when the config is usable
 */
export function validateFeatureConfig(cfg: FeatureConfig): string[] {
  const problems: string[] = [];
  const isPosInt = (x: number) => Number.isInteger(x) && x > 0;
  for (const k of ['sampleRate', 'nFft', 'winLength', 'hop', 'nMels', 'framesPerStep'] as const) {
    if (!isPosInt(cfg[k])) problems.push(`expected ${k} to be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.winLength !== cfg.nFft) problems.push(`expected winLength == nFft, got ${cfg.winLength} != ${cfg.nFft}`);
  if (!(cfg.fMin >= 0 && cfg.fMax > cfg.fMin && cfg.fMax <= cfg.sampleRate / 2)) {
    problems.push(`expected 0 <= fMin < fMax <= sampleRate/2, got fMin ${cfg.fMin}, fMax ${cfg.fMax}, sampleRate ${cfg.sampleRate}`);
  }
  if (!(cfg.logEps > 0)) problems.push(`expected logEps > 0, got ${cfg.logEps}`);
  const sps = cfg.stepSec * cfg.sampleRate;
  if (!Number.isInteger(sps)) problems.push(`expected stepSec * sampleRate to be an integer, got ${sps}`);
  else {
    const frames = 1 + Math.floor(sps / cfg.hop);
    if (frames !== cfg.framesPerStep) problems.push(`expected framesPerStep = 1 + floor(${sps}/${cfg.hop}) = ${frames}, got ${cfg.framesPerStep}`);
    if (cfg.nFft / 2 >= sps) problems.push(`expected nFft/2 < samples per step for reflect padding, got ${cfg.nFft / 2} >= ${sps}`);
  }
  if (cfg.global.kind === 'descriptors-v1' && cfg.global.dim !== GLOBAL_DESCRIPTOR_DIM) {
    problems.push(`expected global.dim ${GLOBAL_DESCRIPTOR_DIM} for descriptors-v1, got ${cfg.global.dim}`);
  }
  if (cfg.global.kind === 'none' && cfg.global.dim !== 0) problems.push(`expected global.dim 0 for kind 'none', got ${cfg.global.dim}`);
  return problems;
}

/** JSON with object keys sorted recursively (arrays keep their order): a canonical form for hashing. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`Expected finite numbers in a feature config, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * Stable hash of a feature configuration: SHA-256 (pure TS, sha256.ts) of its canonical JSON
 * (keys sorted). `name` is left out: it is a label, and renaming a config does not change a
 * single feature value. Same value in main and renderer.
 * @returns 64 lowercase hex characters
 */
export function featureConfigHash(cfg: FeatureConfig): string {
  return sha256Hex(canonicalJson({ ...cfg, name: undefined }));
}
