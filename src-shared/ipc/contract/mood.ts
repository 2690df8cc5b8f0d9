import { z } from 'zod';
import { IdSchema } from '../../domain/common';
import type { MOOD_CHANNELS, MOOD_EVENTS } from '../channels/mood';
import type { ProcedureDef } from './types';

/** A valence or arousal value: [-1, 1] (DEAM convention, as stored). zod 4 numbers are finite. */
export const UnitSchema = z.number().min(-1).max(1);

/**
 * Which prediction counts as a track's point. `profileId: null` = base model; a profile id
 * prefers that profile's personal predictions and falls back to the base one per track.
 * `modelVersion` / `featureHash` restrict base predictions to one model version / feature
 * config (null: the newest complete prediction of any).
 */
export const MoodScopeSchema = z.strictObject({
  profileId: IdSchema.nullable().default(null),
  modelVersion: z.string().min(1).max(200).nullable().default(null),
  featureHash: z.string().min(1).max(200).nullable().default(null),
});
export type MoodScope = z.output<typeof MoodScopeSchema>;
const scopeField = MoodScopeSchema.default({ profileId: null, modelVersion: null, featureHash: null });

export const MoodPointSchema = z.strictObject({ valence: UnitSchema, arousal: UnitSchema });
export type MoodPoint = z.infer<typeof MoodPointSchema>;

/** Closed box on the plane; min <= max on both axes. */
export const MoodRegionSchema = z
  .strictObject({ valenceMin: UnitSchema, valenceMax: UnitSchema, arousalMin: UnitSchema, arousalMax: UnitSchema })
  .refine((r) => r.valenceMin <= r.valenceMax && r.arousalMin <= r.arousalMax, {
    message: 'Expected valenceMin <= valenceMax and arousalMin <= arousalMax',
  });
export type MoodRegion = z.infer<typeof MoodRegionSchema>;

export const MoodHitSchema = z.object({
  trackId: IdSchema,
  predictionId: IdSchema,
  valence: z.number(),
  arousal: z.number(),
  /** The point comes from the profile's personal model. */
  personal: z.boolean(),
  /** Distance to the query point (distance queries only). */
  distance: z.number().nonnegative().optional(),
});
export type MoodHit = z.infer<typeof MoodHitSchema>;

/** Query results; `truncated` when more than `limit` tracks matched. */
export const MoodHitsSchema = z.object({ hits: z.array(MoodHitSchema), truncated: z.boolean() });
export type MoodHits = z.infer<typeof MoodHitsSchema>;

const limitField = z.number().int().min(1).max(100_000).default(1_000);
const Base64 = z.string().max(64 * 1024 * 1024);

/**
 * Every scoped point for the map, as base64 of little-endian typed arrays (compact over any
 * JSON transport: ~17 bytes per track instead of ~60 as JSON numbers). Parallel arrays,
 * sorted by track id: trackIds Uint32, valence/arousal Float32, quadrant Uint8 (Russell 1..4:
 * 1 = V+A+, 2 = V-A+, 3 = V-A-, 4 = V+A-), personal Uint8 (0/1), genre Uint16 (index into
 * `genres`, 0 = none). Decode with `decodeMoodPoints`.
 */
export const MoodPointsWireSchema = z.object({
  count: z.number().int().nonnegative(),
  trackIds: Base64,
  valence: Base64,
  arousal: Base64,
  quadrant: Base64,
  personal: Base64,
  genre: Base64,
  genres: z.array(z.string()),
});
export type MoodPointsWire = z.infer<typeof MoodPointsWireSchema>;

/** One point to start or end a mood path at: a library track, or a place on the plane. */
export const PathEndSchema = z.union([z.strictObject({ trackId: IdSchema }), MoodPointSchema]);
export type PathEnd = z.infer<typeof PathEndSchema>;

export const MoodPathStepSchema = z.object({
  trackId: IdSchema,
  valence: z.number(),
  arousal: z.number(),
  personal: z.boolean(),
  /** The point on the straight segment this step stands for. */
  waypoint: z.object({ valence: z.number(), arousal: z.number() }),
});
export type MoodPathStep = z.infer<typeof MoodPathStepSchema>;

export const MoodPathSchema = z.object({
  from: z.object({ valence: z.number(), arousal: z.number() }),
  to: z.object({ valence: z.number(), arousal: z.number() }),
  steps: z.array(MoodPathStepSchema),
});
export type MoodPath = z.infer<typeof MoodPathSchema>;

