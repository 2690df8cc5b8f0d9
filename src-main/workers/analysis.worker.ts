/**
 * Analysis worker (worker_threads): owns the EmotionModel (the only tfjs user in the process
 * besides training) and the audio pipeline, so inference never blocks the main event loop.
 *
 * Scheduling: every accepted job is a cursor over the track's 0.5 s steps. The loop always
 * advances the job with the best (priority, arrival) by ONE chunk, then yields to the event loop
 * (`setImmediate`) so `cancel` / new `analyze` messages are seen between chunks. A track started
 * for playback (priority 0) therefore preempts a background job within one chunk, and its first
 * chunk (30 s of curve by default) goes out before the rest is computed.
 *
 * Started from `AnalysisService` (src-main/services/analysis.service.ts); under tsx through
 * `tsx-boot.mjs`, in the bundled app as `analysis.worker.js` next to the main bundle.
 */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../src-shared/ipc/envelope';
import { createPipeline, type AnalysisPipeline, type AnalysisSource } from './pipeline';
import { serializeError, type FromWorker, type StageTimings, type ToWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('analysis.worker.ts must run inside a worker_threads Worker');

interface Job {
  id: string;
  path: string;
  personalKey: string | null;
  minTotalSteps: number | null;
  priority: 0 | 1;
  seq: number;
  firstChunk: number;
  chunk: number;
  abort: AbortController;
  source: AnalysisSource | null;
  next: number;
  timings: StageTimings;
}

const jobs = new Map<string, Job>();
let seq = 0;
let pipeline: AnalysisPipeline | null = null;
let initError: unknown = null;
let running = false;
let disposed = false;
/** Why loading a profile's weights failed (reported by the jobs that use them). */
const personalErrors = new Map<string, unknown>();

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function pickJob(): Job | null {
  let best: Job | null = null;
  for (const j of jobs.values()) {
    if (!best || j.priority < best.priority || (j.priority === best.priority && j.seq < best.seq)) best = j;
  }
  return best;
}

function finish(job: Job): void {
  jobs.delete(job.id);
  job.source?.dispose();
  job.source = null;
}

/** Runs one unit of work for `job`: open (decode starts) or one chunk of curve. */
async function step(job: Job): Promise<void> {
  if (!pipeline) throw new AppError('MODEL_NOT_READY', `The analysis model is not loaded${initError ? `: ${serializeError(initError).message}` : ''}`);
  if (!job.source) {
    if (job.personalKey !== null && personalErrors.has(job.personalKey)) throw personalErrors.get(job.personalKey);
    job.source = await pipeline.open(job.path, job.abort.signal, job.timings, job.personalKey, job.minTotalSteps);
    post({ type: 'started', jobId: job.id, totalSteps: job.source.totalSteps, durationSec: job.source.durationSec });
    return;
  }
  const src = job.source;
  const c = await src.next(job.next === 0 ? job.firstChunk : job.chunk, job.timings);
  if (!jobs.has(job.id)) return; // cancelled while computing
  job.next = c.fromStep + c.arousal.length;
  post(
    { type: 'chunk', jobId: job.id, fromStep: c.fromStep, arousal: c.arousal, valence: c.valence, final: c.final, totalSteps: src.totalSteps },
    [c.arousal.buffer as ArrayBuffer, c.valence.buffer as ArrayBuffer],
  );
  if (c.final) {
    finish(job);
    post({ type: 'done', jobId: job.id, totalSteps: job.next, durationSec: src.durationSec ?? job.next * 0.5, timings: job.timings });
  }
}

async function loop(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (disposed) return;
      const job = pickJob();
      if (!job) return;
      try {
        await step(job);
      } catch (e) {
        if (!jobs.has(job.id)) continue; // cancelled meanwhile: already reported
        finish(job);
        post({ type: 'failed', jobId: job.id, error: serializeError(e) });
      }
    }
  } finally {
    running = false;
  }
}

async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  try {
    pipeline = await createPipeline(msg.model);
    post({ type: 'ready', info: pipeline.info() });
  } catch (e) {
    initError = e;
    post({ type: 'initFailed', error: serializeError(e, 'MODEL_NOT_READY') });
  }
  void loop();
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'init':
      void init(msg);
      return;
    case 'analyze': {
      if (jobs.has(msg.jobId)) return;
      jobs.set(msg.jobId, {
        id: msg.jobId,
        path: msg.path,
        personalKey: msg.personalKey ?? null,
        minTotalSteps: msg.minTotalSteps ?? null,
        priority: msg.priority,
        seq: seq++,
        firstChunk: Math.max(1, msg.firstChunkSteps ?? 60),
        chunk: Math.max(1, msg.chunkSteps ?? 240),
        abort: new AbortController(),
        source: null,
        next: 0,
        timings: { decodeMs: 0, localMs: 0, globalMs: 0, networkMs: 0 },
      });
      if (pipeline || initError) void loop();
      return;
    }
    case 'loadPersonal': {
      try {
        pipeline?.loadPersonal(msg.key, new Uint8Array(msg.weights), msg.manifest);
      } catch (e) {
        // Jobs that need these weights fail with this error when they start.
        personalErrors.set(msg.key, e);
      }
      return;
    }
    case 'setPriority': {
      const j = jobs.get(msg.jobId);
      if (j) j.priority = msg.priority;
      return;
    }
    case 'cancel': {
      const j = jobs.get(msg.jobId);
      if (j) {
        j.abort.abort();
        finish(j);
      }
      post({ type: 'cancelled', jobId: msg.jobId });
      return;
    }
    case 'memory': {
      const m = pipeline?.memory() ?? { numTensors: 0, numBytes: 0 };
      const mu = process.memoryUsage();
      post({ type: 'memory', reqId: msg.reqId, numTensors: m.numTensors, numBytes: m.numBytes, rss: mu.rss, heapUsed: mu.heapUsed });
      return;
    }
    case 'personalize':
      // Sent to a separate instance of this worker (never `init`ed) by PersonalizationService.
      void import('./personalize-task').then((m) => m.runPersonalize(msg.req, post), (e: unknown) => post({ type: 'personalizeFailed', error: serializeError(e) }));
      return;
    case 'debug:exit':
      process.exit(msg.code);
      return;
    case 'dispose':
      disposed = true;
      for (const j of [...jobs.values()]) {
        j.abort.abort();
        finish(j);
      }
      pipeline?.dispose();
      pipeline = null;
      port.close();
      return;
  }
});
