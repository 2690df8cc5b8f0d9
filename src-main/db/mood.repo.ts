/**
 * Mood queries over the library: which tracks sit where on the valence/arousal plane.
 *
 * Every track's "point" is the mean (valence, arousal) of its current prediction (`predictions`
 * mean_valence / mean_arousal, in [-1, 1]). Region and distance queries go through the R*Tree
 * `prediction_mood` (one point-box per prediction id, migration 0001) for candidates and then an
 * exact filter on the REAL columns of `predictions`: the R*Tree stores 32-bit floats rounded
 * outwards (https://sqlite.org/rtree.html section 4.1), so it is a superset filter only.
 *
 * Scope: which prediction counts as a track's current one.
 * - base (`profileId: null`): the newest complete base-model prediction per track (highest id),
 *   optionally restricted to one `modelVersion` and/or `featureHash`;
 * - personal (`profileId: P`): the newest complete prediction of profile P, and for tracks that
 *   have none, the base one (so the map of a profile shows the whole library; `personal` flags
 *   which points come from the personal model).
 *
 * Statements are prepared once per repo (B8). No value is ever interpolated into SQL; the only
 * string assembly joins constant fragments (the scope predicate) at construction time.
 */
import type Database from 'better-sqlite3';
import type { ReadableDB } from './types';

export interface MoodScope {
  /** null = base model; otherwise the profile whose personal predictions are preferred. */
  profileId: number | null;
  /** Restrict base predictions to one model version (null/undefined: newest of any version). */
  modelVersion?: string | null;
  /** Restrict base predictions to one feature config hash (null/undefined: any). */
  featureHash?: string | null;
}

export interface MoodRegion {
  valenceMin: number;
  valenceMax: number;
  arousalMin: number;
  arousalMax: number;
}

/** One track on the plane. */
export interface MoodHit {
  trackId: number;
  predictionId: number;
  valence: number;
  arousal: number;
  /** True when the point comes from the profile's personal model. */
  personal: boolean;
  /** Euclidean distance to the query point (distance queries only). */
  distance?: number;
}

/**
 * Every scoped point at once, as parallel typed arrays sorted by track id (the map's payload).
 * Quadrants follow Russell's numbering: 1 = V>=0,A>=0 (happy/excited), 2 = V<0,A>=0
 * (angry/stressed), 3 = V<0,A<0 (sad/depressed), 4 = V>=0,A<0 (calm/relaxed).
 */
export interface MoodPoints {
  count: number;
  trackIds: Uint32Array;
  valence: Float32Array;
  arousal: Float32Array;
  quadrant: Uint8Array;
  /** 1 when the point comes from the personal model. */
  personal: Uint8Array;
  /** Index into `genres` (0 = no genre; `genres[0]` is ''). */
  genre: Uint16Array;
  genres: string[];
}

/** @returns Russell quadrant 1..4 of a point (axes belong to the positive side). */
export function quadrantOf(valence: number, arousal: number): 1 | 2 | 3 | 4 {
  if (arousal >= 0) return valence >= 0 ? 1 : 2;
  return valence >= 0 ? 4 : 3;
}

// ---- SQL fragments (constants only) -------------------------------------------------------

/** Model version / feature config filter on a base-prediction alias (null parameters: any). */
const version = (x: string) => `(@mv IS NULL OR ${x}.model_version = @mv) AND (@fh IS NULL OR ${x}.feature_hash = @fh)`;

const BASE_SCOPE = `
  p.profile_id IS NULL AND p.complete = 1 AND ${version('p')}
  AND NOT EXISTS (
    SELECT 1 FROM predictions q
    WHERE q.track_id = p.track_id AND q.id > p.id AND q.profile_id IS NULL AND q.complete = 1 AND ${version('q')})`;

