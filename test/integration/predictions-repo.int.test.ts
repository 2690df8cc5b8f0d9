import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src-main/db/open';
import { PredictionsRepo, type MoodScope } from '../../src-main/db/predictions.repo';
import type { WritableDB } from '../../src-main/db/types';
import { rng } from '../fixtures/audio';

let dir: string;
let db: WritableDB;
let repo: PredictionsRepo;
const scope: MoodScope = { modelVersion: 'm1', featureHash: 'f1', profileId: null };

function addTrack(i: number): number {
  return Number(
    db
      .prepare('INSERT INTO tracks (path, content_hash, size_bytes, mtime_ms, format) VALUES (?, ?, 1, 0, ?)')
      .run(`/music/t${i}.wav`, `hash${i}`, 'wav').lastInsertRowid,
  );
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-pred-'));
  db = openDatabase(path.join(dir, 'library.db'));
  repo = new PredictionsRepo(db);
});
afterEach(() => {
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('PredictionsRepo', () => {
  it('round-trips Float32 curves and upserts on the (track, model, features, profile) key', () => {
    const t = addTrack(1);
    const arousal = Float32Array.from([0.1, -0.2, 0.3]);
    const valence = Float32Array.from([-0.5, 0.25, 0.125]);
    const id = repo.upsert({ ...scope, trackId: t, contentHash: 'hash1', arousal, valence, complete: true });
    const got = repo.get({ ...scope, trackId: t })!;
    expect(got.id).toBe(id);
    expect(Array.from(got.arousal)).toEqual(Array.from(arousal));
    expect(Array.from(got.valence)).toEqual(Array.from(valence));
    expect(got.nSteps).toBe(3);
    expect(got.meanArousal).toBeCloseTo((0.1 - 0.2 + 0.3) / 3, 6);
    expect(got.complete).toBe(true);

    // Same key: replaced in place (same id, one row); a profile row is a different key.
    const id2 = repo.upsert({ ...scope, trackId: t, contentHash: 'hash1', arousal: new Float32Array(4), valence: new Float32Array(4), complete: true });
    expect(id2).toBe(id);
    expect(repo.get({ ...scope, trackId: t })!.nSteps).toBe(4);
    const prof = Number(db.prepare("INSERT INTO profiles (name) VALUES ('me')").run().lastInsertRowid);
    const id3 = repo.upsert({ ...scope, profileId: prof, trackId: t, contentHash: 'hash1', arousal, valence, complete: true });
    expect(id3).not.toBe(id);
    expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT count(*) AS n FROM prediction_mood').get()).toEqual({ n: 2 });
  });

  it('treats partial rows and stale content hashes as cache misses, and keeps partial rows out of the mood index', () => {
    const t = addTrack(1);
    const a = Float32Array.from([0.5, 0.5]);
    repo.upsert({ ...scope, trackId: t, contentHash: 'hash1', arousal: a, valence: a, complete: false });
    expect(repo.get({ ...scope, trackId: t })!.complete).toBe(false);
    expect(repo.getFresh({ ...scope, trackId: t })).toBeNull();
    expect(repo.findInRegion({ valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 }, scope)).toEqual([]);
    repo.upsert({ ...scope, trackId: t, contentHash: 'hash1', arousal: a, valence: a, complete: true });
    expect(repo.getFresh({ ...scope, trackId: t })).not.toBeNull();
    expect(repo.findInRegion({ valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 }, scope).map((p) => p.trackId)).toEqual([t]);
    db.prepare("UPDATE tracks SET content_hash = 'changed' WHERE id = ?").run(t);
    expect(repo.getFresh({ ...scope, trackId: t })).toBeNull();
    expect(repo.missingTrackIds('m1', 'f1')).toEqual([t]);
  });

  it('rejects mismatched lengths and NaN without writing', () => {
    const t = addTrack(1);
    expect(() => repo.upsert({ ...scope, trackId: t, contentHash: 'h', arousal: new Float32Array(2), valence: new Float32Array(3), complete: true })).toThrow(/equal length/);
    expect(() => repo.upsert({ ...scope, trackId: t, contentHash: 'h', arousal: Float32Array.from([NaN]), valence: new Float32Array(1), complete: true })).toThrow(/finite/);
    expect(db.prepare('SELECT count(*) AS n FROM predictions').get()).toEqual({ n: 0 });
  });

  it('answers region and nearest-neighbour queries exactly like a brute-force scan', () => {
    const r = rng(7);
    const pts = new Map<number, [number, number]>();
    db.transaction(() => {
      for (let i = 1; i <= 2000; i++) {
        const t = addTrack(i);
        const v = r() * 2 - 1;
        const a = r() * 2 - 1;
        pts.set(t, [v, a]);
        repo.upsert({ ...scope, trackId: t, contentHash: `hash${i}`, arousal: Float32Array.of(a), valence: Float32Array.of(v), complete: true });
      }
    })();
    const region = { valenceMin: -0.3, valenceMax: 0.2, arousalMin: 0.1, arousalMax: 0.6 };
    // Brute force on the stored float32 means.
    const f = (x: number) => Math.fround(x);
    const want = [...pts].filter(([, [v, a]]) => f(v) >= region.valenceMin && f(v) <= region.valenceMax && f(a) >= region.arousalMin && f(a) <= region.arousalMax).map(([t]) => t).sort((x, y) => x - y);
    const got = repo.findInRegion(region, scope).map((p) => p.trackId).sort((x, y) => x - y);
    expect(want.length).toBeGreaterThan(50);
    expect(got).toEqual(want);

    const q: [number, number] = [0.33, -0.71];
    const brute = [...pts].map(([t, [v, a]]) => ({ t, d: Math.hypot(f(v) - q[0], f(a) - q[1]) })).sort((x, y) => x.d - y.d || x.t - y.t).slice(0, 10);
    const nn = repo.nearest(q[0], q[1], 10, scope);
    expect(nn.map((p) => p.trackId)).toEqual(brute.map((b) => b.t));
    // Other scopes see nothing.
    expect(repo.findInRegion(region, { ...scope, modelVersion: 'other' })).toEqual([]);
  });

  it('uses the R*Tree and the primary key for region queries, and the unique key for lookups (EXPLAIN QUERY PLAN)', () => {
    const plan = (q: string, ...args: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    const region = plan(
      `SELECT p.track_id FROM prediction_mood m JOIN predictions p ON p.id = m.id
        WHERE m.valence_max >= ? AND m.valence_min <= ? AND m.arousal_max >= ? AND m.arousal_min <= ?
          AND p.model_version = ? AND p.feature_hash = ? AND ifnull(p.profile_id, 0) = ?`,
      0, 1, 0, 1, 'm', 'f', 0,
    );
    expect(region).toMatch(/SCAN m VIRTUAL TABLE INDEX 2:/);
    expect(region).toMatch(/SEARCH p USING INTEGER PRIMARY KEY/);
    const key = plan(
      'SELECT * FROM predictions WHERE track_id = ? AND model_version = ? AND feature_hash = ? AND ifnull(profile_id, 0) = ?',
      1, 'm', 'f', 0,
    );
    expect(key).toMatch(/SEARCH predictions USING INDEX predictions_key/);
  });

  it('drops mood index rows with their prediction (track delete cascades)', () => {
    const t = addTrack(1);
    repo.upsert({ ...scope, trackId: t, contentHash: 'hash1', arousal: Float32Array.of(0), valence: Float32Array.of(0), complete: true });
    db.prepare('DELETE FROM tracks WHERE id = ?').run(t);
    repo.pruneMoodIndex();
    expect(db.prepare('SELECT count(*) AS n FROM prediction_mood').get()).toEqual({ n: 0 });
    expect(repo.counts('m1', 'f1')).toEqual({ total: 0, analysed: 0 });
  });
});
