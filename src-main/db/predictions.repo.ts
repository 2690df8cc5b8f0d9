/**
 * Predictions repository: 2 Hz valence/arousal curves per (track, model version, feature config,
 * profile), stored as Float32 BLOBs, plus the `prediction_mood` R*Tree that indexes each COMPLETE
 * prediction as a point box at its mean (valence, arousal) so mood-region and nearest-neighbour
 * queries stay fast at 100k tracks.
 *
 * Streaming: while a track is analysed, its row holds the prefix computed so far with
 * `complete = 0` (rewritten chunk by chunk); such rows are NOT in the mood index. The final write
 * sets `complete = 1` and inserts/updates the index row.
 *
 * Cache validity: a row is a cache hit only when `complete = 1` and its `content_hash` equals the
 * track's current hash (a re-encoded file at the same path gets re-analysed).
 */
import type { ReadableDB, WritableDB } from './types';

/** Identifies one cached curve. `profileId: null` is the base model. */
export interface PredictionKey {
  trackId: number;
  modelVersion: string;
  featureHash: string;
  profileId: number | null;
}

export interface PredictionWrite extends PredictionKey {
  contentHash: string;
  arousal: Float32Array;
  valence: Float32Array;
  complete: boolean;
  stepSec?: number;
}

export interface Prediction extends PredictionKey {
  id: number;
  contentHash: string;
  stepSec: number;
  nSteps: number;
  arousal: Float32Array;
  valence: Float32Array;
  meanArousal: number;
  meanValence: number;
  complete: boolean;
  createdAt: string;
}

/** The model/feature/profile a mood query runs over. */
export interface MoodScope {
  modelVersion: string;
  featureHash: string;
  profileId: number | null;
}

export interface MoodPoint {
  trackId: number;
  valence: number;
  arousal: number;
}

export interface MoodRegion {
  valenceMin: number;
  valenceMax: number;
  arousalMin: number;
  arousalMax: number;
}

interface PredictionRow {
  id: number;
  track_id: number;
  content_hash: string;
  model_version: string;
  feature_hash: string;
  profile_id: number | null;
  step_sec: number;
  n_steps: number;
  arousal: Buffer;
  valence: Buffer;
  mean_arousal: number;
  mean_valence: number;
  complete: number;
  created_at: string;
}

/** Copies a BLOB into a fresh Float32Array (the Buffer may share a pool; never alias it). */
export function blobToFloat32(buf: Buffer): Float32Array {
  if (buf.byteLength % 4 !== 0) throw new Error(`Expected a Float32 BLOB (length divisible by 4), got ${buf.byteLength} bytes`);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  return out;
}