const PERSONAL_SCOPE = `
  p.complete = 1 AND (
    (p.profile_id = @pid AND NOT EXISTS (
      SELECT 1 FROM predictions q
      WHERE q.track_id = p.track_id AND q.id > p.id AND q.profile_id = @pid AND q.complete = 1))
    OR
    (p.profile_id IS NULL AND ${version('p')} AND NOT EXISTS (
      SELECT 1 FROM predictions q
      WHERE q.track_id = p.track_id AND q.complete = 1
        AND (q.profile_id = @pid OR (q.profile_id IS NULL AND q.id > p.id AND ${version('q')})))))`;

/** R*Tree box overlap, candidates only (CROSS JOIN pins the R*Tree as the outer loop). */
const RTREE_BOX = `
  FROM prediction_mood m CROSS JOIN predictions p ON p.id = m.id
  WHERE m.valence_min <= @vmax AND m.valence_max >= @vmin
    AND m.arousal_min <= @amax AND m.arousal_max >= @amin`;

const HIT_COLS = `p.id AS prediction_id, p.track_id, p.mean_valence, p.mean_arousal, p.profile_id IS NOT NULL AS personal`;

interface HitRow {
  prediction_id: number;
  track_id: number;
  mean_valence: number;
  mean_arousal: number;
  personal: number;
  dist2?: number;
}

type Variant = 'base' | 'personal';
type StmtPair = Record<Variant, Database.Statement>;

function pair(db: ReadableDB, build: (scope: string) => string): StmtPair {
  return { base: db.prepare(build(BASE_SCOPE)), personal: db.prepare(build(PERSONAL_SCOPE)) };
}

function toHit(r: HitRow): MoodHit {
  const h: MoodHit = {
    trackId: r.track_id,
    predictionId: r.prediction_id,
    valence: r.mean_valence,
    arousal: r.mean_arousal,
    personal: r.personal === 1,
  };
  if (r.dist2 !== undefined) h.distance = Math.sqrt(r.dist2);
  return h;
}

/** Largest distance between two points of [-1, 1]^2 (the kNN search never needs a wider radius). */
const MAX_DISTANCE = 2 * Math.SQRT2;

