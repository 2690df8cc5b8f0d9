/**
 * Background job registry: each long task (import, rescan, analysis, training) runs as a job
 * with an id, progress pushed as `job:onProgress` on the EventBus, cancellation through an
 * AbortSignal, and its last state persisted in the `jobs` table.
 */
import { randomUUID } from 'node:crypto';
import type { JobKind, JobProgress } from '../../src-shared/domain/job';
import { AppError } from '../../src-shared/ipc/envelope';
import { JobsRepo } from '../db/jobs.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';
import { log } from '../log';

/** What a running task sees. */
export interface JobHandle {
  readonly id: string;
  readonly kind: JobKind;
  /** Aborted when the job is cancelled (job:cancel) or the studio closes. */
  readonly signal: AbortSignal;
  /** Reports progress; events are throttled, the final state is always sent. */
  progress(done: number, total?: number | null, message?: string): void;
  /** @throws AppError CANCELLED when the job was cancelled. Call between units of work. */
  throwIfCancelled(): void;
}

export interface StartJobOptions {
  /** Caller-chosen id (the renderer picks one so it can cancel before the reply). Default: random. */
  jobId?: string;
  total?: number | null;
  payload?: unknown;
}

interface Running {
  progress: JobProgress;
  controller: AbortController;
  lastEmit: number;
  lastPersist: number;
}

/** Minimum milliseconds between two progress events of one job (UI smoothness, not correctness). */
const EMIT_INTERVAL_MS = 100;
const PERSIST_INTERVAL_MS = 1_000;

export class JobsService {
  readonly #repo: JobsRepo;
  readonly #bus: EventBus;
  readonly #running = new Map<string, Running>();
  #closed = false;

  constructor(db: WritableDB, bus: EventBus) {
    this.#repo = new JobsRepo(db);
    this.#bus = bus;
    const n = this.#repo.markInterrupted();
    if (n > 0) log.warn(`${n} job(s) from a previous run were interrupted`);
    this.#repo.prune();
  }

  /**
   * Runs `task` as a job. Resolves with its result; a task that ends because of cancellation
   * should return normally (e.g. a partial report) or throw AppError CANCELLED.
   * @throws AppError CONFLICT when a job with the same id is still running
   */
  async run<T>(kind: JobKind, opts: StartJobOptions, task: (job: JobHandle) => Promise<T>): Promise<T> {
    if (this.#closed) throw new AppError('CANCELLED', 'The studio is closing; no new jobs start');
    const id = opts.jobId ?? randomUUID();
    if (this.#running.has(id)) throw new AppError('CONFLICT', `Job ${id} is already running`);
    const controller = new AbortController();
    const entry: Running = {
      progress: { jobId: id, kind, state: 'running', done: 0, total: opts.total ?? null },
      controller,
      lastEmit: 0,
      lastPersist: 0,
    };
    this.#running.set(id, entry);
    this.#repo.start(entry.progress, opts.payload);
    this.#emit(entry, true);
    const handle: JobHandle = {
      id,
      kind,
      signal: controller.signal,
      progress: (done, total, message) => {
        // A total becoming known (indeterminate -> determinate bar) is always sent at once.
        const totalChanged = total !== undefined && total !== entry.progress.total;
        entry.progress = {
          ...entry.progress,
          done: Math.max(0, Math.floor(done)),
          total: total === undefined ? entry.progress.total : total === null ? null : Math.max(0, Math.floor(total)),
          message: message === undefined ? entry.progress.message : message.slice(0, 1_000),
        };
        this.#emit(entry, totalChanged);
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new AppError('CANCELLED', `Job ${id} (${kind}) was cancelled`);
      },
    };
    try {
      const result = await task(handle);
      entry.progress = { ...entry.progress, state: controller.signal.aborted ? 'cancelled' : 'done' };
      return result;
    } catch (e) {
      const cancelled = controller.signal.aborted || (e instanceof AppError && e.code === 'CANCELLED');
      entry.progress = {
        ...entry.progress,
        state: cancelled ? 'cancelled' : 'failed',
        message: (e instanceof Error ? e.message : String(e)).slice(0, 1_000),
      };
      throw e;
    } finally {
      this.#running.delete(id);
      this.#emit(entry, true);
    }
  }

  /** @returns true when a running job was signalled to stop. */
  cancel(jobId: string): boolean {
    const entry = this.#running.get(jobId);
    if (!entry || entry.controller.signal.aborted) return false;
    entry.controller.abort(new AppError('CANCELLED', `Job ${jobId} was cancelled`));
    return true;
  }

  /** Running jobs first, then recent finished ones (from the database). */
  list(limit = 50): JobProgress[] {
    const running = [...this.#running.values()].map((r) => r.progress);
    const ids = new Set(running.map((r) => r.jobId));
    return [...running, ...this.#repo.recent(limit).filter((j) => !ids.has(j.jobId))].slice(0, Math.max(limit, running.length));
  }

  get(jobId: string): JobProgress | null {
    return this.#running.get(jobId)?.progress ?? this.#repo.get(jobId);
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** Cancels every running job and refuses new ones. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const id of this.#running.keys()) this.cancel(id);
  }

  #emit(entry: Running, force: boolean): void {
    const now = Date.now();
    if (!force && now - entry.lastEmit < EMIT_INTERVAL_MS) return;
    entry.lastEmit = now;
    this.#bus.emit('job:onProgress', entry.progress);
    if (force || now - entry.lastPersist >= PERSIST_INTERVAL_MS) {
      entry.lastPersist = now;
      try {
        this.#repo.update(entry.progress);
      } catch (e) {
        // The database may already be closed when a cancelled job finishes during shutdown.
        log.warn(`could not persist job ${entry.progress.jobId}`, e);
      }
    }
  }
}
