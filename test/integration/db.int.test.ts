/**
 * The library database on real temp files: migrations (all, per version, atomicity), refusal of
 * newer and corrupt files without touching them, the R*Tree, the schema snapshot guard and
 * EXPLAIN QUERY PLAN checks for the hot queries.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src-shared/ipc/envelope';
import { openDatabase } from '../../src-main/db/open';
import { LATEST_VERSION, MIGRATIONS, checkRegistry, getUserVersion, updateToVersion, type Migration } from '../../src-main/db/migrations/index';
import { TracksRepo, type ListQuery, type NewTrack } from '../../src-main/db/tracks.repo';
import { ProfilesRepo } from '../../src-main/db/profiles.repo';
import { JobsRepo } from '../../src-main/db/jobs.repo';
import { sql, sqlId, sqlJoin } from '../../src-main/db/sql';
import { tmpDb, useTmpDir } from '../helpers/tmp-db';

const t = useTmpDir('pdmer-db-');

function fileDigest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function expectAppError(fn: () => unknown, code: string): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return e as AppError;
  }
  throw new Error(`expected AppError ${code}, nothing was thrown`);
}

function newTrack(i: number, over: Partial<NewTrack> = {}): NewTrack {
  return {
    path: `/music/track-${i}.wav`,
    contentHash: `hash-${i}`,
    sizeBytes: 1000 + i,
    mtimeMs: 1_700_000_000_000 + i,
    title: `Title ${i}`,
    artist: `Artist ${i % 7}`,
    album: `Album ${i % 3}`,
    genre: null,
    year: null,
    durationSec: 10 + i,
    format: 'wav',
    sampleRate: 44_100,
    channels: 2,
    coverMime: null,
    cover: null,
    ...over,
  };
}

/** Inserts a (complete, base-model) prediction with its R*Tree point, as the analysis repo does. */
function addPrediction(db: Database.Database, trackId: number, valence: number, arousal: number, model = 'm1', profileId: number | null = null): number {
  const blob = Buffer.from(new Float32Array([valence]).buffer);
  const id = Number(
    db
      .prepare(
        `INSERT INTO predictions (track_id, content_hash, model_version, feature_hash, profile_id, n_steps, arousal, valence, mean_arousal, mean_valence)
         VALUES (?, 'h', ?, 'f', ?, 1, ?, ?, ?, ?)`,
      )
      .run(trackId, model, profileId, blob, blob, arousal, valence).lastInsertRowid,
  );
  db.prepare('INSERT INTO prediction_mood (id, valence_min, valence_max, arousal_min, arousal_max) VALUES (?, ?, ?, ?, ?)').run(id, valence, valence, arousal, arousal);
  return id;
}

describe('sql tag', () => {
  it('turns values into parameters and inlines fragments', () => {
    const [q, p] = sql`SELECT * FROM ${sqlId('tracks')} WHERE id IN (${sqlJoin([sql`${1}`, sql`${2}`])}) AND title = ${"x'; DROP TABLE tracks; --"}`;
    expect(q).toBe('SELECT * FROM "tracks" WHERE id IN (?, ?) AND title = ?');
    expect(p).toEqual([1, 2, "x'; DROP TABLE tracks; --"]);
  });

  it('refuses identifiers that are not plain names', () => {
    expect(() => sqlId('tracks; DROP TABLE x')).toThrow(/plain identifier/);
    expect(() => sqlId('a"b')).toThrow(/plain identifier/);
  });
});