export function float32ToBlob(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function mean(a: Float32Array): number {
  if (a.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

function rowToPrediction(r: PredictionRow): Prediction {
  return {
    id: r.id,
    trackId: r.track_id,
    contentHash: r.content_hash,
    modelVersion: r.model_version,
    featureHash: r.feature_hash,
    profileId: r.profile_id,
    stepSec: r.step_sec,
    nSteps: r.n_steps,
    arousal: blobToFloat32(r.arousal),
    valence: blobToFloat32(r.valence),
    meanArousal: r.mean_arousal,
    meanValence: r.mean_valence,
    complete: r.complete === 1,
    createdAt: r.created_at,
  };
}

/** Largest number of bound parameters per `IN (...)` chunk (SQLite's default limit is 32766). */
const IN_CHUNK = 500;

// The key columns in the same form as the unique index `predictions_key`, so lookups use it.
const KEY_WHERE = 'track_id = ? AND model_version = ? AND feature_hash = ? AND ifnull(profile_id, 0) = ?';
const SCOPE_WHERE = 'p.model_version = ? AND p.feature_hash = ? AND ifnull(p.profile_id, 0) = ?';

function prepareStatements(db: ReadableDB) {
  return {
      get: db.prepare<[number, string, string, number], PredictionRow>(`SELECT * FROM predictions WHERE ${KEY_WHERE}`),
      upsert: db.prepare<
        [number, string, string, string, number | null, number, number, Buffer, Buffer, number, number, number],
        { id: number }
      >(
        `INSERT INTO predictions (track_id, content_hash, model_version, feature_hash, profile_id, step_sec, n_steps,
                                  arousal, valence, mean_arousal, mean_valence, complete)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (track_id, model_version, feature_hash, ifnull(profile_id, 0)) DO UPDATE SET
           content_hash = excluded.content_hash, step_sec = excluded.step_sec, n_steps = excluded.n_steps,
           arousal = excluded.arousal, valence = excluded.valence, mean_arousal = excluded.mean_arousal,
           mean_valence = excluded.mean_valence, complete = excluded.complete,
           created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         RETURNING id`,
      ),
      moodUpsert: db.prepare<[number, number, number, number, number]>(
        'INSERT OR REPLACE INTO prediction_mood (id, valence_min, valence_max, arousal_min, arousal_max) VALUES (?, ?, ?, ?, ?)',
      ),
      moodDelete: db.prepare<[number]>('DELETE FROM prediction_mood WHERE id = ?'),
      deleteKey: db.prepare<[number, string, string, number], { id: number }>(`DELETE FROM predictions WHERE ${KEY_WHERE} RETURNING id`),
      trackHash: db.prepare<[number], { content_hash: string }>('SELECT content_hash FROM tracks WHERE id = ?'),
      // Overlap test on the (float32-rounded) boxes, exact test on the REAL means.
      region: db.prepare<[number, number, number, number, string, string, number, number, number, number, number, number], MoodRow>(
        `SELECT p.track_id AS track_id, p.mean_valence AS v, p.mean_arousal AS a
           FROM prediction_mood m JOIN predictions p ON p.id = m.id
          WHERE m.valence_max >= ? AND m.valence_min <= ? AND m.arousal_max >= ? AND m.arousal_min <= ?
            AND ${SCOPE_WHERE}
            AND p.mean_valence BETWEEN ? AND ? AND p.mean_arousal BETWEEN ? AND ?
          LIMIT ?`,
      ),
      missing: db.prepare<[number, string, string, number], { id: number }>(
        `SELECT t.id AS id FROM tracks t
          WHERE t.status = 'ok' AND t.id > ?
            AND NOT EXISTS (SELECT 1 FROM predictions p
                             WHERE p.track_id = t.id AND p.model_version = ? AND p.feature_hash = ?
                               AND ifnull(p.profile_id, 0) = 0 AND p.complete = 1 AND p.content_hash = t.content_hash)
          ORDER BY t.id LIMIT ?`,
      ),
      counts: db.prepare<[string, string], { total: number; analysed: number }>(
        `SELECT (SELECT count(*) FROM tracks WHERE status = 'ok') AS total,
                (SELECT count(*) FROM tracks t JOIN predictions p
                    ON p.track_id = t.id AND p.model_version = ? AND p.feature_hash = ?
                   AND ifnull(p.profile_id, 0) = 0 AND p.complete = 1 AND p.content_hash = t.content_hash
                  WHERE t.status = 'ok') AS analysed`,
      ),
      deletePartialKey: db.prepare<[number, string, string, number]>(`DELETE FROM predictions WHERE ${KEY_WHERE} AND complete = 0`),
      deleteAllPartial: db.prepare('DELETE FROM predictions WHERE complete = 0'),
      trackSource: db.prepare<[number], TrackSourceRow>('SELECT id, path, content_hash, status, duration_sec FROM tracks WHERE id = ?'),
      personalStamp: db.prepare<[number, string], { id: number; created_at: string }>(
        'SELECT id, created_at FROM personal_models WHERE profile_id = ? AND model_version = ?',
      ),
      personal: db.prepare<[number, string], { id: number; created_at: string; weights: Buffer; manifest: string }>(
        'SELECT id, created_at, weights, manifest FROM personal_models WHERE profile_id = ? AND model_version = ?',
      ),
      pruneMood: db.prepare('DELETE FROM prediction_mood WHERE id NOT IN (SELECT id FROM predictions WHERE complete = 1)'),
  };
}

export class PredictionsRepo {
  readonly #db: ReadableDB;
  readonly #stmts: ReturnType<typeof prepareStatements>;

  /** Prepares every statement once (B8). */
  constructor(db: ReadableDB | WritableDB) {
    this.#db = db;
    this.#stmts = prepareStatements(db);
  }

  /** The stored row for `key` (complete or partial), or null. */
  get(key: PredictionKey): Prediction | null {
    const r = this.#stmts.get.get(key.trackId, key.modelVersion, key.featureHash, key.profileId ?? 0);
    return r ? rowToPrediction(r) : null;
  }

  /**
   * A cache hit: the complete row for `key` whose content hash matches the track's current one
   * (or `contentHash` when given, e.g. for files hashed outside the library); else null.
   */
  getFresh(key: PredictionKey, contentHash?: string): Prediction | null {
    const p = this.get(key);
    if (!p || !p.complete) return null;
    const want = contentHash ?? this.#stmts.trackHash.get(key.trackId)?.content_hash;
    return want !== undefined && p.contentHash === want ? p : null;
  }

  /**
   * Inserts or replaces the curve for `w`'s key and keeps the mood index in step (complete rows
   * only), in one transaction. Partial rows (`complete: false`) hold the prefix computed so far.
   * @returns the prediction id
   * @throws Error when arousal/valence lengths differ or contain non-finite values
   */
  upsert(w: PredictionWrite): number {
    if (w.arousal.length !== w.valence.length) {
      throw new Error(`Expected arousal and valence of equal length, got ${w.arousal.length} and ${w.valence.length}`);
    }
    for (let i = 0; i < w.arousal.length; i++) {
      if (!Number.isFinite(w.arousal[i]!) || !Number.isFinite(w.valence[i]!)) {
        throw new Error(`Expected finite arousal/valence values, got a non-finite value at step ${i} of track ${w.trackId}`);
      }
    }
    const ma = mean(w.arousal);
    const mv = mean(w.valence);
    const tx = this.#db.transaction(() => {
      const row = this.#stmts.upsert.get(
        w.trackId,
        w.contentHash,
        w.modelVersion,
        w.featureHash,
        w.profileId,
        w.stepSec ?? 0.5,
        w.arousal.length,
        float32ToBlob(w.arousal),
        float32ToBlob(w.valence),
        ma,
        mv,
        w.complete ? 1 : 0,
      );
      if (!row) throw new Error(`Upsert of the prediction for track ${w.trackId} returned no id`);
      if (w.complete) this.#stmts.moodUpsert.run(row.id, mv, mv, ma, ma);
      else this.#stmts.moodDelete.run(row.id);
      return row.id;
    });
    return tx();
  }

  /** Deletes the row for `key` (and its mood index entry). @returns true when a row existed. */
  delete(key: PredictionKey): boolean {
    const tx = this.#db.transaction(() => {
      const r = this.#stmts.deleteKey.get(key.trackId, key.modelVersion, key.featureHash, key.profileId ?? 0);
      if (r) this.#stmts.moodDelete.run(r.id);
      return !!r;
    });
    return tx();
  }

  /** Deletes the row for `key` only when it is a partial (streaming) row. @returns true when deleted. */
  deleteIfPartial(key: PredictionKey): boolean {
    return this.#stmts.deletePartialKey.run(key.trackId, key.modelVersion, key.featureHash, key.profileId ?? 0).changes > 0;
  }

  /** Deletes every partial row (leftovers of an interrupted analysis). @returns rows deleted */
  deletePartial(): number {
    return this.#stmts.deleteAllPartial.run().changes;
  }

  /** What analysis needs to know about a library track, or null when the id is unknown. */
  trackSource(trackId: number): TrackSource | null {
    const r = this.#stmts.trackSource.get(trackId);
    return r ? { id: r.id, path: r.path, contentHash: r.content_hash, status: r.status, durationSec: r.duration_sec } : null;
  }

  /** Id and creation time of a profile's personal model for `modelVersion`, or null. */
  personalModelStamp(profileId: number, modelVersion: string): { id: number; createdAt: string } | null {
    const r = this.#stmts.personalStamp.get(profileId, modelVersion);
    return r ? { id: r.id, createdAt: r.created_at } : null;
  }

  /** A profile's personal weights (EmotionModel.loadPersonal format: data + ParamBlobManifest JSON), or null. */
  personalModel(profileId: number, modelVersion: string): { id: number; createdAt: string; weights: Buffer; manifest: string } | null {
    const r = this.#stmts.personal.get(profileId, modelVersion);
    return r ? { id: r.id, createdAt: r.created_at, weights: r.weights, manifest: r.manifest } : null;
  }

  /** Rows for many tracks in one scope (chunked `IN` lists); tracks without a row are absent. */
  getMany(trackIds: readonly number[], scope: MoodScope): Prediction[] {
    const out: Prediction[] = [];
    for (let i = 0; i < trackIds.length; i += IN_CHUNK) {
      const chunk = trackIds.slice(i, i + IN_CHUNK);
      const rows = this.#db
        .prepare<unknown[], PredictionRow>(
          `SELECT * FROM predictions p WHERE ${SCOPE_WHERE} AND p.track_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(scope.modelVersion, scope.featureHash, scope.profileId ?? 0, ...chunk);
      for (const r of rows) out.push(rowToPrediction(r));
    }
    return out;
  }

  /** Tracks whose mean (valence, arousal) lies in `region` (inclusive), through the R*Tree. */
  findInRegion(region: MoodRegion, scope: MoodScope, limit = 100_000): MoodPoint[] {
    const { valenceMin: v0, valenceMax: v1, arousalMin: a0, arousalMax: a1 } = region;
    return this.#stmts.region
      .all(v0, v1, a0, a1, scope.modelVersion, scope.featureHash, scope.profileId ?? 0, v0, v1, a0, a1, limit)
      .map((r) => ({ trackId: r.track_id, valence: r.v, arousal: r.a }));
  }

  /**
   * The `k` tracks nearest to (valence, arousal) in Euclidean distance, nearest first, optionally
   * only within `maxRadius`. Grows a query box through the R*Tree until it holds k points inside
   * the inscribed circle (so nothing outside the box can be nearer).
   */
  nearest(valence: number, arousal: number, k: number, scope: MoodScope, maxRadius = Infinity): Array<MoodPoint & { distance: number }> {
    const fullRadius = Math.hypot(2, 2) + Math.hypot(valence, arousal);
    let r = Math.min(0.05, maxRadius);
    for (;;) {
      const pts = this.findInRegion(
        { valenceMin: valence - r, valenceMax: valence + r, arousalMin: arousal - r, arousalMax: arousal + r },
        scope,
      )
        .map((p) => ({ ...p, distance: Math.hypot(p.valence - valence, p.arousal - arousal) }))
        .filter((p) => p.distance <= r)
        .sort((x, y) => x.distance - y.distance || x.trackId - y.trackId);
      if (pts.length >= k || r >= maxRadius || r >= fullRadius) return pts.slice(0, k);
      r = Math.min(r * 2, maxRadius);
    }
  }

  /** Library tracks (status ok) lacking a fresh complete base prediction, ascending id after `afterId`. */
  missingTrackIds(modelVersion: string, featureHash: string, limit = 1_000, afterId = 0): number[] {
    return this.#stmts.missing.all(afterId, modelVersion, featureHash, limit).map((r) => r.id);
  }

  /** Counts of library tracks (status ok) and of those with a fresh complete base prediction. */
  counts(modelVersion: string, featureHash: string): { total: number; analysed: number } {
    return this.#stmts.counts.get(modelVersion, featureHash) ?? { total: 0, analysed: 0 };
  }

  /** Removes mood index rows whose prediction is gone or partial (track deletes cascade past the R*Tree). */
  pruneMoodIndex(): number {
    return this.#stmts.pruneMood.run().changes;
  }
}

interface TrackSourceRow {
  id: number;
  path: string;
  content_hash: string;
  status: 'ok' | 'missing' | 'error';
  duration_sec: number | null;
}

export interface TrackSource {
  id: number;
  path: string;
  contentHash: string;
  status: 'ok' | 'missing' | 'error';
  durationSec: number | null;
}

interface MoodRow {
  track_id: number;
  v: number;
  a: number;
}
