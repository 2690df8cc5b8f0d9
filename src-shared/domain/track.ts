import { z } from 'zod';
import { IdSchema, PathSchema, ShortText } from './common';

export const TrackStatusSchema = z.enum(['ok', 'missing', 'error']);
export type TrackStatus = z.infer<typeof TrackStatusSchema>;

/** A library track as the renderer sees it (no cover bytes: those are served over the media route). */
export const TrackSchema = z.object({
  id: IdSchema,
  path: PathSchema,
  contentHash: z.string(),
  title: ShortText.nullable(),
  artist: ShortText.nullable(),
  album: ShortText.nullable(),
  genre: ShortText.nullable(),
  year: z.number().int().nullable(),
  durationSec: z.number().nonnegative().nullable(),
  format: z.string().max(32),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int().nullable(),
  hasCover: z.boolean(),
  status: TrackStatusSchema,
  error: ShortText.nullable(),
  addedAt: z.string(),
  /** Mean valence/arousal of the current base prediction, when analysed. */
  meanValence: z.number().nullable(),
  meanArousal: z.number().nullable(),
});
export type Track = z.infer<typeof TrackSchema>;

export const TrackSortSchema = z.enum(['title', 'artist', 'album', 'duration', 'added', 'valence', 'arousal']);
export type TrackSort = z.infer<typeof TrackSortSchema>;

export const ListTracksInputSchema = z.strictObject({
  search: z.string().max(500).optional(),
  sort: TrackSortSchema.default('added'),
  descending: z.boolean().default(false),
  limit: z.number().int().min(1).max(5_000).default(500),
  offset: z.number().int().min(0).default(0),
  /** Mood region filter (inclusive), valence/arousal in [-1, 1]. */
  region: z
    .strictObject({
      valenceMin: z.number().min(-1).max(1),
      valenceMax: z.number().min(-1).max(1),
      arousalMin: z.number().min(-1).max(1),
      arousalMax: z.number().min(-1).max(1),
    })
    .optional(),
});
export type ListTracksInput = z.input<typeof ListTracksInputSchema>;

export const TrackPageSchema = z.object({ tracks: z.array(TrackSchema), total: z.number().int().nonnegative() });
export type TrackPage = z.infer<typeof TrackPageSchema>;

/** Why a file was skipped on import; the message says what was expected and what arrived. */
export const SkipReasonSchema = z.object({ path: PathSchema, reason: ShortText, code: z.string().max(64) });
export type SkipReason = z.infer<typeof SkipReasonSchema>;

export const ImportReportSchema = z.object({
  imported: z.array(z.object({ id: IdSchema, path: PathSchema })),
  duplicates: z.array(z.object({ path: PathSchema, existingId: IdSchema, existingPath: PathSchema })),
  skipped: z.array(SkipReasonSchema),
  cancelled: z.boolean(),
});
export type ImportReport = z.infer<typeof ImportReportSchema>;

export const RescanReportSchema = z.object({
  unchanged: z.number().int(),
  moved: z.array(z.object({ id: IdSchema, from: PathSchema, to: PathSchema })),
  missing: z.array(z.object({ id: IdSchema, path: PathSchema })),
  restored: z.array(z.object({ id: IdSchema, path: PathSchema })),
  /** Files whose content changed in place (re-read), or that became unreadable (status error). */
  updated: z.array(z.object({ id: IdSchema, path: PathSchema })).optional(),
});
export type RescanReport = z.infer<typeof RescanReportSchema>;

export const ProfileSchema = z.object({
  id: IdSchema,
  name: z.string().min(1).max(100),
  createdAt: z.string(),
  hasPersonalModel: z.boolean(),
});
export type Profile = z.infer<typeof ProfileSchema>;
