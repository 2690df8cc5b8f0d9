#!/usr/bin/env node
/**
 * Bundles the Electron main process and the preload with esbuild:
 *   src-main/app/main.ts     -> out/main/electron-main.js (ESM, node_modules external)
 *   src-main/preload/index.ts -> out/preload/index.cjs    (CommonJS: sandboxed preloads cannot be ESM)
 *   src-main/workers/analysis.worker.ts -> out/main/analysis.worker.js (next to the main bundle,
 *     where src-main/workers/entry.ts looks for it)
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.env.NODE_ENV === 'production' || process.argv.includes('--production');

const mainEntries = { 'electron-main': path.join(root, 'src-main/app/main.ts') };
const worker = path.join(root, 'src-main/workers/analysis.worker.ts');
if (fs.existsSync(worker)) mainEntries['analysis.worker'] = worker;

await build({
  entryPoints: mainEntries,
  outdir: path.join(root, 'out/main'),
  entryNames: '[name]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  external: ['electron'],
  sourcemap: true,
  minify: false,
  define: production ? { 'process.env.NODE_ENV': '"production"' } : {},
  // Some dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

await build({
  entryPoints: [path.join(root, 'src-main/preload/index.ts')],
  outfile: path.join(root, 'out/preload/index.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome130',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
});

console.log(`Built ${Object.keys(mainEntries).map((n) => `out/main/${n}.js`).join(', ')} and out/preload/index.cjs`);
