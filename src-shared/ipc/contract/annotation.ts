/**
 * Annotation studio contract: recording sessions (crash-safe batches), punch-in with
 * undo/redo, review traces, reliability, export/import, and study mode.
 */
import { z } from 'zod';
import {
  BinsSchema,
  InputDeviceSchema,
  PadLabelsSchema,
  SampleSchema,
  SessionStateSchema,
  SessionSummarySchema,
} from '../../annotation/types';
import { AudioTimeSchema } from '../../annotation/types';
import { MAX_BATCH_SAMPLES, MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from '../../annotation/constants';
import { IdSchema } from '../../domain/common';
import type { ANNOTATION_CHANNELS, ANNOTATION_EVENTS } from '../channels/annotation';
import type { ProcedureDef } from './types';

const SessionRef = z.strictObject({ sessionId: IdSchema });

export const StartSessionInputSchema = z.strictObject({
  profileId: IdSchema,
  trackId: IdSchema,
  sampleRateHz: z.number().min(MIN_SAMPLE_RATE_HZ).max(MAX_SAMPLE_RATE_HZ),
  /** AudioContext.outputLatency (s) at start, when the browser reports it. */
  outputLatencySec: z.number().min(0).max(10).nullable().default(null),
  inputDevice: InputDeviceSchema.exclude(['import']).default('mouse'),
  labels: PadLabelsSchema.optional(),
  studyId: z.string().min(1).max(64).optional(),
  participantId: z.string().min(1).max(64).optional(),
});

export const AppendInputSchema = z.strictObject({
  sessionId: IdSchema,
  /** At most 500 ms of samples (the renderer flushes every <= 500 ms); see MAX_BATCH_SAMPLES. */
  samples: z.array(SampleSchema).min(0).max(MAX_BATCH_SAMPLES),
});
export const AppendResultSchema = z.object({
  inserted: z.number().int(),
  duplicates: z.number().int(),
  sampleCount: z.number().int(),
  nextSeq: z.number().int(),
});

export const SessionDetailSchema = z.object({
  session: SessionSummarySchema,
  /** The resolved trace (punch-ins applied), time order. */
  samples: z.array(SampleSchema),
  bins: BinsSchema,
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const TrackTracesSchema = z.object({
  trackId: IdSchema,
  durationSec: z.number().nullable(),
  binSec: z.number(),
  traces: z.array(
    z.object({
      sessionId: IdSchema,
      profileId: IdSchema,
      profileName: z.string(),
      state: SessionStateSchema,
      valence: z.array(z.number().nullable()),
      arousal: z.array(z.number().nullable()),
    }),
  ),
  /** Per bin over the traces that have it: mean and population SD (null where none has it). */
  mean: z.object({ valence: z.array(z.number().nullable()), arousal: z.array(z.number().nullable()) }),
  sd: z.object({ valence: z.array(z.number().nullable()), arousal: z.array(z.number().nullable()) }),
});
export type TrackTraces = z.infer<typeof TrackTracesSchema>;

const Stat = z.number().nullable();
export const ReliabilityStatsSchema = z.object({
  k: z.number().int(),
  n: z.number().int(),
  iccAgreement: Stat,
  iccConsistency: Stat,
  alpha: Stat,
  meanCcc: Stat,
  maxLagSteps: z.number().int(),
  pairs: z.array(z.object({ i: z.number().int(), j: z.number().int(), ccc: Stat, lag: z.number().int() })),
});
export const TrackReliabilitySchema = z.object({
  trackId: IdSchema,
  title: z.string().nullable(),
  raters: z.array(z.object({ profileId: IdSchema, profileName: z.string(), sessionId: IdSchema })),
  valence: ReliabilityStatsSchema,
  arousal: ReliabilityStatsSchema,
});
export type TrackReliability = z.infer<typeof TrackReliabilitySchema>;
const Summary = z.object({ iccAgreement: Stat, iccConsistency: Stat, alpha: Stat, meanCcc: Stat });
export const ReliabilityReportSchema = z.object({
  tracks: z.array(TrackReliabilitySchema),
  /** Mean of the per-track statistics (tracks where the statistic is defined). */
  library: z.object({ tracks: z.number().int(), valence: Summary, arousal: Summary }),
});
export type ReliabilityReport = z.infer<typeof ReliabilityReportSchema>;

export const ExportFormatSchema = z.enum(['json', 'csv-long', 'csv-wide']);
export const ExportInputSchema = z.strictObject({
  format: ExportFormatSchema,
  sessionIds: z.array(IdSchema).max(100_000).optional(),
  profileId: IdSchema.optional(),
  trackId: IdSchema.optional(),
  studyId: z.string().max(64).optional(),
  /** Include discarded sessions (default: no). */
  includeDiscarded: z.boolean().default(false),
});
export const ExportResultSchema = z.object({ filename: z.string(), mime: z.string(), text: z.string(), sessions: z.number().int() });

export const ImportResultSchema = z.object({
  imported: z.array(z.object({ uid: z.string(), sessionId: IdSchema, samples: z.number().int() })),
  skipped: z.array(z.object({ uid: z.string().nullable(), reason: z.string() })),
  createdProfiles: z.array(z.string()),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;

// --- study mode ------------------------------------------------------------------------------

export const StudyConfigSchema = z.object({
  stimuli: z.array(IdSchema).min(1).max(500),
  order: z.enum(['fixed', 'random', 'latin']).default('random'),
  instructions: z.string().max(20_000).default(''),
  /** A track traced first for practice; not stored (the renderer runs it without a session). */
  practiceTrackId: IdSchema.nullable().default(null),
  /** Offer a break after every N stimuli (0 = no breaks). */
  breakEvery: z.number().int().min(0).max(500).default(0),
  breakSec: z.number().int().min(0).max(3_600).default(60),
  /** Optional link shown at the end (e.g. a questionnaire); http(s) only. */
  endLink: z.string().max(2_000).regex(/^https?:\/\/\S+$/, 'Expected an http(s) URL').nullable().default(null),
  labelsPreset: z.string().max(64).default('affective'),
  sampleRateHz: z.number().min(MIN_SAMPLE_RATE_HZ).max(MAX_SAMPLE_RATE_HZ).default(30),
});
export type StudyConfig = z.output<typeof StudyConfigSchema>;

const StudyIdSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'Expected letters, digits, _ or -');
const ParticipantIdSchema = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'Expected letters, digits, _, . or -');

export const StudySchema = z.object({
  id: z.string(),
  name: z.string(),
  seed: z.number().int(),
  config: StudyConfigSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  participants: z.number().int(),
});
export type Study = z.infer<typeof StudySchema>;

export const ParticipantSchema = z.object({
  studyId: z.string(),
  participantId: z.string(),
  enrolIndex: z.number().int(),
  profileId: IdSchema,
  profileName: z.string(),
  order: z.array(IdSchema),
  position: z.number().int(),
  state: z.enum(['enrolled', 'running', 'finished', 'withdrawn']),
  /** Track to annotate next (null when finished). */
  nextTrackId: IdSchema.nullable(),
  /** True when a break is due before the next stimulus. */
  breakDue: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const annotationContract = {
  'annotation:start': { input: StartSessionInputSchema, output: SessionSummarySchema },
  'annotation:append': { input: AppendInputSchema, output: AppendResultSchema },
  'annotation:finish': {
    input: z.strictObject({
      sessionId: IdSchema,
      inputDevice: InputDeviceSchema.exclude(['import']).optional(),
      /** Output latency measured at the end; stored only when the start value was missing or 0. */
      outputLatencySec: z.number().min(0).max(10).nullable().optional(),
    }),
    output: SessionSummarySchema,
  },
  'annotation:list': {
    input: z.strictObject({
      profileId: IdSchema.optional(),
      trackId: IdSchema.optional(),
      studyId: z.string().max(64).optional(),
      states: z.array(SessionStateSchema).max(4).optional(),
    }),
    output: z.array(SessionSummarySchema),
  },
  'annotation:get': { input: SessionRef, output: SessionDetailSchema },
  'annotation:resume': { input: SessionRef, output: SessionSummarySchema },
  'annotation:discard': { input: SessionRef, output: SessionSummarySchema },
  'annotation:restore': { input: SessionRef, output: SessionSummarySchema },
  'annotation:purge': { input: SessionRef, output: z.object({ purged: z.boolean() }) },
  'annotation:setExcluded': { input: z.strictObject({ sessionId: IdSchema, excluded: z.boolean() }), output: SessionSummarySchema },
  'annotation:punchIn': {
    input: z.strictObject({ sessionId: IdSchema, tStart: AudioTimeSchema }),
    output: z.object({ layer: z.number().int(), nextSeq: z.number().int(), session: SessionSummarySchema }),
  },
  'annotation:punchOut': { input: z.strictObject({ sessionId: IdSchema, layer: z.number().int().min(1), tEnd: AudioTimeSchema }), output: SessionSummarySchema },
  'annotation:undo': { input: SessionRef, output: SessionSummarySchema },
  'annotation:redo': { input: SessionRef, output: SessionSummarySchema },
  'annotation:trackTraces': {
    input: z.strictObject({ trackId: IdSchema, profileIds: z.array(IdSchema).max(1_000).optional() }),
    output: TrackTracesSchema,
  },
  'annotation:reliability': {
    input: z.strictObject({ trackId: IdSchema.optional(), maxLagSteps: z.number().int().min(0).max(20).default(0) }),
    output: ReliabilityReportSchema,
  },
  'annotation:export': { input: ExportInputSchema, output: ExportResultSchema },
  'annotation:import': {
    input: z.strictObject({ text: z.string().min(1).max(8_000_000), format: z.enum(['auto', 'json', 'csv-long']).default('auto') }),
    output: ImportResultSchema,
  },
  'study:create': {
    input: z.strictObject({ id: StudyIdSchema, name: z.string().trim().min(1).max(200), seed: z.number().int().min(0).max(2 ** 32 - 1).optional(), config: StudyConfigSchema }),
    output: StudySchema,
  },
  'study:update': { input: z.strictObject({ id: StudyIdSchema, name: z.string().trim().min(1).max(200), config: StudyConfigSchema }), output: StudySchema },
  'study:list': { input: z.strictObject({}), output: z.array(StudySchema) },
  'study:get': { input: z.strictObject({ id: StudyIdSchema }), output: z.object({ study: StudySchema, participants: z.array(ParticipantSchema) }) },
  'study:delete': { input: z.strictObject({ id: StudyIdSchema }), output: z.object({ deleted: z.boolean() }) },
  'study:enrol': { input: z.strictObject({ studyId: StudyIdSchema, participantId: ParticipantIdSchema }), output: ParticipantSchema },
  'study:advance': {
    input: z.strictObject({ studyId: StudyIdSchema, participantId: ParticipantIdSchema, sessionId: IdSchema.optional(), withdraw: z.boolean().default(false) }),
    output: ParticipantSchema,
  },
  'study:results': {
    input: z.strictObject({ studyId: StudyIdSchema }),
    output: z.array(z.object({ participant: ParticipantSchema, sessions: z.array(SessionSummarySchema) })),
  },
} satisfies { [C in (typeof ANNOTATION_CHANNELS)[number]]: ProcedureDef };

export const annotationEvents = {
  'annotation:onChanged': z.object({
    reason: z.enum(['start', 'finish', 'interrupted', 'resume', 'discard', 'restore', 'purge', 'exclude', 'punch', 'undo', 'redo', 'import', 'study']),
    sessionIds: z.array(IdSchema),
  }),
} satisfies { [E in (typeof ANNOTATION_EVENTS)[number]]: z.ZodType };
