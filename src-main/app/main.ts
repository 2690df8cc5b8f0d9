/**
 * Electron main process entry (bundled to out/main/electron-main.js by scripts/build-main.mjs).
 * The ONLY place that loads the 'electron' module (B2); everything else is in lifecycle.ts,
 * typed against app/electron-api.ts so it is tested with a fake Electron.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '../log';
import type { ElectronMain } from './electron-api';
import { startApp } from './lifecycle';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  // A variable specifier keeps TypeScript and bundlers from resolving 'electron' at build time
  // (its types and binary are absent on machines where the download failed).
  const specifier = 'electron';
  const mod = (await import(specifier)) as { default?: ElectronMain } & ElectronMain;
  await startApp(mod.default ?? mod, {
    argv: process.argv,
    env: process.env,
    rendererDir: path.resolve(here, '../renderer'),
    preload: path.resolve(here, '../preload/index.cjs'),
  });
}

main().catch((e) => {
  log.error('Electron main failed', e);
  process.exit(1);
});
