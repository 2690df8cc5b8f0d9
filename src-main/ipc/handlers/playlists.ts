/** Playlist channels: thin, the service does the work. */
import type { PLAYLIST_CHANNELS } from '../../../src-shared/ipc/channels/playlists';
import type { PlaylistService } from '../../services/playlist.service';
import type { Handlers } from '../dispatch';

type PlaylistChannel = (typeof PLAYLIST_CHANNELS)[number];

/** The part of ServiceDeps these handlers use. */
export interface PlaylistHandlerDeps {
  playlists?: PlaylistService;
}

function need(deps: PlaylistHandlerDeps): PlaylistService {
  if (!deps.playlists) throw new Error('The playlist service is not installed (SERVICE_INSTALLERS)');
  return deps.playlists;
}

export function playlistHandlers(deps: PlaylistHandlerDeps): Pick<Handlers, PlaylistChannel> {
  return {
    'playlists:list': async () => need(deps).list(),
    'playlists:get': async ({ id }) => need(deps).get(id),
    'playlists:create': async ({ name, trackIds }) => need(deps).create(name, trackIds),
    'playlists:rename': async ({ id, name }) => need(deps).rename(id, name),
    'playlists:setTracks': async ({ id, trackIds }) => need(deps).setTracks(id, trackIds),
    'playlists:delete': async ({ id }) => need(deps).delete(id),
    'playlists:export': async ({ id, format }) => need(deps).export(id, format),
  };
}
