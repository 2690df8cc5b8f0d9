/**
 * Tracks table access. Statements are prepared once in the constructor (B8); list queries are
 * built from a fixed set of sort/filter variants and cached per variant.
 */
import type { Statement } from 'better-sqlite3';
import { TrackSchema, type ListTracksInput, type Track, type TrackSort, type TrackStatus } from '../../src-shared/domain/track';
import { sql, sqlRaw, type SqlFragment } from './sql';
import type { WritableDB } from './types';

/** Raw row of `tracks` (+ the joined base-prediction means). */
export interface TrackRow {
  id: number;
  path: string;
  content_hash: string;
  size_bytes: number;
  mtime_ms: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  year: number | null;
  duration_sec: number | null;
  format: string;
  sample_rate: number | null;
  channels: number | null;
  cover_mime: string | null;
  has_cover: number;
  status: TrackStatus;
  error: string | null;
  added_at: string;
  mean_valence: number | null;
  mean_arousal: number | null;
}

/** What import writes for a new (or re-read) file. */
export interface NewTrack {
  path: string;
  contentHash: string;
  sizeBytes: number;
  mtimeMs: number;
  title: string | null;
  artist: string | null;
  album: string | null;
  genre: string | null;
  year: number | null;
  durationSec: number | null;
  format: string;
  sampleRate: number | null;
  channels: number | null;
  coverMime: string | null;
  cover: Buffer | null;
}

/** Minimal per-track facts rescan needs. */
export interface TrackFileRow {
  id: number;
  path: string;
  content_hash: string;
  size_bytes: number;
  mtime_ms: number;
  status: TrackStatus;
}

export interface ListQuery {
  search?: string;
  sort: TrackSort;
  descending: boolean;
  limit: number;
  offset: number;
  region?: { valenceMin: number; valenceMax: number; arousalMin: number; arousalMax: number };
}

// Columns every track query selects. The mean valence/arousal come from the newest base-model
// COMPLETE prediction of the track (predictions.profile_id IS NULL, complete = 1, largest id).
const COLUMNS = `t.id, t.path, t.content_hash, t.size_bytes, t.mtime_ms, t.title, t.artist, t.album, t.genre, t.year,
  t.duration_sec, t.format, t.sample_rate, t.channels, t.cover_mime, (t.cover IS NOT NULL) AS has_cover,
  t.status, t.error, t.added_at, p.mean_valence, p.mean_arousal`;
const LATEST_BASE = `(SELECT max(p2.id) FROM predictions p2 WHERE p2.track_id = t.id AND p2.profile_id IS NULL AND p2.complete = 1)`;
const FROM_WITH_PREDICTION = `tracks t LEFT JOIN predictions p ON p.id = ${LATEST_BASE}`;

/** Regions up to this fraction of the valence/arousal square use the R*Tree; larger ones scan. */
export const RTREE_MAX_AREA = 0.1;

const ORDER: Record<TrackSort, string> = {
  title: 't.title COLLATE NOCASE',
  artist: 't.artist COLLATE NOCASE',
  album: 't.album COLLATE NOCASE',
  duration: 't.duration_sec',
  added: 't.added_at',
  valence: 'p.mean_valence',
  arousal: 'p.mean_arousal',
};

