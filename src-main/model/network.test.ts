import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from './backend';
import { relativePositionScores } from './layers/attention';
import { conv2dIm2col, conv2dTrainable, maxPool2Pad1 } from './layers/cnn';
import { attentionMaps, forward, updateBatchNormStats, disposeBatchStats, type Batch } from './network';
import { disposeParams, initParams, isRunningStat, type ParamMap } from './params';
import { TINY_CONFIG as C } from './test-configs';

function makeBatch(b: number, s: number, seed: number): Batch {
  return {
    local: tf.randomNormal([b, s, C.input.framesPerStep, C.input.mels], 0, 1, 'float32', seed) as tf.Tensor4D,
    global: tf.randomNormal([b, s, C.input.globalDim], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
  };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  expect(await ensureBackend('wasm')).toBe('wasm');
});

describe('forward (tiny config, wasm)', () => {
  it('returns [B, S, 2] and head/batch-averaged [S, S] attention maps whose rows sum to 1', () => {
    const p = initParams(C, 1);
    const batch = makeBatch(2, 10, 3);
    const r = forward(p, C, batch);
    expect(r.output.shape).toEqual([2, 10, 2]);
    expect(r.attnLocal!.shape).toEqual([10, 10]);
    const rows = tf.sum(r.attnLocal!, 1).dataSync();
    for (const v of rows) expect(v).toBeCloseTo(1, 5);
    // Local band (|i-j| <= 2): attention beyond the band is ~0 (masked with -10000).
    const a = r.attnLocal!.arraySync();
    expect(a[0][5]).toBeLessThan(1e-6);
    expect(a[0][2]).toBeGreaterThan(1e-4);
    const g = r.attnGlobal!.arraySync();
    expect(g[0][5]).toBeGreaterThan(1e-4); // inside the global band (|i-j| <= 6)
    expect(Number.isFinite(r.output.dataSync()[0])).toBe(true);
    tf.dispose([r.output, ...attentionMaps(r), batch.local, batch.global]);
    disposeParams(p);
  });

  it('single-scale ablations run one band: one attention map, a different output, the same parameters', () => {
    const p = initParams(C, 4);
    const batch = makeBatch(1, 12, 11);
    const both = forward(p, C, batch);
    const local = forward(p, { ...C, scales: 'local' }, batch);
    const global = forward(p, { ...C, scales: 'global' }, batch);
    expect(local.attnGlobal).toBeNull();
    expect(global.attnLocal).toBeNull();
    // the local-only map is the dual-scale run's local map (same encoder, same band)
    expect(maxAbsDiff(local.attnLocal!, both.attnLocal!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(global.attnGlobal!, both.attnGlobal!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(local.output, both.output)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(local.output, global.output)).toBeGreaterThan(1e-4);
    expect(() => forward(p, { ...C, scales: 'wide' as 'local' }, batch)).toThrow(/expected both, local or global/);
    tf.dispose([both.output, local.output, global.output, ...attentionMaps(both), ...attentionMaps(local), ...attentionMaps(global), batch.local, batch.global]);
    disposeParams(p);
  });

  it('the no-global-encoder ablation ignores the global descriptor; the method does not', () => {
    const p = initParams(C, 5);
    const a = makeBatch(1, 8, 13);
    const b = { local: a.local, global: tf.randomNormal(a.global.shape, 0, 1, 'float32', 99) as tf.Tensor3D };
    const none = { ...C, globalInput: 'none' as const };
    const outs = [forward(p, C, a), forward(p, C, b), forward(p, none, a), forward(p, none, b)];
    expect(maxAbsDiff(outs[0].output, outs[1].output)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(outs[2].output, outs[3].output)).toBeLessThan(1e-6);
    expect(() => forward(p, { ...C, globalInput: 'clap' as 'none' }, a)).toThrow(/expected descriptors or none/);
    tf.dispose([...outs.flatMap((r) => [r.output, ...attentionMaps(r)]), a.local, a.global, b.global]);
    disposeParams(p);
  });

  it('is deterministic in eval mode, seeded in training mode, and leaks nothing', () => {
    const p = initParams(C, 2);
    const batch = makeBatch(2, 12, 5);
    const run = (opts: { training?: boolean; seed?: number }) => {
      const r = forward(p, C, batch, opts);
      const out = r.output.dataSync().slice();
      tf.dispose([r.output, ...attentionMaps(r)]);
      disposeBatchStats(r.batchStats);
      return out;
    };
    run({});
    const before = tf.memory().numTensors;
    const e1 = run({});
    const e2 = run({});
    expect(Array.from(e1)).toEqual(Array.from(e2));
    const t1 = run({ training: true, seed: 7 });
    const t2 = run({ training: true, seed: 7 });
    const t3 = run({ training: true, seed: 8 });
    expect(Array.from(t1)).toEqual(Array.from(t2));
    expect(Array.from(t1)).not.toEqual(Array.from(t3));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([batch.local, batch.global]);
    disposeParams(p);
  });

  it('rejects wrong input shapes with expected/got messages', () => {
    const p = initParams(C, 1);
    const bad: Batch = { local: tf.zeros([1, 4, 7, 9]) as tf.Tensor4D, global: tf.zeros([1, 4, 4]) as tf.Tensor3D };
    expect(() => forward(p, C, bad)).toThrow('expected local [B, S, 7, 8], got [1, 4, 7, 9]');
    const bad2: Batch = { local: tf.zeros([1, 4, 7, 8]) as tf.Tensor4D, global: tf.zeros([1, 3, 4]) as tf.Tensor3D };
    expect(() => forward(p, C, bad2)).toThrow('expected global [1, 4, 4], got [1, 3, 4]');
    tf.dispose([bad.local, bad.global, bad2.local, bad2.global]);
    disposeParams(p);
  });
});

describe('relative-position scores', () => {
  it('equal the direct definition q_l . E[l - r + P - 1] for several lengths', () => {
    const P = 9;
    const dh = 3;
    const E = tf.randomNormal([2 * P - 1, dh], 0, 1, 'float32', 4);
    const e = E.arraySync() as number[][];
    for (const s of [1, 2, 5, 9]) {
      const q = tf.randomNormal([2, s, dh], 0, 1, 'float32', s) as tf.Tensor3D;
      const got = relativePositionScores(q, E, P).arraySync();
      const qa = q.arraySync();
      for (let b = 0; b < 2; b++)
        for (let l = 0; l < s; l++)
          for (let r = 0; r < s; r++) {
            const row = e[l - r + P - 1];
            const want = qa[b][l].reduce((acc, v, k) => acc + v * row[k], 0);
            expect(got[b][l][r]).toBeCloseTo(want, 4);
          }
      q.dispose();
    }
    E.dispose();
  });
});

describe('convolution paths agree', () => {
  it('conv2dTrainable (native + conv filter gradient) matches im2col autodiff in value and gradients', () => {
    for (const [kh, kw, pad] of [
      [3, 3, [1, 1]],
      [3, 1, [2, 1]],
    ] as const) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 6, 7, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const k = tf.randomNormal([kh, kw, 2, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
        const ho = 6 + 2 * pad[0] - kh + 1;
        const wo = 7 + 2 * pad[1] - kw + 1;
        const w = tf.randomNormal([2, ho, wo, 3], 0, 1, 'float32', 3);
        const zero = tf.zeros([3]);
        const f1 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dIm2col(a as tf.Tensor4D, b, zero, [pad[0], pad[1]]), w)) as tf.Scalar;
        const f2 = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dTrainable(a as tf.Tensor4D, b as tf.Tensor4D, [pad[0], pad[1]]), w)) as tf.Scalar;
        expect(Math.abs(f1(x, k).dataSync()[0] - f2(x, k).dataSync()[0])).toBeLessThan(1e-3);
        const [g1x, g1k] = tf.grads(f1)([x, k]);
        const [g2x, g2k] = tf.grads(f2)([x, k]);
        expect(maxAbsDiff(g1x, g2x)).toBeLessThan(1e-4);
        expect(maxAbsDiff(g1k, g2k)).toBeLessThan(1e-3);
      });
    }
  });

  it('maxPool2Pad1 has PyTorch floor-mode sizes and ignores padding', () => {
    tf.tidy(() => {
      const x = tf.tensor4d([-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 3, 3, 1]);
      const y = maxPool2Pad1(x);
      expect(y.shape).toEqual([1, 2, 2, 1]);
      // PyTorch windows (pad 1, stride 2): {x00}, {x01,x02}, {x10,x20}, {x11,x12,x21,x22}
      expect(Array.from(y.dataSync())).toEqual([-1, -2, -4, -5]);
      expect(maxPool2Pad1(tf.zeros([1, 53, 130, 1]) as tf.Tensor4D).shape).toEqual([1, 27, 66, 1]);
    });
  });

  it('eval mode (BN folded into a fused conv) equals training-mode math with running statistics', () => {
    // With batch statistics equal to the running ones, the two code paths must agree: set the
    // running stats from a training pass's batch stats and compare on the same batch.
    const p = initParams(C, 3);
    const batch = makeBatch(1, 8, 9);
    const tr = forward(p, C, batch, { training: true, seed: 1 });
    // momentum 1 copies batch stats into the running stats (unbiased var; compare approximately)
    const q = updateBatchNormStats(p, tr.batchStats!, 1);
    const ev = forward(q, C, batch);
    const noDrop = forward(q, { ...C, dropout: 0 }, batch, { training: true });
    expect(maxAbsDiff(ev.output, noDrop.output)).toBeLessThan(2e-2);
    for (const k of Object.keys(q)) if (isRunningStat(k)) q[k].dispose();
    disposeBatchStats(tr.batchStats);
    disposeBatchStats(noDrop.batchStats);
    tf.dispose([tr.output, ...attentionMaps(tr), ev.output, ...attentionMaps(ev), noDrop.output, ...attentionMaps(noDrop)]);
    tf.dispose([batch.local, batch.global]);
    disposeParams(p);
  });
});

