/**
 * The learning stack on synthetic data made here: feature tensors whose "loudness" (mean of the
 * local spectrogram) drives arousal and whose global channels ("mode", with alternating signs) drive valence; synthetic
 * people who see the same music with their own offset and gain.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pearson, rmse } from '../../learning/metrics';
import { binPoolingMatrix } from '../losses';
import { TINY_CONFIG } from '../test-configs';
import { mulberry32 } from './episode';
import { META_CPU_PRESET } from './fomaml';
import { AdamState } from './adam';
import { ModelState, adaptHeadAndPredict, fromPlain, headNames, metaStepHead, predictHeadBins, toPlain, type BodyItem, type WindowSample } from './trainer';

// Dropout off: the assertions should not depend on the seeded dropout stream of the layers.
const C = { ...TINY_CONFIG, dropout: 0 };
const F = C.input.framesPerStep * C.input.mels;
const G = C.input.globalDim;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A synthetic clip: loud(t) and mode(t) are smooth random curves; features encode them plus noise. */
function clip(seed: number, steps: number) {
  const r = mulberry32(seed);
  const loud = new Float32Array(steps);
  const mode = new Float32Array(steps);
  let l = r() * 2 - 1;
  let m = r() * 2 - 1;
  for (let t = 0; t < steps; t++) {
    l = Math.max(-1, Math.min(1, l + (r() - 0.5) * 0.4));
    m = Math.max(-1, Math.min(1, m + (r() - 0.5) * 0.4));
    loud[t] = l;
    mode[t] = m;
  }
  const local = new Float32Array(steps * F);
  const global = new Float32Array(steps * G);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < F; i++) local[t * F + i] = 2 * loud[t] + (r() - 0.5) * 0.5;
    for (let g = 0; g < G; g++) global[t * G + g] = (g % 2 ? -1 : 1) * mode[t] + (r() - 0.5) * 0.2;
  }
  // The "true" emotion: arousal = 0.6 loud, valence = 0.6 mode.
  return { steps, local, global, arousal: loud.map((x) => 0.6 * x), valence: mode.map((x) => 0.6 * x) };
}

function curveSample(c: ReturnType<typeof clip>): WindowSample {
  const target = new Float32Array(c.steps * 2);
  for (let t = 0; t < c.steps; t++) {
    target[t * 2] = c.arousal[t];
    target[t * 2 + 1] = c.valence[t];
  }
  return { steps: c.steps, local: c.local, global: c.global, label: { kind: 'curve', target } };
}

