/** Flag handling shared by the learning commands (train, meta-train, eval, adapt). */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { COMPACT_FEATURES, PAPER_FEATURES, type FeatureConfig } from '../../src-shared/audio/feature-config';
import { UsageError } from '../cli/args';
import { cacheRoot } from './datasets/render';

/** Dataset directories from `--data ROOT` (expects fourq/, vgmidi/, emopia/ ... below it) and per-set overrides. */
export function datasetDirs(values: Record<string, unknown>): Partial<Record<'fourq' | 'vgmidi' | 'emopia' | 'deam' | 'pmemo', string>> {
  const root = values.data as string | undefined;
  const out: Partial<Record<'fourq' | 'vgmidi' | 'emopia' | 'deam' | 'pmemo', string>> = {};
  for (const k of ['fourq', 'vgmidi', 'emopia', 'deam', 'pmemo'] as const) {
    const explicit = values[k] as string | undefined;
    if (explicit) out[k] = path.resolve(explicit);
    else if (root && fs.existsSync(path.join(root, k))) out[k] = path.resolve(root, k);
  }
  return out;
}

/** Parses a float flag. @throws UsageError */
export function floatFlag(name: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Feature configuration by name. @throws UsageError */
export function featureConfig(name: unknown): FeatureConfig {
  if (name === undefined || name === 'compact') return COMPACT_FEATURES;
  if (name === 'paper') return PAPER_FEATURES;
  throw new UsageError(`--config expects compact or paper, got ${JSON.stringify(name)}`);
}

/** Default run directory under the cache (outside the repository). */
export function runDir(kind: string, seed: number): string {
  return path.join(cacheRoot(), 'runs', `${kind}-seed${seed}`);
}

/** The repository's current commit (or "unknown"). */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // best effort: not a git checkout (e.g. a packaged app)
    return 'unknown';
  }
}
