/** Tiny configurations for fast unit tests (same code paths as `paper`/`compact`). */
import type { ModelConfig } from './config';

/** A very small network: 1 layer, D 16, 12-step windows, 7 x 8 "spectrogram" steps. */
export const TINY_CONFIG: ModelConfig = {
  name: 'tiny-test',
  input: { framesPerStep: 7, mels: 8, globalDim: 4, stepSeconds: 0.5, featureConfigHash: null },
  hidden: 16,
  layers: 1,
  heads: 2,
  ffn: 32,
  maxPositions: 16,
  localContext: 2,
  globalContext: 6,
  lstmHidden: 8,
  headHidden: 8,
  dropout: 0.1,
  layerNormEps: 1e-12,
  batchNormEps: 1e-5,
  cnnChannels: [2, 3],
  windowSteps: 12,
};
