import { z } from 'zod';
import { JobIdSchema, ShortText } from './common';

export const JobKindSchema = z.enum(['import', 'rescan', 'analyze', 'train', 'personalize', 'export']);
export type JobKind = z.infer<typeof JobKindSchema>;

/** Progress of long work, pushed as `job:onProgress`. `total` is null while unknown (indeterminate bar). */
export const JobProgressSchema = z.object({
  jobId: JobIdSchema,
  kind: JobKindSchema,
  state: z.enum(['running', 'done', 'failed', 'cancelled', 'paused']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  message: ShortText.optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;
