/** Persistence of background jobs (so the UI can show recent jobs after a restart). */
import { JobProgressSchema, type JobKind, type JobProgress } from '../../src-shared/domain/job';
import type { WritableDB } from './types';

interface JobRow {
  id: string;
  kind: string;
  state: string;
  done: number;
  total: number | null;
  message: string | null;
}

export class JobsRepo {
  readonly #stmts;

  constructor(db: WritableDB) {
    this.#stmts = {
      upsert: db.prepare(`INSERT INTO jobs (id, kind, state, done, total, message, payload)
        VALUES (@jobId, @kind, @state, @done, @total, @message, @payload)
        ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, state = excluded.state, done = excluded.done,
          total = excluded.total, message = excluded.message, payload = excluded.payload,
          created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`),
      update: db.prepare(`UPDATE jobs SET state = @state, done = @done, total = @total, message = @message,
          updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = @jobId`),
      get: db.prepare(`SELECT id, kind, state, done, total, message FROM jobs WHERE id = ?`),
      recent: db.prepare(`SELECT id, kind, state, done, total, message FROM jobs ORDER BY updated_at DESC, rowid DESC LIMIT ?`),
      interrupt: db.prepare(`UPDATE jobs SET state = 'failed', message = 'Interrupted: the studio stopped while this job was running',
          updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE state IN ('queued', 'running', 'paused')`),
      prune: db.prepare(`DELETE FROM jobs WHERE id NOT IN (SELECT id FROM jobs ORDER BY updated_at DESC LIMIT ?)`),
    };
  }

  start(p: JobProgress, payload: unknown = {}): void {
    this.#stmts.upsert.run({ ...p, message: p.message ?? null, payload: JSON.stringify(payload ?? {}) });
  }

  update(p: JobProgress): void {
    this.#stmts.update.run({ jobId: p.jobId, state: p.state, done: p.done, total: p.total, message: p.message ?? null });
  }

  get(id: string): JobProgress | null {
    const row = this.#stmts.get.get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  recent(limit = 50): JobProgress[] {
    return (this.#stmts.recent.all(limit) as JobRow[]).map(toJob);
  }

  /** Marks jobs left running by a previous process as failed. @returns rows changed */
  markInterrupted(): number {
    return this.#stmts.interrupt.run().changes;
  }

  /** Keeps only the newest `keep` jobs. */
  prune(keep = 500): void {
    this.#stmts.prune.run(keep);
  }
}

function toJob(row: JobRow): JobProgress {
  const state = row.state === 'queued' ? 'running' : row.state;
  return JobProgressSchema.parse({
    jobId: row.id,
    kind: row.kind as JobKind,
    state,
    done: row.done,
    total: row.total,
    message: row.message ?? undefined,
  });
}
