import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBackend } from './backend';
import { EmotionModel } from './engine';
import { deserializeParams, loadWeights, readManifest, saveWeights, serializeParams } from './io';
import { disposeParams, initParams } from './params';
import { TINY_CONFIG as C } from './test-configs';

let dir: string;
beforeAll(async () => {
  await ensureBackend('wasm');
});
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pdmer-io-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('weights directory', () => {
  it('round-trips every value and writes a manifest with config, hash and trained flag', async () => {
    const p = initParams(C, 3);
    const m = await saveWeights(dir, p, C, { name: 'tiny', version: '1.2.3', trained: false, trainedBy: 'test' });
    expect(m.trained).toBe(false);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(onDisk).toMatchObject({ format: 'pdmer-weights', name: 'tiny', version: '1.2.3', trainedBy: 'test', featureConfigHash: null });
    expect(onDisk.config).toEqual(C);
    const before = tf.memory().numTensors;
    const { params, manifest } = await loadWeights(dir);
    expect(manifest.version).toBe('1.2.3');
    for (const k of Object.keys(p)) {
      expect(params[k].shape).toEqual(p[k].shape);
      expect(Array.from(params[k].dataSync())).toEqual(Array.from(p[k].dataSync()));
    }
    disposeParams(params);
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(p);
  });

  it('missing directory / file and wrong shapes give clear errors', async () => {
    await expect(loadWeights(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('manifest.json') });
    const p = initParams(C, 1);
    await saveWeights(dir, p, C, { name: 'tiny', version: '1', trained: false });
    disposeParams(p);
    // A config with a different width: every mismatching shape is named with expected/got.
    const wider = { ...C, hidden: 24, heads: 2 };
    await expect(loadWeights(dir, wider)).rejects.toMatchObject({
      code: 'MODEL_SHAPE_MISMATCH',
      message: expect.stringMatching(/expected \[\d+, 24\], got \[\d+, 16\]/),
    });
    await expect(EmotionModel.create({ config: wider, weightsDir: dir, backend: 'wasm' })).rejects.toMatchObject({ code: 'MODEL_SHAPE_MISMATCH' });
    // Truncated binary
    const bin = path.join(dir, 'weights.bin');
    writeFileSync(bin, readFileSync(bin).subarray(0, 100));
    await expect(loadWeights(dir)).rejects.toMatchObject({ code: 'MODEL_SHAPE_MISMATCH', message: expect.stringContaining('got 100') });
    unlinkSync(bin);
    await expect(loadWeights(dir)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('weights.bin') });
    writeFileSync(path.join(dir, 'manifest.json'), '{"format": "other"}');
    await expect(readManifest(dir)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('EmotionModel.create rejects weights bound to another feature configuration', async () => {
    const bound = { ...C, input: { ...C.input, featureConfigHash: 'abc' } };
    const p = initParams(bound, 1);
    await saveWeights(dir, p, bound, { name: 'tiny', version: '1', trained: false });
    disposeParams(p);
    await expect(EmotionModel.create({ weightsDir: dir, featureConfigHash: 'def', backend: 'wasm' })).rejects.toMatchObject({
      code: 'MODEL_SHAPE_MISMATCH',
      message: expect.stringContaining('expects feature config abc, got def'),
    });
    await expect(EmotionModel.create({ config: C, weightsDir: dir, backend: 'wasm' })).rejects.toMatchObject({ code: 'MODEL_SHAPE_MISMATCH' });
  });
});

describe('ParamMap blobs', () => {
  it('serialize/deserialize round-trips a subset and validates shapes', async () => {
    const p = initParams(C, 2);
    const names = Object.keys(p).filter((n) => n.startsWith('sequence_predict_model'));
    const { data, manifest } = await serializeParams(p, C, names);
    expect(manifest.weights.map((w) => w.name)).toEqual(names);
    const back = deserializeParams(new Uint8Array(data), JSON.parse(JSON.stringify(manifest)), C);
    expect(Object.keys(back)).toEqual(names);
    for (const n of names) expect(Array.from(back[n].dataSync())).toEqual(Array.from(p[n].dataSync()));
    disposeParams(back);
    const bad = { ...manifest, weights: manifest.weights.map((w, i) => (i === 0 ? { ...w, shape: [3, 3] } : w)) };
    expect(() => deserializeParams(data, bad, C)).toThrow(/expected \[\d+, \d+\], got \[3, 3\]/);
    expect(() => deserializeParams(data.subarray(4), manifest, C)).toThrow(/bytes/);
    expect(() => deserializeParams(data, { ...manifest, featureConfigHash: 'x' }, C)).toThrow(/feature config/);
    disposeParams(p);
  });
});
