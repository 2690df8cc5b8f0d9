/**
 * Synthetic mood library + query timings, shared by the integration tests and
 * `npm run bench` (scripts/bench.ts calls `seedMoodLibrary` on a temp DB, then `runMoodBench`).
 * Nothing here runs in the app.
 *
 * The seed is deterministic (mulberry32) and mimics a real library: ~93% of tracks have a
 * complete base prediction, ~3% only a partial one (analysis interrupted), ~4% none; ~10% also
 * carry an older model version's prediction (inserted first, so it must lose to the newer one),
 * ~12% a personal prediction of one profile. Points come from four clusters around the
 * circumplex quadrants plus a uniform background, clipped to [-1, 1].
 */
import type { WritableDB } from '../db/types';
import { MoodRepo, type MoodScope } from '../db/mood.repo';
import { MoodService } from './mood.service';
import { mulberry32 } from '../../src-shared/random';

export interface SeededTrack {
  id: number;
  genre: string | null;
  /** The current base prediction's mean (absent: not analysed). */
  base?: { v: number; a: number };
  /** The older model version's mean, when seeded. */
  old?: { v: number; a: number };
  /** Personal means by profile id. */
  personal: Map<number, { v: number; a: number }>;
  /** True when the stored curve is a 40-step ramp (valence 0..1) rather than one step. */
  curve: boolean;
}

export interface SeededLibrary {
  profileId: number;
  tracks: SeededTrack[];
  predictions: number;
}


const GENRES = [null, 'Rock', 'Jazz', 'Classical', 'Electronic', 'Hip-Hop', 'Folk', 'Pop'];
const CENTRES = [
  [0.5, 0.5],
  [-0.5, 0.5],
  [-0.5, -0.5],
  [0.5, -0.5],
];

