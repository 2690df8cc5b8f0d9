/**
 * Browser build of the renderer (also loaded by Electron through its `studio://` protocol).
 * Output: out/renderer, served by src-main/server (browser mode) with strict CSP headers.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./src-renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./out/renderer', import.meta.url));

export default defineConfig({
  root,
  // Relative asset URLs: the same build works under http://127.0.0.1:N/ and studio://app/.
  base: './',
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Plotly (H7) is large and lazily imported; do not warn about its chunk.
    chunkSizeWarningLimit: 5_000,
  },
  server: { host: '127.0.0.1' },
});
