/**
 * Electron main process entry (bundled to out/main/electron-main.js by scripts/build-main.mjs).
 * The ONLY place that loads 'electron' main APIs (B2). Lifecycle: single instance, privileged
 * schemes, hardened session and window, the Studio (same services as the browser mode), the
 * IPC transport, taskbar progress, no sleep while audio plays, and a blocking dialog when the
 * library comes from a newer version of the app.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../src-shared/ipc/envelope';
import { forwardEvents, registerElectronTransport, RENDERER_ORIGIN } from '../ipc/electron-transport';
import { log } from '../log';
import { resolveDataDir } from '../services/paths';
import { openStudio } from '../services/studio';
import type { Studio } from '../services/studio-types';
import type { BrowserWindowLike, ElectronMain } from './electron-api';
import { APP_SCHEME, appProtocolResponse, MEDIA_SCHEME, mediaProtocolResponse, SCHEMES } from './protocols';
import { attachTaskbarProgress } from './taskbar';
import { createMainWindow, hardenSession } from './windows';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.resolve(here, '../renderer');
const PRELOAD = path.resolve(here, '../preload/index.cjs');

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  // A variable specifier keeps TypeScript and bundlers from resolving 'electron' at build time.
  const specifier = 'electron';
  const mod = (await import(specifier)) as { default?: ElectronMain } & ElectronMain;
  const electron: ElectronMain = mod.default ?? mod;
  const { app, ipcMain, protocol, dialog, powerSaveBlocker } = electron;

  protocol.registerSchemesAsPrivileged(SCHEMES);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.setAppUserModelId?.('org.music-emotion-studio.app');
  await app.whenReady();
  hardenSession(electron);

  const dataDir = resolveDataDir({ explicit: argValue('--data-dir') ?? process.env.PDMER_DATA_DIR ?? app.getPath('userData') });
  let win: BrowserWindowLike | undefined;
  let studio: Studio;
  try {
    studio = await openStudio({
      dataDir,
      mode: 'electron',
      backgroundAnalysis: true,
      handlerOverrides: {
        'dialog:openAudio': async ({ folders }) => {
          const r = await dialog.showOpenDialog(win, {
            title: folders ? 'Add a music folder' : 'Add music files',
            properties: folders ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
            filters: folders ? undefined : [{ name: 'Audio', extensions: ['mp3', 'flac', 'ogg', 'oga', 'opus', 'wav', 'wave', 'm4a', 'aac', 'aif', 'aiff'] }],
          });
          return { supported: true, paths: r.canceled ? [] : r.filePaths };
        },
      },
    });
  } catch (e) {
    if (e instanceof AppError && e.code === 'DB_FROM_FUTURE') {
      // Blocking: the database is left untouched and the app must not run on it.
      dialog.showMessageBoxSync({
        type: 'error',
        title: 'Music Emotion Studio',
        message: 'This library was created by a newer version of Music Emotion Studio.',
        detail: `${e.message}\n\nInstall the newer version, or start with another data directory (--data-dir). The library at ${dataDir} was not changed.`,
        buttons: ['Quit'],
      });
    } else {
      dialog.showErrorBox('Music Emotion Studio could not start', e instanceof Error ? e.message : String(e));
    }
    app.exit(1);
    return;
  }

  protocol.handle(APP_SCHEME, (req) => appProtocolResponse(RENDERER_DIR, req));
  protocol.handle(MEDIA_SCHEME, (req) => mediaProtocolResponse(studio, req));
  registerElectronTransport(ipcMain, studio.dispatch, { allowedOrigins: [RENDERER_ORIGIN] });

  const cleanups: (() => void)[] = [];
  const openWindow = () => {
    for (const c of cleanups.splice(0)) c();
    win = createMainWindow(electron, { preload: PRELOAD, url: `${RENDERER_ORIGIN}/index.html` });
    cleanups.push(forwardEvents(studio.bus, win.webContents), attachTaskbarProgress(studio.bus, win));
    // Keep the machine awake while audio plays (issue 5): Chromium reports media state itself.
    let blocker: number | null = null;
    const release = () => {
      if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      blocker = null;
    };
    win.webContents.on('media-started-playing', () => {
      if (blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
    });
    win.webContents.on('media-paused', release);
    win.webContents.on('destroyed', release);
    cleanups.push(release);
    win.on('closed', () => {
      win = undefined;
    });
  };
  openWindow();

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (!win) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (...args: unknown[]) => {
    if (quitting) return;
    quitting = true;
    const e = args[0] as { preventDefault(): void };
    e.preventDefault();
    void studio.close().finally(() => app.quit());
  });
}

main().catch((e) => {
  log.error('Electron main failed', e);
  process.exit(1);
});