describe('training on wasm', () => {
  it('a few SGD steps through tf.grads over all trainable params reduce the loss without leaking', () => {
    let params: ParamMap = initParams(C, 4);
    const batch = makeBatch(2, 12, 11);
    const target = tf.randomUniform([2, 12, 2], -0.5, 0.5, 'float32', 12);
    const names = Object.keys(params).filter((n) => !isRunningStat(n));
    const step = (seed: number): number => {
      const current = params;
      const { loss, next } = tf.tidy(() => {
        const f = (...xs: tf.Tensor[]) => {
          const pp: ParamMap = { ...current };
          names.forEach((n, i) => (pp[n] = xs[i]));
          const r = forward(pp, { ...C, dropout: 0 }, batch, { training: true, seed });
          return tf.add(tf.mean(tf.square(tf.sub(r.output, target))), tf.mul(0.01, tf.mean(tf.square(r.attnLocal!)))) as tf.Scalar;
        };
        const { value, grads } = tf.valueAndGrads(f)(names.map((n) => current[n]));
        const out: ParamMap = { ...current };
        names.forEach((n, i) => (out[n] = tf.sub(current[n], tf.mul(grads[i], 0.05))));
        return { loss: value.dataSync()[0], next: out };
      });
      for (const n of names) current[n].dispose();
      params = next;
      return loss;
    };
    step(0); // warm-up (first-call allocations)
    const before = tf.memory().numTensors;
    const losses = [1, 2, 3, 4, 5, 6].map(step);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.9);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    disposeParams(params);
    tf.dispose([batch.local, batch.global, target]);
  });
});
