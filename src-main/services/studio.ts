/**
 * Composition root: opens the library database in a data directory and wires the event bus,
 * the services, the handlers and the dispatcher. Every transport (Electron, browser-mode
 * server, CLI, memory transport in tests) starts here and only talks to the returned Studio.
 */
import { ProfilesRepo } from '../db/profiles.repo';
import { closeDatabase, openDatabase } from '../db/open';
import { TracksRepo } from '../db/tracks.repo';
import { createDispatcher, type Handlers } from '../ipc/dispatch';
import { EventBus } from '../ipc/events';
import { SERVICE_INSTALLERS, createHandlers, type ServiceDeps } from '../ipc/handlers/index';
import { log } from '../log';
import { JobsService } from './jobs.service';
import { LibraryService } from './library.service';
import { dbPathFor, ensureDataDir } from './paths';
import type { OpenedStudio, StudioOptions } from './studio-types';

export type { OpenedStudio, Studio, StudioOptions } from './studio-types';

/**
 * Opens a studio on `opts.dataDir` (created if missing).
 * @throws AppError DB_CORRUPT / DB_FROM_FUTURE (database left untouched), IO_FAILED (data dir)
 */
export async function openStudio(opts: StudioOptions): Promise<OpenedStudio> {
  const dataDir = ensureDataDir(opts.dataDir);
  const dbPath = opts.dbPath ?? dbPathFor(dataDir);
  const db = openDatabase(dbPath);
  const closers: Array<() => void | Promise<void>> = [];
  const bus = new EventBus();
  let jobs: JobsService | undefined;
  try {
    jobs = new JobsService(db, bus);
    const tracks = new TracksRepo(db);
    const deps: ServiceDeps = {
      db,
      bus,
      dataDir,
      dbPath,
      mode: opts.mode,
      options: opts,
      jobs,
      library: new LibraryService({ db, bus, jobs, tracks }),
      tracks,
      profiles: new ProfilesRepo(db),
      onClose: (fn) => {
        closers.push(fn);
      },
    };
    for (const install of SERVICE_INSTALLERS) await install(deps);
    const handlers: Handlers = { ...createHandlers(deps), ...(opts.handlerOverrides ?? {}) } as Handlers;
    const dispatch = createDispatcher(handlers, { checkOutputs: opts.checkOutputs });

    let closing: Promise<void> | null = null;
    const studio: OpenedStudio = {
      dataDir,
      dbPath,
      bus,
      handlers,
      dispatch,
      services: deps,
      mediaForTrack: (id) => deps.library.media(id),
      coverForTrack: (id) => deps.library.cover(id),
      close: () => {
        closing ??= (async () => {
          deps.jobs.close();
          for (const fn of closers.reverse()) {
            try {
              await fn();
            } catch (e) {
              log.error('a service failed to close cleanly', e);
            }
          }
          // Let cancelled jobs observe their abort and write their final state.
          for (let i = 0; i < 50 && deps.jobs.runningCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
          closeDatabase(db);
        })();
        return closing;
      },
    };
    return studio;
  } catch (e) {
    jobs?.close();
    for (const fn of closers.reverse()) {
      try {
        await fn();
      } catch (inner) {
        log.error('cleanup after a failed start failed', inner);
      }
    }
    closeDatabase(db);
    throw e;
  }
}
