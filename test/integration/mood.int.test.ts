/**
 * Mood queries on a real temp-file SQLite with 100,000 synthetic tracks: every query is
 * compared with a brute-force answer computed in JS from the same rows, and the hot queries
 * must go through the R*Tree (EXPLAIN QUERY PLAN). No timing assertions (see `npm run bench`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WritableDB } from '../../src-main/db/types';
import { MoodRepo, quadrantOf, type MoodScope } from '../../src-main/db/mood.repo';
import { MoodService, pointInPolygon } from '../../src-main/services/mood.service';
import { decodeMoodPoints, moodContract } from '../../src-shared/ipc/contract/mood';
import { AppError } from '../../src-shared/ipc/envelope';
import { rng } from '../fixtures/audio';
import { makeTmpDir, removeDir, tmpDb } from '../helpers/tmp-db';
import { seedMoodLibrary, type SeededLibrary } from '../../src-main/services/mood-bench';

let dir: string;
let db: WritableDB;
let lib: SeededLibrary;
let repo: MoodRepo;
let service: MoodService;

const N = 100_000;
const BASE: MoodScope = { profileId: null };

beforeAll(() => {
  dir = makeTmpDir('pdmer-mood-');
  db = tmpDb(dir);
  lib = seedMoodLibrary(db, { tracks: N, seed: 7 });
  repo = new MoodRepo(db);
  service = new MoodService(db);
});

afterAll(() => {
  db?.close();
  if (dir) removeDir(dir);
});

/** Brute force: the scoped point per track, from the seed's JS-side record of what it inserted. */
function expectedPoints(scope: MoodScope): Map<number, { v: number; a: number; personal: boolean }> {
  const out = new Map<number, { v: number; a: number; personal: boolean }>();
  for (const t of lib.tracks) {
    const personal = scope.profileId !== null ? t.personal.get(scope.profileId) : undefined;
    if (personal) out.set(t.id, { v: personal.v, a: personal.a, personal: true });
    else if (t.base) out.set(t.id, { v: t.base.v, a: t.base.a, personal: false });
  }
  return out;
}

function sortedIds(m: Iterable<number>): number[] {
  return [...m].sort((x, y) => x - y);
}

