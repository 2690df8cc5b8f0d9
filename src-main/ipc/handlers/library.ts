/** Library and profile channels. */
import type { Handlers } from '../dispatch';
import type { ServiceDeps } from './index';

type LibraryChannel =
  | 'library:listTracks'
  | 'library:getTrack'
  | 'library:import'
  | 'library:rescan'
  | 'library:removeTracks'
  | 'profiles:list'
  | 'profiles:create';

export function libraryHandlers(deps: ServiceDeps): Pick<Handlers, LibraryChannel> {
  const { library, profiles, bus } = deps;
  return {
    'library:listTracks': async (input) => library.list(input),
    'library:getTrack': async ({ id }) => library.get(id),
    'library:import': async ({ paths, jobId }) => library.importPaths(paths, { jobId }),
    'library:rescan': async ({ jobId }) => library.rescan({ jobId }),
    'library:removeTracks': async ({ ids }) => ({ removed: library.remove(ids) }),
    'profiles:list': async () => profiles.list(),
    'profiles:create': async ({ name }) => {
      const p = profiles.create(name);
      bus.emit('library:onChanged', { reason: 'profile' });
      return p;
    },
  };
}
