/**
 * DSAML network hyperparameters and the input contract, as data.
 *
 * Provenance: /work/shared/DSAML.md and the official code (github.com/Littleor/Personalized-DMER,
 * models/PDMER.py, models/layer/*.py). `paper` mirrors the reference sizes; `compact` is the same
 * network scaled down so that whole-song analysis on the wasm backend runs far faster than real
 * time (see src-main/model/README.md for the measured figures).
 */
import { COMPACT_FEATURES, PAPER_FEATURES, featureConfigHash, type FeatureConfig } from '../../src-shared/audio/feature-config';

/**
 * What the network expects from the audio front end (src-main/audio, H3).
 * `featureConfigHash` ties weights to one exact feature configuration; `null` means "not bound yet"
 * (only allowed for untrained weights and tests).
 */
export interface InputContract {
  /** Spectrogram frames per 0.5 s step (reference: 51). */
  framesPerStep: number;
  /** Mel bins per frame (reference: 128). */
  mels: number;
  /** Dimension of the per-step global (30 s window) descriptor. */
  globalDim: number;
  /** Seconds per step (the output curve is 1 / stepSeconds Hz; reference: 0.5 s = 2 Hz). */
  stepSeconds: number;
  /** `featureConfigHash(cfg)` of the FeatureConfig the weights were trained with. */
  featureConfigHash: string | null;
}

/** Full network configuration. Plain JSON (stored in every weights manifest). */
export interface ModelConfig {
  /** Configuration family name (`paper`, `compact`, or a test name). */
  name: string;
  input: InputContract;
  /** Model width D (reference `origin_feature_dim`, 1024). */
  hidden: number;
  /** Transformer encoder layers N (one encoder shared by both scales). */
  layers: number;
  /** Attention heads (D / heads per head). */
  heads: number;
  /** Transformer FFN width (reference `intermediate_size`, 2048). */
  ffn: number;
  /**
   * Relative-position table size P: the distance embedding has 2P - 1 rows
   * (reference `max_position_embeddings` = 512); sequences longer than P are rejected.
   */
  maxPositions: number;
  /** Local band half-width in steps (|i - j| <= localContext; DSAML: 5). */
  localContext: number;
  /** Global band half-width in steps (|i - j| <= globalContext; DSAML: 30). */
  globalContext: number;
  /** BiLSTM hidden units per direction (reference: D / 4 = 256). */
  lstmHidden: number;
  /** Width of the head's hidden Linear (reference: D / 4 = 256). */
  headHidden: number;
  /** Dropout probability used in training mode only (DSAML: 0.1). */
  dropout: number;
  /** LayerNorm epsilon (reference: 1e-12, BLIP-2 Q-Former default). */
  layerNormEps: number;
  /** BatchNorm epsilon (PyTorch default 1e-5). */
  batchNormEps: number;
  /** Output channels of the two CNN blocks (reference: 8, 16). */
  cnnChannels: [number, number];
  /** Training / inference window length in steps (reference: 60 = 30 s). */
  windowSteps: number;
  /**
   * Attention scales the shared encoder runs with (absent = `both`, the method). `local` / `global`
   * are the single-scale ablations: z' = sigmoid(Enc(z; M)) with that scale's band only.
   */
  scales?: 'both' | 'local' | 'global';
  /**
   * The global (30 s window) input (absent = `descriptors`, the shipped frozen encoder). `none` is
   * the no-global-encoder ablation: the descriptor is replaced by zeros, so z comes from the local
   * CNN stream alone.
   */
  globalInput?: 'descriptors' | 'none';
}

const REFERENCE_COMMON = {
  localContext: 5,
  globalContext: 30,
  dropout: 0.1,
  layerNormEps: 1e-12,
  batchNormEps: 1e-5,
  cnnChannels: [8, 16] as [number, number],
  windowSteps: 60,
};

/**
 * The input contract implied by an audio FeatureConfig (src-shared/audio/feature-config.ts):
 * frames per step, mel bins, global descriptor width and the config hash.
 */
export function inputFromFeatures(f: FeatureConfig): InputContract {
  return {
    framesPerStep: f.framesPerStep,
    mels: f.nMels,
    globalDim: f.global.dim,
    stepSeconds: f.stepSec,
    featureConfigHash: featureConfigHash(f),
  };
}

