/** Playlist channels (zero dependencies: the preload imports this). */
export const PLAYLIST_CHANNELS = [
  'playlists:list',
  'playlists:get',
  'playlists:create',
  'playlists:rename',
  'playlists:setTracks',
  'playlists:delete',
  'playlists:export',
] as const;
export const PLAYLIST_EVENTS = ['playlists:onChanged'] as const;
