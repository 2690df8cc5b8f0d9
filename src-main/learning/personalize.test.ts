import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../model/meta/episode';
import { ModelState, headNames } from '../model/meta/trainer';
import { TINY_CONFIG } from '../model/test-configs';
import { personalize, type PersonalExample } from './personalize';

const C = TINY_CONFIG;
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A session on a synthetic track: the person's curve is their own offset plus a small wiggle; some steps unannotated. */
function session(seed: number, steps: number): PersonalExample {
  const r = mulberry32(seed);
  const F = C.input.framesPerStep * C.input.mels;
  const local = Float32Array.from({ length: steps * F }, () => r() - 0.5);
  const global = Float32Array.from({ length: steps * C.input.globalDim }, () => r() - 0.5);
  const arousal: (number | null)[] = [];
  const valence: (number | null)[] = [];
  for (let t = 0; t < steps; t++) {
    arousal.push(t === 3 ? null : 0.5 + 0.05 * Math.sin(t));
    valence.push(t === 3 ? null : -0.4 + 0.05 * Math.cos(t));
  }
  return { id: `s${seed}`, features: { steps, local, global }, arousal, valence };
}

describe('personalize', () => {
  it('lowers the held-out error of a person with an own offset, returns a head and leaks nothing', async () => {
    const model = ModelState.init(C, 3);
    const n0 = tf.memory().numTensors;
    const { head, report } = await personalize(model, [session(1, 16), session(2, 16)], { steps: 16, lr: 0.05 });
    expect(tf.memory().numTensors).toBe(n0);
    expect(Object.keys(head).sort()).toEqual(headNames().sort());
    expect(report.sessions).toBe(2);
    expect(report.adaptSteps + report.heldOutSteps).toBe(30); // 2 x 15 annotated steps
    expect(report.heldOutSteps).toBe(8);
    expect(report.after.rmse).toBeLessThan(0.5 * report.before.rmse);
    model.dispose();
  });

  it('rejects sessions with almost no annotations', async () => {
    const model = ModelState.init(C, 3);
    const s = session(4, 16);
    s.arousal = Array.from(s.arousal, (x, i) => (i < 5 ? x : null));
    await expect(personalize(model, [s])).rejects.toThrow(/at least 8 annotated 0.5 s steps.*got 4/);
    model.dispose();
  });
});
