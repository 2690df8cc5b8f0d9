/**
 * Annotation studio service: crash-safe recording sessions, punch-in with undo/redo, review
 * traces, reliability, export/import and study mode. No electron; runs under tests, the
 * browser-mode server and Electron alike.
 *
 * Crash safety: every batch is written on arrival in its own transaction, idempotent by
 * (session, seq). A session in state `recording` has a live writer only while this process has
 * a lease for it (set by start/resume/punchIn and every batch); at construction (= app start)
 * every `recording` session is marked `interrupted` with all its samples kept, and a session
 * whose writer has been silent for `staleAfterMs` is marked `interrupted` on the next sweep.
 */
import { createHash, randomInt } from 'node:crypto';
import { binSamples } from '../../src-shared/annotation/binning';
import { checkCompleteness } from '../../src-shared/annotation/completeness';
import { BIN_SEC, EXPORT_SCHEMA_VERSION, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '../../src-shared/annotation/constants';
import {
  EXPORT_KIND,
  fromColumns,
  groupLongRows,
  longRows,
  parseJsonExport,
  parseLongCsv,
  toColumns,
  wideRows,
  writeJsonExport,
  writeLongCsv,
  writeWideCsv,
  type ExportDocument,
  type ExportedSession,
} from '../../src-shared/annotation/export';
import * as L from '../../src-shared/annotation/layers';
import { reliability as computeReliability, toRatings } from '../../src-shared/annotation/reliability';
import { participantOrder } from '../../src-shared/annotation/study-order';
import type { Completeness, PunchLayer, Sample, SessionMeta, SessionState, SessionSummary } from '../../src-shared/annotation/types';
import type { ParsedInput, Output } from '../../src-shared/ipc/contract';
import { StudyConfigSchema, type ImportResult, type Participant, type ReliabilityReport, type SessionDetail, type Study, type TrackReliability, type TrackTraces } from '../../src-shared/ipc/contract/annotation';
import { AppError } from '../../src-shared/ipc/envelope';
import { AnnotationRepo, type ParticipantRow, type SessionRow, type StudyRow } from '../db/annotation.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';
import { log } from '../log';

export interface AnnotationServiceOptions {
  /** Receives `annotation:onChanged`. */
  bus?: EventBus;
  /** A recording session whose writer sent nothing for this long is marked interrupted (default 30 s). */
  staleAfterMs?: number;
  /** Clock for leases (tests). */
  now?: () => number;
  /** Base model version written into JSON exports (default: the newest base prediction's). */
  modelVersion?: () => string | null;
  appVersion?: string;
  /**
   * Mark sessions left `recording` as `interrupted` now (default false; the studio passes true).
   * A session whose writer process (pid stored at start/resume) is still alive on this machine
   * and is not this process is left alone: another studio/CLI process on the same library must
   * not cut a live recording.
   */
  recoverInterrupted?: boolean;
}


export class AnnotationService {
  readonly repo: AnnotationRepo;
  /** Sessions found `recording` at startup and marked `interrupted`. */
  readonly recoveredOnStartup: number[];
  readonly #opts: AnnotationServiceOptions;
  readonly #leases = new Map<number, number>();
  readonly #now: () => number;

  constructor(db: WritableDB, opts: AnnotationServiceOptions = {}) {
    this.repo = new AnnotationRepo(db);
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.recoveredOnStartup = opts.recoverInterrupted ? this.repo.recordingSessionIds().filter((id) => !writerAlive(this.repo.getSession(id)?.meta.writerPid)) : [];
    for (const id of this.recoveredOnStartup) this.#interrupt(id, 'restart');
    if (this.recoveredOnStartup.length > 0) log.info(`annotation: ${this.recoveredOnStartup.length} interrupted session(s) recovered`, this.recoveredOnStartup);
  }

  // --- recording -----------------------------------------------------------------------------

  start(input: ParsedInput<'annotation:start'>): SessionSummary {
    this.sweepStale();
    if (!this.repo.profile(input.profileId)) throw new AppError('NOT_FOUND', `Expected an existing profile, got id ${input.profileId}`);
    const track = this.repo.track(input.trackId);
    if (!track) throw new AppError('NOT_FOUND', `Expected a track in the library, got id ${input.trackId}`);
    if ((input.studyId === undefined) !== (input.participantId === undefined)) {
      throw new AppError('VALIDATION_FAILED', 'Expected studyId and participantId together (or neither)');
    }
    if (input.studyId !== undefined) {
      const p = this.repo.getParticipant(input.studyId, input.participantId!);
      if (!p) throw new AppError('NOT_FOUND', `Expected participant ${input.participantId} enrolled in study ${input.studyId}`);
      if (p.profileId !== input.profileId) throw new AppError('CONFLICT', `Participant ${input.participantId} records as profile ${p.profileId}, got profile ${input.profileId}`);
    }
    const id = this.repo.insertSession({
      profileId: input.profileId,
      trackId: input.trackId,
      studyId: input.studyId ?? null,
      participantId: input.participantId ?? null,
      sampleRateHz: input.sampleRateHz,
      outputLatencySec: input.outputLatencySec,
      inputDevice: input.inputDevice,
      meta: { layers: [], labels: input.labels, trackDurationSec: track.durationSec, writerPid: process.pid },
    });
    this.#leases.set(id, this.#now());
    this.#emit('start', [id]);
    return this.summary(id);
  }

  /**
   * Writes one batch (one transaction). Samples whose seq is already stored are skipped, so a
   * re-sent batch never duplicates.
   * @throws AppError CONFLICT when the session is not recording; VALIDATION_FAILED for a sample
   *   on a layer that is not being recorded (nothing of the batch is written then)
   */
  append(input: ParsedInput<'annotation:append'>): Output<'annotation:append'> {
    const row = this.repo.requireSession(input.sessionId);
    if (row.state !== 'recording') {
      throw new AppError('CONFLICT', `Expected session ${row.id} to be recording, got state '${row.state}'${row.state === 'interrupted' ? ' (resume it first)' : ''}`, { state: row.state });
    }
    const open = row.meta.layers.find((l) => l.tEnd === null && l.state === 'active');
    const layer = open ? open.layer : 0;
    const wrong = input.samples.filter((s) => s.layer !== layer);
    if (wrong.length > 0) {
      const stored = new Set(this.repo.samples(row.id).map((s) => s.seq));
      const bad = wrong.find((s) => !stored.has(s.seq));
      if (bad) throw new AppError('VALIDATION_FAILED', `Expected samples on layer ${layer} (the one being recorded), got seq ${bad.seq} on layer ${bad.layer}`);
    }
    const fresh = input.samples.filter((s) => s.layer === layer);
    const inserted = this.repo.appendSamples(row.id, fresh);
    this.#leases.set(row.id, this.#now());
    const after = this.repo.requireSession(row.id);
    return { inserted, duplicates: input.samples.length - inserted, sampleCount: after.sampleCount, nextSeq: nextSeq(after) };
  }

  /** Ends the recording (or the running punch-in): complete, with completeness computed. */
  finish(sessionId: number, inputDevice?: string, outputLatencySec: number | null = null): SessionSummary {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'recording') throw new AppError('CONFLICT', `Expected session ${sessionId} to be recording, got state '${row.state}'`);
    const samples = this.repo.samples(sessionId);
    const layers = closeOpenLayers(row.meta.layers, samples);
    const state: SessionState = row.meta.punchFrom ?? 'complete';
    const meta = this.#withCompleteness({ ...row.meta, layers, punchFrom: undefined }, samples, row);
    if (row.meta.punchFrom) this.repo.setState(sessionId, state, meta);
    else this.repo.finish(sessionId, state, meta);
    if (inputDevice && !row.meta.punchFrom) this.repo.setInputDevice(sessionId, inputDevice);
    if (outputLatencySec !== null && !row.outputLatencySec) this.repo.setOutputLatency(sessionId, outputLatencySec);
    this.#leases.delete(sessionId);
    this.#emit('finish', [sessionId]);
    return this.summary(sessionId);
  }

  /** Marks sessions whose writer went silent as interrupted. @returns their ids */
  sweepStale(): number[] {
    const limit = this.#opts.staleAfterMs ?? 30_000;
    const now = this.#now();
    const out: number[] = [];
    for (const [id, seen] of this.#leases) {
      if (now - seen > limit) {
        this.#leases.delete(id);
        const row = this.repo.getSession(id);
        if (row?.state === 'recording') {
          this.#interrupt(id, 'stale');
          out.push(id);
        }
      }
    }
    return out;
  }

  /** Reopens an interrupted session for recording; the renderer continues at `nextSeq` and `completeness.lastT`. */
  resume(sessionId: number): SessionSummary {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'interrupted') throw new AppError('CONFLICT', `Expected an interrupted session to resume, got state '${row.state}'`);
    this.repo.setState(sessionId, 'recording', { ...row.meta, interruptedBy: undefined, writerPid: process.pid });
    this.#leases.set(sessionId, this.#now());
    this.#emit('resume', [sessionId]);
    return this.summary(sessionId);
  }

  /** Soft delete: hidden from lists, personalization and exports; `restore` undoes it. */
  discard(sessionId: number): SessionSummary {
    let row = this.repo.requireSession(sessionId);
    if (row.state === 'discarded') return this.summary(sessionId);
    if (row.state === 'recording') {
      this.#interrupt(sessionId, 'stale');
      row = this.repo.requireSession(sessionId);
    }
    this.repo.setState(sessionId, 'discarded', { ...row.meta, discardedFrom: row.state, discardedAt: new Date(this.#now()).toISOString() });
    this.#leases.delete(sessionId);
    this.#emit('discard', [sessionId]);
    return this.summary(sessionId);
  }

  restore(sessionId: number): SessionSummary {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'discarded') throw new AppError('CONFLICT', `Expected a discarded session to restore, got state '${row.state}'`);
    const back = row.meta.discardedFrom && row.meta.discardedFrom !== 'recording' && row.meta.discardedFrom !== 'discarded' ? row.meta.discardedFrom : 'interrupted';
    this.repo.setState(sessionId, back, { ...row.meta, discardedFrom: undefined, discardedAt: undefined });
    this.#emit('restore', [sessionId]);
    return this.summary(sessionId);
  }

  /** Permanently deletes a discarded session (the only irreversible operation). */
  purge(sessionId: number): boolean {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'discarded') throw new AppError('CONFLICT', `Expected a discarded session to purge (discard it first), got state '${row.state}'`);
    const purged = this.repo.purge(sessionId);
    this.#emit('purge', [sessionId]);
    return purged;
  }

  setExcluded(sessionId: number, excluded: boolean): SessionSummary {
    this.repo.requireSession(sessionId);
    this.repo.setExcluded(sessionId, excluded);
    this.#emit('exclude', [sessionId]);
    return this.summary(sessionId);
  }

  // --- punch-in ------------------------------------------------------------------------------

  punchIn(sessionId: number, tStart: number): Output<'annotation:punchIn'> {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'complete' && row.state !== 'interrupted') {
      throw new AppError('CONFLICT', `Expected a complete or interrupted session to punch in, got state '${row.state}'`);
    }
    const p = L.punchIn(row.meta.layers, tStart);
    this.repo.setState(sessionId, 'recording', { ...row.meta, layers: p.layers, punchFrom: row.state, writerPid: process.pid });
    this.#leases.set(sessionId, this.#now());
    this.#emit('punch', [sessionId]);
    const session = this.summary(sessionId);
    return { layer: p.layer, nextSeq: session.nextSeq, session };
  }

  punchOut(sessionId: number, layer: number, tEnd: number): SessionSummary {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'recording' || !row.meta.punchFrom) throw new AppError('CONFLICT', `Expected session ${sessionId} to be recording a punch-in, got state '${row.state}'`);
    let layers: PunchLayer[];
    try {
      layers = L.punchOut(row.meta.layers, layer, tEnd);
    } catch (e) {
      throw new AppError('VALIDATION_FAILED', (e as Error).message);
    }
    const samples = this.repo.samples(sessionId);
    const meta = this.#withCompleteness({ ...row.meta, layers, punchFrom: undefined }, samples, row);
    this.repo.setState(sessionId, row.meta.punchFrom, meta);
    this.#leases.delete(sessionId);
    this.#emit('punch', [sessionId]);
    return this.summary(sessionId);
  }

  undo(sessionId: number): SessionSummary {
    return this.#history(sessionId, 'undo');
  }

  redo(sessionId: number): SessionSummary {
    return this.#history(sessionId, 'redo');
  }

  #history(sessionId: number, op: 'undo' | 'redo'): SessionSummary {
    const row = this.repo.requireSession(sessionId);
    if (row.state === 'recording' || row.state === 'discarded') throw new AppError('CONFLICT', `Expected a finished session to ${op}, got state '${row.state}'`);
    let layers: PunchLayer[];
    try {
      layers = op === 'undo' ? L.undo(row.meta.layers) : L.redo(row.meta.layers);
    } catch (e) {
      throw new AppError('CONFLICT', (e as Error).message);
    }
    this.repo.setMeta(sessionId, this.#withCompleteness({ ...row.meta, layers }, this.repo.samples(sessionId), row));
    this.#emit(op, [sessionId]);
    return this.summary(sessionId);
  }

  // --- reading -------------------------------------------------------------------------------

  list(filter: ParsedInput<'annotation:list'> = {}): SessionSummary[] {
    this.sweepStale();
    const states = filter.states ?? (['recording', 'complete', 'interrupted'] as SessionState[]);
    return this.repo.listSessions({ ...filter, states }).map((r) => this.#toSummary(r));
  }

  summary(sessionId: number): SessionSummary {
    return this.#toSummary(this.repo.requireSession(sessionId));
  }

  get(sessionId: number): SessionDetail {
    const row = this.repo.requireSession(sessionId);
    const samples = this.repo.samples(sessionId);
    const resolved = L.resolveLayers(samples, row.meta.layers);
    return { session: this.#toSummary(row, samples), samples: resolved, bins: binSamples(resolved, { durationSec: row.trackDurationSec }) };
  }

  /** The 2 Hz bins of one session's resolved trace: the stored ones, or derived while recording. */
  bins(sessionId: number): ReturnType<typeof binSamples> {
    const row = this.repo.requireSession(sessionId);
    if (row.state !== 'recording' && row.meta.bins) return row.meta.bins;
    return this.get(sessionId).bins;
  }

  /**
   * Sessions of one profile usable for personalization: complete or interrupted, not excluded,
   * with their resolved 2 Hz bins (for H6's personalization).
   */
  personalizationData(profileId: number): { sessionId: number; trackId: number; valence: (number | null)[]; arousal: (number | null)[] }[] {
    return this.repo
      .listSessions({ profileId, states: ['complete', 'interrupted'] })
      .filter((r) => !r.excluded)
      .map((r) => {
        const b = this.bins(r.id);
        return { sessionId: r.id, trackId: r.trackId, valence: b.valence, arousal: b.arousal };
      });
  }

  /** One session per profile for a track: the newest complete one, else the newest interrupted one. */
  #pickPerProfile(trackId: number, profileIds?: readonly number[]): SessionRow[] {
    const rows = this.repo.listSessions({ trackId, states: ['complete', 'interrupted'] });
    const best = new Map<number, SessionRow>();
    for (const r of rows) {
      if (profileIds && !profileIds.includes(r.profileId)) continue;
      const cur = best.get(r.profileId);
      if (!cur || (cur.state !== 'complete' && r.state === 'complete')) best.set(r.profileId, r);
    }
    return [...best.values()].sort((a, b) => a.profileId - b.profileId);
  }

  trackTraces(trackId: number, profileIds?: readonly number[]): TrackTraces {
    const track = this.repo.track(trackId);
    if (!track) throw new AppError('NOT_FOUND', `Expected a track in the library, got id ${trackId}`);
    const traces = this.#pickPerProfile(trackId, profileIds).map((r) => {
      const b = this.bins(r.id);
      return { sessionId: r.id, profileId: r.profileId, profileName: r.profileName, state: r.state, valence: b.valence, arousal: b.arousal };
    });
    const band = (dim: 'valence' | 'arousal') => {
      const n = traces.reduce((m, t) => Math.max(m, t[dim].length), 0);
      const mean: (number | null)[] = [];
      const sd: (number | null)[] = [];
      for (let k = 0; k < n; k++) {
        const xs = traces.map((t) => t[dim][k]).filter((x): x is number => x !== null && x !== undefined);
        if (xs.length === 0) {
          mean.push(null);
          sd.push(null);
          continue;
        }
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        mean.push(m);
        sd.push(Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length));
      }
      return { mean, sd };
    };
    const v = band('valence');
    const a = band('arousal');
    return { trackId, durationSec: track.durationSec, binSec: BIN_SEC, traces, mean: { valence: v.mean, arousal: a.mean }, sd: { valence: v.sd, arousal: a.sd } };
  }

  /** Reliability per track (tracks annotated by >= 2 profiles) and its mean over the library. */
  reliability(opts: { trackId?: number; maxLagSteps?: number } = {}): ReliabilityReport {
    const trackIds = opts.trackId !== undefined ? [opts.trackId] : this.repo.tracksWithSeveralProfiles();
    const tracks: TrackReliability[] = [];
    for (const trackId of trackIds) {
      const t = this.trackTraces(trackId);
      if (t.traces.length < 2) continue;
      const title = this.repo.track(trackId)?.title ?? null;
      tracks.push({
        trackId,
        title,
        raters: t.traces.map((x) => ({ profileId: x.profileId, profileName: x.profileName, sessionId: x.sessionId })),
        valence: computeReliability(toRatings(t.traces.map((x) => x.valence)), { maxLagSteps: opts.maxLagSteps }),
        arousal: computeReliability(toRatings(t.traces.map((x) => x.arousal)), { maxLagSteps: opts.maxLagSteps }),
      });
    }
    const mean = (dim: 'valence' | 'arousal', key: 'iccAgreement' | 'iccConsistency' | 'alpha' | 'meanCcc') => {
      const xs = tracks.map((t) => t[dim][key]).filter((x): x is number => x !== null);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    };
    const summary = (dim: 'valence' | 'arousal') => ({
      iccAgreement: mean(dim, 'iccAgreement'),
      iccConsistency: mean(dim, 'iccConsistency'),
      alpha: mean(dim, 'alpha'),
      meanCcc: mean(dim, 'meanCcc'),
    });
    return { tracks, library: { tracks: tracks.length, valence: summary('valence'), arousal: summary('arousal') } };
  }

  // --- export / import -----------------------------------------------------------------------

  /** Builds the export document for the selected sessions. */
  exportDocument(input: Omit<ParsedInput<'annotation:export'>, 'format'>): ExportDocument {
    let rows: SessionRow[];
    const states: SessionState[] = input.includeDiscarded ? ['recording', 'complete', 'interrupted', 'discarded'] : ['recording', 'complete', 'interrupted'];
    if (input.sessionIds) {
      rows = input.sessionIds.map((id) => this.repo.requireSession(id)).filter((r) => states.includes(r.state));
    } else {
      rows = this.repo.listSessions({ profileId: input.profileId, trackId: input.trackId, studyId: input.studyId, states }).reverse();
    }
    const sessions: ExportedSession[] = rows.map((r) => {
      const track = this.repo.track(r.trackId)!;
      return {
        uid: r.uid,
        sourceId: r.id,
        profile: { name: r.profileName },
        track: { id: track.id, contentHash: track.contentHash, path: track.path, title: track.title, artist: track.artist, durationSec: track.durationSec },
        studyId: r.studyId,
        participantId: r.participantId,
        state: r.state,
        sampleRateHz: r.sampleRateHz,
        outputLatencySec: r.outputLatencySec,
        inputDevice: r.inputDevice,
        excluded: r.excluded,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        // Derived caches (completeness, bins) stay out of meta; import recomputes them.
        meta: { ...r.meta, bins: undefined, completeness: undefined, writerPid: undefined },
        samples: toColumns(this.repo.samples(r.id)),
      };
    });
    for (const s of sessions) {
      const b = binSamples(L.resolveLayers(fromColumns(s.samples), s.meta.layers), { durationSec: s.track.durationSec });
      s.bins = { binSec: b.binSec, valence: b.valence, arousal: b.arousal };
    }
    const modelVersion = this.#opts.modelVersion ? this.#opts.modelVersion() : this.repo.latestModelVersion();
    return {
      kind: EXPORT_KIND,
      schemaVersion: EXPORT_SCHEMA_VERSION,
      modelVersion,
      exportedAt: new Date(this.#now()).toISOString(),
      app: { name: 'Music Emotion Studio', version: this.#opts.appVersion ?? '0.0.0' },
      sessions,
    };
  }

  export(input: ParsedInput<'annotation:export'>): Output<'annotation:export'> {
    const doc = this.exportDocument(input);
    const stamp = doc.exportedAt.replace(/[-:]/g, '').replace(/\..*$/, '');
    if (input.format === 'json') return { filename: `annotations-${stamp}.json`, mime: 'application/json', text: writeJsonExport(doc), sessions: doc.sessions.length };
    if (input.format === 'csv-long') return { filename: `annotations-${stamp}-long.csv`, mime: 'text/csv', text: writeLongCsv(longRows(doc.sessions)), sessions: doc.sessions.length };
    return { filename: `annotations-${stamp}-2hz-wide.csv`, mime: 'text/csv', text: writeWideCsv(wideRows(doc.sessions)), sessions: doc.sessions.length };
  }

  /**
   * Imports a JSON export (exact: samples, layers, history, states, timestamps) or a long CSV
   * (the resolved traces; tracks by id). Everything is validated before anything is written,
   * and all sessions are written in one transaction. Re-importing skips sessions already there
   * (by uid; CSV sessions get a uid from a hash of their rows).
   * @throws AppError VALIDATION_FAILED for malformed input (nothing written)
   */
  import(text: string, format: 'auto' | 'json' | 'csv-long' = 'auto'): ImportResult {
    const fmt = format === 'auto' ? (text.trimStart().startsWith('{') ? 'json' : 'csv-long') : format;
    const doc = fmt === 'json' ? parseJsonExport(text) : this.#csvToDocument(text);
    const result: ImportResult = { imported: [], skipped: [], createdProfiles: [] };
    this.repo.transaction(() => {
      for (const s of doc.sessions) {
        if (this.repo.sessionIdByUid(s.uid) !== null) {
          result.skipped.push({ uid: s.uid, reason: `already in the library (session uid ${s.uid})` });
          continue;
        }
        const track = fmt === 'json' ? (this.repo.trackByHash(s.track.contentHash) ?? this.repo.trackByPath(s.track.path)) : this.repo.track(s.track.id);
        if (!track) {
          result.skipped.push({ uid: s.uid, reason: `track not in the library (${fmt === 'json' ? `content hash ${s.track.contentHash.slice(0, 16)}, path ${s.track.path}` : `id ${s.track.id}`})` });
          continue;
        }
        const profile = this.repo.ensureProfile(s.profile.name);
        if (profile.created) result.createdProfiles.push(profile.name);
        const sessionId = this.repo.insertSession({
          uid: s.uid,
          profileId: profile.id,
          trackId: track.id,
          studyId: s.studyId,
          participantId: s.participantId,
          // A session exported while recording has no writer here.
          state: s.state === 'recording' ? 'interrupted' : s.state,
          sampleRateHz: Math.min(MAX_SAMPLE_RATE_HZ, Math.max(MIN_SAMPLE_RATE_HZ, s.sampleRateHz)),
          outputLatencySec: s.outputLatencySec,
          inputDevice: s.inputDevice,
          excluded: s.excluded,
          startedAt: s.startedAt,
          endedAt: s.endedAt,
          meta: s.meta,
        });
        const samples = fromColumns(s.samples);
        this.repo.appendSamples(sessionId, samples);
        const inserted = this.repo.requireSession(sessionId);
        this.repo.setMeta(sessionId, this.#withCompleteness({ ...inserted.meta, bins: undefined }, samples, inserted));
        result.imported.push({ uid: s.uid, sessionId, samples: samples.length });
      }
    });
    if (result.imported.length > 0) this.#emit('import', result.imported.map((x) => x.sessionId));
    return result;
  }

  #csvToDocument(text: string): ExportDocument {
    const groups = groupLongRows(parseLongCsv(text));
    const sessions: ExportedSession[] = [];
    for (const [sourceId, rows] of groups) {
      const sorted = rows.slice().sort((a, b) => a.time - b.time);
      const samples: Sample[] = sorted.map((r, i) => ({ seq: i, t: r.time, valence: r.valence, arousal: r.arousal, buttons: r.button, layer: 0 }));
      const dts = sorted.slice(1).map((r, i) => r.time - sorted[i].time).filter((d) => d > 0).sort((a, b) => a - b);
      const median = dts.length ? dts[Math.floor(dts.length / 2)] : 1 / MIN_SAMPLE_RATE_HZ;
      const hash = createHash('sha256');
      for (const r of rows) hash.update(`${r.profile}\u0000${r.track}\u0000${r.session}\u0000${r.time},${r.valence},${r.arousal},${r.button}\n`);
      sessions.push({
        uid: `csv-${hash.digest('hex').slice(0, 32)}`,
        sourceId,
        profile: { name: rows[0].profile },
        track: { id: rows[0].track, contentHash: '', path: '', title: null, artist: null, durationSec: null },
        studyId: null,
        participantId: null,
        state: 'complete',
        sampleRateHz: Math.round(1 / median),
        outputLatencySec: null,
        inputDevice: 'import',
        excluded: false,
        startedAt: new Date(this.#now()).toISOString(),
        endedAt: null,
        meta: { layers: [] },
        samples: toColumns(samples),
      });
    }
    return { kind: EXPORT_KIND, schemaVersion: EXPORT_SCHEMA_VERSION, modelVersion: null, exportedAt: '', sessions };
  }

  // --- studies -------------------------------------------------------------------------------

  createStudy(input: ParsedInput<'study:create'>): Study {
    if (this.repo.getStudy(input.id)) throw new AppError('CONFLICT', `A study with id ${JSON.stringify(input.id)} already exists; choose another id`);
    this.#checkStimuli(input.config);
    this.repo.insertStudy(input.id, input.name, input.seed ?? randomInt(0, 2 ** 31), input.config);
    this.#emit('study', []);
    return this.#study(this.repo.getStudy(input.id)!);
  }

  updateStudy(input: ParsedInput<'study:update'>): Study {
    if (!this.repo.getStudy(input.id)) throw new AppError('NOT_FOUND', `Expected an existing study, got id ${JSON.stringify(input.id)}`);
    this.#checkStimuli(input.config);
    this.repo.updateStudy(input.id, input.name, input.config);
    this.#emit('study', []);
    return this.#study(this.repo.getStudy(input.id)!);
  }

  listStudies(): Study[] {
    return this.repo.listStudies().map((s) => this.#study(s));
  }

  getStudy(id: string): Output<'study:get'> {
    const s = this.repo.getStudy(id);
    if (!s) throw new AppError('NOT_FOUND', `Expected an existing study, got id ${JSON.stringify(id)}`);
    const study = this.#study(s);
    return { study, participants: this.repo.listParticipants(id).map((p) => this.#participant(p, study)) };
  }

  /** Deletes a study definition and its enrolments; the recorded sessions stay (they keep study ids). */
  deleteStudy(id: string): boolean {
    const deleted = this.repo.deleteStudy(id);
    this.#emit('study', []);
    return deleted;
  }

  /** Enrols a participant (idempotent: enrolling again returns the same order and progress). */
  enrol(studyId: string, participantId: string): Participant {
    const { study } = this.getStudy(studyId);
    const existing = this.repo.getParticipant(studyId, participantId);
    if (existing) return this.#participant(existing, study);
    this.repo.transaction(() => {
      const index = this.repo.nextEnrolIndex(studyId);
      const profile = this.repo.ensureProfile(`${participantId} @ ${studyId}`);
      const order = participantOrder(study.config.stimuli, study.config.order, { seed: study.seed, participantId, participantIndex: index });
      this.repo.insertParticipant(studyId, participantId, index, profile.id, order);
    });
    this.#emit('study', []);
    return this.#participant(this.repo.getParticipant(studyId, participantId)!, study);
  }

  /** Records that the participant finished the current stimulus with `sessionId` (or withdraws). */
  advance(input: ParsedInput<'study:advance'>): Participant {
    const { study } = this.getStudy(input.studyId);
    const p = this.repo.getParticipant(input.studyId, input.participantId);
    if (!p) throw new AppError('NOT_FOUND', `Expected participant ${input.participantId} enrolled in study ${input.studyId}`);
    if (input.withdraw) {
      this.repo.setParticipantProgress(p.studyId, p.participantId, p.position, 'withdrawn');
    } else {
      if (p.state === 'finished' || p.state === 'withdrawn') throw new AppError('CONFLICT', `Participant ${p.participantId} has ${p.state} the study`);
      if (input.sessionId === undefined) throw new AppError('VALIDATION_FAILED', 'Expected the sessionId of the stimulus just annotated');
      const s = this.repo.requireSession(input.sessionId);
      const expected = p.stimulusOrder[p.position];
      if (s.profileId !== p.profileId || s.studyId !== p.studyId || s.participantId !== p.participantId || s.trackId !== expected) {
        throw new AppError('CONFLICT', `Expected a session of participant ${p.participantId} on track ${expected}, got session ${s.id} (track ${s.trackId}, participant ${s.participantId ?? 'none'})`);
      }
      if (s.state !== 'complete') throw new AppError('CONFLICT', `Expected the stimulus session to be complete, got state '${s.state}'`);
      const position = p.position + 1;
      this.repo.setParticipantProgress(p.studyId, p.participantId, position, position >= p.stimulusOrder.length ? 'finished' : 'running');
    }
    this.#emit('study', []);
    return this.#participant(this.repo.getParticipant(input.studyId, input.participantId)!, study);
  }

  results(studyId: string): Output<'study:results'> {
    const { participants } = this.getStudy(studyId);
    return participants.map((participant) => ({
      participant,
      sessions: this.repo
        .listSessions({ studyId, participantId: participant.participantId, states: ['recording', 'complete', 'interrupted'] })
        .map((r) => this.#toSummary(r)),
    }));
  }

  #checkStimuli(config: ParsedInput<'study:create'>['config']): void {
    const missing = [...config.stimuli, ...(config.practiceTrackId ? [config.practiceTrackId] : [])].filter((id) => !this.repo.track(id));
    if (missing.length) throw new AppError('NOT_FOUND', `Expected every stimulus to be a library track, missing ids ${missing.slice(0, 20).join(', ')}`);
    if (new Set(config.stimuli).size !== config.stimuli.length) throw new AppError('VALIDATION_FAILED', 'Expected each stimulus once in the playlist, got duplicates');
  }

  #study(s: StudyRow): Study {
    return {
      id: s.id,
      name: s.name,
      seed: s.seed,
      config: StudyConfigSchema.parse(s.config),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      participants: this.repo.listParticipants(s.id).length,
    };
  }

  #participant(p: ParticipantRow, study: Study): Participant {
    const every = study.config.breakEvery;
    const done = p.position >= p.stimulusOrder.length;
    return {
      studyId: p.studyId,
      participantId: p.participantId,
      enrolIndex: p.enrolIndex,
      profileId: p.profileId,
      profileName: this.repo.profile(p.profileId)?.name ?? '',
      order: p.stimulusOrder,
      position: p.position,
      state: p.state,
      nextTrackId: done || p.state === 'withdrawn' ? null : p.stimulusOrder[p.position],
      breakDue: every > 0 && p.position > 0 && !done && p.position % every === 0,
      startedAt: p.startedAt,
      finishedAt: p.finishedAt,
    };
  }

  // --- internals -----------------------------------------------------------------------------

  #interrupt(sessionId: number, by: 'restart' | 'stale'): void {
    const row = this.repo.requireSession(sessionId);
    const samples = this.repo.samples(sessionId);
    const layers = closeOpenLayers(row.meta.layers, samples);
    const meta = this.#withCompleteness({ ...row.meta, layers, punchFrom: undefined, interruptedBy: by }, samples, row);
    this.repo.finish(sessionId, 'interrupted', meta);
    this.#leases.delete(sessionId);
    this.#emit('interrupted', [sessionId]);
  }

  /** Meta with the derived completeness and 2 Hz bins of the resolved trace. */
  #withCompleteness(meta: SessionMeta, samples: readonly Sample[], row: SessionRow): SessionMeta {
    const resolved = L.resolveLayers(samples, meta.layers);
    return {
      ...meta,
      completeness: checkCompleteness(resolved.map((s) => s.t), { durationSec: row.trackDurationSec }),
      bins: binSamples(resolved, { durationSec: row.trackDurationSec }),
    };
  }

  #toSummary(row: SessionRow, samples?: readonly Sample[]): SessionSummary {
    let completeness: Completeness | undefined = row.state === 'recording' ? undefined : row.meta.completeness;
    if (!completeness) completeness = completenessOf(samples ?? this.repo.samples(row.id), row.meta.layers, row.trackDurationSec);
    return {
      id: row.id,
      uid: row.uid,
      profileId: row.profileId,
      profileName: row.profileName,
      trackId: row.trackId,
      trackTitle: row.trackTitle,
      trackDurationSec: row.trackDurationSec,
      studyId: row.studyId,
      participantId: row.participantId,
      state: row.state,
      sampleRateHz: row.sampleRateHz,
      outputLatencySec: row.outputLatencySec,
      inputDevice: row.inputDevice,
      excluded: row.excluded,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      sampleCount: row.sampleCount,
      nextSeq: nextSeq(row),
      layers: row.meta.layers,
      canUndo: L.canUndo(row.meta.layers),
      canRedo: L.canRedo(row.meta.layers),
      completeness,
      meta: { ...row.meta, bins: undefined },
    };
  }

  #emit(reason: AnnotationChange, sessionIds: number[]): void {
    this.#opts.bus?.emit('annotation:onChanged', { reason, sessionIds });
  }
}

