// Development/test bootstrap for TypeScript workers: registers tsx's ESM hooks inside the worker
// thread, then imports the real entry (`workerData.entry`, a file URL of a .ts module).
// `new Worker(url, { execArgv: ['--import', 'tsx'] })` does NOT apply the hooks to the worker on
// Node 20 ("Unknown file extension .ts"), hence this file. The bundled app does not use it: the
// build emits analysis.worker.js next to the main bundle (see src-main/workers/entry.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
