import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ccc, pearson, rmse } from '../learning/metrics';
import '@tensorflow/tfjs-backend-cpu';
import { binPoolingMatrix, compositeLoss, diagonalAttentionLoss, dmerScore, quadrantSignLoss, scoreTerms } from './losses';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('losses', () => {
  it('scoreTerms matches the pure-TS metrics per sequence, averaged over the batch', () => {
    const p = [
      [1, 2, 3, 4],
      [0.5, 0.1, -0.2, 0.3],
    ];
    const t = [
      [2, 2, 5, 3],
      [0.4, 0.0, 0.1, 0.2],
    ];
    const s = scoreTerms(tf.tensor2d(p), tf.tensor2d(t));
    const avg = (f: (a: number[], b: number[]) => number) => (f(p[0], t[0]) + f(p[1], t[1])) / 2;
    expect(s.ccc.dataSync()[0]).toBeCloseTo(avg(ccc), 5);
    expect(s.pcc.dataSync()[0]).toBeCloseTo(avg(pearson), 5);
    expect(s.rmse.dataSync()[0]).toBeCloseTo(avg(rmse), 5);
  });

  it('masked scoreTerms equals scoring only the unmasked steps', () => {
    const s = scoreTerms(tf.tensor2d([[1, 2, 3, 99]]), tf.tensor2d([[2, 2, 5, -99]]), tf.tensor2d([[1, 1, 1, 0]]));
    expect(s.ccc.dataSync()[0]).toBeCloseTo(6 / 11, 5);
    expect(s.rmse.dataSync()[0]).toBeCloseTo(Math.sqrt(5 / 3), 5);
  });

  it('dmerScore is 1 for a perfect prediction and lower otherwise', () => {
    const y = tf.tensor3d([[[0.1, -0.2], [0.3, 0.0], [0.5, 0.4]]]);
    expect(dmerScore(y, y).dataSync()[0]).toBeCloseTo(1, 4);
    const off = tf.add(y, 0.5) as tf.Tensor3D;
    expect(dmerScore(off, y).dataSync()[0]).toBeLessThan(0.8);
  });

  it('diagonal attention loss is zero at the targets and positive elsewhere', () => {
    const s = 4;
    const local = tf.add(tf.mul(tf.eye(s), 0.9), tf.mul(tf.sub(1, tf.eye(s)), 0.1 / 3));
    const global = tf.add(tf.mul(tf.eye(s), 0.1), tf.mul(tf.sub(1, tf.eye(s)), 0.3));
    expect(diagonalAttentionLoss(tf.stack([local, local]), tf.stack([global, global])).dataSync()[0]).toBeCloseTo(0, 6);
    // uniform 0.25 everywhere: (0.9-0.25)^2 + (0.1-0.25)^2
    const u = tf.fill([2, 3, s, s], 0.25);
    expect(diagonalAttentionLoss(u, u).dataSync()[0]).toBeCloseTo(0.65 ** 2 + 0.15 ** 2, 5);
    // single-scale ablations: only the present map's term
    expect(diagonalAttentionLoss(u, null).dataSync()[0]).toBeCloseTo(0.65 ** 2, 5);
    expect(diagonalAttentionLoss(null, u).dataSync()[0]).toBeCloseTo(0.15 ** 2, 5);
    expect(() => diagonalAttentionLoss(null, null)).toThrow(/no attention map/);
  });

  it('binPoolingMatrix assigns each 0.5 s step to the bin holding its centre', () => {
    // 6 steps (3 s) starting at 1 s, bins of 1.5 s, 4 bins in the song -> centres 1.25..3.75
    const { pool, bins } = binPoolingMatrix(6, 1, 1.5, 4, 4);
    expect(Array.from(bins)).toEqual([0, 1, 2, -1]);
    // bin 0 [0,1.5): step 0 (1.25); bin 1 [1.5,3): steps 1,2,3 (1.75,2.25,2.75); bin 2: steps 4,5
    expect(Array.from(pool.slice(0, 6))).toEqual([1, 0, 0, 0, 0, 0]);
    expect(Array.from(pool.slice(6, 12)).map((x) => +x.toFixed(4))).toEqual([0, 0.3333, 0.3333, 0.3333, 0, 0]);
    expect(Array.from(pool.slice(12, 18))).toEqual([0, 0, 0, 0, 0.5, 0.5]);
    expect(Array.from(pool.slice(18, 24))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('quadrant sign loss is small on the right side and its gradient pushes means toward the signs', () => {
    const signs = tf.tensor2d([[1, -1]]);
    const right = tf.tensor3d([[[0.5, -0.5], [0.5, -0.5]]]);
    const wrong = tf.neg(right) as tf.Tensor3D;
    expect(quadrantSignLoss(right, signs).dataSync()[0]).toBeLessThan(0.1);
    expect(quadrantSignLoss(wrong, signs).dataSync()[0]).toBeGreaterThan(2);
    const g = tf.grad((x: tf.Tensor) => quadrantSignLoss(x as tf.Tensor3D, signs))(wrong).dataSync();
    expect(g[0]).toBeLessThan(0); // increase arousal
    expect(g[1]).toBeGreaterThan(0); // decrease valence
  });

  it('compositeLoss mixes kinds by slices without leaking tensors', () => {
    const out = tf.randomNormal([3, 8, 2], 0, 0.3, 'float32', 1) as tf.Tensor3D;
    const target = tf.randomNormal([1, 8, 2], 0, 0.3, 'float32', 2) as tf.Tensor3D;
    const pm = binPoolingMatrix(8, 0, 2, 2, 2);
    const labels = {
      curve: { start: 0, count: 1, target },
      binned: {
        start: 1,
        count: 1,
        pool: tf.tensor3d(pm.pool, [1, 2, 8]),
        target: tf.tensor3d([[[0.2, 0.1], [0.4, -0.1]]]),
        mask: tf.tensor2d([[1, 1]]),
      },
      quadrant: { start: 2, count: 1, signs: tf.tensor2d([[1, 1]]) },
    };
    const attn = tf.fill([3, 2, 8, 8], 1 / 8);
    const before = tf.memory().numTensors;
    const parts = compositeLoss({ output: out, attnLocal: attn, attnGlobal: attn }, labels);
    const total = parts.total.dataSync()[0];
    const expected =
      (parts.curve!.dataSync()[0] + parts.binned!.dataSync()[0] + parts.quadrant!.dataSync()[0]) / 3 + parts.attn!.dataSync()[0];
    expect(total).toBeCloseTo(expected, 5);
    tf.dispose(Object.values(parts));
    expect(tf.memory().numTensors).toBe(before);
  });
});
