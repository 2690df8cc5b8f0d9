/**
 * First-order MAML outer loop (FOMAML) over annotator tasks.
 *
 * For each task of a meta-batch: adapt the base params on the task's support set (inner-loop.ts),
 * take the gradient of the query loss at the adapted params, and use the average of these query
 * gradients as the gradient of the base params (first-order approximation: the Jacobian of the
 * inner loop is treated as the identity). One Adam step per meta-batch.
 *
 * Reference defaults (Littleor/Personalized-DMER, /work/shared/DSAML.md): inner SGD lr 5e-3 x 16
 * steps, outer Adam lr 5e-5, 16 tasks per meta-batch, 2000 meta-iterations. That is
 * 16 x (16 + 1) forward/backward passes per iteration, far beyond 2 CPU cores in a few hours, so
 * META_CPU_PRESET keeps the algorithm and shrinks the budget (see its comment).
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamState } from './adam';
import { adapt, lossAndGrads, type ForwardLoss, type ParamMap } from './inner-loop';

/** Meta-training settings. */
export interface MetaConfig {
  innerSteps: number;
  innerLr: number;
  outerLr: number;
  tasksPerBatch: number;
  iterations: number;
  /** global-norm clip of each inner step (null: none) */
  innerClipNorm: number | null;
}

/** The reference's settings. */
export const META_REFERENCE: MetaConfig = Object.freeze({
  innerSteps: 16,
  innerLr: 5e-3,
  outerLr: 5e-5,
  tasksPerBatch: 16,
  iterations: 2000,
  innerClipNorm: null,
});

/**
 * CPU preset for 2 cores and the compact network: 8 inner steps at a larger lr 1e-2 (about the
 * same distance travelled as 16 x 5e-3), 4 tasks per meta-batch, outer Adam 1e-4 (fewer, noisier
 * meta-batches need a larger step than 5e-5 to move in the time available), 300 iterations.
 * About 4 x 9 = 36 forward/backward passes of one 30 s window per iteration.
 */
export const META_CPU_PRESET: MetaConfig = Object.freeze({
  innerSteps: 8,
  innerLr: 1e-2,
  outerLr: 1e-4,
  tasksPerBatch: 4,
  iterations: 300,
  innerClipNorm: 5,
});

/** A task ready for the loss: support and query batches in whatever form `forwardLoss` takes. */
export interface TaskBatches<B> {
  support: B;
  query: B;
}

/** Result of one meta-iteration (plain numbers). */
export interface MetaStepResult {
  /** mean query loss at the base params (before adaptation) */
  queryLossBefore: number;
  /** mean query loss at the adapted params */
  queryLossAfter: number;
  /** mean support loss before/after adaptation */
  supportLossBefore: number;
  supportLossAfter: number;
}

/**
 * One FOMAML meta-iteration.
 * @param params base params (not disposed)
 * @param trainable names that are meta-learned (others are carried over)
 * @returns new base params (owned by the caller; dispose the old ones) and plain loss figures
 */
export function fomamlStep<B>(
  forwardLoss: ForwardLoss<B>,
  params: ParamMap,
  tasks: TaskBatches<B>[],
  adam: AdamState,
  cfg: Pick<MetaConfig, 'innerSteps' | 'innerLr' | 'outerLr' | 'innerClipNorm'>,
  trainable: (name: string) => boolean = () => true,
): { params: ParamMap; result: MetaStepResult } {
  if (tasks.length === 0) throw new RangeError('fomamlStep: expected at least one task, got 0');
  const names = Object.keys(params).filter(trainable);
  let sum: ParamMap | null = null;
  const r = { queryLossBefore: 0, queryLossAfter: 0, supportLossBefore: 0, supportLossAfter: 0 };
  try {
    for (const task of tasks) {
      const qBefore = tf.tidy(() => forwardLoss(params, task.query).dataSync()[0]);
      const fast = adapt(forwardLoss, params, task.support, {
        steps: cfg.innerSteps,
        lr: cfg.innerLr,
        trainable,
        clipNorm: cfg.innerClipNorm ?? undefined,
      });
      try {
        const { loss, grads } = lossAndGrads(forwardLoss, fast.params, task.query, names);
        r.queryLossBefore += qBefore;
        r.queryLossAfter += loss;
        r.supportLossBefore += fast.losses[0] ?? fast.finalLoss;
        r.supportLossAfter += fast.finalLoss;
        if (!sum) sum = grads;
        else {
          const prev: ParamMap = sum;
          const next: ParamMap = {};
          for (const n of names) next[n] = tf.add(prev[n], grads[n]);
          tf.dispose([...Object.values(prev), ...Object.values(grads)]);
          sum = next;
        }
      } finally {
        tf.dispose(Object.values(fast.params));
      }
    }
    const k = tasks.length;
    const avg: ParamMap = {};
    for (const n of names) avg[n] = tf.div(sum![n], k);
    try {
      const next = adam.step(params, avg, { lr: cfg.outerLr });
      return {
        params: next,
        result: {
          queryLossBefore: r.queryLossBefore / k,
          queryLossAfter: r.queryLossAfter / k,
          supportLossBefore: r.supportLossBefore / k,
          supportLossAfter: r.supportLossAfter / k,
        },
      };
    } finally {
      tf.dispose(Object.values(avg));
    }
  } finally {
    if (sum) tf.dispose(Object.values(sum));
  }
}

/**
 * One plain (non-meta) mini-batch step: gradient of the loss at `params`, then Adam.
 * @returns new params owned by the caller and the loss before the step
 */
export function sgdStep<B>(
  forwardLoss: ForwardLoss<B>,
  params: ParamMap,
  batch: B,
  adam: AdamState,
  lr: number,
  trainable: (name: string) => boolean = () => true,
  clipNorm?: number,
): { params: ParamMap; loss: number } {
  const names = Object.keys(params).filter(trainable);
  const { loss, grads } = lossAndGrads(forwardLoss, params, batch, names);
  let g = grads;
  if (clipNorm) {
    const clipped = tf.tidy(() => {
      const list = names.map((n) => grads[n]);
      const sq = tf.addN(list.map((x) => tf.sum(tf.square(x))));
      const scale = tf.div(clipNorm, tf.maximum(tf.sqrt(sq), clipNorm));
      const out: ParamMap = {};
      names.forEach((n) => (out[n] = tf.mul(grads[n], scale)));
      return out;
    });
    tf.dispose(Object.values(grads));
    g = clipped;
  }
  try {
    return { params: adam.step(params, g, { lr }), loss };
  } finally {
    tf.dispose(Object.values(g));
  }
}
