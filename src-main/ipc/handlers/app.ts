/** App-level channels: info, jobs, renderer logs, the native file dialog. */
import fs from 'node:fs';
import type { ParsedInput } from '../../../src-shared/ipc/contract';
import { log } from '../../log';
import type { Handlers } from '../dispatch';
import type { ServiceDeps } from './index';

type AppChannel = 'app:info' | 'job:cancel' | 'job:list' | 'log:renderer' | 'dialog:openAudio';

/** The product version from package.json (read once; '0.0.0' if unreadable, e.g. in odd bundles). */
export const APP_VERSION: string = (() => {
  for (const rel of ['../../../package.json', '../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'music-emotion-studio' && pkg.version) return pkg.version;
    } catch {
      // best effort: try the next candidate location (bundled layouts differ)
    }
  }
  return '0.0.0';
})();

export function appHandlers(deps: ServiceDeps): Pick<Handlers, AppChannel> {
  return {
    'app:info': async () => ({
      name: 'Music Emotion Studio',
      version: APP_VERSION,
      mode: deps.mode,
      dataDir: deps.dataDir,
      dbPath: deps.dbPath,
      backend: deps.modelBackend?.() ?? null,
    }),
    // Analyses run in their own queue (analysis.service.ts); they are jobs for the UI all the same.
    'job:cancel': async ({ jobId }) => ({ cancelled: deps.jobs.cancel(jobId) || (deps.analysis?.cancelJob(jobId) ?? false) }),
    'job:list': async () => [...(deps.analysis?.jobs() ?? []), ...deps.jobs.list()],
    'log:renderer': async ({ level, message, stack }: ParsedInput<'log:renderer'>) => {
      const line = `renderer: ${message}`;
      if (level === 'error') log.error(line, ...(stack ? [stack] : []));
      else if (level === 'warn') log.warn(line);
      else log.info(line);
      return null;
    },
    // Outside Electron there is no native dialog: the renderer shows its own path picker / upload.
    // The Electron app passes a `handlerOverrides['dialog:openAudio']` to openStudio().
    'dialog:openAudio': async () => ({ supported: false, paths: [] }),
  };
}
