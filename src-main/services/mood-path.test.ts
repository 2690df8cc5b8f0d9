import { describe, expect, it } from 'vitest';
import { planMoodPath, waypoints, type NearestFn, type PathCandidate } from './mood-path';

/** Brute-force kNN over a fixed point set. */
function nearestOver(points: PathCandidate[]): NearestFn {
  return (p, k, exclude) =>
    points
      .filter((c) => !exclude.has(c.trackId))
      .map((c) => ({ c, d: Math.hypot(c.valence - p.valence, c.arousal - p.arousal) }))
      .sort((x, y) => x.d - y.d || x.c.trackId - y.c.trackId)
      .slice(0, k)
      .map((x) => x.c);
}

const pt = (trackId: number, valence: number, arousal: number): PathCandidate => ({ trackId, valence, arousal, personal: false });

describe('waypoints', () => {
  it('spaces n points evenly, ends included', () => {
    const w = waypoints({ valence: -1, arousal: 0 }, { valence: 1, arousal: 1 }, 5);
    expect(w.map((p) => p.valence)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(w.map((p) => p.arousal)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe('planMoodPath', () => {
  it('pins the end tracks, uses each track once and follows the segment on a grid', () => {
    const grid: PathCandidate[] = [];
    let id = 1;
    for (let i = 0; i <= 20; i++) for (let j = 0; j <= 20; j++) grid.push(pt(id++, -1 + i / 10, -1 + j / 10));
    const from = grid.find((c) => c.valence === -1 && c.arousal === -1)!;
    const to = grid.find((c) => c.valence === 1 && Math.abs(c.arousal - 1) < 1e-9)!;
    const steps = planMoodPath(from, to, { length: 11, smoothness: 1, fromTrack: from, toTrack: to }, nearestOver(grid));
    expect(steps).toHaveLength(11);
    expect(steps[0].trackId).toBe(from.trackId);
    expect(steps[10].trackId).toBe(to.trackId);
    expect(new Set(steps.map((s) => s.trackId)).size).toBe(11);
    // On a 0.1 grid the diagonal waypoints are grid points: the path is exactly the diagonal.
    steps.forEach((s, i) => {
      expect(s.valence).toBeCloseTo(-1 + i / 5, 9);
      expect(s.arousal).toBeCloseTo(-1 + i / 5, 9);
    });
  });

  it('the smoothness term avoids zig-zags that nearest-per-waypoint would take', () => {
    // Along valence 0..1 at arousal 0, every inner waypoint has two candidates, 0.1 above and
    // 0.1 below the line, one of them slightly nearer (0.099), alternating sides: "nearest
    // per waypoint" jumps up and down, the smooth plan stays on one side.
    const pts: PathCandidate[] = [];
    let id = 1;
    for (let i = 1; i <= 9; i++) {
      const v = i / 10;
      const upNearer = i % 2 === 0;
      pts.push(pt(id++, v, upNearer ? 0.099 : 0.1));
      pts.push(pt(id++, v, upNearer ? -0.1 : -0.099));
    }
    const start = pt(100, 0, 0);
    const end = pt(101, 1, 0);
    const all = [...pts, start, end];
    const opts = { length: 11, fromTrack: start, toTrack: end };
    const greedy = planMoodPath(start, end, { ...opts, smoothness: 0 }, nearestOver(all));
    const smooth = planMoodPath(start, end, { ...opts, smoothness: 1 }, nearestOver(all));
    const signChanges = (s: PathCandidate[]) => {
      const inner = s.slice(1, -1);
      return inner.slice(1).filter((c, i) => Math.sign(c.arousal) !== Math.sign(inner[i].arousal)).length;
    };
    expect(greedy).toHaveLength(11);
    expect(smooth).toHaveLength(11);
    expect(signChanges(greedy)).toBeGreaterThanOrEqual(8);
    expect(signChanges(smooth)).toBe(0);
    const roughness = (s: PathCandidate[]) => s.slice(1).reduce((acc, c, i) => acc + Math.hypot(c.valence - s[i].valence, c.arousal - s[i].arousal), 0);
    expect(roughness(smooth)).toBeLessThan(roughness(greedy));
  });

  it('returns a shorter path when the library has too few tracks, and never repeats one', () => {
    const few = [pt(1, 0, 0), pt(2, 0.5, 0.5)];
    const steps = planMoodPath({ valence: -1, arousal: -1 }, { valence: 1, arousal: 1 }, { length: 6, smoothness: 1 }, nearestOver(few));
    expect(steps.map((s) => s.trackId).sort()).toEqual([1, 2]);
  });

  it('is deterministic', () => {
    const pts = Array.from({ length: 200 }, (_, i) => pt(i + 1, Math.sin(i * 12.9898) % 1, Math.cos(i * 78.233) % 1));
    const run = () => planMoodPath({ valence: -0.7, arousal: 0.2 }, { valence: 0.6, arousal: -0.5 }, { length: 9, smoothness: 1 }, nearestOver(pts));
    expect(run()).toEqual(run());
  });
});
