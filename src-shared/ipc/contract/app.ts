import { z } from 'zod';
import { JobIdSchema, PathSchema } from '../../domain/common';
import { JobProgressSchema } from '../../domain/job';
import type { APP_CHANNELS, APP_EVENTS } from '../channels/app';
import type { ProcedureDef } from './types';

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser', 'memory', 'cli']),
  dataDir: z.string(),
  dbPath: z.string(),
  backend: z.string().nullable(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const appContract = {
  'app:info': { input: z.strictObject({}), output: AppInfoSchema },
  'job:cancel': { input: z.strictObject({ jobId: JobIdSchema }), output: z.object({ cancelled: z.boolean() }) },
  'job:list': { input: z.strictObject({}), output: z.array(JobProgressSchema) },
  'log:renderer': {
    input: z.strictObject({ level: z.enum(['error', 'warn', 'info']), message: z.string().max(10_000), stack: z.string().max(50_000).optional() }),
    output: z.null(),
  },
  /** Native file/folder picker. Browser mode answers `{ supported: false }` and the renderer shows its own path picker. */
  'dialog:openAudio': {
    input: z.strictObject({ folders: z.boolean().default(false) }),
    output: z.object({ supported: z.boolean(), paths: z.array(PathSchema) }),
  },
} satisfies { [C in (typeof APP_CHANNELS)[number]]: ProcedureDef };

export const appEvents = {
  'job:onProgress': JobProgressSchema,
} satisfies { [E in (typeof APP_EVENTS)[number]]: z.ZodType };
