/**
 * Mood queries for the map, "pick by mood" and mood paths (issue 5). Thin layer over
 * MoodRepo: checks that referenced profiles/tracks exist (NOT_FOUND with a message saying
 * what was asked for), detects truncation, runs the lasso's exact polygon test and plans
 * paths. Input ranges are validated by the contract (src-shared/ipc/contract/mood.ts).
 */
import { AppError } from '../../src-shared/ipc/envelope';
import {
  encodeMoodPoints,
  type MoodHits,
  type MoodPath,
  type MoodPointsWire,
  type MoodRegion,
  type MoodScope,
  type PathEnd,
} from '../../src-shared/ipc/contract/mood';
import { MoodRepo, type MoodHit, type MoodPoints } from '../db/mood.repo';
import type { ReadableDB } from '../db/types';
import { planMoodPath, type PathCandidate, type PlanePoint } from './mood-path';

/** Scope as the repo takes it (contract defaults already applied, or a partial from code). */
export type MoodScopeInput = Partial<MoodScope>;

/** Hard cap on the rows a polygon's bounding box may pull before the exact test. */
const POLYGON_BOX_CAP = 10_000_000;

/** Even-odd rule point-in-polygon (ray cast along +valence). Points on an edge may go either way. */
export function pointInPolygon(v: number, a: number, poly: readonly PlanePoint[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const vi = poly[i].valence;
    const ai = poly[i].arousal;
    const vj = poly[j].valence;
    const aj = poly[j].arousal;
    if (ai > a !== aj > a && v < ((vj - vi) * (a - ai)) / (aj - ai) + vi) inside = !inside;
  }
  return inside;
}

export class MoodService {
  readonly repo: MoodRepo;

  constructor(db: ReadableDB) {
    this.repo = new MoodRepo(db);
  }

  #scope(s: MoodScopeInput | undefined): MoodScope {
    const scope = { profileId: s?.profileId ?? null, modelVersion: s?.modelVersion ?? null, featureHash: s?.featureHash ?? null };
    if (scope.profileId !== null && !this.repo.profileExists(scope.profileId)) {
      throw new AppError('NOT_FOUND', `Expected an existing profile id for the mood scope, got ${scope.profileId}`);
    }
    return scope;
  }

  /** Typed arrays for in-process callers (bench, tests). */
  pointsData(scope?: MoodScopeInput): MoodPoints {
    return this.repo.points(this.#scope(scope));
  }

  /** The map payload (`mood:points`). */
  points(scope?: MoodScopeInput): MoodPointsWire {
    return encodeMoodPoints(this.pointsData(scope));
  }

  region(region: MoodRegion, scope?: MoodScopeInput, limit = 1_000): MoodHits {
    if (region.valenceMin > region.valenceMax || region.arousalMin > region.arousalMax) {
      throw new AppError('VALIDATION_FAILED', `Expected min <= max on both axes, got ${JSON.stringify(region)}`);
    }
    return truncate(this.repo.region(region, this.#scope(scope), limit + 1), limit);
  }

  /** Tracks inside a lasso polygon (even-odd rule), by track id. */
  polygon(vertices: readonly PlanePoint[], scope?: MoodScopeInput, limit = 1_000): MoodHits {
    if (vertices.length < 3) throw new AppError('VALIDATION_FAILED', `Expected a polygon of at least 3 vertices, got ${vertices.length}`);
    const box: MoodRegion = {
      valenceMin: Math.min(...vertices.map((p) => p.valence)),
      valenceMax: Math.max(...vertices.map((p) => p.valence)),
      arousalMin: Math.min(...vertices.map((p) => p.arousal)),
      arousalMax: Math.max(...vertices.map((p) => p.arousal)),
    };
    const sc = this.#scope(scope);
    const inside: MoodHit[] = [];
    for (const h of this.repo.region(box, sc, POLYGON_BOX_CAP)) {
      if (pointInPolygon(h.valence, h.arousal, vertices)) {
        inside.push(h);
        if (inside.length > limit) break;
      }
    }
    return truncate(inside, limit);
  }

  near(valence: number, arousal: number, radius: number, scope?: MoodScopeInput, limit = 1_000): MoodHits {
    if (!(radius > 0)) throw new AppError('VALIDATION_FAILED', `Expected a positive radius, got ${radius}`);
    return truncate(this.repo.near(valence, arousal, radius, this.#scope(scope), limit + 1), limit);
  }

  nearest(valence: number, arousal: number, k: number, scope?: MoodScopeInput, excludeTrackIds: readonly number[] = []): MoodHits {
    const hits = this.repo.nearest(valence, arousal, k, this.#scope(scope), new Set(excludeTrackIds));
    return { hits, truncated: false };
  }

  /**
   * A smooth mood path (see mood-path.ts).
   * @throws NOT_FOUND when an end is a track that does not exist or has no complete prediction
   */
  path(from: PathEnd, to: PathEnd, opts: { length?: number; smoothness?: number; scope?: MoodScopeInput } = {}): MoodPath {
    const sc = this.#scope(opts.scope);
    const fromTrack = 'trackId' in from ? this.#trackPoint(from.trackId, sc) : undefined;
    const toTrack = 'trackId' in to ? this.#trackPoint(to.trackId, sc) : undefined;
    const a: PlanePoint = fromTrack ?? (from as PlanePoint);
    const b: PlanePoint = toTrack ?? (to as PlanePoint);
    if (fromTrack && toTrack && fromTrack.trackId === toTrack.trackId) {
      throw new AppError('VALIDATION_FAILED', `Expected two different tracks for a mood path, got track ${fromTrack.trackId} twice`);
    }
    const steps = planMoodPath(
      a,
      b,
      { length: opts.length ?? 12, smoothness: opts.smoothness ?? 1, fromTrack, toTrack },
      (p, k, exclude) => this.repo.nearest(p.valence, p.arousal, k, sc, exclude).map(toCandidate),
    );
    return {
      from: { valence: a.valence, arousal: a.arousal },
      to: { valence: b.valence, arousal: b.arousal },
      steps,
    };
  }

  #trackPoint(trackId: number, scope: MoodScope): PathCandidate {
    const hit = this.repo.pointForTrack(trackId, scope);
    if (hit) return toCandidate(hit);
    if (!this.repo.trackExists(trackId)) throw new AppError('NOT_FOUND', `Expected a library track id, got ${trackId}`);
    throw new AppError('NOT_FOUND', `Track ${trackId} has no complete emotion prediction yet: analyse it first`);
  }
}

function toCandidate(h: MoodHit): PathCandidate {
  return { trackId: h.trackId, valence: h.valence, arousal: h.arousal, personal: h.personal };
}

function truncate(hits: MoodHit[], limit: number): MoodHits {
  return hits.length > limit ? { hits: hits.slice(0, limit), truncated: true } : { hits, truncated: false };
}

/** ServiceDeps installer (SERVICE_INSTALLERS in src-main/ipc/handlers/index.ts). */
export function installMood(deps: { readonly db: ReadableDB; mood?: MoodService }): void {
  deps.mood = new MoodService(deps.db);
}
