/**
 * Tensor-memory helpers for code outside src-main/model (which must not import tfjs, STYLE.md B2):
 * leak checks in workers and tests, and the dev-mode budget guard of STYLE.md B6.
 */
import * as tf from '@tensorflow/tfjs-core';
import { log } from '../log';

/** Live tensor count and bytes of the active backend (plain data). */
export function tensorMemory(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

/**
 * Runs `fn` and, outside production (`NODE_ENV !== 'production'`), logs a warning when the live
 * tensor count changed across it (a likely leak, or a cache being filled on purpose).
 * @returns whatever `fn` returns (awaited).
 */
export async function withTensorBudget<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  if (process.env.NODE_ENV === 'production') return fn();
  const before = tf.memory().numTensors;
  try {
    return await fn();
  } finally {
    const delta = tf.memory().numTensors - before;
    if (delta !== 0) log.warn(`tensor budget: ${name} changed the live tensor count by ${delta > 0 ? '+' : ''}${delta}`);
  }
}