function f32Blob(values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

/**
 * Inserts `tracks` synthetic tracks (ids 1..n on an empty DB) with predictions and their
 * R*Tree rows in one transaction.
 * @returns what was inserted, for brute-force comparisons
 */
export function seedMoodLibrary(db: WritableDB, opts: { tracks: number; seed?: number; curveSteps?: number }): SeededLibrary {
  const rand = mulberry32(opts.seed ?? 1);
  const gauss = (): number => {
    // Box-Muller
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
  const point = (): { v: number; a: number } => {
    const clip = (x: number) => Math.max(-1, Math.min(1, x));
    if (rand() < 0.2) return { v: rand() * 2 - 1, a: rand() * 2 - 1 };
    const [cv, ca] = CENTRES[Math.floor(rand() * 4)];
    return { v: clip(cv + 0.25 * gauss()), a: clip(ca + 0.25 * gauss()) };
  };

  const insTrack = db.prepare(`INSERT INTO tracks (id, path, content_hash, size_bytes, mtime_ms, title, artist, genre, duration_sec, format)
    VALUES (?, ?, ?, 1000, 0, ?, ?, ?, ?, 'mp3')`);
  const insPred = db.prepare(`INSERT INTO predictions (track_id, content_hash, model_version, feature_hash, profile_id, n_steps,
      arousal, valence, mean_arousal, mean_valence, complete)
    VALUES (?, ?, ?, 'feat', ?, ?, ?, ?, ?, ?, ?)`);
  const insMood = db.prepare(`INSERT INTO prediction_mood (id, valence_min, valence_max, arousal_min, arousal_max) VALUES (?, ?, ?, ?, ?)`);

  const ramp = Array.from({ length: 40 }, (_, i) => i / 39);
  // Real curves are ~600 steps (5 min at 2 Hz): rows then spill into overflow pages, which is
  // what the query plans must avoid reading. Tests keep 1 step (small files); the bench uses 600.
  const steps = Math.max(1, Math.floor(opts.curveSteps ?? 1));
  const tracks: SeededTrack[] = [];
  let predictions = 0;
  const profileId = db.transaction(() => {
    const pid = Number(db.prepare(`INSERT INTO profiles (name) VALUES (?)`).run(`synthetic-${opts.seed ?? 1}-${Date.now()}`).lastInsertRowid);
    const pred = (tid: number, hash: string, model: string, profile: number | null, p: { v: number; a: number }, complete: 0 | 1, curve: boolean) => {
      const val = curve ? f32Blob(ramp) : steps > 1 ? f32Blob(new Array<number>(steps).fill(p.v)) : f32Blob([p.v]);
      const aro = curve ? f32Blob(ramp.map((x) => -x)) : steps > 1 ? f32Blob(new Array<number>(steps).fill(p.a)) : f32Blob([p.a]);
      const n = curve ? 40 : steps;
      const id = Number(insPred.run(tid, hash, model, profile, n, aro, val, p.a, p.v, complete).lastInsertRowid);
      // Index convention of predictions.repo.ts: complete predictions only.
      if (complete === 1) insMood.run(id, p.v, p.v, p.a, p.a);
      predictions++;
    };
    for (let i = 1; i <= opts.tracks; i++) {
      const genre = GENRES[i % GENRES.length];
      const hash = `h${i}`;
      insTrack.run(i, `/music/synthetic/${i}.mp3`, hash, `Track ${i}`, `Artist ${i % 997}`, genre, 120 + (i % 180));
      const t: SeededTrack = { id: i, genre, personal: new Map(), curve: i <= 100 };
      const r = rand();
      if (r < 0.93) {
        if (rand() < 0.1) {
          t.old = point();
          pred(i, hash, 'old-v0', null, t.old, 1, false);
        }
        t.base = point();
        pred(i, hash, 'emotion-v1', null, t.base, 1, t.curve);
        if (rand() < 0.12) {
          const p = point();
          t.personal.set(pid, p);
          pred(i, hash, 'emotion-v1', pid, p, 1, false);
        }
      } else if (r < 0.96) {
        pred(i, hash, 'emotion-v1', null, point(), 0, false); // partial: not on the map
      }
      tracks.push(t);
    }
    return pid;
  })();
  return { profileId, tracks, predictions };
}

export interface BenchRow {
  name: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** Mean result size (hits or points). */
  meanResults: number;
}

/**
 * Times the mood queries on whatever library `db` holds (seed it first). Query locations are
 * drawn from a fixed seed so runs are comparable.
 */
export function runMoodBench(db: WritableDB, opts: { runs?: number; profileId?: number | null } = {}): BenchRow[] {
  const runs = opts.runs ?? 50;
  const repo = new MoodRepo(db);
  const service = new MoodService(db);
  const scope: MoodScope = { profileId: opts.profileId ?? null };
  const rand = mulberry32(99);
  const at = () => rand() * 1.8 - 0.9;
  const cases: [string, () => number][] = [
    [
      'mood region 0.2x0.2 box',
      () => {
        const v = at();
        const a = at();
        return repo.region({ valenceMin: v, valenceMax: v + 0.2, arousalMin: a, arousalMax: a + 0.2 }, scope, 100_000).length;
      },
    ],
    ['mood near r=0.05', () => repo.near(at(), at(), 0.05, scope, 100_000).length],
    ['mood nearest k=10', () => repo.nearest(at(), at(), 10, scope).length],
    ['mood nearest k=100', () => repo.nearest(at(), at(), 100, scope).length],
    [
      'mood lasso (5-gon ~0.3 wide)',
      () => {
        const v = at();
        const a = at();
        const poly = Array.from({ length: 5 }, (_, i) => ({
          valence: v + 0.15 * Math.cos((2 * Math.PI * i) / 5),
          arousal: a + 0.15 * Math.sin((2 * Math.PI * i) / 5),
        }));
        return service.polygon(poly, scope, 100_000).hits.length;
      },
    ],
    ['mood map all points', () => repo.points(scope).count],
  ];
  const out: BenchRow[] = [];
  for (const [name, fn] of cases) {
    const n = name === 'mood map all points' ? Math.max(3, Math.floor(runs / 10)) : runs;
    fn(); // warm the page cache and statement
    const times: number[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      total += fn();
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    out.push({
      name,
      runs: n,
      medianMs: times[Math.floor(n / 2)],
      p95Ms: times[Math.min(n - 1, Math.floor(n * 0.95))],
      meanResults: total / n,
    });
  }
  return out;
}