describe('mood repo on 100k tracks', () => {
  it('seeded the library with the expected shape', () => {
    expect(db.prepare('SELECT count(*) FROM tracks').pluck().get()).toBe(N);
    // Base + a stale older version + personal + incomplete rows; complete ones are indexed.
    const preds = db.prepare('SELECT count(*) FROM predictions').pluck().get() as number;
    expect(preds).toBeGreaterThan(N);
    const complete = db.prepare('SELECT count(*) FROM predictions WHERE complete = 1').pluck().get() as number;
    expect(complete).toBeLessThan(preds);
    expect(db.prepare('SELECT count(*) FROM prediction_mood').pluck().get()).toBe(complete);
  });

  it('points(): every analysed track once, sorted, newest complete base prediction, right quadrant', () => {
    const pts = repo.points(BASE);
    const exp = expectedPoints(BASE);
    expect(pts.count).toBe(exp.size);
    expect(exp.size).toBeLessThan(N); // some tracks are unanalysed or only partially analysed
    // Plain comparisons in the loop (100k expect() calls are slow); one assertion at the end.
    const bad: string[] = [];
    for (let i = 0; i < pts.count; i++) {
      const e = exp.get(pts.trackIds[i]);
      if (i > 0 && pts.trackIds[i] <= pts.trackIds[i - 1]) bad.push(`unsorted at ${i}`);
      else if (!e) bad.push(`unexpected track ${pts.trackIds[i]}`);
      else if (Math.abs(pts.valence[i] - e.v) > 1e-6 || Math.abs(pts.arousal[i] - e.a) > 1e-6) bad.push(`wrong point for ${pts.trackIds[i]}`);
      else if (pts.quadrant[i] !== quadrantOf(e.v, e.a)) bad.push(`wrong quadrant for ${pts.trackIds[i]}`);
      else if (pts.personal[i] !== 0) bad.push(`personal flag on ${pts.trackIds[i]}`);
      if (bad.length > 5) break;
    }
    expect(bad).toEqual([]);
    // Genres come back as indices into the genre list.
    const t0 = lib.tracks.find((t) => t.id === pts.trackIds[0])!;
    expect(pts.genres[pts.genre[0]]).toBe(t0.genre ?? '');
  });

  it('points() for a profile prefers its personal predictions and falls back to base', () => {
    const scope: MoodScope = { profileId: lib.profileId };
    const pts = repo.points(scope);
    const exp = expectedPoints(scope);
    expect(pts.count).toBe(exp.size);
    let personal = 0;
    const bad: number[] = [];
    for (let i = 0; i < pts.count; i++) {
      const e = exp.get(pts.trackIds[i]);
      if (!e || Math.abs(pts.valence[i] - e.v) > 1e-6 || pts.personal[i] !== (e.personal ? 1 : 0)) bad.push(pts.trackIds[i]);
      personal += pts.personal[i];
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(personal).toBeGreaterThan(1000);
    expect(personal).toBeLessThan(pts.count);
  });

  it('region() equals brute force for several boxes and both scopes', () => {
    const r = rng(11);
    for (const scope of [BASE, { profileId: lib.profileId }]) {
      const exp = expectedPoints(scope);
      for (let k = 0; k < 6; k++) {
        const v0 = r() * 2 - 1;
        const a0 = r() * 2 - 1;
        const box = {
          valenceMin: v0,
          valenceMax: Math.min(1, v0 + r() * 0.6),
          arousalMin: a0,
          arousalMax: Math.min(1, a0 + r() * 0.6),
        };
        const brute = sortedIds(
          [...exp].filter(([, p]) => p.v >= box.valenceMin && p.v <= box.valenceMax && p.a >= box.arousalMin && p.a <= box.arousalMax).map(([id]) => id),
        );
        const got = repo.region(box, scope, N + 1);
        expect(got.map((h) => h.trackId)).toEqual(brute);
      }
    }
  });

  it('region() includes points exactly on the box edges (R*Tree float32 rounding is only a prefilter)', () => {
    const t = lib.tracks.find((x) => x.base)!;
    const box = { valenceMin: t.base!.v, valenceMax: t.base!.v, arousalMin: t.base!.a, arousalMax: t.base!.a };
    expect(repo.region(box, BASE, 10).map((h) => h.trackId)).toContain(t.id);
  });

  it('near() returns exactly the points within the radius, nearest first', () => {
    const exp = expectedPoints(BASE);
    for (const [v, a, radius] of [
      [0.1, -0.2, 0.05],
      [-0.9, 0.9, 0.3],
      [0.5, 0.5, 0.12],
    ] as const) {
      const brute = [...exp]
        .map(([id, p]) => ({ id, d: Math.hypot(p.v - v, p.a - a) }))
        .filter((x) => x.d <= radius)
        .sort((x, y) => x.d - y.d || x.id - y.id);
      const got = repo.near(v, a, radius, BASE, N);
      expect(got.length).toBe(brute.length);
      expect(new Set(got.map((h) => h.trackId))).toEqual(new Set(brute.map((x) => x.id)));
      for (let i = 1; i < got.length; i++) expect(got[i].distance!).toBeGreaterThanOrEqual(got[i - 1].distance!);
      if (got.length > 0) expect(got[0].distance!).toBeCloseTo(brute[0].d, 9);
    }
  });

  it('nearest() equals brute-force kNN, in dense and empty parts of the plane and with exclusions', () => {
    for (const scope of [BASE, { profileId: lib.profileId }]) {
      const exp = expectedPoints(scope);
      for (const [v, a, k] of [
        [0, 0, 1],
        [0.3, -0.4, 25],
        [-1, -1, 7], // a corner: the search radius must grow
        [1, 1, 200],
      ] as const) {
        const brute = [...exp]
          .map(([id, p]) => ({ id, d: Math.hypot(p.v - v, p.a - a) }))
          .sort((x, y) => x.d - y.d || x.id - y.id)
          .slice(0, k);
        const got = repo.nearest(v, a, k, scope);
        expect(got.length).toBe(k);
        // Same distances in the same order (ids may differ only between exact ties).
        got.forEach((h, i) => expect(h.distance!).toBeCloseTo(brute[i].d, 9));
        expect(got[k - 1].distance!).toBeCloseTo(brute[k - 1].d, 9);
      }
    }
    const first = repo.nearest(0.2, 0.2, 5, BASE);
    const excl = new Set(first.slice(0, 2).map((h) => h.trackId));
    const again = repo.nearest(0.2, 0.2, 5, BASE, excl);
    expect(again.some((h) => excl.has(h.trackId))).toBe(false);
    expect(again.slice(0, 3).map((h) => h.trackId)).toEqual(first.slice(2).map((h) => h.trackId));
  });

  it('restricting to one model version uses only that version', () => {
    const old = repo.points({ profileId: null, modelVersion: 'old-v0' });
    expect(old.count).toBe(lib.tracks.filter((t) => t.old).length);
    const oldTrack = lib.tracks.find((t) => t.old)!;
    const hit = repo.pointForTrack(oldTrack.id, { profileId: null, modelVersion: 'old-v0' });
    expect(hit?.valence).toBeCloseTo(oldTrack.old!.v, 9);
  });

  it('hot queries go through the R*Tree and look predictions up by primary key', () => {
    const plan = (sql: string, params: Record<string, unknown>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
    const params = { vmin: 0, vmax: 0.2, amin: 0, amax: 0.2, v: 0.1, a: 0.1, r2: 0.01, limit: 10, mv: null, fh: null, pid: lib.profileId };
    for (const scope of [BASE, { profileId: lib.profileId }]) {
      for (const kind of ['region', 'near'] as const) {
        const details = plan(repo.querySql(kind, scope), params);
        const text = details.join('\n');
        // The R*Tree is scanned with constraints (an index plan string), not fully.
        expect(text).toMatch(/SCAN m VIRTUAL TABLE INDEX \d+:[A-Z0-9]+/);
        expect(text).toMatch(/SEARCH p USING INTEGER PRIMARY KEY/);
        // The newest-prediction check is an index search, never a scan of predictions.
        expect(text).not.toMatch(/SCAN (p|q)\b(?! VIRTUAL)/);
        expect(text).toMatch(/SEARCH q USING (COVERING )?INDEX \w+ \(track_id=\?/);
      }
    }
  });

  it('syncIndex() repairs missing, stale and orphaned index rows', () => {
    const t = lib.tracks.find((x) => x.base)!;
    const pid = db.prepare('SELECT id FROM prediction_mood LIMIT 1').pluck().get() as number;
    db.transaction(() => {
      db.prepare('DELETE FROM prediction_mood WHERE id = ?').run(pid); // missing
      db.prepare('INSERT INTO prediction_mood VALUES (?, 0, 0, 0, 0)').run(999_999_999); // orphan
    })();
    const stale = db.prepare('SELECT id FROM predictions WHERE track_id = ? AND profile_id IS NULL AND complete = 1 ORDER BY id DESC').pluck().get(t.id) as number;
    db.prepare('UPDATE predictions SET mean_valence = ? WHERE id = ?').run(t.base!.v < 0 ? 0.75 : -0.75, stale);
    expect(repo.syncIndex()).toEqual({ inserted: 1, updated: 1, deleted: 1 });
    expect(repo.syncIndex()).toEqual({ inserted: 0, updated: 0, deleted: 0 });
    const moved = repo.near(t.base!.v < 0 ? 0.75 : -0.75, t.base!.a, 1e-6, BASE, 10).map((h) => h.trackId);
    expect(moved).toContain(t.id);
    // restore for the other tests
    db.prepare('UPDATE predictions SET mean_valence = ? WHERE id = ?').run(t.base!.v, stale);
    repo.syncIndex();
  });
});

describe('mood service', () => {
  it('polygon() (lasso) equals the brute-force even-odd test', () => {
    const poly = [
      { valence: -0.5, arousal: -0.5 },
      { valence: 0.6, arousal: -0.3 },
      { valence: 0.1, arousal: 0.2 },
      { valence: 0.5, arousal: 0.7 },
      { valence: -0.6, arousal: 0.4 },
    ];
    const exp = expectedPoints(BASE);
    const brute = sortedIds([...exp].filter(([, p]) => pointInPolygon(p.v, p.a, poly)).map(([id]) => id));
    expect(brute.length).toBeGreaterThan(1000);
    const got = service.polygon(poly, BASE, N);
    expect(got.truncated).toBe(false);
    expect(got.hits.map((h) => h.trackId)).toEqual(brute);
    const small = service.polygon(poly, BASE, 10);
    expect(small.truncated).toBe(true);
    expect(small.hits.map((h) => h.trackId)).toEqual(brute.slice(0, 10));
  });

  it('region() reports truncation', () => {
    const all = { valenceMin: -1, valenceMax: 1, arousalMin: -1, arousalMax: 1 };
    const r = service.region(all, BASE, 100);
    expect(r.hits).toHaveLength(100);
    expect(r.truncated).toBe(true);
  });

  it('points() round-trips through the base64 wire format', () => {
    const wire = service.points(BASE);
    const data = decodeMoodPoints(wire);
    const direct = repo.points(BASE);
    expect(data.count).toBe(direct.count);
    expect(data.trackIds).toEqual(direct.trackIds);
    expect(data.valence).toEqual(direct.valence);
    expect(data.quadrant).toEqual(direct.quadrant);
  });

  it('path() moves smoothly from one track to another without repeating tracks', () => {
    const exp = expectedPoints(BASE);
    const nearOf = (v: number, a: number) => repo.nearest(v, a, 1, BASE)[0].trackId;
    const from = nearOf(-0.8, -0.7);
    const to = nearOf(0.8, 0.75);
    const p = service.path({ trackId: from }, { trackId: to }, { length: 15, scope: BASE });
    expect(p.steps).toHaveLength(15);
    expect(p.steps[0].trackId).toBe(from);
    expect(p.steps[14].trackId).toBe(to);
    expect(new Set(p.steps.map((s) => s.trackId)).size).toBe(15);
    const dir = { v: p.to.valence - p.from.valence, a: p.to.arousal - p.from.arousal };
    const len = Math.hypot(dir.v, dir.a);
    const ideal = len / 14;
    let prevProj = -Infinity;
    for (let i = 0; i < p.steps.length; i++) {
      const s = p.steps[i];
      expect(exp.get(s.trackId)!.v).toBeCloseTo(s.valence, 9);
      // Each step lands near its waypoint and progresses along the segment.
      expect(Math.hypot(s.valence - s.waypoint.valence, s.arousal - s.waypoint.arousal)).toBeLessThan(ideal / 2);
      const proj = ((s.valence - p.from.valence) * dir.v + (s.arousal - p.from.arousal) * dir.a) / len;
      expect(proj).toBeGreaterThan(prevProj);
      prevProj = proj;
    }
  });

  it('path() between two points, and errors for unknown or unanalysed tracks and profiles', () => {
    const p = service.path({ valence: 0.9, arousal: -0.9 }, { valence: -0.9, arousal: 0.9 }, { length: 5 });
    expect(p.steps).toHaveLength(5);
    expect(p.from).toEqual({ valence: 0.9, arousal: -0.9 });
    const unanalysed = lib.tracks.find((t) => !t.base)!;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AppError ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(code(() => service.path({ trackId: unanalysed.id }, { valence: 0, arousal: 0 }))).toMatch(/^NOT_FOUND: .*analyse it first/);
    expect(code(() => service.path({ trackId: 987_654_321 }, { valence: 0, arousal: 0 }))).toMatch(/^NOT_FOUND: .*987654321/);
    expect(code(() => service.points({ profileId: 424242 }))).toMatch(/^NOT_FOUND: .*profile.*424242/);
  });

  it('the contract rejects bad input before it reaches the service', () => {
    for (const [ch, input] of [
      ['mood:region', { region: { valenceMin: 0.5, valenceMax: 0.1, arousalMin: 0, arousalMax: 1 } }],
      ['mood:region', { region: { valenceMin: -2, valenceMax: 0.1, arousalMin: 0, arousalMax: 1 } }],
      ['mood:near', { valence: 0, arousal: 0, radius: -1 }],
      ['mood:near', { valence: Number.NaN, arousal: 0, radius: 0.1 }],
      ['mood:polygon', { vertices: [{ valence: 0, arousal: 0 }] }],
      ['mood:nearest', { valence: 0, arousal: 0, k: 0 }],
      ['mood:path', { from: { trackId: -3 }, to: { valence: 0, arousal: 0 } }],
      ['mood:points', { scope: { profileId: 'x' } }],
      ['mood:points', { scope: { profileId: null }, extra: 1 }],
    ] as const) {
      expect(moodContract[ch].input.safeParse(input).success, `${ch} ${JSON.stringify(input)}`).toBe(false);
    }
    // Defaults fill in.
    expect(moodContract['mood:points'].input.parse({})).toEqual({ scope: { profileId: null, modelVersion: null, featureHash: null } });
  });
});
