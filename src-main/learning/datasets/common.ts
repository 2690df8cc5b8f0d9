/** Shared helpers for dataset loaders: file checks with clear errors, seeded splits. */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import type { Split } from './types';

/**
 * Reads a UTF-8 text file that a dataset layout requires.
 * @throws AppError NOT_FOUND naming the dataset, the expected relative path and the root
 */
export function readRequired(root: string, rel: string, dataset: string): string {
  const p = path.join(root, rel);
  if (!fs.existsSync(p)) {
    throw new AppError('NOT_FOUND', `${dataset}: expected ${rel} under ${root} (official layout), but it does not exist`);
  }
  return fs.readFileSync(p, 'utf8');
}

/** The path if the file exists, else null. */
export function existingOrNull(p: string): string | null {
  return fs.existsSync(p) ? p : null;
}

/** FNV-1a 32-bit hash of a string (stable, for deterministic splits). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Deterministic split of a group key: a hash of (seed, key) mapped to [0,1) decides
 * test (< test), val (< test + val) or train. Every item of a group lands in the same split.
 */
export function hashSplit(key: string, seed: number, fractions: { val: number; test: number }): Split {
  const u = hash32(`${seed}:${key}`) / 4294967296;
  if (u < fractions.test) return 'test';
  if (u < fractions.test + fractions.val) return 'val';
  return 'train';
}

/** Parses a number, NaN for empty/invalid text. */
export function num(s: string | undefined): number {
  if (s === undefined || s.trim() === '') return NaN;
  return Number(s);
}
