/** Loads a base model for meta-training/evaluation from app weights (--weights DIR) or a training checkpoint (--checkpoint FILE). */
import fs from 'node:fs';
import path from 'node:path';
import { featureConfigHash, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { AppError } from '../../src-shared/ipc/envelope';
import type { ModelConfig } from '../model/config';
import { loadWeights } from '../model/io';
import { ModelState, fromPlain } from '../model/meta/trainer';
import { loadCheckpoint } from './checkpoint';
import type { TrainMeta } from './train-dmer';

/**
 * @returns a ModelState owned by the caller (dispose it) and a description of its origin
 * @throws AppError MODEL_SHAPE_MISMATCH when the weights expect another feature configuration
 */
export async function loadBaseModel(src: { weights?: string; checkpoint?: string }, feat: FeatureConfig): Promise<{ model: ModelState; origin: string; config: ModelConfig; cacheKey: string }> {
  let model: ModelState;
  let origin: string;
  if (src.checkpoint) {
    const ck = loadCheckpoint<TrainMeta>(src.checkpoint);
    model = new ModelState(ck.meta.config, fromPlain(ck.groups.params));
    origin = `checkpoint ${src.checkpoint} (iteration ${ck.meta.iteration})`;
  } else if (src.weights) {
    const { manifest, params } = await loadWeights(src.weights);
    model = new ModelState(manifest.config, params);
    origin = `weights ${src.weights} (${manifest.name} ${manifest.version}${manifest.trained ? '' : ', UNTRAINED'})`;
  } else {
    throw new AppError('VALIDATION_FAILED', 'expected --weights DIR or --checkpoint FILE for the base model');
  }
  const want = featureConfigHash(feat);
  const got = model.config.input.featureConfigHash;
  if (got && got !== want) {
    model.dispose();
    throw new AppError('MODEL_SHAPE_MISMATCH', `base model expects feature config ${got}, but --config gives ${want}`);
  }
  const f = src.checkpoint ?? path.join(src.weights!, 'weights.bin');
  const st = fs.statSync(f);
  return { model, origin, config: model.config, cacheKey: `${path.resolve(f)}|${st.size}|${st.mtimeMs}` };
}
