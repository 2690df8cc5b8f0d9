/**
 * Where the analysis worker's code is, in each way the app runs:
 * - TypeScript sources (vitest, `node --import tsx`, `pdmer` via bin/pdmer.mjs): this file's URL
 *   ends in `.ts`; the worker starts `tsx-boot.mjs`, which registers tsx and imports
 *   `analysis.worker.ts`.
 * - The esbuild bundle (scripts/build-main.mjs): the build must emit `ANALYSIS_WORKER_SOURCE` as
 *   an extra entry point named `analysis.worker.js` in the SAME directory as the bundle that
 *   contains this module (import.meta.url then points into that bundle).
 * - `PDMER_ANALYSIS_WORKER=/abs/path/analysis.worker.js` overrides both (packaging experiments).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repo-relative path of the worker entry (for the build script's entryPoints). */
export const ANALYSIS_WORKER_SOURCE = 'src-main/workers/analysis.worker.ts';
/** File name the build must give the bundled worker, next to the main bundle. */
export const ANALYSIS_WORKER_BUNDLE_NAME = 'analysis.worker.js';

export interface WorkerSpec {
  /** Module the Worker constructor loads. */
  file: URL;
  /** Extra workerData (the tsx bootstrap's real entry). */
  workerData: { entry?: string };
}

export function analysisWorkerSpec(): WorkerSpec {
  const override = process.env.PDMER_ANALYSIS_WORKER;
  if (override) return { file: pathToFileURL(override), workerData: {} };
  const here = import.meta.url;
  if (/\.(c|m)?ts$/.test(fileURLToPath(here))) {
    return {
      file: new URL('./tsx-boot.mjs', here),
      workerData: { entry: new URL('./analysis.worker.ts', here).href },
    };
  }
  return { file: new URL(`./${ANALYSIS_WORKER_BUNDLE_NAME}`, here), workerData: {} };
}
