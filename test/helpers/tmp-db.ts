/**
 * Per-test temporary directories, databases and studios (real files, removed afterwards).
 * Usage: `const t = useTmpDir()` inside a `describe`; `t.dir` is fresh for every test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type OpenDbOptions } from '../../src-main/db/open';
import type { WritableDB } from '../../src-main/db/types';
import { openStudio } from '../../src-main/services/studio';
import type { OpenedStudio, StudioOptions } from '../../src-main/services/studio-types';

/** Creates a fresh temp dir (caller removes it, or use `useTmpDir`). */
export function makeTmpDir(prefix = 'pdmer-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh temp dir per test, removed after it (and everything registered with `track`). */
export function useTmpDir(prefix?: string): { readonly dir: string; track<T extends { close(): unknown }>(x: T): T } {
  let dir = '';
  const closers: Array<{ close(): unknown }> = [];
  beforeEach(() => {
    dir = makeTmpDir(prefix);
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    removeDir(dir);
  });
  return {
    get dir() {
      return dir;
    },
    track(x) {
      closers.push(x);
      return x;
    },
  };
}

/** Opens (creating) a migrated database file in `dir`. The caller closes it. */
export function tmpDb(dir: string, opts?: OpenDbOptions): WritableDB {
  return openDatabase(path.join(dir, 'library.sqlite'), opts);
}

/** Opens a Studio on `<dir>/data` in memory mode. The caller closes it. */
export async function tmpStudio(dir: string, opts: Partial<StudioOptions> = {}): Promise<OpenedStudio> {
  return openStudio({ dataDir: path.join(dir, 'data'), mode: 'memory', ...opts });
}
