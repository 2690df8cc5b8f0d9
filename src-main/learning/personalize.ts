/**
 * Personalization of the base model from one person's own annotations (the app's "Personalize"
 * and `pdmer adapt --profile NAME`).
 *
 * 1. Body features of each annotated track are computed with the base params (trainer.ts).
 * 2. Held-out part: the last `holdoutFraction` of every session's labelled steps (a contiguous
 *    tail, so no neighbouring steps leak into adaptation).
 * 3. The head (meta-learned init when given, else the base head) is adapted on the remaining steps
 *    of all sessions together; the error on the held-out steps is reported before and after.
 * 4. The stored personal head is then adapted on ALL labelled steps (same settings), so nothing the
 *    person annotated is wasted; the reported figures come from step 3.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { adaptHead, adaptHeadAndPredict, predictHeadBins, toPlain, type AdaptLoss, type BodyItem, type ClipInput, type ModelState, type PlainTensor } from '../model/meta/trainer';
import { disposeParams } from '../model/params';
import { AppError } from '../../src-shared/ipc/envelope';
import { rmse } from './metrics';

/** One annotation session: a track's features and the person's 2 Hz curve (null = not annotated). */
export interface PersonalExample {
  id: string;
  features: ClipInput;
  arousal: ArrayLike<number | null>;
  valence: ArrayLike<number | null>;
}

export interface PersonalizeOptions {
  steps?: number;
  lr?: number;
  loss?: AdaptLoss;
  clipNorm?: number;
  /** fraction of each session's labelled steps held out for the report (default 0.25) */
  holdoutFraction?: number;
  /** meta-learned head init (defaults to the base head); not disposed */
  init?: Record<string, tf.Tensor>;
}

export interface ErrorFigures {
  rmse: number;
  rmseA: number;
  rmseV: number;
}

export interface PersonalizeReport {
  sessions: number;
  adaptSteps: number;
  heldOutSteps: number;
  before: ErrorFigures;
  after: ErrorFigures;
  settings: { steps: number; lr: number; loss: AdaptLoss; clipNorm: number | null; holdoutFraction: number };
}

/** Labelled step indices of a session (both dimensions present, inside the audio). */
function labelled(ex: PersonalExample): number[] {
  const n = Math.min(ex.arousal.length, ex.valence.length, ex.features.steps);
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (ex.arousal[i] !== null && ex.valence[i] !== null && Number.isFinite(ex.arousal[i]) && Number.isFinite(ex.valence[i])) out.push(i);
  return out;
}

/** One BodyItem over several sessions' selected steps: features concatenated, one bin per step. */
function itemOf(parts: { body: { data: Float32Array; dim: number }; ex: PersonalExample; steps: number[] }[]): BodyItem | null {
  const total = parts.reduce((a, p) => a + p.steps.length, 0);
  if (total === 0) return null;
  const dim = parts[0].body.dim;
  const features = new Float32Array(total * dim);
  const pool = new Float32Array(total * total);
  const target = new Float32Array(total * 2);
  let r = 0;
  for (const p of parts) {
    for (const t of p.steps) {
      features.set(p.body.data.subarray(t * dim, (t + 1) * dim), r * dim);
      pool[r * total + r] = 1;
      target[r * 2] = p.ex.arousal[t] as number;
      target[r * 2 + 1] = p.ex.valence[t] as number;
      r++;
    }
  }
  return { features, steps: total, dim, pool, nb: total, target };
}

function figures(pred: Float32Array, target: Float32Array): ErrorFigures {
  const n = target.length / 2;
  const pa = new Float32Array(n);
  const pv = new Float32Array(n);
  const ta = new Float32Array(n);
  const tv = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    pa[i] = pred[2 * i];
    pv[i] = pred[2 * i + 1];
    ta[i] = target[2 * i];
    tv[i] = target[2 * i + 1];
  }
  const rmseA = rmse(pa, ta);
  const rmseV = rmse(pv, tv);
  return { rmse: (rmseA + rmseV) / 2, rmseA, rmseV };
}

/**
 * Adapts the model's head to one person.
 * @returns the personal head as plain arrays (store it with the profile) and the report
 * @throws AppError VALIDATION_FAILED when the sessions have too few labelled steps (< 8)
 */
export async function personalize(model: ModelState, examples: PersonalExample[], o: PersonalizeOptions = {}): Promise<{ head: Record<string, PlainTensor>; report: PersonalizeReport }> {
  const settings = { steps: o.steps ?? 16, lr: o.lr ?? 1e-2, loss: o.loss ?? ('mse' as AdaptLoss), clipNorm: o.clipNorm ?? 5, holdoutFraction: o.holdoutFraction ?? 0.25 };
  const parts = examples.map((ex) => ({ ex, body: model.bodyFeatures(ex.features), idx: labelled(ex) }));
  const totalLabelled = parts.reduce((a, p) => a + p.idx.length, 0);
  if (totalLabelled < 8) {
    throw new AppError('VALIDATION_FAILED', `personalize: expected at least 8 annotated 0.5 s steps across the sessions, got ${totalLabelled}`);
  }
  const split = parts.map((p) => {
    const k = Math.max(1, Math.floor(p.idx.length * (1 - settings.holdoutFraction)));
    return { ...p, adapt: p.idx.slice(0, k), held: p.idx.slice(k) };
  });
  const adaptItem = itemOf(split.map((p) => ({ body: p.body, ex: p.ex, steps: p.adapt })))!;
  const heldItem = itemOf(split.map((p) => ({ body: p.body, ex: p.ex, steps: p.held })));
  const allItem = itemOf(split.map((p) => ({ body: p.body, ex: p.ex, steps: p.idx })))!;
  const init = o.init ?? model.headParams();
  const inner = { steps: settings.steps, lr: settings.lr, loss: settings.loss, clipNorm: settings.clipNorm };
  try {
    let before: ErrorFigures = { rmse: NaN, rmseA: NaN, rmseV: NaN };
    let after = before;
    if (heldItem) {
      const base = model.headParams();
      try {
        before = figures(predictHeadBins(base, heldItem), heldItem.target);
      } finally {
        disposeParams(base);
      }
      after = figures(adaptHeadAndPredict(init, adaptItem, [heldItem], inner).preds[0], heldItem.target);
    }
    // Final personal head from all labelled steps.
    const r = adaptHead(init, allItem, inner);
    try {
      return {
        head: await toPlain(r),
        report: { sessions: examples.length, adaptSteps: adaptItem.steps, heldOutSteps: heldItem?.steps ?? 0, before, after, settings },
      };
    } finally {
      disposeParams(r);
    }
  } finally {
    if (!o.init) disposeParams(init);
  }
}