export const moodContract = {
  /** Every analysed track's mean point (the map). */
  'mood:points': { input: z.strictObject({ scope: scopeField }), output: MoodPointsWireSchema },
  /** Tracks inside a box, by track id. */
  'mood:region': {
    input: z.strictObject({ region: MoodRegionSchema, scope: scopeField, limit: limitField }),
    output: MoodHitsSchema,
  },
  /** Tracks inside a polygon (lasso), by track id. */
  'mood:polygon': {
    input: z.strictObject({ vertices: z.array(MoodPointSchema).min(3).max(10_000), scope: scopeField, limit: limitField }),
    output: MoodHitsSchema,
  },
  /** Tracks within `radius` of a point, nearest first. */
  'mood:near': {
    input: z.strictObject({
      valence: UnitSchema,
      arousal: UnitSchema,
      radius: z.number().positive().max(3),
      scope: scopeField,
      limit: limitField,
    }),
    output: MoodHitsSchema,
  },
  /** The k nearest tracks to a point (exact), nearest first. */
  'mood:nearest': {
    input: z.strictObject({
      valence: UnitSchema,
      arousal: UnitSchema,
      k: z.number().int().min(1).max(10_000).default(10),
      excludeTrackIds: z.array(IdSchema).max(10_000).default([]),
      scope: scopeField,
    }),
    output: MoodHitsSchema,
  },
  /** Tracks whose moods move smoothly from one end to the other (`length` tracks at most). */
  'mood:path': {
    input: z.strictObject({
      from: PathEndSchema,
      to: PathEndSchema,
      length: z.number().int().min(2).max(500).default(12),
      /** Weight of the step-regularity penalty (0 = nearest track to each waypoint). */
      smoothness: z.number().min(0).max(10).default(1),
      scope: scopeField,
    }),
    output: MoodPathSchema,
  },
} satisfies { [C in (typeof MOOD_CHANNELS)[number]]: ProcedureDef };

export const moodEvents = {} satisfies { [E in (typeof MOOD_EVENTS)[number]]: z.ZodType };

// ---- wire codec (pure: runs in main, renderer and tests) -----------------------------------

/** Decoded map payload: parallel typed arrays (see MoodPointsWireSchema). */
export interface MoodPointsData {
  count: number;
  trackIds: Uint32Array;
  valence: Float32Array;
  arousal: Float32Array;
  quadrant: Uint8Array;
  personal: Uint8Array;
  genre: Uint16Array;
  genres: string[];
}

/** Base64 of a typed array's bytes (platform byte order; every supported platform is little-endian). */
export function bytesToBase64(view: ArrayBufferView): string {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let s = '';
  // Chunks keep String.fromCharCode's argument list far below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(s);
}

/** Inverse of `bytesToBase64` into a fresh, aligned buffer. */
export function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function view<T>(b64: string, ctor: { new (buf: ArrayBuffer, off: number, len: number): T; BYTES_PER_ELEMENT: number }, count: number, name: string): T {
  const bytes = base64ToBytes(b64);
  if (bytes.byteLength !== count * ctor.BYTES_PER_ELEMENT) {
    throw new Error(`mood points: expected ${count * ctor.BYTES_PER_ELEMENT} bytes of ${name}, got ${bytes.byteLength}`);
  }
  return new ctor(bytes.buffer as ArrayBuffer, 0, count);
}

/** Encodes typed arrays for `mood:points`. */
export function encodeMoodPoints(p: MoodPointsData): MoodPointsWire {
  return {
    count: p.count,
    trackIds: bytesToBase64(p.trackIds),
    valence: bytesToBase64(p.valence),
    arousal: bytesToBase64(p.arousal),
    quadrant: bytesToBase64(p.quadrant),
    personal: bytesToBase64(p.personal),
    genre: bytesToBase64(p.genre),
    genres: p.genres,
  };
}

/** @throws Error when an array's byte length does not match `count` */
export function decodeMoodPoints(w: MoodPointsWire): MoodPointsData {
  return {
    count: w.count,
    trackIds: view(w.trackIds, Uint32Array, w.count, 'trackIds'),
    valence: view(w.valence, Float32Array, w.count, 'valence'),
    arousal: view(w.arousal, Float32Array, w.count, 'arousal'),
    quadrant: view(w.quadrant, Uint8Array, w.count, 'quadrant'),
    personal: view(w.personal, Uint8Array, w.count, 'personal'),
    genre: view(w.genre, Uint16Array, w.count, 'genre'),
    genres: w.genres,
  };
}
