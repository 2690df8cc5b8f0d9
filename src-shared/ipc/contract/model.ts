/**
 * Model domain contract: analysis requests, 2 Hz valence/arousal curves, background analysis.
 * Curves are plain number arrays (at 2 Hz a 10-minute track is 1,200 values per dimension, far
 * below the point where binary framing pays). Valence/arousal are in [-1, 1] (DEAM convention).
 */
import { z } from 'zod';
import { IdSchema, ShortText } from '../../domain/common';
import type { MODEL_CHANNELS, MODEL_EVENTS } from '../channels/model';
import type { ProcedureDef } from './types';

/** Seconds between curve points: the model predicts one (arousal, valence) pair per 0.5 s step. */
export const CURVE_STEP_SEC = 0.5;

/** The model that produced a curve. `trained: false` means the shipped weights are untrained. */
export const ModelRefSchema = z.object({
  name: z.string().max(100),
  version: z.string().max(100),
  trained: z.boolean(),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** Priority of an analysis request: `play` (the track being played: first, streamed) or `background`. */
export const AnalysisPrioritySchema = z.enum(['play', 'background']);
export type AnalysisPriority = z.infer<typeof AnalysisPrioritySchema>;

/**
 * A track's curve. `status`: `none` (not analysed and not queued), `queued`, `analyzing` (partial
 * points so far, streamed chunk by chunk), `complete`, `failed` (see `error`).
 */
export const CurveSchema = z.object({
  trackId: IdSchema,
  profileId: IdSchema.nullable(),
  stepSec: z.literal(CURVE_STEP_SEC),
  arousal: z.array(z.number()),
  valence: z.array(z.number()),
  complete: z.boolean(),
  status: z.enum(['none', 'queued', 'analyzing', 'complete', 'failed']),
  /** Expected number of steps when known (duration / 0.5), else null. */
  totalSteps: z.number().int().nonnegative().nullable(),
  meanArousal: z.number().nullable(),
  meanValence: z.number().nullable(),
  error: ShortText.nullable(),
  model: ModelRefSchema.nullable(),
});
export type Curve = z.infer<typeof CurveSchema>;

/** Small per-track summary for library rows (sparkline + mean). */
export const CurveSummarySchema = z.object({
  trackId: IdSchema,
  complete: z.boolean(),
  meanArousal: z.number(),
  meanValence: z.number(),
  /** The curve downsampled to at most `points` values (bucket means). */
  arousal: z.array(z.number()),
  valence: z.array(z.number()),
});
export type CurveSummary = z.infer<typeof CurveSummarySchema>;

export const BackgroundStatusSchema = z.object({
  /** The studio option `backgroundAnalysis`. */
  enabled: z.boolean(),
  paused: z.boolean(),
  /** Tracks waiting in the background queue. */
  queued: z.number().int().nonnegative(),
  /** Background tracks finished (ok or failed) since the queue last became empty. */
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** done + queued + running. */
  total: z.number().int().nonnegative(),
  /** Track currently being analysed (any priority), or null. */
  current: z.object({ trackId: IdSchema, priority: AnalysisPrioritySchema, done: z.number().int(), total: z.number().int().nullable() }).nullable(),
  /** Library tracks with / without a complete base prediction for the current model. */
  analysed: z.number().int().nonnegative(),
  unanalysed: z.number().int().nonnegative(),
});
export type BackgroundStatus = z.infer<typeof BackgroundStatusSchema>;

export const ModelInfoSchema = z.object({
  state: z.enum(['starting', 'ready', 'failed', 'stopped']),
  error: ShortText.nullable(),
  model: ModelRefSchema.nullable(),
  config: z.string().max(64),
  backend: z.string().max(64).nullable(),
  featureHash: z.string().max(128).nullable(),
  /** Tensors alive in the worker (leak check; null until ready). */
  numTensors: z.number().int().nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

const ProfileIdInput = IdSchema.nullable().default(null);

export const modelContract = {
  /** Queue tracks for analysis. Cached tracks are skipped (reported as `cached`). */
  'model:analyze': {
    input: z.strictObject({
      trackIds: z.array(IdSchema).min(1).max(100_000),
      priority: AnalysisPrioritySchema.default('background'),
      profileId: ProfileIdInput,
    }),
    output: z.object({ queued: z.array(IdSchema), cached: z.array(IdSchema) }),
  },
  /** Queue every library track without a complete base prediction (background priority). */
  'model:analyzeLibrary': { input: z.strictObject({}), output: z.object({ queued: z.number().int().nonnegative() }) },
  /** Cancel queued/running analyses of these tracks (all when omitted). */
  'model:cancel': {
    input: z.strictObject({ trackIds: z.array(IdSchema).max(100_000).optional() }),
    output: z.object({ cancelled: z.number().int().nonnegative() }),
  },
  /**
   * The curve stored so far. With `analyze: true` an unanalysed track is queued at `play`
   * priority and its points then stream as `model:onCurve` events.
   */
  'model:getCurve': {
    input: z.strictObject({ trackId: IdSchema, profileId: ProfileIdInput, analyze: z.boolean().default(false) }),
    output: CurveSchema,
  },
  /** Means + sparklines for up to 1,000 tracks; tracks without any prediction are omitted. */
  'model:getSummaries': {
    input: z.strictObject({
      trackIds: z.array(IdSchema).min(1).max(1_000),
      profileId: ProfileIdInput,
      points: z.number().int().min(2).max(512).default(32),
    }),
    output: z.array(CurveSummarySchema),
  },
  'model:backgroundStatus': { input: z.strictObject({}), output: BackgroundStatusSchema },
  'model:setBackgroundPaused': { input: z.strictObject({ paused: z.boolean() }), output: BackgroundStatusSchema },
  'model:info': { input: z.strictObject({}), output: ModelInfoSchema },
} satisfies { [C in (typeof MODEL_CHANNELS)[number]]: ProcedureDef };

/** Live overlay streaming: points [fromStep, fromStep + arousal.length) of a track's curve. */
export const CurveChunkSchema = z.object({
  trackId: IdSchema,
  profileId: IdSchema.nullable(),
  fromStep: z.number().int().nonnegative(),
  arousal: z.array(z.number()),
  valence: z.array(z.number()),
  /** True on the last chunk (the stored curve is then complete). */
  complete: z.boolean(),
  totalSteps: z.number().int().nonnegative().nullable(),
});
export type CurveChunk = z.infer<typeof CurveChunkSchema>;

export const modelEvents = {
  'model:onCurve': CurveChunkSchema,
  'model:onBackground': BackgroundStatusSchema,
} satisfies { [E in (typeof MODEL_EVENTS)[number]]: z.ZodType };
