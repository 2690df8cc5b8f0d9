import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from './backend';
import { COMPACT_CONFIG } from './config';
import { EmotionModel, defaultWeightsDir, windowStarts, type ModelFeatures } from './engine';
import { saveWeights } from './io';
import { attentionMaps, forward } from './network';
import { initParams, disposeParams } from './params';
import { TINY_CONFIG as C } from './test-configs';

function features(t: number, seed: number): ModelFeatures & { global: NonNullable<ModelFeatures['global']> } {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const local = new Float32Array(t * C.input.framesPerStep * C.input.mels).map(rnd);
  const global = new Float32Array(t * C.input.globalDim).map(rnd);
  return {
    local: { data: local, steps: t, frames: C.input.framesPerStep, mels: C.input.mels },
    global: { data: global, steps: t, dim: C.input.globalDim },
  };
}

let dir: string;
beforeAll(async () => {
  await ensureBackend('wasm');
  dir = mkdtempSync(path.join(tmpdir(), 'pdmer-engine-'));
  const p = initParams(C, 42);
  await saveWeights(dir, p, C, { name: 'tiny', version: '0.0.1', trained: false });
  disposeParams(p);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('windowStarts', () => {
  it('covers the song with stride-spaced windows and an end-aligned last one', () => {
    expect(windowStarts(10, 12, 6)).toEqual([0]);
    expect(windowStarts(12, 12, 6)).toEqual([0]);
    expect(windowStarts(13, 12, 6)).toEqual([0, 1]);
    expect(windowStarts(30, 12, 6)).toEqual([0, 6, 12, 18]);
    expect(windowStarts(31, 12, 6)).toEqual([0, 6, 12, 18, 19]);
    expect(windowStarts(480, 60, 30).length).toBe(15);
  });
});

describe('EmotionModel (tiny config, wasm)', () => {
  it('a window-length input gives exactly the direct forward result; shorter songs run as one shorter sequence', async () => {
    const model = await EmotionModel.create({ config: C, weightsDir: dir });
    for (const t of [C.windowSteps, 5, 1]) {
      const f = features(t, t);
      const curve = await model.predict(f);
      const p = initParams(C, 42);
      const r = forward(p, C, {
        local: tf.tensor4d(f.local.data, [1, t, C.input.framesPerStep, C.input.mels]),
        global: tf.tensor3d(f.global.data, [1, t, C.input.globalDim]),
      });
      const d = r.output.dataSync();
      for (let i = 0; i < t; i++) {
        expect(curve.arousal[i]).toBeCloseTo(d[2 * i], 5);
        expect(curve.valence[i]).toBeCloseTo(d[2 * i + 1], 5);
      }
      tf.dispose([r.output, ...attentionMaps(r)]);
      disposeParams(p);
    }
    model.dispose();
  });

  it('long songs: one finite value per step; stride 1 "keep all" and stride 6 agree where windows coincide', async () => {
    const model = await EmotionModel.create({ config: C, weightsDir: dir });
    const f = features(47, 3);
    const progress: number[] = [];
    const partial: number[] = [];
    const a = await model.predict(f, { onProgress: (p) => progress.push(p.fraction), onPartial: (p) => partial.push(p.steps) });
    expect(a.arousal.length).toBe(47);
    expect(a.valence.every(Number.isFinite)).toBe(true);
    expect(progress[progress.length - 1]).toBe(1);
    expect(partial[0]).toBeGreaterThan(0);
    expect(partial[partial.length - 1]).toBe(47);
    // Steps 0..5 are covered by window 0 only for stride 6 (window 1 starts at 6): equal to the first window.
    const first = await model.predict({
      local: { ...f.local, data: f.local.data.subarray(0, 12 * 56), steps: 12 },
      global: { ...f.global, data: f.global.data.subarray(0, 12 * 4), steps: 12 },
    });
    for (let i = 0; i < 6; i++) expect(a.arousal[i]).toBeCloseTo(first.arousal[i], 5);
    model.dispose();
  });

  it('whole-song rule: triangular-weighted average of the grid windows (checked against direct forwards)', async () => {
    const model = await EmotionModel.create({ config: C, weightsDir: dir });
    const T = 200; // > 3 embed chunks, several batches, an end-aligned last window
    const f = features(T, 4);
    const curve = await model.predict(f, { batchSize: 4 });
    const p = initParams(C, 42);
    const W = C.windowSteps;
    const starts = windowStarts(T, W, W / 2);
    const num = new Float64Array(T);
    const den = new Float64Array(T);
    const fr = C.input.framesPerStep * C.input.mels;
    for (const s of starts) {
      const r = forward(p, C, {
        local: tf.tensor4d(f.local.data.slice(s * fr, (s + W) * fr), [1, W, C.input.framesPerStep, C.input.mels]),
        global: tf.tensor3d(f.global.data.slice(s * 4, (s + W) * 4), [1, W, 4]),
      });
      const d = r.output.dataSync();
      for (let i = 0; i < W; i++) {
        const w = Math.min(i + 1, W - i);
        num[s + i] += d[2 * i] * w;
        den[s + i] += w;
      }
      tf.dispose([r.output, ...attentionMaps(r)]);
    }
    for (let i = 0; i < T; i++) expect(curve.arousal[i]).toBeCloseTo(num[i] / den[i], 5);
    tf.dispose(Object.values(p));
    model.dispose();
  });

  it('rejects wrong feature shapes and empty input with clear errors', async () => {
    const model = await EmotionModel.create({ config: C, weightsDir: dir, warmup: false });
    const f = features(4, 1);
    await expect(model.predict({ ...f, local: { ...f.local, mels: 9 } })).rejects.toThrow('expected [steps, 7, 8], got [4, 7, 9]');
    await expect(model.predict(features(0, 1))).rejects.toMatchObject({ code: 'AUDIO_TOO_SHORT' });
    const withNaN = features(6, 2);
    withNaN.global.data[4 * 3 + 1] = NaN;
    await expect(model.predict(withNaN)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: 'global features: expected finite values, got NaN at step 3' });
    const ctl = new AbortController();
    ctl.abort();
    await expect(model.predict(features(30, 1), { signal: ctl.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    model.dispose();
  });

  it('predict, adapt, personal predict, loadPersonal leak nothing; dispose returns to the baseline', async () => {
    const baseline = tf.memory().numTensors;
    const model = await EmotionModel.create({ config: C, weightsDir: dir });
    const f = features(40, 9);
    const support = { features: features(12, 5), arousal: new Float32Array(12).map((_, i) => Math.sin(i / 3)), valence: new Float32Array(12).map((_, i) => 0.3 * Math.cos(i / 2)) };
    // warm-up calls
    await model.predict(f);
    (await model.adapt(support, { steps: 2, seed: 1 })).dispose();
    const afterWarm = tf.memory().numTensors;
    await model.predict(f);
    expect(tf.memory().numTensors).toBe(afterWarm);
    const personal = await model.adapt(support, { steps: 8, lr: 0.02, seed: 1 });
    expect(personal.losses.length).toBe(8);
    expect(personal.losses.every(Number.isFinite)).toBe(true);
    expect((personal.losses[6] + personal.losses[7]) / 2).toBeLessThan(personal.losses[0]);
    const withPersonal = tf.memory().numTensors;
    const pc = await model.predict(f, { personal });
    const bc = await model.predict(f);
    expect(tf.memory().numTensors).toBe(withPersonal);
    expect(Array.from(pc.arousal)).not.toEqual(Array.from(bc.arousal));
    // predictWithParams with an explicit map (fast weights) equals predict({personal}) and leaks nothing
    const viaParams = await model.predictWithParams(personal.params, f);
    expect(Array.from(viaParams.arousal)).toEqual(Array.from(pc.arousal));
    expect(tf.memory().numTensors).toBe(withPersonal);
    const blob = await personal.toBlob();
    expect(tf.memory().numTensors).toBe(withPersonal);
    const again = model.loadPersonal(blob.data, blob.manifest);
    const pc2 = await model.predict(f, { personal: again });
    for (let i = 0; i < 40; i++) expect(pc2.arousal[i]).toBeCloseTo(pc.arousal[i], 6);
    again.dispose();
    personal.dispose();
    personal.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(afterWarm);
    model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(model.predict(f)).rejects.toMatchObject({ code: 'MODEL_NOT_READY' });
  });
});

describe('adaptation scopes', () => {
  it('no-cnn leaves the CNN at the base weights, predictor also the encoder; all changes everything trainable', async () => {
    const model = await EmotionModel.create({ config: C, weightsDir: dir, warmup: false });
    const support = { features: features(12, 7), arousal: new Float32Array(12).map((_, i) => Math.sin(i)), valence: new Float32Array(12).map((_, i) => Math.cos(i)) };
    const base = initParams(C, 42); // same values as the saved weights
    const changed = async (scope: 'all' | 'no-cnn' | 'predictor') => {
      const pw = await model.adapt(support, { steps: 2, lr: 0.05, scope, seed: 3 });
      const names = Object.keys(base).filter((n) => {
        const a = base[n].dataSync();
        const b = pw.params[n].dataSync();
        return a.some((v, i) => v !== b[i]);
      });
      pw.dispose();
      return names;
    };
    const cnn = (n: string) => n.startsWith('spectrogram_feature_extractor');
    const enc = (n: string) => n.startsWith('multi_scale_attention') || n.startsWith('fusion_model');
    const pred = (n: string) => n.startsWith('sequence_predict_model');
    const all = await changed('all');
    expect(all.some(cnn) && all.some(enc) && all.some(pred)).toBe(true);
    expect(all.some((n) => n.includes('running_'))).toBe(false);
    const noCnn = await changed('no-cnn');
    expect(noCnn.some(cnn)).toBe(false);
    expect(noCnn.some(enc) && noCnn.some(pred)).toBe(true);
    const predictor = await changed('predictor');
    expect(predictor.length).toBeGreaterThan(0);
    expect(predictor.every(pred)).toBe(true);
    tf.dispose(Object.values(base));
    model.dispose();
  });
});

describe('shipped weights', () => {
  it.each([
    { dir: undefined, name: 'dsaml-compact-v1', trained: true },
    { dir: 'dsaml-compact-v0', name: 'dsaml-compact-v0', trained: false },
  ])('resources/models/$name (v1 is the default) loads as the compact config, trained=$trained, and predicts finite values', async ({ dir, name, trained }) => {
    const model = await EmotionModel.create({ weightsDir: defaultWeightsDir(dir), config: COMPACT_CONFIG, backend: 'wasm' });
    expect(model.info).toMatchObject({ name, trained, configName: 'compact', featureConfigHash: COMPACT_CONFIG.input.featureConfigHash });
    const c = COMPACT_CONFIG.input;
    const curve = await model.predict({
      local: { data: new Float32Array(70 * c.framesPerStep * c.mels).fill(-5), steps: 70, frames: c.framesPerStep, mels: c.mels },
      global: { data: new Float32Array(70 * c.globalDim), steps: 70, dim: c.globalDim },
      configHash: c.featureConfigHash!,
    });
    expect(curve.arousal.length).toBe(70);
    expect(curve.arousal.every(Number.isFinite) && curve.valence.every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});
