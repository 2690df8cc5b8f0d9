/**
 * Mood path planning: from point A to point B on the valence/arousal plane, pick library
 * tracks whose moods move smoothly between them.
 *
 * Method (greedy, deterministic): place `length` waypoints evenly on the segment A->B. The
 * ends are pinned to the given tracks when A/B are tracks. For each inner waypoint w_i, take
 * the `candidates` nearest unused tracks (exact kNN) and choose the one minimising
 *
 *     |c - w_i|  +  smoothness * |(c - prev) - (w_i - w_{i-1})|
 *
 * i.e. close to where the path should be now, with a step that looks like the ideal step
 * (penalising zig-zags, backtracking and jumps, not just far-away tracks). A track is used
 * at most once; when the library runs out of candidates the path is shorter than `length`.
 */

/** A point on the plane. */
export interface PlanePoint {
  valence: number;
  arousal: number;
}

/** A candidate track at its point. */
export interface PathCandidate extends PlanePoint {
  trackId: number;
  personal: boolean;
}

export interface PathStep extends PathCandidate {
  waypoint: PlanePoint;
}

export interface PathOptions {
  /** Total tracks wanted, ends included (>= 2). */
  length: number;
  /** Weight of the step-regularity term (0 = nearest track per waypoint). */
  smoothness: number;
  /** Candidates examined per waypoint. */
  candidates?: number;
  /** Pinned first track (A is a track). */
  fromTrack?: PathCandidate;
  /** Pinned last track (B is a track). */
  toTrack?: PathCandidate;
}

/** kNN provider: the k tracks nearest to p, excluding `exclude`, nearest first. */
export type NearestFn = (p: PlanePoint, k: number, exclude: ReadonlySet<number>) => PathCandidate[];

function dist(ax: number, ay: number, bx: number, by: number): number {
  return Math.hypot(ax - bx, ay - by);
}

/** @returns the waypoints evenly spaced on the segment, both ends included. */
export function waypoints(from: PlanePoint, to: PlanePoint, n: number): PlanePoint[] {
  if (n === 1) return [{ ...from }];
  return Array.from({ length: n }, (_, i) => ({
    valence: from.valence + ((to.valence - from.valence) * i) / (n - 1),
    arousal: from.arousal + ((to.arousal - from.arousal) * i) / (n - 1),
  }));
}

/** Plans the path; see the module comment. */
export function planMoodPath(from: PlanePoint, to: PlanePoint, opts: PathOptions, nearest: NearestFn): PathStep[] {
  const n = Math.max(2, Math.floor(opts.length));
  const k = opts.candidates ?? 24;
  const wps = waypoints(from, to, n);
  const used = new Set<number>();
  if (opts.fromTrack) used.add(opts.fromTrack.trackId);
  if (opts.toTrack) used.add(opts.toTrack.trackId);
  const steps: PathStep[] = [];
  let prev: PlanePoint | null = null;
  let prevWp: PlanePoint | null = null;

  for (let i = 0; i < n; i++) {
    const wp = wps[i];
    let chosen: PathCandidate | undefined;
    if (i === 0 && opts.fromTrack) chosen = opts.fromTrack;
    else if (i === n - 1 && opts.toTrack) chosen = opts.toTrack;
    else {
      let best = Infinity;
      for (const c of nearest(wp, k, used)) {
        if (used.has(c.trackId)) continue;
        let cost = dist(c.valence, c.arousal, wp.valence, wp.arousal);
        if (prev && prevWp && opts.smoothness > 0) {
          const dv = c.valence - prev.valence - (wp.valence - prevWp.valence);
          const da = c.arousal - prev.arousal - (wp.arousal - prevWp.arousal);
          cost += opts.smoothness * Math.hypot(dv, da);
        }
        // Ties break on track id so plans are reproducible.
        if (cost < best || (cost === best && chosen && c.trackId < chosen.trackId)) {
          best = cost;
          chosen = c;
        }
      }
    }
    if (!chosen) continue;
    used.add(chosen.trackId);
    steps.push({ ...chosen, waypoint: wp });
    prev = chosen;
    prevWp = wp;
  }
  return steps;
}