/**
 * Paper input: 51 x 128 log-mel per step (44.1 kHz, 60 ms window, 10 ms hop) from PAPER_FEATURES.
 * The reference's global input is ImageBind-Huge (1024-d, added without projection); ours is a
 * frozen descriptor of `globalDim` values (36, descriptors-v1) projected to D, so the global
 * projection adds (globalDim + 1) x D parameters on top of the reference's 29.7M.
 */
export const PAPER_INPUT: InputContract = Object.freeze(inputFromFeatures(PAPER_FEATURES));

/** Compact input: 51 x 64 log-mel per step at 22.05 kHz (COMPACT_FEATURES), same global descriptor. */
export const COMPACT_INPUT: InputContract = Object.freeze(inputFromFeatures(COMPACT_FEATURES));

/** The reference network (about 29.7M trainable parameters with a 1024-d global input). */
export const PAPER_CONFIG: ModelConfig = Object.freeze({
  name: 'paper',
  input: PAPER_INPUT,
  hidden: 1024,
  layers: 3,
  heads: 16,
  ffn: 2048,
  maxPositions: 512,
  lstmHidden: 256,
  headHidden: 256,
  ...REFERENCE_COMMON,
}) as ModelConfig;

/** The same network, sized for fast CPU/wasm analysis and adaptation. */
export const COMPACT_CONFIG: ModelConfig = Object.freeze({
  name: 'compact',
  input: COMPACT_INPUT,
  hidden: 128,
  layers: 2,
  heads: 4,
  ffn: 256,
  maxPositions: 64,
  lstmHidden: 64,
  headHidden: 64,
  ...REFERENCE_COMMON,
}) as ModelConfig;

/** Named configurations (CLI `--config compact|paper`). */
export const CONFIGS = { paper: PAPER_CONFIG, compact: COMPACT_CONFIG } as const;
export type ConfigName = keyof typeof CONFIGS;

/** Returns a copy of `config` with its input contract replaced/extended (e.g. from H3's FeatureConfig). */
export function withInput(config: ModelConfig, input: Partial<InputContract>): ModelConfig {
  return { ...config, input: { ...config.input, ...input }, cnnChannels: [...config.cnnChannels] as [number, number] };
}

/** Output size of MaxPool2d(kernel 2, stride 2, padding 1) along one axis (PyTorch floor mode). */
export function pooledSize(n: number): number {
  return Math.floor((n + 2 - 2) / 2) + 1;
}

/**
 * Spatial sizes through the local CNN adapter for a `[frames, mels]` step:
 * conv (3,1) pad (2,1) -> pool -> conv 3x3 pad 1 -> pool -> conv 1x1; `flat` = h2 * w2.
 * Reference (51 x 128): conv1 53 x 130, pool 27 x 66, pool 14 x 34, flat 476.
 */
export function cnnShapes(input: Pick<InputContract, 'framesPerStep' | 'mels'>): {
  conv1: [number, number];
  pool1: [number, number];
  pool2: [number, number];
  flat: number;
} {
  const conv1: [number, number] = [input.framesPerStep + 2, input.mels + 2];
  const pool1: [number, number] = [pooledSize(conv1[0]), pooledSize(conv1[1])];
  const pool2: [number, number] = [pooledSize(pool1[0]), pooledSize(pool1[1])];
  return { conv1, pool1, pool2, flat: pool2[0] * pool2[1] };
}

/**
 * Checks a config for internal consistency.
 * @throws Error describing the first problem found.
 */
export function validateConfig(c: ModelConfig): void {
  const ints: Array<[string, number]> = [
    ['hidden', c.hidden],
    ['layers', c.layers],
    ['heads', c.heads],
    ['ffn', c.ffn],
    ['maxPositions', c.maxPositions],
    ['lstmHidden', c.lstmHidden],
    ['headHidden', c.headHidden],
    ['windowSteps', c.windowSteps],
    ['input.framesPerStep', c.input.framesPerStep],
    ['input.mels', c.input.mels],
    ['input.globalDim', c.input.globalDim],
  ];
  for (const [k, v] of ints) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`config.${k}: expected a positive integer, got ${v}`);
  }
  if (c.hidden % c.heads !== 0) throw new Error(`config.hidden (${c.hidden}) must be divisible by heads (${c.heads})`);
  if (c.windowSteps > c.maxPositions) {
    throw new Error(`config.windowSteps (${c.windowSteps}) must be <= maxPositions (${c.maxPositions})`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`config.dropout: expected [0, 1), got ${c.dropout}`);
}
