/** Library channels (zero dependencies: the preload imports this). */
export const LIBRARY_CHANNELS = [
  'library:listTracks',
  'library:getTrack',
  'library:import',
  'library:rescan',
  'library:removeTracks',
  'profiles:list',
  'profiles:create',
] as const;
export const LIBRARY_EVENTS = ['library:onChanged'] as const;
