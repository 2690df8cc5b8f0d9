/**
 * Feature fusion (reference models/layer/feature_fusion.py `FeatureFusionModel`):
 * z = fusion_project(sigmoid(spectrogram_feature_project(local) + global_project(global))).
 * The reference adds the raw 1024-d ImageBind embedding; our frozen global descriptor has its own
 * width, so it goes through `global_project` (Linear G -> D) first.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-core';
import { P, type ParamMap } from '../params';
import { dense } from './ops';

/**
 * @param local `[N, flat]` CNN features
 * @param global `[N, G]` global descriptors for the same steps
 * @returns `[N, D]`, owned by the caller.
 */
export function featureFusion(params: ParamMap, local: tf.Tensor2D, global: tf.Tensor2D): tf.Tensor2D {
  const F = P.fusion;
  const l = dense(local, params[`${F}.spectrogram_feature_project.kernel`], params[`${F}.spectrogram_feature_project.bias`]);
  const g = dense(global, params[`${F}.global_project.kernel`], params[`${F}.global_project.bias`]);
  return dense(tfc.sigmoid(tfc.add(l, g)), params[`${F}.fusion_project.kernel`], params[`${F}.fusion_project.bias`]) as tf.Tensor2D;
}
