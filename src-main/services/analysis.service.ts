/**
 * AnalysisService: the main-thread side of music emotion analysis.
 *
 * - Runs the model in a worker_threads Worker (src-main/workers/analysis.worker.ts), so the event
 *   loop never waits on inference; the main thread only does small SQLite writes.
 * - Keeps the queue: `play` requests (the track being listened to) go to the worker at once and
 *   preempt background work at the next chunk boundary; `background` requests go one at a time,
 *   and can be paused/resumed.
 * - Streams: every chunk of a track's curve is pushed as `model:onCurve`; for `play` requests the
 *   prefix is also written as a partial (`complete = 0`) row, so `model:getCurve` shows the first
 *   30 s long before the track is done. The final write marks the row complete and indexes its
 *   mean point in the mood R*Tree.
 * - Caches: a complete row with the track's current content hash, the worker's model version and
 *   feature config hash is a hit; hits are never re-analysed.
 * - Survives worker crashes: the jobs that were in the worker are failed with a clear error, the
 *   worker restarts (at most MAX_RESTARTS within RESTART_WINDOW_MS) and the queue continues.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobProgress } from '../../src-shared/domain/job';
import type {
  AnalysisPriority,
  BackgroundStatus,
  Curve,
  CurveSummary,
  ModelInfo,
  ModelRef,
} from '../../src-shared/ipc/contract/model';
import { AppError } from '../../src-shared/ipc/envelope';
import { PredictionsRepo, type Prediction } from '../db/predictions.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';
import { log } from '../log';
import { analysisWorkerSpec } from '../workers/entry';
import type { FromWorker, ReadyInfo, SerializedError, StageTimings, ToWorker, WorkerModelOptions } from '../workers/protocol';

/** Restart budget after worker crashes. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** Steps (of 0.5 s) subtracted from the library's duration before trusting it as a lower bound. */
const DURATION_MARGIN_STEPS = 4;
/** Minimum milliseconds between background progress events. */
const PROGRESS_INTERVAL_MS = 250;
/** Job id of the aggregate background-analysis job (`job:onProgress`, `job:list`, `job:cancel`). */
export const BACKGROUND_JOB_ID = 'analysis-background';

export interface AnalysisServiceOptions {
  db: WritableDB;
  bus: EventBus;
  dataDir: string;
  /** Model configuration for the worker (default: compact, shipped weights, auto backend). */
  model?: Partial<WorkerModelOptions>;
  /** Studio option: analyse unanalysed tracks in the background (after import and at start). */
  backgroundAnalysis?: boolean;
  /** Steps in the first streamed chunk (default 60 = 30 s) and later chunks (default 240). */
  firstChunkSteps?: number;
  chunkSteps?: number;
}

/** Result of analysing a file outside the library (CLI). */
export interface FileAnalysis {
  path: string;
  durationSec: number;
  arousal: Float32Array;
  valence: Float32Array;
  model: ModelRef;
  timings: StageTimings;
}

interface Entry {
  jobId: string;
  /** null for files outside the library. */
  trackId: number | null;
  /** null = base model; else the profile whose personal weights run. */
  profileId: number | null;
  /** Worker-side cache key of the personal weights (null = base). */
  personalKey: string | null;
  /** Lower bound on the steps from the library's duration (minus DURATION_MARGIN_STEPS), or null. */
  minTotalSteps: number | null;
  path: string;
  contentHash: string | null;
  priority: AnalysisPriority;
  state: 'queued' | 'running';
  /** Sent to the worker. */
  sent: boolean;
  totalSteps: number | null;
  durationSec: number;
  arousal: Float32Array;
  valence: Float32Array;
  filled: number;
  /** Monotonic request time (ms) and time of the first chunk, for the benchmark. */
  requestedAt: number;
  firstChunkAt: number | null;
  waiters: Array<{ resolve: (v: FileAnalysis) => void; reject: (e: unknown) => void }>;
}

interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  rss: number;
  heapUsed: number;
}

let jobCounter = 0;

function toAppError(e: SerializedError): AppError {
  return new AppError(e.code, e.message);
}

export class AnalysisService {
  readonly #bus: EventBus;
  readonly #repo: PredictionsRepo;
  readonly #modelOpts: WorkerModelOptions;
  readonly #firstChunk: number;
  readonly #chunk: number;
  readonly #backgroundEnabled: boolean;

  #worker: Worker | null = null;
  #ready: Promise<ReadyInfo> | null = null;
  #info: ReadyInfo | null = null;
  #state: ModelInfo['state'] = 'stopped';
  #initError: string | null = null;
  #crashes: number[] = [];
  #closed = false;

  /** Every active entry by job id; `#byTrack` indexes library entries. */
  readonly #entries = new Map<string, Entry>();
  readonly #byTrack = new Map<string, Entry>();
  /** Personal weight keys the current worker holds. */
  #workerPersonal = new Set<string>();
  /** Background track ids not yet sent, FIFO. */
  #backgroundQueue: number[] = [];
  readonly #backgroundSet = new Set<number>();
  #paused = false;
  #bgDone = 0;
  #bgFailed = 0;
  #lastProgress = 0;
  /** The background queue had work at the last progress event. */
  #bgActive = false;
  #lastBackground = '';
  /** Last failure message per track (cleared when it is queued again). */
  readonly #failures = new Map<string, string>();
  readonly #memWaiters = new Map<number, (m: WorkerMemory) => void>();
  #memReq = 0;
  #unsubscribe: (() => void) | null = null;
  #changedBatch = new Set<number>();
  #changedTimer: NodeJS.Timeout | null = null;
  /** Stage timings of the last finished job (benchmark). */
  lastTimings: StageTimings | null = null;