describe('migrations', () => {
  it('creates a WAL database with foreign keys at the latest version', () => {
    const db = t.track(tmpDb(t.dir));
    expect(getUserVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
    for (const name of ['tracks', 'profiles', 'annotation_sessions', 'annotation_samples', 'predictions', 'prediction_mood', 'personal_models', 'jobs', 'library_roots', 'tracks_fts']) {
      expect(tables).toContain(name);
    }
  });

  it('reopening an up-to-date database applies nothing and keeps the data', () => {
    const file = path.join(t.dir, 'library.sqlite');
    const db1 = openDatabase(file);
    new TracksRepo(db1).insert(newTrack(1));
    db1.close();
    const db2 = t.track(openDatabase(file));
    expect(updateToVersion(db2)).toEqual([]);
    expect(new TracksRepo(db2).count()).toBe(1);
  });

  it('each migration can be applied on its own, in order (updateToVersion)', () => {
    const db = t.track(tmpDb(t.dir, { targetVersion: 0 }));
    expect(getUserVersion(db)).toBe(0);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get()).toEqual({ n: 0 });
    for (const m of MIGRATIONS) {
      expect(updateToVersion(db, m.version)).toEqual([m.version]);
      expect(getUserVersion(db)).toBe(m.version);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    }
  });

  it('0001: tracks need a unique path and hash; deleting a track cascades to predictions and the mood index', () => {
    const db = t.track(tmpDb(t.dir, { targetVersion: 1 }));
    const tracks = new TracksRepo(db);
    const id = tracks.insert(newTrack(1));
    expect(() => tracks.insert(newTrack(2, { path: '/music/track-1.wav' }))).toThrow(/UNIQUE/);
    expect(() => tracks.insert(newTrack(3, { contentHash: 'hash-1' }))).toThrow(/UNIQUE/);
    const pid = addPrediction(db, id, 0.5, -0.25);
    expect(db.prepare('SELECT count(*) AS n FROM prediction_mood WHERE id = ?').get(pid)).toEqual({ n: 1 });
    expect(tracks.remove([id])).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM prediction_mood').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM tracks_fts WHERE tracks_fts MATCH ?').get('"Title"')).toEqual({ n: 0 });
  });

  it('the bundled SQLite has a working R*Tree (point boxes, range query)', () => {
    const db = t.track(tmpDb(t.dir));
    const tracks = new TracksRepo(db);
    const ids = [0, 1, 2, 3].map((i) => tracks.insert(newTrack(i)));
    addPrediction(db, ids[0]!, 0.8, 0.8);
    addPrediction(db, ids[1]!, -0.8, 0.8);
    addPrediction(db, ids[2]!, -0.5, -0.5);
    addPrediction(db, ids[3]!, 0.1, -0.9);
    const inHappy = db
      .prepare('SELECT id FROM prediction_mood WHERE valence_min >= 0 AND valence_max <= 1 AND arousal_min >= 0 AND arousal_max <= 1')
      .all();
    expect(inHappy).toHaveLength(1);
  });

  it('runs all pending migrations in one transaction: a failure leaves version and schema unchanged', () => {
    const file = path.join(t.dir, 'library.sqlite');
    const broken: Migration[] = [
      { version: 1, name: 'ok', up: (db) => db.exec('CREATE TABLE a (x INTEGER) STRICT') },
      { version: 3, name: 'fails', up: (db) => db.exec('CREATE TABLE b (x INTEGER) STRICT; THIS IS NOT SQL') },
    ];
    expect(() => openDatabase(file, { migrations: broken })).toThrow();
    const raw = new Database(file, { readonly: true });
    expect(getUserVersion(raw)).toBe(0);
    expect(raw.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b')`).get()).toEqual({ n: 0 });
    raw.close();
  });

  it('the registry must increase strictly (gaps allowed: 0002 is reserved)', () => {
    const up = () => undefined;
    expect(() => checkRegistry([{ version: 1, name: 'a', up }, { version: 1, name: 'b', up }])).toThrow(/out of order/);
    expect(() => checkRegistry([{ version: 3, name: 'a', up }, { version: 2, name: 'b', up }])).toThrow(/out of order/);
    expect(() => checkRegistry([{ version: 1.5, name: 'a', up }])).toThrow(/out of order/);
    expect(checkRegistry([{ version: 1, name: 'a', up }, { version: 3, name: 'c', up }])).toHaveLength(2);
    expect(MIGRATIONS.map((m) => m.version)).toEqual([...MIGRATIONS.map((m) => m.version)].sort((a, b) => a - b));
  });
});

