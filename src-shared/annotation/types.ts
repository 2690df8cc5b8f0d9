/**
 * Annotation domain types (zod schemas + inferred types). Valence and arousal live in [-1, 1]
 * (DEAM convention); times are seconds on the audio clock (the media element's/AudioContext's
 * own `currentTime`, never wall time).
 */
import { z } from 'zod';
import { MAX_SAMPLE_RATE_HZ, MIN_SAMPLE_RATE_HZ } from './constants';

const Unit = z.number().min(-1).max(1);
/** Seconds on the audio clock; 24 h bounds hostile input. */
export const AudioTimeSchema = z.number().min(0).max(86_400);

/** One raw pad sample as the renderer sends it and the database stores it. */
export const SampleSchema = z.object({
  /** Per-session sequence number, unique across layers; a re-sent batch is deduplicated by it. */
  seq: z.number().int().min(0).max(2 ** 31 - 1),
  /** Audio clock (seconds into the track) when the sample was taken. */
  t: AudioTimeSchema,
  valence: Unit,
  arousal: Unit,
  /** Bitfield: bit 0 = "moment" marker (chills etc.). */
  buttons: z.number().int().min(0).max(0xffff).default(0),
  /** 0 = the original take; n >= 1 = punch-in layer n. */
  layer: z.number().int().min(0).max(10_000).default(0),
});
export type Sample = z.output<typeof SampleSchema>;

export const SessionStateSchema = z.enum(['recording', 'complete', 'interrupted', 'discarded']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const InputDeviceSchema = z.enum(['mouse', 'touch', 'keyboard', 'gamepad', 'mixed', 'import']);
export type InputDevice = z.infer<typeof InputDeviceSchema>;

/** One punch-in re-recording of [tStart, tEnd] (tEnd null while it is being recorded). */
export const PunchLayerSchema = z.object({
  layer: z.number().int().min(1),
  tStart: AudioTimeSchema,
  tEnd: AudioTimeSchema.nullable(),
  /** active = shown; undone = hidden, redo-able; abandoned = hidden after a newer punch-in cut the redo branch (kept, never deleted). */
  state: z.enum(['active', 'undone', 'abandoned']),
});
export type PunchLayer = z.infer<typeof PunchLayerSchema>;

export const GapSchema = z.object({ from: z.number(), to: z.number() });
export const CompletenessSchema = z.object({
  /** First sample time (null when there is none). */
  firstT: z.number().nullable(),
  lastT: z.number().nullable(),
  lateStart: z.boolean(),
  gaps: z.array(GapSchema),
  /** null when the track duration is unknown. */
  earlyStop: z.boolean().nullable(),
  /** True when none of the flags is raised and there is at least one sample. */
  ok: z.boolean(),
});
export type Completeness = z.infer<typeof CompletenessSchema>;

/** Pad configuration stored with a session so the trace can be read as it was drawn. */
export const PadLabelsSchema = z.object({
  preset: z.string().max(64),
  /** Eight octant labels, counter-clockwise from "positive valence" (0 deg). */
  octants: z.array(z.string().max(64)).length(8),
  valence: z.tuple([z.string().max(64), z.string().max(64)]),
  arousal: z.tuple([z.string().max(64), z.string().max(64)]),
});
export type PadLabels = z.infer<typeof PadLabelsSchema>;

export const SessionMetaSchema = z
  .object({
    layers: z.array(PunchLayerSchema).default([]),
    labels: PadLabelsSchema.optional(),
    /** State before a discard, so `restore` can put it back. */
    discardedFrom: SessionStateSchema.optional(),
    discardedAt: z.string().optional(),
    /** Why a session became interrupted ("restart": app restarted; "stale": writer silent). */
    interruptedBy: z.enum(['restart', 'stale']).optional(),
    trackDurationSec: z.number().nonnegative().nullable().optional(),
    notes: z.string().max(10_000).optional(),
    /** Process id of the writer that last opened the session for recording (crash recovery). */
    writerPid: z.number().int().optional(),
    /** While a punch-in records, the state to return to when it ends. */
    punchFrom: SessionStateSchema.optional(),
    /** Cached completeness of the resolved trace (recomputed on every change of the trace). */
    completeness: CompletenessSchema.optional(),
    /**
     * The stored 2 Hz bins (DEAM convention) of the resolved trace, rewritten whenever the trace
     * changes (finish, interruption, punch-in, undo/redo, import). Kept out of session summaries
     * and of the exported `meta` (exports carry them as `bins`).
     */
    bins: z
      .object({
        binSec: z.number().positive(),
        valence: z.array(z.number().nullable()),
        arousal: z.array(z.number().nullable()),
        counts: z.array(z.number().int().nonnegative()),
        buttons: z.array(z.number().int().nonnegative()),
      })
      .optional(),
  })
  .loose();
export type SessionMeta = z.output<typeof SessionMetaSchema>;

/** A session as listed to the renderer (no samples). */
export const SessionSummarySchema = z.object({
  id: z.number().int().positive(),
  uid: z.string(),
  profileId: z.number().int().positive(),
  profileName: z.string(),
  trackId: z.number().int().positive(),
  trackTitle: z.string().nullable(),
  trackDurationSec: z.number().nullable(),
  studyId: z.string().nullable(),
  participantId: z.string().nullable(),
  state: SessionStateSchema,
  sampleRateHz: z.number().min(MIN_SAMPLE_RATE_HZ).max(MAX_SAMPLE_RATE_HZ),
  outputLatencySec: z.number().nullable(),
  inputDevice: z.string().nullable(),
  excluded: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  sampleCount: z.number().int().nonnegative(),
  nextSeq: z.number().int().nonnegative(),
  layers: z.array(PunchLayerSchema),
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  completeness: CompletenessSchema,
  meta: SessionMetaSchema,
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/** 2 Hz bins of one session: `null` marks an empty bin (no sample in it), never interpolated. */
export const BinsSchema = z.object({
  binSec: z.number().positive(),
  valence: z.array(z.number().nullable()),
  arousal: z.array(z.number().nullable()),
  counts: z.array(z.number().int().nonnegative()),
  /** OR of the `buttons` of the samples in each bin. */
  buttons: z.array(z.number().int().nonnegative()),
});
export type Bins = z.infer<typeof BinsSchema>;
