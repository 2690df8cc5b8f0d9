/**
 * Personalization contract: adapt the model to one profile from its own (non-excluded)
 * annotation sessions, its status, and reset. Progress of `personalize:run` is pushed as
 * `job:onProgress` with kind `personalize` (cancel with `job:cancel`).
 */
import { z } from 'zod';
import { IdSchema, JobIdSchema } from '../../domain/common';
import type { PERSONALIZE_CHANNELS, PERSONALIZE_EVENTS } from '../channels/personalize';
import type { ProcedureDef } from './types';

/** RMSE on the held-out part of the person's annotations (mean of A and V, and each). */
export const ErrorFiguresSchema = z.object({ rmse: z.number().nullable(), rmseA: z.number().nullable(), rmseV: z.number().nullable() });

export const PersonalizeReportSchema = z.object({
  sessions: z.number().int().nonnegative(),
  adaptSteps: z.number().int().nonnegative(),
  heldOutSteps: z.number().int().nonnegative(),
  before: ErrorFiguresSchema,
  after: ErrorFiguresSchema,
  /** Session ids used (the profile's complete/interrupted sessions not excluded at run time). */
  sessionIds: z.array(IdSchema),
});
export type PersonalizeReport = z.infer<typeof PersonalizeReportSchema>;

export const PersonalizeRunResultSchema = z.object({
  profileId: IdSchema,
  modelVersion: z.string(),
  createdAt: z.string(),
  report: PersonalizeReportSchema,
  /** Tracks queued for re-analysis with the new personal model. */
  requeued: z.array(IdSchema),
});
export type PersonalizeRunResult = z.infer<typeof PersonalizeRunResultSchema>;

export const PersonalizeStatusSchema = z.object({
  profileId: IdSchema,
  /** The base model version personal models are keyed by. */
  modelVersion: z.string(),
  hasPersonalModel: z.boolean(),
  createdAt: z.string().nullable(),
  /** Report of the run that produced the stored personal model (null when none or unknown). */
  lastReport: PersonalizeReportSchema.nullable(),
  /** Usable sessions now (complete/interrupted): used = not excluded. */
  sessionsUsed: z.number().int().nonnegative(),
  sessionsExcluded: z.number().int().nonnegative(),
  /** The model removed by the last reset can be restored (`personalize:undoReset`; kept until the next run). */
  canUndoReset: z.boolean(),
  /** A personalization job of this profile is running (its job id). */
  runningJobId: z.string().nullable(),
});
export type PersonalizeStatus = z.infer<typeof PersonalizeStatusSchema>;

const ProfileRef = z.strictObject({ profileId: IdSchema });

export const personalizeContract = {
  'personalize:run': { input: z.strictObject({ profileId: IdSchema, jobId: JobIdSchema.optional() }), output: PersonalizeRunResultSchema },
  'personalize:status': { input: ProfileRef, output: PersonalizeStatusSchema },
  'personalize:reset': {
    input: ProfileRef,
    output: z.object({ profileId: IdSchema, removedModels: z.number().int().nonnegative(), removedPredictions: z.number().int().nonnegative() }),
  },
  'personalize:undoReset': {
    input: ProfileRef,
    output: z.object({ profileId: IdSchema, restoredModels: z.number().int().nonnegative(), requeued: z.array(IdSchema) }),
  },
} satisfies { [C in (typeof PERSONALIZE_CHANNELS)[number]]: ProcedureDef };

export const personalizeEvents = {
  'personalize:onChanged': z.object({ profileId: IdSchema, reason: z.enum(['run', 'reset', 'undoReset']) }),
} satisfies { [E in (typeof PERSONALIZE_EVENTS)[number]]: z.ZodType };
