#!/usr/bin/env node
/**
 * Bundles the Electron main process and the preload with esbuild:
 *   src-main/app/main.ts     -> out/main/electron-main.js (ESM, node_modules external)
 *   src-main/preload/index.ts -> out/preload/index.cjs    (CommonJS: sandboxed preloads cannot be ESM)
 */
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.env.NODE_ENV === 'production' || process.argv.includes('--production');

await build({
  entryPoints: [path.join(root, 'src-main/app/main.ts')],
  outfile: path.join(root, 'out/main/electron-main.js'),
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

console.log('Built out/main/electron-main.js and out/preload/index.cjs');
