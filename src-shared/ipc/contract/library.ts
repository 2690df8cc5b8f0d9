import { z } from 'zod';
import { IdSchema, JobIdSchema, PathSchema } from '../../domain/common';
import {
  ImportReportSchema,
  ListTracksInputSchema,
  ProfileSchema,
  RescanReportSchema,
  TrackPageSchema,
  TrackSchema,
} from '../../domain/track';
import type { LIBRARY_CHANNELS, LIBRARY_EVENTS } from '../channels/library';
import type { ProcedureDef } from './types';

export const libraryContract = {
  'library:listTracks': { input: ListTracksInputSchema, output: TrackPageSchema },
  'library:getTrack': { input: z.strictObject({ id: IdSchema }), output: TrackSchema },
  'library:import': {
    input: z.strictObject({ paths: z.array(PathSchema).min(1).max(10_000), jobId: JobIdSchema.optional() }),
    output: ImportReportSchema,
  },
  'library:rescan': { input: z.strictObject({ jobId: JobIdSchema.optional() }), output: RescanReportSchema },
  'library:removeTracks': { input: z.strictObject({ ids: z.array(IdSchema).min(1).max(100_000) }), output: z.object({ removed: z.number().int() }) },
  'profiles:list': { input: z.strictObject({}), output: z.array(ProfileSchema) },
  'profiles:create': { input: z.strictObject({ name: z.string().trim().min(1).max(100) }), output: ProfileSchema },
} satisfies { [C in (typeof LIBRARY_CHANNELS)[number]]: ProcedureDef };

export const libraryEvents = {
  'library:onChanged': z.object({ reason: z.enum(['import', 'rescan', 'remove', 'analysis', 'profile']), trackIds: z.array(IdSchema).optional() }),
} satisfies { [E in (typeof LIBRARY_EVENTS)[number]]: z.ZodType };