  constructor(opts: AnalysisServiceOptions) {
    this.#bus = opts.bus;
    this.#repo = new PredictionsRepo(opts.db);
    this.#modelOpts = { config: 'compact', ...opts.model };
    this.#firstChunk = opts.firstChunkSteps ?? 60;
    this.#chunk = opts.chunkSteps ?? 240;
    this.#backgroundEnabled = opts.backgroundAnalysis ?? false;
    // Leftovers of a crash or shutdown mid-analysis are not valid curves.
    this.#repo.deletePartial();
    this.#repo.pruneMoodIndex();
    if (this.#backgroundEnabled) {
      this.#unsubscribe = this.#bus.subscribe((name, payload) => {
        if (name !== 'library:onChanged') return;
        const p = payload as { reason: string; trackIds?: number[] };
        if (p.reason === 'import' || p.reason === 'rescan') this.#queueMissing(p.trackIds).catch((e) => log.warn('background analysis could not queue new tracks', e));
      });
    }
  }

  /** Starts the worker (idempotent) and resolves when the model is loaded. */
  start(): Promise<ReadyInfo> {
    if (this.#closed) return Promise.reject(new AppError('CANCELLED', 'The analysis service is closed'));
    if (!this.#ready) {
      this.#ready = this.#spawn();
      this.#ready.catch(() => undefined); // observed by callers; avoid an unhandled rejection here
      if (this.#backgroundEnabled) void this.#ready.then(() => this.#queueMissing()).catch(() => undefined);
    }
    return this.#ready;
  }

  /** The loaded model, waiting for the worker if needed. @throws AppError MODEL_NOT_READY */
  async ready(): Promise<ReadyInfo> {
    return this.start();
  }

  #spawn(): Promise<ReadyInfo> {
    this.#state = 'starting';
    this.#workerPersonal = new Set();
    const spec = analysisWorkerSpec();
    const worker = new Worker(spec.file, { workerData: spec.workerData, stdout: false, stderr: false });
    this.#worker = worker;
    return new Promise<ReadyInfo>((resolve, reject) => {
      let settled = false;
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          this.#info = msg.info;
          this.#state = 'ready';
          this.#initError = null;
          settled = true;
          log.info(`analysis worker ready: ${msg.info.name} ${msg.info.version} on ${msg.info.backend}${msg.info.trained ? '' : ' (untrained weights)'}`);
          resolve(msg.info);
          this.#pump();
        } else if (msg.type === 'initFailed') {
          this.#state = 'failed';
          this.#initError = msg.error.message;
          settled = true;
          log.error(`analysis worker could not load the model: ${msg.error.message}`);
          this.#failAll(msg.error);
          reject(toAppError({ ...msg.error, code: msg.error.code === 'INTERNAL' ? 'MODEL_NOT_READY' : msg.error.code }));
          void worker.terminate();
        } else {
          try {
            this.#onMessage(msg);
          } catch (e) {
            // E.g. the track was deleted mid-analysis (the curve's foreign key fails): fail that job
            // only; never let a handler error escape into the process.
            const jobId = 'jobId' in msg ? msg.jobId : null;
            const entry = jobId ? this.#entries.get(jobId) : undefined;
            log.error(`analysis: handling worker message ${msg.type} failed`, e);
            if (entry) {
              if (entry.sent) this.#worker?.postMessage({ type: 'cancel', jobId: entry.jobId } satisfies ToWorker);
              this.#fail(entry, { name: 'Error', code: 'INTERNAL', message: `Could not store the curve of ${entry.trackId !== null ? `track ${entry.trackId}` : entry.path}: ${(e as Error).message}` });
            }
          }
        }
      });
      worker.on('error', (e) => log.error('analysis worker error', e));
      worker.on('exit', (code) => {
        if (this.#worker !== worker) return;
        this.#worker = null;
        if (this.#closed) return;
        if (!settled) {
          settled = true;
          this.#state = 'failed';
          this.#initError = `The analysis worker exited with code ${code} before the model loaded`;
          reject(new AppError('MODEL_NOT_READY', this.#initError));
          return;
        }
        if (this.#state === 'failed') return;
        this.#onCrash(code);
      });
      worker.postMessage({ type: 'init', model: this.#modelOpts } satisfies ToWorker);
    });
  }

  #onCrash(code: number): void {
    const now = Date.now();
    this.#crashes = this.#crashes.filter((t) => now - t < RESTART_WINDOW_MS);
    this.#crashes.push(now);
    const inFlight = [...this.#entries.values()].filter((e) => e.sent);
    const what = inFlight.map((e) => (e.trackId !== null ? `track ${e.trackId}` : e.path)).join(', ') || 'no job';
    const message = `The analysis worker stopped unexpectedly (exit code ${code}) while analysing ${what}`;
    log.error(message);
    for (const e of inFlight) this.#fail(e, { name: 'WorkerCrash', code: 'INTERNAL', message });
    if (this.#crashes.length > MAX_RESTARTS) {
      this.#state = 'failed';
      this.#initError = `${message}; it crashed ${this.#crashes.length} times within ${RESTART_WINDOW_MS / 1000} s and was not restarted`;
      this.#failAll({ name: 'WorkerCrash', code: 'MODEL_NOT_READY', message: this.#initError });
      return;
    }
    this.#info = null;
    this.#ready = this.#spawn();
    this.#ready.catch(() => undefined);
  }

  #onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'memory': {
        const w = this.#memWaiters.get(msg.reqId);
        this.#memWaiters.delete(msg.reqId);
        w?.({ numTensors: msg.numTensors, numBytes: msg.numBytes, rss: msg.rss, heapUsed: msg.heapUsed });
        return;
      }
      case 'cancelled':
        return;
      case 'started': {
        const e = this.#entries.get(msg.jobId);
        if (!e) return;
        e.state = 'running';
        e.totalSteps = msg.totalSteps;
        e.durationSec = msg.durationSec ?? 0;
        this.#emitProgress(e);
        return;
      }
      case 'chunk': {
        const e = this.#entries.get(msg.jobId);
        if (!e) return;
        this.#onChunk(e, msg);
        return;
      }
      case 'done': {
        const e = this.#entries.get(msg.jobId);
        if (!e) return;
        this.lastTimings = msg.timings;
        if (msg.totalSteps === 0) {
          this.#fail(e, {
            name: 'AppError',
            code: 'AUDIO_TOO_SHORT',
            message: `Expected at least 0.5 s of audio for one curve step, got ${msg.durationSec.toFixed(3)} s in ${e.path}`,
          });
          return;
        }
        this.#finish(e, msg.timings);
        return;
      }
      case 'failed': {
        const e = this.#entries.get(msg.jobId);
        if (e) this.#fail(e, msg.error);
        return;
      }
      default:
        return;
    }
  }

  #onChunk(e: Entry, msg: Extract<FromWorker, { type: 'chunk' }>): void {
    const n = msg.arousal.length;
    const end = msg.fromStep + n;
    if (end > e.arousal.length) {
      // Grow to the known total (WAV) or geometrically (streamed formats report it at the end).
      const cap = Math.max(end, msg.totalSteps ?? 0, e.arousal.length * 2);
      const a = new Float32Array(cap);
      const v = new Float32Array(cap);
      a.set(e.arousal.subarray(0, e.filled));
      v.set(e.valence.subarray(0, e.filled));
      e.arousal = a;
      e.valence = v;
    }
    e.arousal.set(msg.arousal, msg.fromStep);
    e.valence.set(msg.valence, msg.fromStep);
    e.filled = Math.max(e.filled, end);
    e.totalSteps = msg.final ? e.filled : msg.totalSteps;
    e.firstChunkAt ??= performance.now();
    const complete = msg.final;
    if (e.trackId !== null && this.#info) {
      const key = this.#key(e.trackId, e.profileId);
      if (complete || e.priority === 'play' || e.profileId !== null) {
        this.#repo.upsert({
          ...key,
          contentHash: e.contentHash!,
          arousal: e.arousal.subarray(0, e.filled),
          valence: e.valence.subarray(0, e.filled),
          complete,
        });
      }
      this.#bus.emit('model:onCurve', {
        trackId: e.trackId,
        profileId: e.profileId,
        fromStep: msg.fromStep,
        arousal: Array.from(msg.arousal),
        valence: Array.from(msg.valence),
        complete,
        totalSteps: e.totalSteps,
      });
    }
    this.#emitProgress(e);
  }

  #finish(e: Entry, timings: StageTimings): void {
    this.#remove(e);
    const result: FileAnalysis = {
      path: e.path,
      durationSec: e.durationSec,
      arousal: e.arousal.slice(0, e.filled),
      valence: e.valence.slice(0, e.filled),
      model: this.#modelRef()!,
      timings,
    };
    if (e.priority === 'background') this.#bgDone++;
    this.#emitJob(e, 'done');
    if (e.trackId !== null) {
      this.#failures.delete(tk(e.trackId, e.profileId));
      this.#changed(e.trackId);
    }
    for (const w of e.waiters) w.resolve(result);
    this.#pump();
  }

  #fail(e: Entry, error: SerializedError): void {
    this.#remove(e);
    if (e.trackId !== null) {
      this.#failures.set(tk(e.trackId, e.profileId), error.message);
      if (this.#info) this.#repo.deleteIfPartial(this.#key(e.trackId, e.profileId)); // a streamed prefix is not a curve
    }
    if (e.priority === 'background') {
      this.#bgDone++;
      this.#bgFailed++;
    }
    log.warn(`analysis of ${e.trackId !== null ? `track ${e.trackId}` : e.path} failed: ${error.message}`);
    this.#emitJob(e, 'failed', error.message);
    const err = toAppError(error);
    for (const w of e.waiters) w.reject(err);
    this.#pump();
  }

  #failAll(error: SerializedError): void {
    for (const e of [...this.#entries.values()]) this.#fail(e, error);
    for (const id of this.#backgroundQueue) this.#failures.set(tk(id, null), error.message);
    this.#backgroundQueue = [];
    this.#backgroundSet.clear();
  }

  #remove(e: Entry): void {
    this.#entries.delete(e.jobId);
    if (e.trackId !== null && this.#byTrack.get(tk(e.trackId, e.profileId)) === e) this.#byTrack.delete(tk(e.trackId, e.profileId));
  }

  /** Library duration as a lower bound on the steps (tag durations can be slightly off: keep a margin). */
  #minSteps(trackId: number): number | null {
    const d = this.#repo.trackSource(trackId)?.durationSec;
    return d ? Math.max(0, Math.floor(d / 0.5) - DURATION_MARGIN_STEPS) : null;
  }

  #key(trackId: number, profileId: number | null = null) {
    const info = this.#info!;
    return { trackId, modelVersion: info.version, featureHash: info.featureHash, profileId };
  }

  /** A cache hit for (track, profile): complete, same content hash, newer than the personal model. */
  #fresh(trackId: number, profileId: number | null, contentHash?: string): Prediction | null {
    const p = this.#repo.getFresh(this.#key(trackId, profileId), contentHash);
    if (!p || profileId === null) return p;
    const pm = this.#repo.personalModelStamp(profileId, this.#info!.version);
    return pm && p.createdAt >= pm.createdAt ? p : null;
  }

  #modelRef(): ModelRef | null {
    return this.#info ? { name: this.#info.name, version: this.#info.version, trained: this.#info.trained } : null;
  }

  /** Sends work to the worker: every play entry, and one background entry unless paused. */
  #pump(): void {
    if (!this.#worker || this.#state !== 'ready' || this.#closed) return;
    for (const e of this.#entries.values()) {
      if (!e.sent && (e.priority === 'play' || e.profileId !== null)) this.#send(e);
    }
    const bgInFlight = [...this.#entries.values()].some((e) => e.sent && e.priority === 'background');
    if (bgInFlight || this.#paused) {
      this.#emitBackground();
      return;
    }
    while (this.#backgroundQueue.length > 0) {
      const id = this.#backgroundQueue.shift()!;
      this.#backgroundSet.delete(id);
      if (this.#byTrack.has(tk(id, null))) continue;
      const src = this.#repo.trackSource(id);
      if (!src || src.status !== 'ok') continue;
      if (this.#fresh(id, null)) continue;
      const e = this.#newEntry(id, src.path, src.contentHash, 'background');
      this.#send(e);
      break;
    }
    this.#emitBackground();
  }

  #send(e: Entry): void {
    e.sent = true;
    if (e.personalKey !== null && !this.#workerPersonal.has(e.personalKey) && e.profileId !== null) {
      const pm = this.#repo.personalModel(e.profileId, this.#info!.version);
      if (!pm) {
        this.#fail(e, { name: 'AppError', code: 'NOT_FOUND', message: `Profile ${e.profileId} has no personal model any more` });
        return;
      }
      const weights = pm.weights.buffer.slice(pm.weights.byteOffset, pm.weights.byteOffset + pm.weights.byteLength) as ArrayBuffer;
      this.#worker!.postMessage({ type: 'loadPersonal', key: e.personalKey, weights, manifest: pm.manifest } satisfies ToWorker, [weights]);
      this.#workerPersonal.add(e.personalKey);
    }
    this.#worker!.postMessage({
      type: 'analyze',
      jobId: e.jobId,
      path: e.path,
      personalKey: e.personalKey,
      minTotalSteps: e.minTotalSteps,
      priority: e.priority === 'play' ? 0 : 1,
      firstChunkSteps: this.#firstChunk,
      chunkSteps: this.#chunk,
    } satisfies ToWorker);
  }

  #newEntry(trackId: number | null, path: string, contentHash: string | null, priority: AnalysisPriority, profileId: number | null = null, personalKey: string | null = null): Entry {
    const e: Entry = {
      jobId: `analyze-${trackId ?? 'file'}-${++jobCounter}`,
      trackId,
      profileId,
      personalKey,
      minTotalSteps: trackId === null ? null : this.#minSteps(trackId),
      path,
      contentHash,
      priority,
      state: 'queued',
      sent: false,
      totalSteps: null,
      durationSec: 0,
      arousal: new Float32Array(0),
      valence: new Float32Array(0),
      filled: 0,
      requestedAt: performance.now(),
      firstChunkAt: null,
      waiters: [],
    };
    this.#entries.set(e.jobId, e);
    if (trackId !== null) {
      this.#byTrack.set(tk(trackId, profileId), e);
      this.#failures.delete(tk(trackId, profileId));
    }
    return e;
  }

  /**
   * The personal-weights key for a profile under the current model.
   * @throws AppError NOT_FOUND when the profile has no personal model for this model version
   */
  #personalKey(profileId: number): string {
    const info = this.#info!;
    const pm = this.#repo.personalModelStamp(profileId, info.version);
    if (!pm) {
      throw new AppError(
        'NOT_FOUND',
        `Expected a personal model for profile ${profileId} and model ${info.name} ${info.version}, found none: personalise the profile first`,
      );
    }
    return `${profileId}:${pm.id}:${pm.createdAt}`;
  }

  /** @throws AppError NOT_FOUND when `profileId` is not null and has no personal model (after the model loaded). */
  async checkProfile(profileId: number | null): Promise<void> {
    if (profileId === null) return;
    await this.start();
    this.#personalKey(profileId);
  }

  /**
   * Queues library tracks. Cached tracks (fresh complete curve) are skipped. `play` promotes a
   * queued/running background entry of the same track. With a profile, the profile's personal
   * weights run and results are stored under that profile (always sent to the worker at once).
   * @throws AppError NOT_FOUND for unknown track ids or a profile without a personal model (nothing is queued then)
   * @throws AppError MODEL_NOT_READY when the model cannot load
   */
  async analyze(trackIds: readonly number[], priority: AnalysisPriority = 'background', profileId: number | null = null): Promise<{ queued: number[]; cached: number[] }> {
    const sources = trackIds.map((id) => {
      const s = this.#repo.trackSource(id);
      if (!s) throw new AppError('NOT_FOUND', `Expected a library track id, got ${id} (no such track)`);
      return s;
    });
    await this.start();
    const personalKey = profileId === null ? null : this.#personalKey(profileId);
    const queued: number[] = [];
    const cached: number[] = [];
    for (const s of sources) {
      if (this.#fresh(s.id, profileId, s.contentHash)) {
        cached.push(s.id);
        continue;
      }
      if (s.status !== 'ok') {
        this.#failures.set(tk(s.id, profileId), `Track ${s.id} is ${s.status}: ${s.path}`);
        continue;
      }
      queued.push(s.id);
      const existing = this.#byTrack.get(tk(s.id, profileId));
      if (existing) {
        if (priority === 'play' && existing.priority !== 'play') {
          existing.priority = 'play';
          if (existing.sent) this.#worker?.postMessage({ type: 'setPriority', jobId: existing.jobId, priority: 0 } satisfies ToWorker);
        }
        continue;
      }
      if (profileId !== null) {
        this.#newEntry(s.id, s.path, s.contentHash, priority, profileId, personalKey);
      } else if (priority === 'play') {
        if (this.#backgroundSet.delete(s.id)) this.#backgroundQueue = this.#backgroundQueue.filter((x) => x !== s.id);
        this.#newEntry(s.id, s.path, s.contentHash, 'play');
      } else if (!this.#backgroundSet.has(s.id)) {
        this.#backgroundSet.add(s.id);
        this.#backgroundQueue.push(s.id);
      }
    }
    this.#pump();
    return { queued, cached };
  }

  /**
   * Analyses one library track and resolves with its complete curve (cache hit: no work).
   * @throws AppError with the worker's code when analysis fails, CANCELLED when cancelled
   */
  async analyzeTrack(trackId: number, priority: AnalysisPriority = 'play', profileId: number | null = null): Promise<Prediction> {
    await this.analyze([trackId], priority, profileId);
    const hit = this.#fresh(trackId, profileId);
    if (hit) return hit;
    const k = tk(trackId, profileId);
    let e = this.#byTrack.get(k);
    if (!e && profileId === null && this.#backgroundSet.has(trackId)) {
      // Still waiting in the background queue: wait for it to be sent.
      await new Promise<void>((resolve) => {
        const check = () => {
          if (this.#byTrack.has(k) || !this.#backgroundSet.has(trackId)) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
      e = this.#byTrack.get(k);
    }
    if (!e) {
      const again = this.#fresh(trackId, profileId);
      if (again) return again;
      throw new AppError('INTERNAL', this.#failures.get(k) ?? `Track ${trackId} was not analysed`);
    }
    await new Promise<FileAnalysis>((resolve, reject) => e.waiters.push({ resolve, reject }));
    const p = this.#fresh(trackId, profileId);
    if (!p) throw new AppError('INTERNAL', `Analysis of track ${trackId} finished but its curve is not in the library`);
    return p;
  }

  /**
   * Analyses a file that is not (necessarily) in the library; nothing is written to the database.
   * @throws AppError AUDIO_DECODE_FAILED / UNSUPPORTED_FORMAT / AUDIO_TOO_SHORT / MODEL_NOT_READY
   */
  async analyzeFile(path: string, priority: AnalysisPriority = 'play', profileId: number | null = null): Promise<FileAnalysis> {
    await this.start();
    const personalKey = profileId === null ? null : this.#personalKey(profileId);
    const e = this.#newEntry(null, path, null, priority, profileId, personalKey);
    const p = new Promise<FileAnalysis>((resolve, reject) => e.waiters.push({ resolve, reject }));
    this.#pump();
    if (priority === 'background' && !e.sent) this.#send(e);
    return p;
  }

  /** Cancels queued/running analyses of `trackIds` (all when omitted). @returns how many were cancelled */
  cancel(trackIds?: readonly number[]): number {
    let n = 0;
    const want = trackIds ? new Set(trackIds) : null;
    for (const id of [...this.#backgroundSet]) {
      if (!want || want.has(id)) {
        this.#backgroundSet.delete(id);
        n++;
      }
    }
    this.#backgroundQueue = this.#backgroundQueue.filter((id) => this.#backgroundSet.has(id));
    for (const e of [...this.#entries.values()]) {
      if (want && (e.trackId === null || !want.has(e.trackId))) continue;
      n++;
      this.#cancelEntry(e);
    }
    this.#pump();
    return n;
  }

  /** Stops one analysis: out of the queue, the worker told, a partial curve dropped, waiters rejected. */
  #cancelEntry(e: Entry): void {
    this.#remove(e);
    if (e.sent) this.#worker?.postMessage({ type: 'cancel', jobId: e.jobId } satisfies ToWorker);
    if (e.trackId !== null && this.#info) this.#repo.deleteIfPartial(this.#key(e.trackId, e.profileId));
    this.#emitJob(e, 'cancelled');
    const err = new AppError('CANCELLED', `Analysis of ${e.trackId !== null ? `track ${e.trackId}` : e.path} was cancelled`);
    for (const w of e.waiters) w.reject(err);
  }

  /**
   * The analyses in flight as generic jobs (for `job:list`): one job per foreground analysis
   * (`analyze-...`) and one aggregate `analysis-background` job while the background queue works.
   */
  jobs(): JobProgress[] {
    const out: JobProgress[] = [];
    for (const e of this.#entries.values()) {
      if (e.priority === 'background') continue;
      const what = e.trackId !== null ? `track ${e.trackId}` : path.basename(e.path);
      out.push({ jobId: e.jobId, kind: 'analyze', state: 'running', done: e.filled, total: e.totalSteps, message: e.state === 'queued' ? `waiting: ${what}` : what });
    }
    const s = this.backgroundStatus();
    if (s.queued > 0 || [...this.#entries.values()].some((e) => e.priority === 'background')) out.push(this.#backgroundJob(s, this.#paused ? 'paused' : 'running'));
    return out;
  }

  /**
   * `job:cancel` for analysis jobs: a foreground analysis by its job id, or the whole background
   * queue by `analysis-background` (stored curves stay; partial ones are dropped).
   * @returns false when no such analysis job is in flight
   */
  cancelJob(jobId: string): boolean {
    if (jobId === BACKGROUND_JOB_ID) {
      const bg = [...this.#entries.values()].filter((e) => e.priority === 'background' && e.trackId !== null).map((e) => e.trackId!);
      const ids = [...new Set([...this.#backgroundSet, ...bg])];
      return ids.length > 0 && this.cancel(ids) > 0;
    }
    const e = this.#entries.get(jobId);
    if (!e || e.priority === 'background') return false;
    this.#cancelEntry(e);
    this.#pump();
    return true;
  }

  /** Pauses/resumes background analysis. Pausing stops the running background track at once (it is re-queued first). */
  setBackgroundPaused(paused: boolean): BackgroundStatus {
    this.#paused = paused;
    if (paused) {
      for (const e of [...this.#entries.values()]) {
        if (e.priority !== 'background' || e.trackId === null) continue;
        this.#remove(e);
        if (e.sent) this.#worker?.postMessage({ type: 'cancel', jobId: e.jobId } satisfies ToWorker);
        if (!this.#backgroundSet.has(e.trackId)) {
          this.#backgroundSet.add(e.trackId);
          this.#backgroundQueue.unshift(e.trackId);
        }
        if (e.waiters.length > 0) {
          // Someone waits on this track: keep it alive in the foreground instead of dropping it.
          this.#backgroundSet.delete(e.trackId);
          this.#backgroundQueue = this.#backgroundQueue.filter((x) => x !== e.trackId);
          const fresh = this.#newEntry(e.trackId, e.path, e.contentHash, 'play');
          fresh.waiters.push(...e.waiters);
        }
      }
    }
    this.#pump();
    this.#emitBackground(true);
    return this.backgroundStatus();
  }

  /** Queues every library track without a fresh complete base curve (background priority). */
  async analyzeLibrary(): Promise<number> {
    await this.start();
    return this.#queueMissing();
  }

  async #queueMissing(trackIds?: readonly number[]): Promise<number> {
    if (this.#closed) return 0;
    const info = await this.start();
    let ids: number[];
    if (trackIds) ids = [...trackIds];
    else {
      ids = [];
      let after = 0;
      for (;;) {
        const page = this.#repo.missingTrackIds(info.version, info.featureHash, 5_000, after);
        if (page.length === 0) break;
        ids.push(...page);
        after = page[page.length - 1]!;
      }
    }
    let n = 0;
    for (const id of ids) {
      if (this.#byTrack.has(tk(id, null)) || this.#backgroundSet.has(id)) continue;
      const s = this.#repo.trackSource(id);
      if (!s || s.status !== 'ok' || this.#fresh(id, null, s.contentHash)) continue;
      this.#backgroundSet.add(id);
      this.#backgroundQueue.push(id);
      n++;
    }
    this.#pump();
    return n;
  }

  /** The stored curve (complete or streaming prefix); with `analyze`, queues the track at play priority. */
  async getCurve(trackId: number, profileId: number | null = null, analyze = false): Promise<Curve> {
    const src = this.#repo.trackSource(trackId);
    if (!src) throw new AppError('NOT_FOUND', `Expected a library track id, got ${trackId} (no such track)`);
    await this.start();
    await this.checkProfile(profileId);
    const fresh = this.#fresh(trackId, profileId, src.contentHash);
    const base = { trackId, profileId, stepSec: 0.5 as const, model: this.#modelRef() };
    if (fresh) return { ...base, ...curveOf(fresh.arousal, fresh.valence), complete: true, status: 'complete', totalSteps: fresh.nSteps, error: null };
    if (analyze) await this.analyze([trackId], 'play', profileId); // queues, or promotes a background entry
    const e = this.#byTrack.get(tk(trackId, profileId));
    if (e) {
      return {
        ...base,
        ...curveOf(e.arousal.subarray(0, e.filled), e.valence.subarray(0, e.filled)),
        complete: false,
        status: e.state === 'running' ? 'analyzing' : 'queued',
        totalSteps: e.totalSteps,
        error: null,
      };
    }
    const empty = curveOf(new Float32Array(0), new Float32Array(0));
    if (profileId === null && this.#backgroundSet.has(trackId)) return { ...base, ...empty, complete: false, status: 'queued', totalSteps: null, error: null };
    const failure = this.#failures.get(tk(trackId, profileId));
    return { ...base, ...empty, complete: false, status: failure ? 'failed' : 'none', totalSteps: null, error: failure ?? null };
  }

  /** Means + downsampled curves (bucket means) for library rows. */
  async getSummaries(trackIds: readonly number[], profileId: number | null, points: number): Promise<CurveSummary[]> {
    const info = await this.start();
    return this.#repo
      .getMany(trackIds, { modelVersion: info.version, featureHash: info.featureHash, profileId })
      .filter((p) => p.nSteps > 0)
      .map((p) => ({
        trackId: p.trackId,
        complete: p.complete,
        meanArousal: p.meanArousal,
        meanValence: p.meanValence,
        arousal: downsample(p.arousal, points),
        valence: downsample(p.valence, points),
      }));
  }

  backgroundStatus(): BackgroundStatus {
    const running = [...this.#entries.values()].find((e) => e.state === 'running') ?? null;
    const bgInFlight = [...this.#entries.values()].filter((e) => e.priority === 'background').length;
    const counts = this.#info ? this.#repo.counts(this.#info.version, this.#info.featureHash) : { total: 0, analysed: 0 };
    return {
      enabled: this.#backgroundEnabled,
      paused: this.#paused,
      queued: this.#backgroundQueue.length,
      done: this.#bgDone,
      failed: this.#bgFailed,
      total: this.#bgDone + this.#backgroundQueue.length + bgInFlight,
      current:
        running && running.trackId !== null
          ? { trackId: running.trackId, priority: running.priority, done: running.filled, total: running.totalSteps }
          : null,
      analysed: counts.analysed,
      unanalysed: Math.max(0, counts.total - counts.analysed),
    };
  }

  info(): ModelInfo {
    return {
      state: this.#state,
      error: this.#initError,
      model: this.#modelRef(),
      config: this.#modelOpts.config,
      backend: this.#info?.backend ?? null,
      featureHash: this.#info?.featureHash ?? null,
      numTensors: this.#info?.numTensors ?? null,
    };
  }

  /** Asks the worker for tf.memory() and its process memory (leak tests, benchmark). */
  async workerMemory(): Promise<WorkerMemory> {
    await this.start();
    const w = this.#worker;
    if (!w) throw new AppError('MODEL_NOT_READY', 'The analysis worker is not running');
    const reqId = ++this.#memReq;
    return new Promise((resolve) => {
      this.#memWaiters.set(reqId, resolve);
      w.postMessage({ type: 'memory', reqId } satisfies ToWorker);
    });
  }

  /** Test hook: makes the worker thread exit abruptly, as a crash would. */
  crashWorkerForTest(code = 70): void {
    this.#worker?.postMessage({ type: 'debug:exit', code } satisfies ToWorker);
  }

  /** Milliseconds from request to first streamed chunk of the last entry of `trackId` (benchmark). */
  firstChunkLatency(trackId: number): number | null {
    const e = this.#byTrack.get(tk(trackId, null));
    return e && e.firstChunkAt !== null ? e.firstChunkAt - e.requestedAt : null;
  }

  /** Stops the worker, rejects waiters. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#unsubscribe?.();
    // Closed first, so failing the running entries does not pump queued work to the worker.
    this.#closed = true;
    this.#backgroundQueue = [];
    this.#backgroundSet.clear();
    const err = { name: 'AppError', code: 'CANCELLED' as const, message: 'The studio is closing' };
    for (const e of [...this.#entries.values()]) this.#fail(e, err);
    if (this.#changedTimer) clearTimeout(this.#changedTimer);
    this.#flushChanged();
    const w = this.#worker;
    this.#worker = null;
    this.#state = 'stopped';
    if (w) {
      w.postMessage({ type: 'dispose' } satisfies ToWorker);
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      const timer = setTimeout(() => void w.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    }
  }

  #emitJob(e: Entry, state: JobProgress['state'], message?: string): void {
    if (e.priority === 'background') {
      this.#emitBackground(true);
      return;
    }
    this.#bus.emit('job:onProgress', {
      jobId: e.jobId,
      kind: 'analyze',
      state,
      done: e.filled,
      total: e.totalSteps,
      message: message?.slice(0, 1_000) ?? (e.trackId !== null ? `track ${e.trackId}` : undefined),
    });
  }

  /** The background queue as one generic job. */
  #backgroundJob(s: BackgroundStatus, state: JobProgress['state']): JobProgress {
    return { jobId: BACKGROUND_JOB_ID, kind: 'analyze', state, done: s.done, total: s.total, message: `${s.done} of ${s.total} tracks analysed${s.failed ? `, ${s.failed} failed` : ''}` };
  }

  #emitProgress(e: Entry): void {
    if (e.priority === 'background') this.#emitBackground();
    else this.#emitJob(e, 'running');
  }

  #emitBackground(force = false): void {
    const now = Date.now();
    if (!force && now - this.#lastProgress < PROGRESS_INTERVAL_MS) return;
    const s = this.backgroundStatus();
    const idle = s.queued === 0 && ![...this.#entries.values()].some((e) => e.priority === 'background');
    // Nothing to report while the background queue has been idle (play-only analyses).
    if (idle && !this.#bgActive && !force) return;
    const json = JSON.stringify(s);
    if (json === this.#lastBackground && !force) return;
    this.#lastBackground = json;
    this.#lastProgress = now;
    this.#bus.emit('model:onBackground', s);
    if (this.#bgActive || !idle) this.#bus.emit('job:onProgress', this.#backgroundJob(s, this.#paused ? 'paused' : idle ? 'done' : 'running'));
    this.#bgActive = !idle;
    if (idle) {
      this.#bgDone = 0;
      this.#bgFailed = 0;
    }
  }

  /** Batches library:onChanged 'analysis' events (at most one per 500 ms). */
  #changed(trackId: number): void {
    this.#changedBatch.add(trackId);
    this.#changedTimer ??= setTimeout(() => this.#flushChanged(), 500);
  }

  #flushChanged(): void {
    this.#changedTimer = null;
    if (this.#changedBatch.size === 0) return;
    const ids = [...this.#changedBatch];
    this.#changedBatch.clear();
    this.#bus.emit('library:onChanged', { reason: 'analysis', trackIds: ids });
  }
}

/** Map key of a (track, profile) analysis. */
function tk(trackId: number, profileId: number | null): string {
  return `${trackId}:${profileId ?? 0}`;
}

function curveOf(a: Float32Array, v: Float32Array) {
  return {
    arousal: Array.from(a),
    valence: Array.from(v),
    meanArousal: a.length ? a.reduce((s, x) => s + x, 0) / a.length : null,
    meanValence: v.length ? v.reduce((s, x) => s + x, 0) / v.length : null,
  };
}

/** Bucket means: at most `points` values; shorter curves are returned as they are. */
export function downsample(x: Float32Array, points: number): number[] {
  if (x.length <= points) return Array.from(x);
  const out: number[] = [];
  for (let i = 0; i < points; i++) {
    const a = Math.floor((i * x.length) / points);
    const b = Math.floor(((i + 1) * x.length) / points);
    let s = 0;
    for (let j = a; j < b; j++) s += x[j]!;
    out.push(s / (b - a));
  }
  return out;
}

/** What `installAnalysis` needs from ServiceDeps (structural, so services do not import ipc/). */
export interface AnalysisInstallDeps {
  db: WritableDB;
  bus: EventBus;
  dataDir: string;
  mode: string;
  options: { backgroundAnalysis?: boolean };
  onClose(fn: () => void | Promise<void>): void;
  modelBackend?: () => string | null;
  analysis?: AnalysisService;
}

/**
 * ServiceDeps installer (src-main/ipc/handlers/index.ts SERVICE_INSTALLERS): creates the service,
 * starts the worker at once in the app modes (so the first overlay point is not delayed by model
 * loading; memory-mode tests start it lazily), and stops it on close.
 * Model choice: PDMER_MODEL_CONFIG (compact|paper), PDMER_WEIGHTS (dir), PDMER_BACKEND.
 */
export function installAnalysis(deps: AnalysisInstallDeps): void {
  const service = new AnalysisService({
    db: deps.db,
    bus: deps.bus,
    dataDir: deps.dataDir,
    backgroundAnalysis: deps.options.backgroundAnalysis ?? false,
    model: {
      config: process.env.PDMER_MODEL_CONFIG || 'compact',
      weightsDir: process.env.PDMER_WEIGHTS || undefined,
      backend: process.env.PDMER_BACKEND || 'auto',
    },
  });
  deps.analysis = service;
  deps.modelBackend = () => service.info().backend;
  deps.onClose(() => service.close());
  if (deps.mode === 'electron' || deps.mode === 'browser' || deps.options.backgroundAnalysis) service.start().catch((e) => log.error('analysis model failed to load', e));
}
