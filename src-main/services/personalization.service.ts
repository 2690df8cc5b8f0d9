/**
 * PersonalizationService: the app's "Personalize" (issue 4/6), the IPC twin of `pdmer adapt`.
 *
 * - `run(profileId)`: takes the profile's complete/interrupted, non-excluded annotation sessions
 *   (AnnotationService.personalizationData), runs H6's `personalize()` OFF the main thread (a
 *   separate instance of the analysis worker, workers/personalize-task.ts) as a `personalize` job
 *   (progress on `job:onProgress`, cancel with `job:cancel` = the worker is terminated), stores the
 *   personal head in `personal_models` (profile x base model version; `PersonalWeights` blob
 *   format, as the CLI writes it), deletes the profile's now stale personal predictions and queues
 *   the annotated tracks (and those that had personal curves) for re-analysis with the new weights.
 * - `status(profileId)`: personal model present, when, the report of the run that made it, and the
 *   sessions used/excluded now.
 * - `reset(profileId)`: deletes the profile's personal weights and personal predictions; the
 *   annotations stay. The removed weights are kept in `<dataDir>/personal-reset/profile-<id>.json`
 *   until the profile's next run, so `undoReset(profileId)` can restore them.
 * Bad input (unknown profile, no usable session, a run already going) changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  PersonalizeReport,
  PersonalizeRunResult,
  PersonalizeStatus,
} from '../../src-shared/ipc/contract/personalize';
import { AppError } from '../../src-shared/ipc/envelope';
import type { ProfilesRepo } from '../db/profiles.repo';
import type { TracksRepo } from '../db/tracks.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';
import { log } from '../log';
import { analysisWorkerSpec } from '../workers/entry';
import type { FromWorker, PersonalizeOutcome, PersonalizeRequest, ToWorker } from '../workers/protocol';
import type { AnalysisService } from './analysis.service';
import type { AnnotationService } from './annotation.service';
import type { JobsService } from './jobs.service';
import { cacheDirFor } from './paths';

/** At most this many tracks are re-analysed with a new personal model at once. */
export const REQUEUE_LIMIT = 200;

export interface PersonalizationServiceOptions {
  db: WritableDB;
  bus: EventBus;
  dataDir: string;
  jobs: JobsService;
  annotation: AnnotationService;
  profiles: ProfilesRepo;
  tracks: TracksRepo;
  /** Used for the base model version and to recompute the profile's curves (optional in tests). */
  analysis?: AnalysisService;
  /** Base model (default: PDMER_MODEL_CONFIG / PDMER_WEIGHTS / PDMER_BACKEND, like the analysis service). */
  model?: { config?: string; weightsDir?: string; backend?: string };
  /** Inner-loop settings (defaults: personalize()'s). */
  adapt?: { steps?: number; lr?: number; holdoutFraction?: number };
}

interface Summary extends Partial<PersonalizeReport> {
  excludedSessionIds?: number[];
}

const nullIfNaN = (x: number): number | null => (Number.isFinite(x) ? x : null);
const figures = (f: { rmse: number; rmseA: number; rmseV: number }) => ({ rmse: nullIfNaN(f.rmse), rmseA: nullIfNaN(f.rmseA), rmseV: nullIfNaN(f.rmseV) });

export class PersonalizationService {
  readonly #o: PersonalizationServiceOptions;
  /** profileId -> running job id */
  readonly #running = new Map<number, string>();
  readonly #workers = new Set<Worker>();
  #closed = false;

  constructor(o: PersonalizationServiceOptions) {
    this.#o = o;
  }