export class MoodRepo {
  readonly #db: ReadableDB;
  readonly #stmts: {
    region: StmtPair;
    near: StmtPair;
    points: StmtPair;
    pointForTrack: StmtPair;
    syncMissing: Database.Statement;
    syncStale: Database.Statement;
    syncOrphans: Database.Statement;
    upsertIndex: Database.Statement;
    deleteIndex: Database.Statement;
    profileExists: Database.Statement;
    trackExists: Database.Statement;
  };

  constructor(db: ReadableDB) {
    this.#db = db;
    this.#stmts = {
      region: pair(
        db,
        (scope) => `SELECT ${HIT_COLS} ${RTREE_BOX}
          AND p.mean_valence BETWEEN @vmin AND @vmax AND p.mean_arousal BETWEEN @amin AND @amax
          AND ${scope}
          ORDER BY p.track_id LIMIT @limit`,
      ),
      near: pair(
        db,
        (scope) => `SELECT ${HIT_COLS},
            (p.mean_valence - @v) * (p.mean_valence - @v) + (p.mean_arousal - @a) * (p.mean_arousal - @a) AS dist2
          ${RTREE_BOX}
          AND dist2 <= @r2
          AND ${scope}
          ORDER BY dist2, p.track_id LIMIT @limit`,
      ),
      points: pair(
        db,
        (scope) => `SELECT p.track_id, p.mean_valence, p.mean_arousal, p.profile_id IS NOT NULL AS personal, t.genre
          FROM predictions p JOIN tracks t ON t.id = p.track_id
          WHERE ${scope}
          ORDER BY p.track_id`,
      ),
      pointForTrack: pair(
        db,
        (scope) => `SELECT ${HIT_COLS} FROM predictions p WHERE p.track_id = @tid AND ${scope}`,
      ),
      // Each repair reads first and writes after: an R*Tree cannot be written by a statement
      // that also reads it ("database table is locked").
      syncMissing: db.prepare(`SELECT p.id, p.mean_valence AS v, p.mean_arousal AS a FROM predictions p
        WHERE p.complete = 1 AND NOT EXISTS (SELECT 1 FROM prediction_mood m WHERE m.id = p.id)`),
      // Boxes that no longer contain their prediction's mean.
      syncStale: db.prepare(`SELECT p.id, p.mean_valence AS v, p.mean_arousal AS a
        FROM prediction_mood m JOIN predictions p ON p.id = m.id
        WHERE p.mean_valence < m.valence_min OR p.mean_valence > m.valence_max
           OR p.mean_arousal < m.arousal_min OR p.mean_arousal > m.arousal_max`),
      syncOrphans: db.prepare(`SELECT m.id FROM prediction_mood m
        WHERE NOT EXISTS (SELECT 1 FROM predictions p WHERE p.id = m.id AND p.complete = 1)`).pluck(),
      upsertIndex: db.prepare(`INSERT OR REPLACE INTO prediction_mood (id, valence_min, valence_max, arousal_min, arousal_max)
        VALUES (@id, @v, @v, @a, @a)`),
      deleteIndex: db.prepare(`DELETE FROM prediction_mood WHERE id = ?`),
      profileExists: db.prepare(`SELECT 1 FROM profiles WHERE id = ?`).pluck(),
      trackExists: db.prepare(`SELECT 1 FROM tracks WHERE id = ?`).pluck(),
    };
    // raw() rows (arrays) for the map query: no object per row at 100k rows.
    this.#stmts.points.base.raw(true);
    this.#stmts.points.personal.raw(true);
  }

  static #variant(scope: MoodScope): Variant {
    return scope.profileId === null ? 'base' : 'personal';
  }

  static #scopeParams(scope: MoodScope): { mv: string | null; fh: string | null; pid: number | null } {
    return { mv: scope.modelVersion ?? null, fh: scope.featureHash ?? null, pid: scope.profileId };
  }

  #run<T>(
    kind: 'region' | 'near' | 'pointForTrack',
    scope: MoodScope,
    params: Record<string, unknown>,
    mode: 'all' | 'get',
  ): T {
    const stmt = this.#stmts[kind][MoodRepo.#variant(scope)];
    const bound = { ...MoodRepo.#scopeParams(scope), ...params };
    return (mode === 'all' ? stmt.all(bound) : stmt.get(bound)) as T;
  }

  /**
   * Tracks whose point lies in the closed box, ordered by track id.
   * @param limit at most this many hits (the caller asks for limit+1 to detect truncation)
   */
  region(region: MoodRegion, scope: MoodScope, limit: number): MoodHit[] {
    const rows = this.#run<HitRow[]>(
      'region',
      scope,
      { vmin: region.valenceMin, vmax: region.valenceMax, amin: region.arousalMin, amax: region.arousalMax, limit },
      'all',
    );
    return rows.map(toHit);
  }

  /** Tracks within Euclidean `radius` of (valence, arousal), nearest first (ties by track id). */
  near(valence: number, arousal: number, radius: number, scope: MoodScope, limit: number): MoodHit[] {
    const rows = this.#run<HitRow[]>(
      'near',
      scope,
      {
        v: valence,
        a: arousal,
        r2: radius * radius,
        vmin: valence - radius,
        vmax: valence + radius,
        amin: arousal - radius,
        amax: arousal + radius,
        limit,
      },
      'all',
    );
    return rows.map(toHit);
  }

  /**
   * The k tracks nearest to (valence, arousal): R*Tree candidates in a growing circle, exact
   * distances, until the circle holds k points (then those are provably the k nearest) or
   * covers the whole plane.
   * @param exclude track ids never returned (e.g. tracks already on a path)
   */
  nearest(valence: number, arousal: number, k: number, scope: MoodScope, exclude?: ReadonlySet<number>): MoodHit[] {
    if (k <= 0) return [];
    const want = k + (exclude?.size ?? 0);
    // Start near the radius that holds ~k points of a dense library; double until enough.
    let radius = Math.min(MAX_DISTANCE, 0.04 * Math.sqrt(Math.max(1, k) / 16));
    for (;;) {
      const hits = this.near(valence, arousal, radius, scope, want).filter((h) => !exclude?.has(h.trackId));
      if (hits.length >= k || radius >= MAX_DISTANCE) return hits.slice(0, k);
      radius = Math.min(MAX_DISTANCE, radius * 2);
    }
  }

  /** The scoped point of one track, or null when it has no complete prediction. */
  pointForTrack(trackId: number, scope: MoodScope): MoodHit | null {
    const row = this.#run<HitRow | undefined>('pointForTrack', scope, { tid: trackId }, 'get');
    return row ? toHit(row) : null;
  }

  /** The SQL behind a query (for EXPLAIN QUERY PLAN assertions in tests and the bench). */
  querySql(kind: 'region' | 'near' | 'points' | 'pointForTrack', scope: MoodScope): string {
    return this.#stmts[kind][MoodRepo.#variant(scope)].source;
  }

  profileExists(id: number): boolean {
    return this.#stmts.profileExists.get(id) === 1;
  }

  trackExists(id: number): boolean {
    return this.#stmts.trackExists.get(id) === 1;
  }

  /** Every scoped point (sorted by track id) as compact typed arrays. */
  points(scope: MoodScope): MoodPoints {
    const stmt = this.#stmts.points[MoodRepo.#variant(scope)];
    const bound = MoodRepo.#scopeParams(scope);
    const rows = stmt.all(bound) as [number, number, number, number, string | null][];
    const n = rows.length;
    const out: MoodPoints = {
      count: n,
      trackIds: new Uint32Array(n),
      valence: new Float32Array(n),
      arousal: new Float32Array(n),
      quadrant: new Uint8Array(n),
      personal: new Uint8Array(n),
      genre: new Uint16Array(n),
      genres: [''],
    };
    const genreIndex = new Map<string, number>([['', 0]]);
    for (let i = 0; i < n; i++) {
      const [tid, v, a, personal, genre] = rows[i];
      out.trackIds[i] = tid;
      out.valence[i] = v;
      out.arousal[i] = a;
      out.quadrant[i] = quadrantOf(v, a);
      out.personal[i] = personal;
      const g = genre?.trim() ?? '';
      let gi = genreIndex.get(g);
      if (gi === undefined) {
        gi = out.genres.length;
        // Uint16 indices: beyond 65535 distinct genres the rest share "other" (index 0).
        if (gi > 0xffff) gi = 0;
        else {
          genreIndex.set(g, gi);
          out.genres.push(g);
        }
      }
      out.genre[i] = gi;
    }
    return out;
  }

  /**
   * Writes (or moves) one prediction's point in the index. For writers of `predictions` that
   * do not maintain `prediction_mood` themselves.
   */
  indexPrediction(predictionId: number, valence: number, arousal: number): void {
    this.#stmts.upsertIndex.run({ id: predictionId, v: valence, a: arousal });
  }

  /** Removes one prediction's point from the index. */
  unindexPrediction(predictionId: number): void {
    this.#stmts.deleteIndex.run(predictionId);
  }

  /**
   * Repairs the index against `predictions` (the convention of predictions.repo.ts: one point
   * box per COMPLETE prediction): adds missing points, moves stale ones, removes rows whose
   * prediction is gone or partial. One transaction. Queries stay correct without it (they
   * filter on the REAL means), but a missing or stale box hides a track from region queries.
   * @returns how many index rows were inserted, updated and deleted
   */
  syncIndex(): { inserted: number; updated: number; deleted: number } {
    return this.#db.transaction(() => {
      const missing = this.#stmts.syncMissing.all() as { id: number; v: number; a: number }[];
      const stale = this.#stmts.syncStale.all() as { id: number; v: number; a: number }[];
      for (const r of [...missing, ...stale]) this.indexPrediction(r.id, r.v, r.a);
      const orphans = this.#stmts.syncOrphans.all() as number[];
      for (const id of orphans) this.unindexPrediction(id);
      return { inserted: missing.length, updated: stale.length, deleted: orphans.length };
    })();
  }
}
