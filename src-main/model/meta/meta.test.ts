import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { AdamState } from './adam';
import { eligiblePeople, mulberry32, sampleAnnotatorTasks, sampleRandomTasks, splitPeople, type PersonalItem } from './episode';
import { fomamlStep } from './fomaml';
import { adapt, type ParamMap } from './inner-loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A tiny functional "model": y = x W + b, x [n, 3], y [n, 1]. Synthetic people share the feature
// weights but each has an own offset (b), so one support batch should fix most of the error.
interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}
const mse = (p: ParamMap, b: Batch): tf.Scalar => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(b.x, p.w), p.b), b.y))) as tf.Scalar;

function personBatch(offset: number, seed: number): Batch {
  const x = tf.randomNormal([16, 3], 0, 1, 'float32', seed) as tf.Tensor2D;
  const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d([[0.5], [-0.3], [0.2]])), offset)) as tf.Tensor2D;
  return { x, y };
}

describe('inner loop', () => {
  it('lowers the support loss, returns caller-owned params and leaks nothing', () => {
    const params: ParamMap = { w: tf.tensor2d([[0.5], [-0.3], [0.2]]), b: tf.scalar(0) };
    const sup = personBatch(0.8, 1);
    const before = tf.memory().numTensors;
    const r = adapt(mse, params, sup, { steps: 16, lr: 0.1 });
    expect(r.losses[0]).toBeCloseTo(0.64, 3);
    expect(r.finalLoss).toBeLessThan(0.05);
    // base params untouched
    expect(params.b.dataSync()[0]).toBe(0);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose(Object.values(r.params));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adapts only trainable params when restricted', () => {
    const params: ParamMap = { w: tf.zeros([3, 1]), b: tf.scalar(0) };
    const r = adapt(mse, params, personBatch(0.8, 2), { steps: 4, lr: 0.1, trainable: (n) => n === 'b' });
    expect(Array.from(r.params.w.dataSync())).toEqual([0, 0, 0]);
    expect(r.params.b.dataSync()[0]).toBeGreaterThan(0.1);
    tf.dispose(Object.values(r.params));
  });
});

describe('FOMAML', () => {
  it('meta-training improves the post-adaptation query loss and does not leak', () => {
    // People: offset o_p in {-1, 1}, features shared. The base starts with the wrong weights.
    const rand = mulberry32(3);
    const tasks = Array.from({ length: 8 }, (_, i) => {
      const o = i % 2 === 0 ? 1 : -1;
      return { support: personBatch(o, 10 + i), query: personBatch(o, 100 + i) };
    });
    let params: ParamMap = { w: tf.zeros([3, 1]), b: tf.scalar(0) };
    const adam = new AdamState();
    const cfg = { innerSteps: 3, innerLr: 0.3, outerLr: 0.05, innerClipNorm: null };
    const before = tf.memory().numTensors;
    let first = NaN;
    let last = NaN;
    for (let it = 0; it < 40; it++) {
      const pick = [0, 1, 2, 3].map(() => tasks[Math.floor(rand() * tasks.length)]);
      const r = fomamlStep(mse, params, pick, adam, cfg);
      tf.dispose(Object.values(params));
      params = r.params;
      if (it === 0) first = r.result.queryLossAfter;
      last = r.result.queryLossAfter;
      expect(r.result.queryLossAfter).toBeLessThanOrEqual(r.result.queryLossBefore + 1e-6);
    }
    expect(last).toBeLessThan(first * 0.5);
    // only params (2) and Adam moments (2 + 2) persist
    expect(tf.memory().numTensors).toBe(before + 4);
    adam.dispose();
    tf.dispose(Object.values(params));
    for (const t of tasks) tf.dispose([t.support.x, t.support.y, t.query.x, t.query.y]);
  });
});

describe('episodes', () => {
  const item = (person: string, id: string, flat = false): PersonalItem => ({
    person,
    id,
    arousal: flat ? [0.2, 0.2, 0.2] : [0.1, 0.5, -0.2],
    valence: flat ? [0, 0, 0] : [0.3, -0.1, 0.2],
  });
  const items = [
    item('a', 'a1'),
    item('a', 'a2'),
    item('b', 'b1'),
    item('b', 'b2'),
    item('c', 'c1'),
    item('d', 'd1', true),
    item('d', 'd2', true),
  ];

  it('drops people with too few items and flat curves', () => {
    const { people, dropped } = eligiblePeople(items);
    expect([...people.keys()].sort()).toEqual(['a', 'b']);
    expect(dropped).toEqual({ tooFew: 1, flat: 1 });
  });

  it('annotator tasks keep support and query within one person; random tasks do not need to', () => {
    const { people } = eligiblePeople(items);
    const rand = mulberry32(7);
    for (let i = 0; i < 20; i++) {
      for (const t of sampleAnnotatorTasks(people, 2, rand)) {
        expect(t.support).toHaveLength(1);
        expect(t.query).toHaveLength(1);
        expect(t.support[0].person).toBe(t.person);
        expect(t.query[0].person).toBe(t.person);
        expect(t.query[0].id).not.toBe(t.support[0].id);
      }
    }
    let mixed = 0;
    for (let i = 0; i < 50; i++) {
      for (const t of sampleRandomTasks(people, 2, rand)) if (t.support[0].person !== t.query[0].person) mixed++;
    }
    expect(mixed).toBeGreaterThan(20);
  });

  it('splits people disjointly and reproducibly', () => {
    const ppl = Array.from({ length: 50 }, (_, i) => `p${i}`);
    const s1 = splitPeople(ppl, { val: 0.1, test: 0.2 }, 42);
    const s2 = splitPeople(ppl, { val: 0.1, test: 0.2 }, 42);
    expect(s1).toEqual(s2);
    expect(s1.test).toHaveLength(10);
    expect(s1.val).toHaveLength(5);
    expect(new Set([...s1.train, ...s1.val, ...s1.test]).size).toBe(50);
  });
});
