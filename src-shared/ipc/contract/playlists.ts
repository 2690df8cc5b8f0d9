import { z } from 'zod';
import { IdSchema } from '../../domain/common';
import type { PLAYLIST_CHANNELS, PLAYLIST_EVENTS } from '../channels/playlists';
import type { ProcedureDef } from './types';

export const PlaylistNameSchema = z.string().trim().min(1).max(200);

export const PlaylistSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: z.string(),
  trackCount: z.number().int().nonnegative(),
  /** Sum of known track durations. */
  durationSec: z.number().nonnegative(),
});
export type Playlist = z.infer<typeof PlaylistSchema>;

export const PlaylistDetailSchema = PlaylistSchema.extend({ trackIds: z.array(IdSchema) });
export type PlaylistDetail = z.infer<typeof PlaylistDetailSchema>;

/** Export result: the file's text; the renderer saves it (download in browser mode). */
export const PlaylistExportSchema = z.object({
  filename: z.string(),
  mime: z.string(),
  content: z.string(),
  trackCount: z.number().int().nonnegative(),
});
export type PlaylistExport = z.infer<typeof PlaylistExportSchema>;

const trackIdsField = z.array(IdSchema).max(100_000);

export const playlistsContract = {
  'playlists:list': { input: z.strictObject({}), output: z.array(PlaylistSchema) },
  'playlists:get': { input: z.strictObject({ id: IdSchema }), output: PlaylistDetailSchema },
  'playlists:create': {
    input: z.strictObject({ name: PlaylistNameSchema, trackIds: trackIdsField }),
    output: PlaylistDetailSchema,
  },
  'playlists:rename': { input: z.strictObject({ id: IdSchema, name: PlaylistNameSchema }), output: PlaylistSchema },
  'playlists:setTracks': { input: z.strictObject({ id: IdSchema, trackIds: trackIdsField }), output: PlaylistDetailSchema },
  'playlists:delete': { input: z.strictObject({ id: IdSchema }), output: z.object({ deleted: z.boolean() }) },
  /**
   * M3U: `#EXTM3U`, then per track `#EXTINF:<seconds>,<artist> - <title>` and its absolute path
   * (UTF-8). CSV: RFC 4180 with a header row.
   */
  'playlists:export': {
    input: z.strictObject({ id: IdSchema, format: z.enum(['m3u', 'csv']) }),
    output: PlaylistExportSchema,
  },
} satisfies { [C in (typeof PLAYLIST_CHANNELS)[number]]: ProcedureDef };

export const playlistsEvents = {
  'playlists:onChanged': z.object({ reason: z.enum(['create', 'rename', 'update', 'delete']), playlistId: IdSchema }),
} satisfies { [E in (typeof PLAYLIST_EVENTS)[number]]: z.ZodType };