describe('ModelState on synthetic data', () => {
  const S = C.windowSteps;
  const train = Array.from({ length: 24 }, (_, i) => clip(100 + i, S));
  const test = Array.from({ length: 6 }, (_, i) => clip(900 + i, S));
  let model: ModelState;

  it('training lowers the loss and reaches correlation > 0.6 on held-out clips (arousal and valence)', () => {
    model = ModelState.init(C, 1);
    const before = model.evalLoss(test.map(curveSample)).total;
    const rand = mulberry32(5);
    for (let it = 0; it < 80; it++) {
      const batch = [0, 1, 2, 3].map(() => curveSample(train[Math.floor(rand() * train.length)]));
      model.trainStep(batch, { lr: 5e-3, seed: it, loss: { attnWeight: 0.1 } });
    }
    const after = model.evalLoss(test.map(curveSample)).total;
    expect(after).toBeLessThan(before - 0.2);
    const ra: number[] = [];
    const rv: number[] = [];
    for (const c of test) {
      const p = model.predict(c);
      ra.push(pearson(p.arousal, c.arousal));
      rv.push(pearson(p.valence, c.valence));
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(mean(ra)).toBeGreaterThan(0.6);
    expect(mean(rv)).toBeGreaterThan(0.6);
  }, 180_000); // ~20 s on an idle core; generous for a loaded CI machine

  it('trainStep and predict leak no tensors', () => {
    model.trainStep([curveSample(train[0])], { lr: 1e-3 });
    model.predict(test[0]);
    const n = tf.memory().numTensors;
    model.trainStep([curveSample(train[1]), curveSample(train[2])], { lr: 1e-3 });
    model.predict(test[1]);
    model.bodyFeatures(test[1]);
    expect(tf.memory().numTensors).toBe(n);
  });

  it('windowed prediction of a long clip equals whole-window predictions where windows do not overlap', () => {
    const long = clip(77, 2 * C.maxPositions + 3); // longer than maxPositions -> windows of windowSteps, stride S/2
    const p = model.predict(long);
    const first = model.predict({ steps: S, local: long.local.subarray(0, S * F), global: long.global.subarray(0, S * G) });
    // Steps [0, S/2) are covered by the first window only.
    for (let t = 0; t < S / 2; t++) expect(p.arousal[t]).toBeCloseTo(first.arousal[t], 5);
  });

  it('the head on body features reproduces predict exactly', () => {
    const c = test[2];
    const body = model.bodyFeatures(c);
    const id = new Float32Array(c.steps * c.steps);
    for (let t = 0; t < c.steps; t++) id[t * c.steps + t] = 1;
    const item: BodyItem = { features: body.data, steps: c.steps, dim: body.dim, pool: id, nb: c.steps, target: new Float32Array(c.steps * 2) };
    const head = model.headParams();
    const bins = predictHeadBins(head, item);
    tf.dispose(Object.values(head));
    const p = model.predict(c);
    for (let t = 0; t < c.steps; t++) {
      expect(bins[t * 2]).toBeCloseTo(p.arousal[t], 4);
      expect(bins[t * 2 + 1]).toBeCloseTo(p.valence[t], 4);
    }
  });

  it('one-shot adaptation lowers a synthetic person’s error versus no adaptation; meta-training leaks nothing', () => {
    // Person: offset +0.5 arousal, -0.5 valence, gain 1.2, binned 1 s (2 steps per bin), 16-step clips.
    const binSec = 1;
    const person = (c: ReturnType<typeof clip>): BodyItem => {
      const nb = Math.floor((c.steps * 0.5) / binSec);
      const pm = binPoolingMatrix(c.steps, 0, binSec, nb, nb);
      const target = new Float32Array(nb * 2);
      for (let b = 0; b < nb; b++) {
        let a = 0;
        let v = 0;
        for (let t = 0; t < c.steps; t++) {
          a += pm.pool[b * c.steps + t] * c.arousal[t];
          v += pm.pool[b * c.steps + t] * c.valence[t];
        }
        target[b * 2] = 1.2 * a + 0.5;
        target[b * 2 + 1] = 1.2 * v - 0.5;
      }
      const body = model.bodyFeatures(c);
      return { features: body.data, steps: c.steps, dim: body.dim, pool: pm.pool, nb, target };
    };
    const support = person(clip(501, C.maxPositions));
    const query = [person(clip(502, C.maxPositions)), person(clip(503, C.maxPositions))];
    const head = model.headParams();
    const errOf = (preds: Float32Array[]) => query.reduce((s, q, i) => s + rmse(preds[i], q.target), 0) / query.length;
    const none = errOf(query.map((q) => predictHeadBins(head, q)));
    const n0 = tf.memory().numTensors;
    const adapted = adaptHeadAndPredict(head, support, query, { steps: 16, lr: 0.01, loss: 'mse', clipNorm: 5 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(adapted.finalLoss).toBeLessThan(adapted.losses[0]);
        // Measured: 0.216 vs 0.343 without adaptation (a larger inner lr overfits the 8 support bins).
    expect(errOf(adapted.preds)).toBeLessThan(0.7 * none);

    // One FOMAML step on the head runs, returns new params, and leaks nothing beyond Adam moments.
    const adam = new AdamState();
    const r = metaStepHead(head, [{ support, query }], adam, { ...META_CPU_PRESET, innerSteps: 2 }, 'mse');
    expect(Object.keys(r.params).sort()).toEqual(headNames().sort());
    tf.dispose(Object.values(r.params));
    adam.dispose();
    tf.dispose(Object.values(head));
    expect(tf.memory().numTensors).toBe(n0 - headNames().length);
  });

  it('params saved to plain arrays and reloaded give identical predictions', async () => {
    const plain = await toPlain(model.params);
    const copy = new ModelState(C, fromPlain(plain));
    const a = model.predict(test[0]);
    const b = copy.predict(test[0]);
    expect(Array.from(b.arousal)).toEqual(Array.from(a.arousal));
    expect(Array.from(b.valence)).toEqual(Array.from(a.valence));
    copy.dispose();
    const n = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(n);
  });
});
