/**
 * Annotation sessions, their raw samples, and studies. Statements are prepared once (B8);
 * multi-row writes run in one transaction. Rows are snake_case; this layer maps them to the
 * camelCase shapes of src-shared/annotation.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../src-shared/ipc/envelope';
import { SessionMetaSchema, type Sample, type SessionMeta, type SessionState } from '../../src-shared/annotation/types';
import type { WritableDB } from './types';

export interface SessionRow {
  id: number;
  uid: string;
  profileId: number;
  profileName: string;
  trackId: number;
  trackTitle: string | null;
  trackDurationSec: number | null;
  studyId: string | null;
  participantId: string | null;
  state: SessionState;
  sampleRateHz: number;
  outputLatencySec: number | null;
  inputDevice: string | null;
  excluded: boolean;
  startedAt: string;
  endedAt: string | null;
  meta: SessionMeta;
  sampleCount: number;
  maxSeq: number | null;
}

interface RawSessionRow {
  id: number;
  uid: string;
  profile_id: number;
  profile_name: string;
  track_id: number;
  track_title: string | null;
  track_duration: number | null;
  study_id: string | null;
  participant_id: string | null;
  state: SessionState;
  sample_rate_hz: number;
  output_latency_sec: number | null;
  input_device: string | null;
  excluded: number;
  started_at: string;
  ended_at: string | null;
  meta: string;
  sample_count: number;
  max_seq: number | null;
}

export interface NewSession {
  uid?: string;
  profileId: number;
  trackId: number;
  studyId?: string | null;
  participantId?: string | null;
  state?: SessionState;
  sampleRateHz: number;
  outputLatencySec?: number | null;
  inputDevice?: string | null;
  excluded?: boolean;
  startedAt?: string;
  endedAt?: string | null;
  meta: SessionMeta;
}

export interface TrackRef {
  id: number;
  contentHash: string;
  path: string;
  title: string | null;
  artist: string | null;
  durationSec: number | null;
}

export interface SessionFilter {
  profileId?: number;
  trackId?: number;
  studyId?: string;
  participantId?: string;
  states?: readonly SessionState[];
}

export interface StudyRow {
  id: string;
  name: string;
  seed: number;
  config: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface ParticipantRow {
  studyId: string;
  participantId: string;
  enrolIndex: number;
  profileId: number;
  stimulusOrder: number[];
  position: number;
  state: 'enrolled' | 'running' | 'finished' | 'withdrawn';
  startedAt: string;
  finishedAt: string | null;
}

const SESSION_COLUMNS = `
  s.id, s.uid, s.profile_id, p.name AS profile_name, s.track_id, t.title AS track_title, t.duration_sec AS track_duration,
  s.study_id, s.participant_id, s.state, s.sample_rate_hz, s.output_latency_sec, s.input_device, s.excluded,
  s.started_at, s.ended_at, s.meta,
  (SELECT count(*) FROM annotation_samples x WHERE x.session_id = s.id) AS sample_count,
  (SELECT max(seq) FROM annotation_samples x WHERE x.session_id = s.id) AS max_seq`;
const SESSION_FROM = `FROM annotation_sessions s JOIN profiles p ON p.id = s.profile_id JOIN tracks t ON t.id = s.track_id`;

export class AnnotationRepo {
  readonly #db: WritableDB;
  readonly #stmts;
  readonly #appendTx: (sessionId: number, samples: readonly Sample[]) => number;

  constructor(db: WritableDB) {
    this.#db = db;
    this.#stmts = {
      insertSession: db.prepare(`INSERT INTO annotation_sessions
        (uid, profile_id, track_id, study_id, participant_id, state, sample_rate_hz, output_latency_sec, input_device, excluded, started_at, ended_at, meta)
        VALUES (@uid, @profileId, @trackId, @studyId, @participantId, @state, @sampleRateHz, @outputLatencySec, @inputDevice, @excluded,
          coalesce(@startedAt, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), @endedAt, @meta)`),
      get: db.prepare(`SELECT ${SESSION_COLUMNS} ${SESSION_FROM} WHERE s.id = ?`),
      byUid: db.prepare(`SELECT id FROM annotation_sessions WHERE uid = ?`),
      insertSample: db.prepare(`INSERT OR IGNORE INTO annotation_samples (session_id, seq, t_audio, valence, arousal, buttons, layer) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      samples: db.prepare(`SELECT seq, t_audio AS t, valence, arousal, buttons, layer FROM annotation_samples WHERE session_id = ? ORDER BY seq`),
      setState: db.prepare(`UPDATE annotation_sessions SET state = ?, meta = ? WHERE id = ?`),
      finish: db.prepare(`UPDATE annotation_sessions SET state = ?, meta = ?, ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`),
      setMeta: db.prepare(`UPDATE annotation_sessions SET meta = ? WHERE id = ?`),
      setExcluded: db.prepare(`UPDATE annotation_sessions SET excluded = ? WHERE id = ?`),
      setInputDevice: db.prepare(`UPDATE annotation_sessions SET input_device = ? WHERE id = ?`),
      setOutputLatency: db.prepare(`UPDATE annotation_sessions SET output_latency_sec = ? WHERE id = ?`),
      recordingIds: db.prepare(`SELECT id FROM annotation_sessions WHERE state = 'recording'`),
      purge: db.prepare(`DELETE FROM annotation_sessions WHERE id = ? AND state = 'discarded'`),
      track: db.prepare(`SELECT id, content_hash, path, title, artist, duration_sec FROM tracks WHERE id = ?`),
      trackByHash: db.prepare(`SELECT id, content_hash, path, title, artist, duration_sec FROM tracks WHERE content_hash = ?`),
      trackByPath: db.prepare(`SELECT id, content_hash, path, title, artist, duration_sec FROM tracks WHERE path = ?`),
      profile: db.prepare(`SELECT id, name FROM profiles WHERE id = ?`),
      profileByName: db.prepare(`SELECT id, name FROM profiles WHERE name = ?`),
      insertProfile: db.prepare(`INSERT INTO profiles (name) VALUES (?)`),
      latestModelVersion: db.prepare(`SELECT model_version FROM predictions WHERE profile_id IS NULL ORDER BY id DESC LIMIT 1`),
      tracksWithSeveralProfiles: db.prepare(`SELECT track_id FROM annotation_sessions WHERE state IN ('complete', 'interrupted')
        GROUP BY track_id HAVING count(DISTINCT profile_id) >= 2 ORDER BY track_id`),
      insertStudy: db.prepare(`INSERT INTO studies (id, name, seed, config) VALUES (?, ?, ?, ?)`),
      updateStudy: db.prepare(`UPDATE studies SET name = ?, config = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`),
      getStudy: db.prepare(`SELECT id, name, seed, config, created_at, updated_at FROM studies WHERE id = ?`),
      listStudies: db.prepare(`SELECT id, name, seed, config, created_at, updated_at FROM studies ORDER BY created_at, id`),
      deleteStudy: db.prepare(`DELETE FROM studies WHERE id = ?`),
      insertParticipant: db.prepare(`INSERT INTO study_participants (study_id, participant_id, enrol_index, profile_id, stimulus_order) VALUES (?, ?, ?, ?, ?)`),
      getParticipant: db.prepare(`SELECT * FROM study_participants WHERE study_id = ? AND participant_id = ?`),
      listParticipants: db.prepare(`SELECT * FROM study_participants WHERE study_id = ? ORDER BY enrol_index`),
      nextEnrolIndex: db.prepare(`SELECT coalesce(max(enrol_index) + 1, 0) AS n FROM study_participants WHERE study_id = ?`),
      setParticipantProgress: db.prepare(`UPDATE study_participants SET position = ?, state = ?,
        finished_at = CASE WHEN ? = 'finished' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE finished_at END
        WHERE study_id = ? AND participant_id = ?`),
    };
    const insert = this.#stmts.insertSample;
    this.#appendTx = db.transaction((sessionId: number, samples: readonly Sample[]) => {
      let inserted = 0;
      for (const s of samples) inserted += insert.run(sessionId, s.seq, s.t, s.valence, s.arousal, s.buttons, s.layer).changes;
      return inserted;
    });
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  insertSession(s: NewSession): number {
    const info = this.#stmts.insertSession.run({
      uid: s.uid ?? randomUUID(),
      profileId: s.profileId,
      trackId: s.trackId,
      studyId: s.studyId ?? null,
      participantId: s.participantId ?? null,
      state: s.state ?? 'recording',
      sampleRateHz: s.sampleRateHz,
      outputLatencySec: s.outputLatencySec ?? null,
      inputDevice: s.inputDevice ?? null,
      excluded: s.excluded ? 1 : 0,
      startedAt: s.startedAt ?? null,
      endedAt: s.endedAt ?? null,
      meta: JSON.stringify(s.meta),
    });
    return Number(info.lastInsertRowid);
  }

  getSession(id: number): SessionRow | null {
    const r = this.#stmts.get.get(id) as RawSessionRow | undefined;
    return r ? toSessionRow(r) : null;
  }

  /** @throws AppError NOT_FOUND */
  requireSession(id: number): SessionRow {
    const s = this.getSession(id);
    if (!s) throw new AppError('NOT_FOUND', `Expected an existing annotation session, got id ${id}`);
    return s;
  }

  sessionIdByUid(uid: string): number | null {
    const r = this.#stmts.byUid.get(uid) as { id: number } | undefined;
    return r?.id ?? null;
  }

  listSessions(f: SessionFilter = {}): SessionRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.profileId !== undefined) (where.push('s.profile_id = ?'), params.push(f.profileId));
    if (f.trackId !== undefined) (where.push('s.track_id = ?'), params.push(f.trackId));
    if (f.studyId !== undefined) (where.push('s.study_id = ?'), params.push(f.studyId));
    if (f.participantId !== undefined) (where.push('s.participant_id = ?'), params.push(f.participantId));
    if (f.states && f.states.length > 0) {
      where.push(`s.state IN (${f.states.map(() => '?').join(', ')})`);
      params.push(...f.states);
    }
    // Only fixed clause text is concatenated; every value is a bound parameter.
    const q = `SELECT ${SESSION_COLUMNS} ${SESSION_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.started_at DESC, s.id DESC`;
    return (this.#db.prepare(q).all(...params) as RawSessionRow[]).map(toSessionRow);
  }

  /**
   * Writes a batch in one transaction; rows whose (session, seq) exists are skipped, so a
   * re-sent batch never duplicates. @returns the number of rows actually inserted
   */
  appendSamples(sessionId: number, samples: readonly Sample[]): number {
    return this.#appendTx(sessionId, samples);
  }

  samples(sessionId: number): Sample[] {
    return this.#stmts.samples.all(sessionId) as Sample[];
  }

  setState(id: number, state: SessionState, meta: SessionMeta): void {
    this.#stmts.setState.run(state, JSON.stringify(meta), id);
  }

  /** Sets a final state and stamps ended_at. */
  finish(id: number, state: SessionState, meta: SessionMeta): void {
    this.#stmts.finish.run(state, JSON.stringify(meta), id);
  }

  setMeta(id: number, meta: SessionMeta): void {
    this.#stmts.setMeta.run(JSON.stringify(meta), id);
  }

  setExcluded(id: number, excluded: boolean): void {
    this.#stmts.setExcluded.run(excluded ? 1 : 0, id);
  }

  setInputDevice(id: number, device: string): void {
    this.#stmts.setInputDevice.run(device, id);
  }

  setOutputLatency(id: number, seconds: number): void {
    this.#stmts.setOutputLatency.run(seconds, id);
  }

  recordingSessionIds(): number[] {
    return (this.#stmts.recordingIds.all() as { id: number }[]).map((r) => r.id);
  }

  /** Deletes a discarded session and its samples. @returns whether a row was deleted */
  purge(id: number): boolean {
    return this.#stmts.purge.run(id).changes > 0;
  }

  track(id: number): TrackRef | null {
    return toTrack(this.#stmts.track.get(id));
  }

  trackByHash(hash: string): TrackRef | null {
    return toTrack(this.#stmts.trackByHash.get(hash));
  }

  trackByPath(path: string): TrackRef | null {
    return toTrack(this.#stmts.trackByPath.get(path));
  }

  profile(id: number): { id: number; name: string } | null {
    return (this.#stmts.profile.get(id) as { id: number; name: string } | undefined) ?? null;
  }

  /** The profile with this name (case-insensitive), created when missing. */
  ensureProfile(name: string): { id: number; name: string; created: boolean } {
    const existing = this.#stmts.profileByName.get(name.trim()) as { id: number; name: string } | undefined;
    if (existing) return { ...existing, created: false };
    const id = Number(this.#stmts.insertProfile.run(name.trim()).lastInsertRowid);
    return { id, name: name.trim(), created: true };
  }

  latestModelVersion(): string | null {
    const r = this.#stmts.latestModelVersion.get() as { model_version: string } | undefined;
    return r?.model_version ?? null;
  }

  tracksWithSeveralProfiles(): number[] {
    return (this.#stmts.tracksWithSeveralProfiles.all() as { track_id: number }[]).map((r) => r.track_id);
  }

  // --- studies -------------------------------------------------------------------------------

  insertStudy(id: string, name: string, seed: number, config: unknown): void {
    this.#stmts.insertStudy.run(id, name, seed, JSON.stringify(config));
  }

  updateStudy(id: string, name: string, config: unknown): void {
    this.#stmts.updateStudy.run(name, JSON.stringify(config), id);
  }

  getStudy(id: string): StudyRow | null {
    return toStudy(this.#stmts.getStudy.get(id));
  }

  listStudies(): StudyRow[] {
    return (this.#stmts.listStudies.all() as unknown[]).map((r) => toStudy(r)!);
  }

  deleteStudy(id: string): boolean {
    return this.#stmts.deleteStudy.run(id).changes > 0;
  }

  nextEnrolIndex(studyId: string): number {
    return (this.#stmts.nextEnrolIndex.get(studyId) as { n: number }).n;
  }

  insertParticipant(studyId: string, participantId: string, enrolIndex: number, profileId: number, order: number[]): void {
    this.#stmts.insertParticipant.run(studyId, participantId, enrolIndex, profileId, JSON.stringify(order));
  }

  getParticipant(studyId: string, participantId: string): ParticipantRow | null {
    return toParticipant(this.#stmts.getParticipant.get(studyId, participantId));
  }

  listParticipants(studyId: string): ParticipantRow[] {
    return (this.#stmts.listParticipants.all(studyId) as unknown[]).map((r) => toParticipant(r)!);
  }

  setParticipantProgress(studyId: string, participantId: string, position: number, state: ParticipantRow['state']): void {
    this.#stmts.setParticipantProgress.run(position, state, state, studyId, participantId);
  }
}

function toSessionRow(r: RawSessionRow): SessionRow {
  let metaRaw: unknown = {};
  try {
    metaRaw = JSON.parse(r.meta);
  } catch {
    metaRaw = {}; // a hand-edited, unparsable meta must not hide the session; its samples are intact
  }
  const meta = SessionMetaSchema.safeParse(metaRaw);
  return {
    id: r.id,
    uid: r.uid,
    profileId: r.profile_id,
    profileName: r.profile_name,
    trackId: r.track_id,
    trackTitle: r.track_title,
    trackDurationSec: r.track_duration,
    studyId: r.study_id,
    participantId: r.participant_id,
    state: r.state,
    sampleRateHz: r.sample_rate_hz,
    outputLatencySec: r.output_latency_sec,
    inputDevice: r.input_device,
    excluded: r.excluded === 1,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    meta: meta.success ? meta.data : { layers: [] },
    sampleCount: r.sample_count,
    maxSeq: r.max_seq,
  };
}

function toTrack(r: unknown): TrackRef | null {
  if (!r) return null;
  const x = r as { id: number; content_hash: string; path: string; title: string | null; artist: string | null; duration_sec: number | null };
  return { id: x.id, contentHash: x.content_hash, path: x.path, title: x.title, artist: x.artist, durationSec: x.duration_sec };
}

function toStudy(r: unknown): StudyRow | null {
  if (!r) return null;
  const x = r as { id: string; name: string; seed: number; config: string; created_at: string; updated_at: string };
  return { id: x.id, name: x.name, seed: x.seed, config: JSON.parse(x.config), createdAt: x.created_at, updatedAt: x.updated_at };
}

function toParticipant(r: unknown): ParticipantRow | null {
  if (!r) return null;
  const x = r as Record<string, unknown>;
  return {
    studyId: x.study_id as string,
    participantId: x.participant_id as string,
    enrolIndex: x.enrol_index as number,
    profileId: x.profile_id as number,
    stimulusOrder: JSON.parse(x.stimulus_order as string) as number[],
    position: x.position as number,
    state: x.state as ParticipantRow['state'],
    startedAt: x.started_at as string,
    finishedAt: (x.finished_at as string | null) ?? null,
  };
}
