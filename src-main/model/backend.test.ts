import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ensureBackend, parseBackendChoice } from './backend';

describe('backend selection', () => {
  it('parses --backend values and rejects unknown ones', () => {
    expect(parseBackendChoice(undefined)).toBe('auto');
    expect(parseBackendChoice('node-gpu')).toBe('tensorflow-gpu');
    expect(parseBackendChoice('node')).toBe('tensorflow');
    expect(parseBackendChoice('WASM')).toBe('wasm');
    expect(() => parseBackendChoice('webgl')).toThrow(/expected one of auto, node-gpu, node, wasm, cpu/);
  });

  it('auto falls through the missing tfjs-node(-gpu) to wasm here, idempotently', async () => {
    const a = await ensureBackend('auto');
    // tfjs-node is an optionalDependency that is not installed on this machine.
    expect(a).toBe('wasm');
    expect(await ensureBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an explicit choice switches, a missing one fails clearly', async () => {
    expect(await ensureBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(ensureBackend('node')).rejects.toMatchObject({ code: 'MODEL_NOT_READY', message: expect.stringContaining('"tensorflow"') });
    expect(await ensureBackend('wasm')).toBe('wasm');
  });
});