describe('refusing databases it cannot own', () => {
  it('a database from a newer build is refused with a clear message and left byte-identical', () => {
    const file = path.join(t.dir, 'library.sqlite');
    const db = openDatabase(file);
    new TracksRepo(db).insert(newTrack(1));
    db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    db.close();
    const before = fileDigest(file);
    const e = expectAppError(() => openDatabase(file), 'DB_FROM_FUTURE');
    expect(e.message).toContain(`schema version ${LATEST_VERSION + 5}`);
    expect(e.message).toContain(`only knows up to ${LATEST_VERSION}`);
    expect(fileDigest(file)).toBe(before);
    const raw = new Database(file, { readonly: true });
    expect(getUserVersion(raw)).toBe(LATEST_VERSION + 5);
    raw.close();
  });

  it('a file that is not SQLite is refused (DB_CORRUPT) and left byte-identical', () => {
    const file = path.join(t.dir, 'library.sqlite');
    fs.writeFileSync(file, Buffer.from('this is a text file, not a database\n'.repeat(200)));
    const before = fileDigest(file);
    const e = expectAppError(() => openDatabase(file), 'DB_CORRUPT');
    expect(e.message).toMatch(/not a readable SQLite database/);
    expect(fileDigest(file)).toBe(before);
    expect(fs.readdirSync(t.dir)).toEqual(['library.sqlite']);
  });

  it('a truncated SQLite file is refused (DB_CORRUPT) and left byte-identical', () => {
    const file = path.join(t.dir, 'library.sqlite');
    const db = openDatabase(file);
    const tracks = new TracksRepo(db);
    db.transaction(() => {
      for (let i = 0; i < 300; i++) tracks.insert(newTrack(i, { title: `A long title to fill pages ${'x'.repeat(200)} ${i}` }));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
    db.close();
    const full = fs.readFileSync(file);
    fs.writeFileSync(file, full.subarray(0, Math.floor(full.length / 3)));
    const before = fileDigest(file);
    const e = expectAppError(() => openDatabase(file), 'DB_CORRUPT');
    expect(e.message).toMatch(/truncated: its header declares \d+ bytes, the file has \d+/);
    expect(fileDigest(file)).toBe(before);
  });

  it('a garbage-filled file with a valid header is refused (DB_CORRUPT)', () => {
    const file = path.join(t.dir, 'library.sqlite');
    const buf = Buffer.alloc(8192, 0xab);
    Buffer.from('SQLite format 3\0', 'latin1').copy(buf, 0);
    fs.writeFileSync(file, buf);
    const before = fileDigest(file);
    expectAppError(() => openDatabase(file), 'DB_CORRUPT');
    expect(fileDigest(file)).toBe(before);
  });
});

describe('schema snapshot', () => {
  it('matches schema-snapshot.json (update with `vitest -u` when you add a migration)', async () => {
    const db = t.track(tmpDb(t.dir));
    const rows = db
      .prepare(`SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE 'tracks_fts_%' ORDER BY type, name`)
      .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
    const snapshot = {
      userVersion: getUserVersion(db),
      objects: rows.map((r) => ({ ...r, sql: r.sql?.replace(/\s+/g, ' ').trim() ?? null })),
    };
    await expect(`${JSON.stringify(snapshot, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/schema-snapshot.json');
  });
});

describe('repos', () => {
  it('tracks: list with search, sort, paging, total and the newest complete base prediction', () => {
    const db = t.track(tmpDb(t.dir));
    const tracks = new TracksRepo(db);
    const ids: number[] = [];
    db.transaction(() => {
      for (let i = 0; i < 30; i++) ids.push(tracks.insert(newTrack(i, { title: i === 7 ? 'Blue in Green' : `Song ${String(i).padStart(2, '0')}` })));
    })();
    const base: ListQuery = { sort: 'title', descending: false, limit: 10, offset: 0 };
    const page1 = tracks.list(base);
    expect(page1.total).toBe(30);
    expect(page1.tracks.map((x) => x.title)).toEqual(['Blue in Green', 'Song 00', 'Song 01', 'Song 02', 'Song 03', 'Song 04', 'Song 05', 'Song 06', 'Song 08', 'Song 09']);
    const page3 = tracks.list({ ...base, offset: 20 });
    expect(page3.tracks.at(-1)?.title).toBe('Song 29');
    expect(tracks.list({ ...base, descending: true, limit: 1 }).tracks[0]?.title).toBe('Song 29');
    expect(tracks.list({ ...base, search: 'in gr' }).tracks.map((x) => x.id)).toEqual([ids[7]]);
    expect(tracks.list({ ...base, search: 'IN GR' }).total).toBe(1);
    expect(tracks.list({ ...base, search: 'artist 3' }).total).toBe(tracks.list({ ...base, search: 'Artist 3' }).total);
    expect(tracks.list({ ...base, search: '%' }).total).toBe(0); // LIKE wildcards are literal
    expect(tracks.list({ ...base, search: 'Bl' }).total).toBe(1); // short queries fall back to LIKE
    expect(tracks.list({ ...base, search: '"quoted' }).total).toBe(0); // FTS syntax is escaped
    expect(tracks.list({ ...base, sort: 'duration', descending: true, limit: 1 }).tracks[0]?.durationSec).toBe(39);

    // Newest complete base prediction wins; personal and incomplete predictions are ignored.
    addPrediction(db, ids[0]!, 0.1, 0.2, 'm1');
    addPrediction(db, ids[0]!, 0.3, 0.4, 'm2');
    const profile = new ProfilesRepo(db).create('Ana');
    addPrediction(db, ids[0]!, -0.9, -0.9, 'm2', profile.id);
    const inc = addPrediction(db, ids[0]!, 0.9, 0.9, 'm3');
    db.prepare('UPDATE predictions SET complete = 0 WHERE id = ?').run(inc);
    expect(tracks.get(ids[0]!)).toMatchObject({ meanValence: 0.3, meanArousal: 0.4 });
    expect(tracks.get(ids[1]!)).toMatchObject({ meanValence: null, meanArousal: null });

    addPrediction(db, ids[1]!, -0.5, 0.6);
    addPrediction(db, ids[2]!, 0.7, -0.7);
    const byValence = tracks.list({ ...base, sort: 'valence', descending: true, limit: 3 });
    expect(byValence.tracks.map((x) => x.id)).toEqual([ids[2], ids[0], ids[1]]);
  });

  it('tracks: the mood-region filter uses only the newest base prediction per track', () => {
    const db = t.track(tmpDb(t.dir));
    const tracks = new TracksRepo(db);
    const a = tracks.insert(newTrack(1));
    const b = tracks.insert(newTrack(2));
    const c = tracks.insert(newTrack(3));
    addPrediction(db, a, 0.5, 0.5, 'old'); // superseded by the next one
    addPrediction(db, a, -0.5, -0.5, 'new');
    addPrediction(db, b, 0.6, 0.4);
    addPrediction(db, c, 0.2, 0.9);
    const q: ListQuery = { sort: 'added', descending: false, limit: 50, offset: 0, region: { valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 0.5 } };
    const r = tracks.list(q);
    expect(r.tracks.map((x) => x.id)).toEqual([b]);
    expect(r.total).toBe(1);
    expect(tracks.list({ ...q, region: { valenceMin: -1, valenceMax: 0, arousalMin: -1, arousalMax: 0 } }).tracks.map((x) => x.id)).toEqual([a]);
    expect(tracks.list({ ...q, region: { valenceMin: -1, valenceMax: 1, arousalMin: -1, arousalMax: 1 }, search: 'Title 3' }).tracks.map((x) => x.id)).toEqual([c]);
    // Same answers from the R*Tree plan (small box) and the scan plan (large box), boundaries inclusive.
    expect(tracks.list({ ...q, region: { valenceMin: 0.6, valenceMax: 0.7, arousalMin: 0.3, arousalMax: 0.4 } }).tracks.map((x) => x.id)).toEqual([b]);
    expect(tracks.list({ ...q, region: { valenceMin: 0.6, valenceMax: 1, arousalMin: 0.4, arousalMax: 1 } }).tracks.map((x) => x.id)).toEqual([b]);
    const d = tracks.insert(newTrack(4));
    addPrediction(db, d, 0.1 + 0.2, 0.7); // 0.30000000000000004: float32 rounding must not lose or add it
    expect(tracks.list({ ...q, region: { valenceMin: 0.2, valenceMax: 0.3, arousalMin: 0.6, arousalMax: 0.8 } }).tracks.map((x) => x.id)).toEqual([]);
    expect(tracks.list({ ...q, region: { valenceMin: 0.30000000000000004, valenceMax: 0.35, arousalMin: 0.7, arousalMax: 0.8 } }).tracks.map((x) => x.id)).toEqual([d]);
  });

  it('profiles: create, list (case-insensitive unique names), personal-model flag', () => {
    const db = t.track(tmpDb(t.dir));
    const profiles = new ProfilesRepo(db);
    const bo = profiles.create('  Bo ');
    profiles.create('ana');
    expect(bo.name).toBe('Bo');
    expect(profiles.list().map((p) => p.name)).toEqual(['ana', 'Bo']);
    expectAppError(() => profiles.create('BO'), 'CONFLICT');
    db.prepare(`INSERT INTO personal_models (profile_id, model_version, feature_hash, weights, manifest) VALUES (?, 'm', 'f', x'00', '[]')`).run(bo.id);
    expect(profiles.get(bo.id)?.hasPersonalModel).toBe(true);
  });

  it('jobs: persisted, interrupted jobs marked failed on restart', () => {
    const db = t.track(tmpDb(t.dir));
    const jobs = new JobsRepo(db);
    jobs.start({ jobId: 'j1', kind: 'import', state: 'running', done: 0, total: 10 });
    jobs.update({ jobId: 'j1', kind: 'import', state: 'running', done: 4, total: 10, message: 'x.wav' });
    expect(jobs.get('j1')).toMatchObject({ done: 4, total: 10, state: 'running', message: 'x.wav' });
    expect(jobs.markInterrupted()).toBe(1);
    expect(jobs.get('j1')).toMatchObject({ state: 'failed' });
    expect(jobs.recent()).toHaveLength(1);
  });
});

describe('query plans of hot queries', () => {
  function plan(db: Database.Database, query: string, params: readonly unknown[]): string {
    return (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
  }
  const base: ListQuery = { sort: 'title', descending: false, limit: 50, offset: 0 };

  it('listing sorted by title/artist/album/duration/added walks an index (no sort step, no table scan)', () => {
    const db = t.track(tmpDb(t.dir));
    const expected: Record<string, string> = { title: 'tracks_title', artist: 'tracks_artist', album: 'tracks_album', duration: 'tracks_duration', added: 'tracks_added' };
    for (const [sort, index] of Object.entries(expected)) {
      for (const descending of [false, true]) {
        const { rows } = TracksRepo.listSql({ ...base, sort: sort as ListQuery['sort'], descending });
        const p = plan(db, rows.query, rows.params);
        expect(p, `${sort} ${descending}`).toContain(`SCAN t USING INDEX ${index}`);
        expect(p).not.toContain('TEMP B-TREE');
        expect(p).toContain('USING INDEX predictions_base_latest');
      }
    }
  });

  it('search of 3+ characters uses the trigram FTS index', () => {
    const db = t.track(tmpDb(t.dir));
    const { rows } = TracksRepo.listSql({ ...base, search: 'blue' });
    const p = plan(db, rows.query, rows.params);
    expect(p).toMatch(/SCAN tracks_fts VIRTUAL TABLE/);
    expect(p).toContain('SEARCH t USING INTEGER PRIMARY KEY');
  });

  it('a small mood region is driven by the R*Tree; a large one walks the sort index', () => {
    const db = t.track(tmpDb(t.dir));
    const small = TracksRepo.listSql({ ...base, region: { valenceMin: 0.2, valenceMax: 0.5, arousalMin: -0.1, arousalMax: 0.3 } });
    const p = plan(db, small.rows.query, small.rows.params);
    expect(p.split('\n')[0]).toMatch(/^SCAN m VIRTUAL TABLE INDEX \d+:[A-Z0-9]+/);
    expect(p).toContain('SEARCH t USING INTEGER PRIMARY KEY');
    expect(plan(db, small.count.query, small.count.params).split('\n')[0]).toMatch(/^SCAN m VIRTUAL TABLE INDEX \d+:[A-Z0-9]+/);
    const large = TracksRepo.listSql({ ...base, region: { valenceMin: -1, valenceMax: 1, arousalMin: 0, arousalMax: 1 } });
    const pl = plan(db, large.rows.query, large.rows.params);
    expect(pl).toContain('SCAN t USING INDEX tracks_title');
    expect(pl).not.toContain('TEMP B-TREE');
  });

  it('path and content-hash lookups use their unique indexes', () => {
    const db = t.track(tmpDb(t.dir));
    expect(plan(db, 'SELECT id FROM tracks WHERE path = ?', ['/x'])).toMatch(/SEARCH tracks USING (COVERING )?INDEX sqlite_autoindex_tracks_\d \(path=\?\)/);
    expect(plan(db, 'SELECT id, path, status FROM tracks WHERE content_hash = ?', ['h'])).toMatch(/SEARCH tracks USING INDEX sqlite_autoindex_tracks_\d \(content_hash=\?\)/);
  });
});