/** Escapes a user string for FTS5 MATCH as one quoted phrase (substring match with trigram). */
function ftsPhrase(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
/** Unicode case folding for short searches (SQLite's LIKE folds ASCII only). */
function fold(s: string): string {
  return s.normalize('NFC').toLowerCase();
}

/** Escapes LIKE wildcards (used with `ESCAPE '\\'`). */
function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class TracksRepo {
  readonly #db: WritableDB;
  readonly #stmts;
  readonly #listCache = new Map<string, { rows: Statement; count: Statement }>();

  constructor(db: WritableDB) {
    this.#db = db;
    db.function('pdmer_fold', { deterministic: true }, (x: unknown) => (typeof x === 'string' ? fold(x) : x));
    this.#stmts = {
      insert: db.prepare(`INSERT INTO tracks (path, content_hash, size_bytes, mtime_ms, title, artist, album, genre, year,
          duration_sec, format, sample_rate, channels, cover_mime, cover, status, error)
        VALUES (@path, @contentHash, @sizeBytes, @mtimeMs, @title, @artist, @album, @genre, @year,
          @durationSec, @format, @sampleRate, @channels, @coverMime, @cover, 'ok', NULL)`),
      replaceContent: db.prepare(`UPDATE tracks SET path = @path, content_hash = @contentHash, size_bytes = @sizeBytes, mtime_ms = @mtimeMs,
          title = @title, artist = @artist, album = @album, genre = @genre, year = @year, duration_sec = @durationSec,
          format = @format, sample_rate = @sampleRate, channels = @channels, cover_mime = @coverMime, cover = @cover,
          status = 'ok', error = NULL WHERE id = @id`),
      byId: db.prepare(`SELECT ${COLUMNS} FROM ${FROM_WITH_PREDICTION} WHERE t.id = ?`),
      byPath: db.prepare(`SELECT ${COLUMNS} FROM ${FROM_WITH_PREDICTION} WHERE t.path = ?`),
      byHash: db.prepare(`SELECT ${COLUMNS} FROM ${FROM_WITH_PREDICTION} WHERE t.content_hash = ?`),
      fileById: db.prepare(`SELECT id, path, content_hash, size_bytes, mtime_ms, status FROM tracks WHERE id = ?`),
      idByPath: db.prepare(`SELECT id FROM tracks WHERE path = ?`),
      idByHash: db.prepare(`SELECT id, path, status FROM tracks WHERE content_hash = ?`),
      allFiles: db.prepare(`SELECT id, path, content_hash, size_bytes, mtime_ms, status FROM tracks ORDER BY id`),
      missingSizes: db.prepare(`SELECT DISTINCT size_bytes FROM tracks WHERE status = 'missing'`),
      setStatus: db.prepare(`UPDATE tracks SET status = ?, error = ? WHERE id = ?`),
      move: db.prepare(`UPDATE tracks SET path = ?, mtime_ms = ?, status = 'ok', error = NULL WHERE id = ?`),
      touch: db.prepare(`UPDATE tracks SET mtime_ms = ? WHERE id = ?`),
      cover: db.prepare(`SELECT cover_mime, cover FROM tracks WHERE id = ? AND cover IS NOT NULL`),
      count: db.prepare(`SELECT count(*) AS n FROM tracks`),
      remove: db.prepare(`DELETE FROM tracks WHERE id = ?`),
      addRoot: db.prepare(`INSERT INTO library_roots (path) VALUES (?) ON CONFLICT (path) DO NOTHING`),
      roots: db.prepare(`SELECT path FROM library_roots ORDER BY path`),
    };
  }

  /** @returns the new track id. Throws SQLITE_CONSTRAINT_UNIQUE on a duplicate path or hash. */
  insert(t: NewTrack): number {
    return Number(this.#stmts.insert.run(t).lastInsertRowid);
  }

  /** Re-points an existing row at new content (file at a known path changed, or a missing track reappeared). */
  replaceContent(id: number, t: NewTrack): void {
    this.#stmts.replaceContent.run({ ...t, id });
  }

  get(id: number): Track | null {
    const row = this.#stmts.byId.get(id) as TrackRow | undefined;
    return row ? toTrack(row) : null;
  }

  getByPath(p: string): Track | null {
    const row = this.#stmts.byPath.get(p) as TrackRow | undefined;
    return row ? toTrack(row) : null;
  }

  getByHash(hash: string): Track | null {
    const row = this.#stmts.byHash.get(hash) as TrackRow | undefined;
    return row ? toTrack(row) : null;
  }

  idByPath(p: string): number | null {
    const row = this.#stmts.idByPath.get(p) as { id: number } | undefined;
    return row?.id ?? null;
  }

  findByHash(hash: string): { id: number; path: string; status: TrackStatus } | null {
    return (this.#stmts.idByHash.get(hash) as { id: number; path: string; status: TrackStatus } | undefined) ?? null;
  }

  fileRow(id: number): TrackFileRow | null {
    return (this.#stmts.fileById.get(id) as TrackFileRow | undefined) ?? null;
  }

  /** Iterates every track's file facts (rescan); streaming, one row at a time. */
  *iterateFiles(): Generator<TrackFileRow> {
    // Materialise ids first: the caller writes between rows, which an open iterator forbids.
    const rows = this.#stmts.allFiles.all() as TrackFileRow[];
    yield* rows;
  }

  /** Distinct sizes of missing tracks: rescan hashes only unknown files with one of these sizes. */
  missingSizes(): Set<number> {
    return new Set((this.#stmts.missingSizes.all() as { size_bytes: number }[]).map((r) => r.size_bytes));
  }

  setStatus(id: number, status: TrackStatus, error: string | null = null): void {
    this.#stmts.setStatus.run(status, error, id);
  }

  move(id: number, newPath: string, mtimeMs: number): void {
    this.#stmts.move.run(newPath, Math.round(mtimeMs), id);
  }

  touch(id: number, mtimeMs: number): void {
    this.#stmts.touch.run(Math.round(mtimeMs), id);
  }

  cover(id: number): { mime: string; data: Buffer } | null {
    const row = this.#stmts.cover.get(id) as { cover_mime: string | null; cover: Buffer } | undefined;
    return row ? { mime: row.cover_mime ?? 'application/octet-stream', data: row.cover } : null;
  }

  count(): number {
    return (this.#stmts.count.get() as { n: number }).n;
  }

  addRoot(dir: string): void {
    this.#stmts.addRoot.run(dir);
  }

  roots(): string[] {
    return (this.#stmts.roots.all() as { path: string }[]).map((r) => r.path);
  }

  /** Deletes tracks (and, by cascade, their predictions and annotations) in one transaction. @returns rows removed */
  remove(ids: readonly number[]): number {
    let removed = 0;
    this.#db.transaction(() => {
      for (const id of ids) removed += this.#stmts.remove.run(id).changes;
    })();
    return removed;
  }

  /** The list query for a variant, as SQL text + params (exported for EXPLAIN QUERY PLAN tests). */
  static listSql(q: ListQuery): { rows: SqlFragment; count: SqlFragment; key: string } {
    const search = q.search?.trim() ?? '';
    let mode = search.length === 0 ? 'none' : [...search].length >= 3 ? 'fts' : 'like';
    const where: SqlFragment[] = [];
    if (mode === 'fts') where.push(sql`t.id IN (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ${ftsPhrase(search)})`);
    if (mode === 'like') {
      // 1-2 characters: too short for trigrams. SQLite's LIKE folds ASCII case only, which is
      // enough for an ASCII needle; a non-ASCII needle goes through a JS Unicode fold (slower).
      const ascii = /^[\x00-\x7f]*$/.test(search);
      const col = (c: string) => sqlRaw(ascii ? c : `pdmer_fold(${c})`);
      const pat = likePattern(ascii ? search : fold(search));
      where.push(
        sql`(${col('t.title')} LIKE ${pat} ESCAPE '\\' OR ${col('t.artist')} LIKE ${pat} ESCAPE '\\' OR ${col('t.album')} LIKE ${pat} ESCAPE '\\' OR ${col('t.path')} LIKE ${pat} ESCAPE '\\')`,
      );
      if (!ascii) mode = 'like-fold';
    }
    let from: SqlFragment;
    let regionMode = '-';
    if (q.region) {
      const r = q.region;
      // Exact test on the REAL means (the R*Tree stores float32 boxes rounded outwards).
      where.push(sql`p.mean_valence BETWEEN ${r.valenceMin} AND ${r.valenceMax} AND p.mean_arousal BETWEEN ${r.arousalMin} AND ${r.arousalMax}`);
      const areaFraction = ((r.valenceMax - r.valenceMin) * (r.arousalMax - r.arousalMin)) / 4;
      if (areaFraction <= RTREE_MAX_AREA) {
        // Small region: drive from the R*Tree (candidate predictions whose point overlaps the box),
        // keep a candidate only when it is its track's newest complete base prediction.
        regionMode = 'rtree';
        from = sql`prediction_mood m JOIN predictions p ON p.id = m.id JOIN tracks t ON t.id = p.track_id`;
        where.push(
          sql`m.valence_max >= ${r.valenceMin} AND m.valence_min <= ${r.valenceMax} AND m.arousal_max >= ${r.arousalMin} AND m.arousal_min <= ${r.arousalMax}`,
          sql`p.profile_id IS NULL AND p.id = ${sqlRaw(LATEST_BASE)}`,
        );
      } else {
        // Large region: most analysed tracks match, so walking the sort index and checking each
        // track's newest prediction finds a page sooner than collecting and sorting every match.
        regionMode = 'scan';
        from = sqlRaw(`tracks t JOIN predictions p ON p.id = ${LATEST_BASE}`);
      }
    } else {
      from = sqlRaw(FROM_WITH_PREDICTION);
    }
    const whereSql = where.length ? sql` WHERE ${joinAnd(where)}` : sqlRaw('');
    const dir = q.descending ? 'DESC' : 'ASC';
    const order = sqlRaw(` ORDER BY ${ORDER[q.sort]} ${dir}, t.id ${dir}`);
    const rows = sql`SELECT ${sqlRaw(COLUMNS)} FROM ${from}${whereSql}${order} LIMIT ${q.limit} OFFSET ${q.offset}`;
    // Without a region the prediction join cannot change the count (at most one row per track).
    const count = sql`SELECT count(*) AS n FROM ${q.region ? from : sqlRaw('tracks t')}${whereSql}`;
    return { rows, count, key: `${mode}|${regionMode}|${q.sort}|${dir}` };
  }

  /** One page of tracks plus the total matching the filter. */
  list(q: ListQuery): { tracks: Track[]; total: number } {
    const { rows, count, key } = TracksRepo.listSql(q);
    let cached = this.#listCache.get(key);
    if (!cached) {
      cached = { rows: this.#db.prepare(rows.query), count: this.#db.prepare(count.query) };
      this.#listCache.set(key, cached);
    }
    const list = cached.rows.all(...rows.params) as TrackRow[];
    const total = (cached.count.get(...count.params) as { n: number }).n;
    return { tracks: list.map(toTrack), total };
  }
}

function joinAnd(parts: SqlFragment[]): SqlFragment {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc} AND ${p}`));
}

/** Maps a snake_case row to the shared `Track` type (validated at the boundary). */
export function toTrack(row: TrackRow): Track {
  return TrackSchema.parse({
    id: row.id,
    path: row.path,
    contentHash: row.content_hash,
    title: row.title,
    artist: row.artist,
    album: row.album,
    genre: row.genre,
    year: row.year,
    durationSec: row.duration_sec,
    format: row.format,
    sampleRate: row.sample_rate,
    channels: row.channels,
    hasCover: row.has_cover === 1,
    status: row.status,
    error: row.error,
    addedAt: row.added_at,
    meanValence: row.mean_valence ?? null,
    meanArousal: row.mean_arousal ?? null,
  });
}

export type { ListTracksInput };