  #profile(profileId: number) {
    const p = this.#o.profiles.get(profileId);
    if (!p) throw new AppError('NOT_FOUND', `Expected an existing profile id, got ${profileId} (no such profile)`);
    return p;
  }

  /** Usable (complete/interrupted) sessions of a profile, split by the exclude flag. */
  #sessionCounts(profileId: number): { used: number[]; excluded: number[] } {
    const all = this.#o.annotation.list({ profileId, states: ['complete', 'interrupted'] });
    return { used: all.filter((s) => !s.excluded).map((s) => s.id), excluded: all.filter((s) => s.excluded).map((s) => s.id) };
  }

  /** The base model version personal models are keyed by (the analysis worker's), or null when unknown. */
  async #modelVersion(profileId: number): Promise<string | null> {
    if (this.#o.analysis) {
      try {
        return (await this.#o.analysis.ready()).version;
      } catch (e) {
        log.warn('personalization: the analysis model did not load; using the newest stored personal model version', e);
      }
    }
    const r = this.#o.db.prepare<[number], { model_version: string }>('SELECT model_version FROM personal_models WHERE profile_id = ? ORDER BY created_at DESC LIMIT 1').get(profileId);
    return r?.model_version ?? null;
  }

  /**
   * Personalizes the model for one profile and stores the personal weights.
   * @throws AppError NOT_FOUND (profile), VALIDATION_FAILED (no usable session / too few annotated
   *   steps / missing audio), CONFLICT (a run of this profile is going), CANCELLED (job:cancel),
   *   MODEL_SHAPE_MISMATCH (the base model differs from the analysis model)
   */
  async run(profileId: number, jobId?: string): Promise<PersonalizeRunResult> {
    if (this.#closed) throw new AppError('CANCELLED', 'The studio is closing');
    const profile = this.#profile(profileId);
    const running = this.#running.get(profileId);
    if (running) throw new AppError('CONFLICT', `Personalization of profile "${profile.name}" is already running (job ${running})`);
    const data = this.#o.annotation.personalizationData(profileId);
    if (data.length === 0) {
      const c = this.#sessionCounts(profileId);
      if (c.excluded.length > 0) {
        throw new AppError('VALIDATION_FAILED', `Personalization needs at least one annotated session that is not excluded; all ${c.excluded.length} session(s) of profile "${profile.name}" are excluded`);
      }
      throw new AppError('VALIDATION_FAILED', `Personalization needs at least one annotated session; profile "${profile.name}" has none`);
    }
    const sessions: PersonalizeRequest['sessions'] = [];
    const missing: string[] = [];
    for (const s of data) {
      const t = this.#o.tracks.get(s.trackId);
      if (!t || t.status !== 'ok') missing.push(`session ${s.sessionId} (track ${s.trackId}${t ? `: ${t.status}` : ': removed'})`);
      else sessions.push({ sessionId: s.sessionId, path: t.path, valence: s.valence, arousal: s.arousal });
    }
    if (sessions.length === 0) {
      throw new AppError('VALIDATION_FAILED', `Personalization needs the audio of the annotated tracks; none of profile "${profile.name}"'s sessions has a readable track: ${missing.join(', ')}`);
    }
    const excluded = this.#sessionCounts(profileId).excluded;
    const m = this.#o.model ?? {};
    const req: PersonalizeRequest = {
      weightsDir: m.weightsDir ?? (process.env.PDMER_WEIGHTS || undefined),
      config: m.config ?? (process.env.PDMER_MODEL_CONFIG || 'compact'),
      backend: m.backend ?? (process.env.PDMER_BACKEND || 'auto'),
      cacheDir: cacheDirFor(this.#o.dataDir),
      sessions,
      ...this.#o.adapt,
    };
    const id = jobId ?? `personalize-${profileId}-${Date.now().toString(36)}`;
    this.#running.set(profileId, id);
    try {
      return await this.#o.jobs.run('personalize', { jobId: id, total: sessions.length + 2, payload: { profileId } }, async (job) => {
        const out = await this.#inWorker(req, (done, total, message) => job.progress(done, total, message), job.signal);
        job.throwIfCancelled();
        const version = this.#o.analysis ? await this.#modelVersion(profileId) : out.modelVersion;
        if (version !== null && version !== out.modelVersion) {
          throw new AppError('MODEL_SHAPE_MISMATCH', `Personalization adapted base model ${out.modelVersion}, but the app analyses with ${version}; set the same weights (PDMER_WEIGHTS) for both`);
        }
        const report: PersonalizeReport = {
          sessions: out.report.sessions,
          adaptSteps: out.report.adaptSteps,
          heldOutSteps: out.report.heldOutSteps,
          before: figures(out.report.before),
          after: figures(out.report.after),
          sessionIds: sessions.map((s) => s.sessionId),
        };
        const stored = this.#store(profileId, out, report, excluded);
        fs.rmSync(this.#backupFile(profileId), { force: true }); // a new model: the reset one is gone for good
        job.progress(sessions.length + 2, sessions.length + 2, `stored; held-out RMSE ${report.before.rmse?.toFixed(3) ?? '–'} -> ${report.after.rmse?.toFixed(3) ?? '–'}`);
        const requeued = await this.#recompute(profileId, [...new Set([...data.map((s) => s.trackId), ...stored.staleTrackIds])]);
        this.#o.bus.emit('personalize:onChanged', { profileId, reason: 'run' });
        this.#o.bus.emit('library:onChanged', { reason: 'profile' });
        return { profileId, modelVersion: out.modelVersion, createdAt: stored.createdAt, report, requeued };
      });
    } finally {
      this.#running.delete(profileId);
    }
  }

  /** Upserts the personal model and drops the profile's stale personal predictions (one transaction). */
  #store(profileId: number, out: PersonalizeOutcome, report: PersonalizeReport, excluded: number[]): { createdAt: string; staleTrackIds: number[] } {
    const summary: Summary = { ...report, excludedSessionIds: excluded };
    return storePersonalModel(this.#o.db, { profileId, modelVersion: out.modelVersion, featureHash: out.featureHash, weights: Buffer.from(out.weights), manifest: out.manifest, summary });
  }

  /** Queues the profile's curves of `trackIds` for background analysis with the new weights. */
  async #recompute(profileId: number, trackIds: number[]): Promise<number[]> {
    const a = this.#o.analysis;
    const ids = trackIds.filter((id) => this.#o.tracks.get(id)?.status === 'ok').slice(0, REQUEUE_LIMIT);
    if (!a || ids.length === 0) return [];
    try {
      const r = await a.analyze(ids, 'background', profileId);
      if (ids.length) this.#o.bus.emit('library:onChanged', { reason: 'analysis', trackIds: ids });
      return r.queued;
    } catch (e) {
      log.warn(`personalization: could not queue the personal curves of profile ${profileId}`, e);
      return [];
    }
  }

  #inWorker(req: PersonalizeRequest, progress: (done: number, total: number, message: string) => void, signal: AbortSignal): Promise<PersonalizeOutcome> {
    const spec = analysisWorkerSpec();
    const worker = new Worker(spec.file, { workerData: spec.workerData, stdout: false, stderr: false });
    this.#workers.add(worker);
    return new Promise<PersonalizeOutcome>((resolve, reject) => {
      let settled = false;
      const done = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.#workers.delete(worker);
        void worker.terminate();
        fn();
      };
      const onAbort = () => done(() => reject(new AppError('CANCELLED', 'Personalization was cancelled')));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'personalizeProgress') progress(msg.done, msg.total, msg.message);
        else if (msg.type === 'personalizeDone') done(() => resolve(msg.result));
        else if (msg.type === 'personalizeFailed') done(() => reject(new AppError(msg.error.code, msg.error.message)));
      });
      worker.on('error', (e) => done(() => reject(new AppError('INTERNAL', `The personalization worker failed: ${e.message}`))));
      worker.on('exit', (code) => done(() => reject(new AppError('INTERNAL', `The personalization worker exited (code ${code}) before it finished`))));
      worker.postMessage({ type: 'personalize', req } satisfies ToWorker);
    });
  }

  /** @throws AppError NOT_FOUND (profile) */
  async status(profileId: number): Promise<PersonalizeStatus> {
    this.#profile(profileId);
    const version = await this.#modelVersion(profileId);
    const row =
      version === null
        ? undefined
        : this.#o.db.prepare<[number, string], { created_at: string; summary: string }>('SELECT created_at, summary FROM personal_models WHERE profile_id = ? AND model_version = ?').get(profileId, version);
    let lastReport: PersonalizeReport | null = null;
    if (row) {
      try {
        const s = JSON.parse(row.summary) as Summary & { before?: { rmse: number | null } };
        if (s.before && s.after && typeof s.sessions === 'number') {
          lastReport = {
            sessions: s.sessions,
            adaptSteps: s.adaptSteps ?? 0,
            heldOutSteps: s.heldOutSteps ?? 0,
            before: figures(nums(s.before)),
            after: figures(nums(s.after)),
            sessionIds: s.sessionIds ?? [],
          };
        }
      } catch {
        lastReport = null; // a summary written by another tool: the model is still there
      }
    }
    const c = this.#sessionCounts(profileId);
    return {
      profileId,
      modelVersion: version ?? '',
      hasPersonalModel: !!row,
      createdAt: row?.created_at ?? null,
      lastReport,
      sessionsUsed: c.used.length,
      sessionsExcluded: c.excluded.length,
      canUndoReset: fs.existsSync(this.#backupFile(profileId)),
      runningJobId: this.#running.get(profileId) ?? null,
    };
  }

  /**
   * Deletes the profile's personal weights (every base version) and personal predictions. Annotations stay.
   * @throws AppError NOT_FOUND (profile), CONFLICT (a run is going)
   */
  reset(profileId: number): { profileId: number; removedModels: number; removedPredictions: number } {
    const profile = this.#profile(profileId);
    const running = this.#running.get(profileId);
    if (running) throw new AppError('CONFLICT', `Personalization of profile "${profile.name}" is running (job ${running}); cancel it before resetting`);
    const db = this.#o.db;
    const r = db.transaction(() => {
      const saved = db.prepare<[number], BackupRow>('SELECT model_version, feature_hash, weights, manifest, summary, created_at FROM personal_models WHERE profile_id = ?').all(profileId);
      if (saved.length > 0) this.#writeBackup(profileId, saved);
      const tracks = db.prepare<[number], { track_id: number }>('SELECT DISTINCT track_id FROM predictions WHERE profile_id = ?').all(profileId).map((x) => x.track_id);
      const models = db.prepare('DELETE FROM personal_models WHERE profile_id = ?').run(profileId).changes;
      const preds = db.prepare('DELETE FROM predictions WHERE profile_id = ?').run(profileId).changes;
      return { models, preds, tracks };
    })();
    this.#o.bus.emit('personalize:onChanged', { profileId, reason: 'reset' });
    this.#o.bus.emit('library:onChanged', { reason: 'profile' });
    if (r.tracks.length) this.#o.bus.emit('library:onChanged', { reason: 'analysis', trackIds: r.tracks });
    return { profileId, removedModels: r.models, removedPredictions: r.preds };
  }

  #backupFile(profileId: number): string {
    return path.join(this.#o.dataDir, 'personal-reset', `profile-${profileId}.json`);
  }

  #writeBackup(profileId: number, rows: BackupRow[]): void {
    const file = this.#backupFile(profileId);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const part = `${file}.${process.pid}.part`;
    fs.writeFileSync(part, JSON.stringify({ profileId, resetAt: new Date().toISOString(), models: rows.map((r) => ({ ...r, weights: r.weights.toString('base64') })) }));
    fs.renameSync(part, file);
  }

  /**
   * Restores the personal model removed by the last reset (until the next run) and queues the
   * profile's annotated tracks for personal curves again.
   * @throws AppError NOT_FOUND (profile, or nothing to restore), CONFLICT (a run is going)
   */
  async undoReset(profileId: number): Promise<{ profileId: number; restoredModels: number; requeued: number[] }> {
    const profile = this.#profile(profileId);
    if (this.#running.has(profileId)) throw new AppError('CONFLICT', `Personalization of profile "${profile.name}" is running; nothing to restore meanwhile`);
    const file = this.#backupFile(profileId);
    let saved: { models: (Omit<BackupRow, 'weights'> & { weights: string })[] };
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof saved;
    } catch {
      throw new AppError('NOT_FOUND', `Profile "${profile.name}" has no reset personal model to restore (it is kept only until the next personalization)`);
    }
    const db = this.#o.db;
    const n = db.transaction(() => {
      const ins = db.prepare(
        `INSERT INTO personal_models (profile_id, model_version, feature_hash, weights, manifest, summary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile_id, model_version) DO NOTHING`,
      );
      let k = 0;
      for (const m of saved.models) k += ins.run(profileId, m.model_version, m.feature_hash, Buffer.from(m.weights, 'base64'), m.manifest, m.summary, m.created_at).changes;
      return k;
    })();
    fs.rmSync(file, { force: true });
    const annotated = [...new Set(this.#o.annotation.personalizationData(profileId).map((s) => s.trackId))];
    const requeued = n > 0 ? await this.#recompute(profileId, annotated) : [];
    this.#o.bus.emit('personalize:onChanged', { profileId, reason: 'undoReset' });
    this.#o.bus.emit('library:onChanged', { reason: 'profile' });
    return { profileId, restoredModels: n, requeued };
  }

  /** Cancels running runs (their workers are terminated). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const id of this.#running.values()) this.#o.jobs.cancel(id);
    await Promise.all([...this.#workers].map((w) => w.terminate()));
    this.#workers.clear();
  }
}

interface BackupRow {
  model_version: string;
  feature_hash: string;
  weights: Buffer;
  manifest: string;
  summary: string;
  created_at: string;
}

/**
 * Stores a profile's personal weights for one base model version (PersonalWeights blob + manifest
 * JSON + summary JSON; created_at = now) and deletes that profile's personal predictions of that
 * version, which are stale from now on (the mood map would otherwise keep showing them). One
 * transaction. Also usable by `pdmer adapt` so the CLI and the app leave the same state.
 * @returns the new created_at and the tracks whose personal curves were dropped
 */
export function storePersonalModel(
  db: WritableDB,
  m: { profileId: number; modelVersion: string; featureHash: string; weights: Buffer; manifest: string; summary: unknown },
): { createdAt: string; staleTrackIds: number[] } {
  return db.transaction(() => {
    db.prepare(
      `INSERT INTO personal_models (profile_id, model_version, feature_hash, weights, manifest, summary) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile_id, model_version) DO UPDATE SET feature_hash = excluded.feature_hash, weights = excluded.weights,
       manifest = excluded.manifest, summary = excluded.summary, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    ).run(m.profileId, m.modelVersion, m.featureHash, m.weights, m.manifest, JSON.stringify(m.summary));
    const stale = db.prepare<[number, string], { track_id: number }>('SELECT DISTINCT track_id FROM predictions WHERE profile_id = ? AND model_version = ?').all(m.profileId, m.modelVersion);
    db.prepare('DELETE FROM predictions WHERE profile_id = ? AND model_version = ?').run(m.profileId, m.modelVersion);
    const row = db.prepare<[number, string], { created_at: string }>('SELECT created_at FROM personal_models WHERE profile_id = ? AND model_version = ?').get(m.profileId, m.modelVersion)!;
    return { createdAt: row.created_at, staleTrackIds: stale.map((r) => r.track_id) };
  })();
}

function nums(f: { rmse?: number | null; rmseA?: number | null; rmseV?: number | null }) {
  return { rmse: f.rmse ?? NaN, rmseA: f.rmseA ?? NaN, rmseV: f.rmseV ?? NaN };
}

/** What `installPersonalization` needs from ServiceDeps (structural, so services do not import ipc/). */
export interface PersonalizationInstallDeps {
  db: WritableDB;
  bus: EventBus;
  dataDir: string;
  jobs: JobsService;
  profiles: ProfilesRepo;
  tracks: TracksRepo;
  annotation?: AnnotationService;
  analysis?: AnalysisService;
  personalization?: PersonalizationService;
  onClose(fn: () => void | Promise<void>): void;
}

/** ServiceDeps installer (after installAnalysis and installAnnotation). */
export function installPersonalization(deps: PersonalizationInstallDeps): void {
  if (!deps.annotation) throw new AppError('INTERNAL', 'installPersonalization needs the annotation service (install it first)');
  const s = new PersonalizationService({
    db: deps.db,
    bus: deps.bus,
    dataDir: deps.dataDir,
    jobs: deps.jobs,
    annotation: deps.annotation,
    profiles: deps.profiles,
    tracks: deps.tracks,
    analysis: deps.analysis,
  });
  deps.personalization = s;
  deps.onClose(() => s.close());
}
