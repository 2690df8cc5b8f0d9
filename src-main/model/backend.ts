/**
 * TensorFlow.js backend selection. The only module that decides which backend runs.
 *
 * Order (first that loads wins): tfjs-node-gpu, tfjs-node, wasm, cpu. tfjs-node(-gpu) are
 * optionalDependencies (their install downloads libtensorflow, so they are absent on machines
 * like our CI); wasm is always installed and is the expected backend here.
 *
 * wasm in Node: SIMD works, threads do not (STYLE.md B13), so the multithread flag is turned off
 * and the .wasm binary is read from node_modules/@tensorflow/tfjs-backend-wasm/dist/ on disk.
 */
import * as tf from '@tensorflow/tfjs-core';
import './tf-gradients';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../../src-shared/ipc/envelope';
import { log } from '../log';

/** Backend names we know how to load, in preference order for `auto`. */
export const BACKEND_ORDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** A concrete backend name, or `auto` for the first that loads. `node`/`node-gpu` are aliases. */
export type BackendName = (typeof BACKEND_ORDER)[number];
export type BackendChoice = BackendName | 'auto' | 'node' | 'node-gpu';

const ALIASES: Record<string, BackendName> = {
  'node-gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  node: 'tensorflow',
  'tfjs-node': 'tensorflow',
  tensorflow: 'tensorflow',
  'tensorflow-gpu': 'tensorflow-gpu',
  wasm: 'wasm',
  cpu: 'cpu',
};

/**
 * Normalises a user-supplied backend name (`--backend`).
 * @throws AppError VALIDATION_FAILED for an unknown name.
 */
export function parseBackendChoice(name: string | undefined): BackendChoice {
  if (name === undefined || name === '' || name === 'auto') return 'auto';
  const b = ALIASES[name.toLowerCase()];
  if (!b) {
    throw new AppError('VALIDATION_FAILED', `Unknown backend "${name}": expected one of auto, node-gpu, node, wasm, cpu`);
  }
  return b;
}

let wasmRegistered = false;
let inFlight: Promise<BackendName> | null = null;
let chosen: BackendName | null = null;
let chosenFor: BackendChoice | null = null;

/** Directory holding tfjs-backend-wasm's .wasm binaries (resolved through Node's resolver). */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  const dir = path.dirname(main);
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

async function loadOne(name: BackendName): Promise<boolean> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        // Optional dependency: a variable specifier keeps bundlers and tsc from requiring it.
        const spec: string = pkg;
        await import(/* @vite-ignore */ spec);
      } catch (e) {
        log.debug(`backend: ${pkg} not available (${(e as Error).message.split('\n')[0]})`);
        return false;
      }
      return tf.findBackend(name) != null || tf.engine().registryFactory[name] != null;
    }
    case 'wasm': {
      if (!wasmRegistered) {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const dir = wasmBinaryDir();
        if (!existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))) {
          log.debug(`backend: wasm binaries not found in ${dir}`);
          return false;
        }
        // Threads need SharedArrayBuffer workers that the Node build cannot start here.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        wasm.setWasmPaths(dir);
        wasmRegistered = true;
      }
      return true;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return true;
  }
}

async function activate(name: BackendName): Promise<boolean> {
  if (!(await loadOne(name))) return false;
  try {
    const okSet = await tf.setBackend(name);
    if (!okSet) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch (e) {
    log.warn(`backend: ${name} failed to initialise: ${(e as Error).message}`);
    return false;
  }
}

/**
 * Makes sure a tfjs backend is active and returns its name. Idempotent: later calls with the same
 * choice (or `auto`) return the active backend without reloading; a different explicit choice
 * switches backends (tensors on the old backend stay there, so switch before creating models).
 * @param choice `auto` (default) tries node-gpu, node, wasm, cpu in order.
 * @returns the active backend name (also logged once at info level).
 * @throws AppError MODEL_NOT_READY when an explicitly requested backend cannot load.
 */
export async function ensureBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  const want: BackendChoice = choice === 'auto' ? 'auto' : parseBackendChoice(choice);
  if (chosen && (want === 'auto' || want === chosen) && tf.getBackend() === chosen) return chosen;
  if (inFlight && (want === 'auto' || want === chosenFor)) return inFlight;
  const run = (async (): Promise<BackendName> => {
    const candidates: readonly BackendName[] = want === 'auto' ? BACKEND_ORDER : [want as BackendName];
    for (const name of candidates) {
      if (await activate(name)) {
        chosen = name;
        log.info(`tfjs backend: ${name}${want === 'auto' ? ' (auto)' : ' (requested)'}`);
        return name;
      }
    }
    throw new AppError(
      'MODEL_NOT_READY',
      want === 'auto'
        ? 'No TensorFlow.js backend could be loaded (tried tfjs-node-gpu, tfjs-node, wasm, cpu)'
        : `Requested backend "${want}" could not be loaded`,
    );
  })();
  inFlight = run;
  chosenFor = want;
  try {
    return await run;
  } finally {
    inFlight = null;
  }
}

/** The currently active backend name, or null before `ensureBackend()`. */
export function activeBackend(): string | null {
  return chosen ? tf.getBackend() : null;
}
