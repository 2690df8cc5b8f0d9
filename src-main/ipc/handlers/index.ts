/**
 * Merges every domain's handlers into the one `Handlers` map the dispatcher needs (a missing
 * channel is a compile error). A domain adds: `handlers/<d>.ts` exporting `<d>Handlers(deps)`,
 * one spread line in `createHandlers`, and, when it has a service, one optional field in
 * `ServiceDeps` plus one installer line in `SERVICE_INSTALLERS`.
 */
import type { ProfilesRepo } from '../../db/profiles.repo';
import type { TracksRepo } from '../../db/tracks.repo';
import type { WritableDB } from '../../db/types';
import type { JobsService } from '../../services/jobs.service';
import type { LibraryService } from '../../services/library.service';
import type { StudioOptions } from '../../services/studio-types';
import type { Handlers } from '../dispatch';
import type { EventBus } from '../events';
import { annotationHandlers } from './annotation';
import { installAnnotation, type AnnotationService } from '../../services/annotation.service';
import { appHandlers } from './app';
import { libraryHandlers } from './library';
import { modelHandlers } from './model';
import { moodHandlers } from './mood';
import { playlistHandlers } from './playlists';
import { installMood, type MoodService } from '../../services/mood.service';
import { installPlaylists, type PlaylistService } from '../../services/playlist.service';
import { installAnalysis, type AnalysisService } from '../../services/analysis.service';
import { personalizeHandlers } from './personalize';
import { installPersonalization, type PersonalizationService } from '../../services/personalization.service';

/**
 * Everything handler factories may use. Built by `openStudio()`; domains add their service as
 * an OPTIONAL field (one line each) and create it in an installer below.
 */
export interface ServiceDeps {
  readonly db: WritableDB;
  readonly bus: EventBus;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly mode: StudioOptions['mode'];
  readonly options: StudioOptions;
  readonly jobs: JobsService;
  readonly library: LibraryService;
  readonly tracks: TracksRepo;
  readonly profiles: ProfilesRepo;
  /** Registers cleanup for `Studio.close()` (stop workers, dispose models); run in reverse order. */
  onClose(fn: () => void | Promise<void>): void;
  /** The numeric backend in use (e.g. 'wasm'), for app:info; set by the model/analysis domain. */
  modelBackend?: () => string | null;
  // ---- domain services (one optional line each) ----
  analysis?: AnalysisService;
  mood?: MoodService;
  playlists?: PlaylistService;
  annotation?: AnnotationService;
  personalization?: PersonalizationService;
}

/**
 * Creates a domain's service on `deps` before handlers are built (e.g. `deps.analysis = new ...`,
 * `deps.onClose(() => deps.analysis?.dispose())`). Installers run in list order.
 */
export type ServiceInstaller = (deps: ServiceDeps) => void | Promise<void>;

export const SERVICE_INSTALLERS: ServiceInstaller[] = [
  installAnalysis,
  installMood,
  installPlaylists,
  installAnnotation,
  installPersonalization,
];

export function createHandlers(deps: ServiceDeps): Handlers {
  return {
    ...appHandlers(deps),
    ...annotationHandlers(deps),
    ...libraryHandlers(deps),
    ...modelHandlers(deps),
    ...moodHandlers(deps),
    ...playlistHandlers(deps),
    ...personalizeHandlers(deps),
  };
}
