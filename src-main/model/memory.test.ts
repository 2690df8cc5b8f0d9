import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBackend } from './backend';
import { tensorMemory, withTensorBudget } from './memory';

beforeAll(async () => {
  await ensureBackend('wasm');
});

describe('tensor memory helpers', () => {
  it('reports counts and passes results through the budget guard', async () => {
    const before = tensorMemory().numTensors;
    const t = tf.ones([3]);
    expect(tensorMemory().numTensors).toBe(before + 1);
    expect(tensorMemory().numBytes).toBeGreaterThanOrEqual(12);
    t.dispose();
    expect(await withTensorBudget('noop', () => 42)).toBe(42);
    await expect(withTensorBudget('throws', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(tensorMemory().numTensors).toBe(before);
  });
});
