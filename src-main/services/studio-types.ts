/**
 * The composition root's shape: what a transport (Electron, browser-mode server, CLI, tests)
 * gets when it opens a studio on a data directory. Implemented by `openStudio()` in
 * `studio.ts`. Services never import `electron`.
 */
import type { Handlers } from '../ipc/dispatch';
import type { Dispatcher } from '../ipc/dispatch';
import type { EventBus } from '../ipc/events';
import type { ServiceDeps } from '../ipc/handlers/index';

export interface MediaInfo {
  /** Absolute path of a file that IS in the library (the only files media routes may serve). */
  path: string;
  mime: string;
  size: number;
}

export interface StudioOptions {
  dataDir: string;
  mode: 'electron' | 'browser' | 'memory' | 'cli';
  /** Start background analysis of unanalysed tracks (off in most tests). */
  backgroundAnalysis?: boolean;
  /** Database file; default `<dataDir>/library.sqlite`. */
  dbPath?: string;
  /**
   * Per-transport replacements for some channels, e.g. the Electron app's native
   * `dialog:openAudio`. Applied after every domain's handlers.
   */
  handlerOverrides?: Partial<Handlers>;
  /** Parse handler results against the contract (default: on unless NODE_ENV=production). */
  checkOutputs?: boolean;
}

export interface Studio {
  readonly dataDir: string;
  readonly dbPath: string;
  readonly bus: EventBus;
  readonly handlers: Handlers;
  readonly dispatch: Dispatcher;
  /** Resolve a track id to its audio file for the media route; null when not in the library. */
  mediaForTrack(trackId: number): MediaInfo | null;
  /** Cover art bytes for a track, or null. */
  coverForTrack(trackId: number): { mime: string; data: Buffer } | null;
  /** Stops jobs and workers, closes the database. Idempotent. */
  close(): Promise<void>;
}

/** What `openStudio()` returns: a Studio plus direct access to its services (CLI commands, tests). */
export interface OpenedStudio extends Studio {
  readonly services: ServiceDeps;
}