type AnnotationChange = 'start' | 'finish' | 'interrupted' | 'resume' | 'discard' | 'restore' | 'purge' | 'exclude' | 'punch' | 'undo' | 'redo' | 'import' | 'study';

/**
 * True when `pid` is another live process on this machine (signal 0 probes without signalling).
 * Our own pid counts as dead: a new service in this process means the previous one is gone.
 */
function writerAlive(pid: number | undefined): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function nextSeq(row: SessionRow): number {
  return row.maxSeq === null ? 0 : row.maxSeq + 1;
}

/** Gives every still-open punch-in layer an end: its last sample, or its start when it has none. */
function closeOpenLayers(layers: readonly PunchLayer[], samples: readonly Sample[]): PunchLayer[] {
  return layers.map((l) => {
    if (l.tEnd !== null) return { ...l };
    let last = l.tStart;
    for (const s of samples) if (s.layer === l.layer && s.t > last) last = s.t;
    return { ...l, tEnd: last };
  });
}

function completenessOf(samples: readonly Sample[], layers: readonly PunchLayer[], durationSec: number | null): Completeness {
  return checkCompleteness(L.resolveLayers(samples, layers).map((s) => s.t), { durationSec });
}

/** The part of ServiceDeps the installer needs. */
export interface AnnotationInstallDeps {
  readonly db: WritableDB;
  readonly bus: EventBus;
  annotation?: AnnotationService;
}

/**
 * Creates the annotation service on `deps`; sessions left `recording` by a dead writer process
 * are marked interrupted (a live writer, e.g. the app while a CLI command runs, is left alone).
 */
export function installAnnotation(deps: AnnotationInstallDeps): void {
  deps.annotation = new AnnotationService(deps.db, { bus: deps.bus, appVersion: process.env.npm_package_version, recoverInterrupted: true });
}
