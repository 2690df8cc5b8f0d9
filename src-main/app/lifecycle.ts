/**
 * Electron lifecycle, written against the structural ElectronMain type so it runs under Vitest
 * with a fake Electron (src-main/app/lifecycle.test.ts). main.ts loads the real module and
 * calls `startApp`. Order matters: privileged schemes before `ready`, the Studio before the
 * protocols and IPC, the window last.
 */
import { AppError } from '../../src-shared/ipc/envelope';
import { forwardEvents, registerElectronTransport, RENDERER_ORIGIN } from '../ipc/electron-transport';
import { resolveDataDir } from '../services/paths';
import { openStudio } from '../services/studio';
import type { Studio } from '../services/studio-types';
import type { BrowserWindowLike, ElectronMain } from './electron-api';
import { APP_SCHEME, appProtocolResponse, MEDIA_SCHEME, mediaProtocolResponse, SCHEMES } from './protocols';
import { attachTaskbarProgress } from './taskbar';
import { createMainWindow, hardenSession } from './windows';

export interface StartAppOptions {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** The renderer build (out/renderer). */
  rendererDir: string;
  /** The bundled preload (out/preload/index.cjs). */
  preload: string;
  platform?: NodeJS.Platform;
}

export interface RunningApp {
  studio: Studio;
  /** The current main window (undefined after it was closed). */
  window(): BrowserWindowLike | undefined;
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

/**
 * Runs the app until it quits.
 * @returns null when the app refused to start (second instance, database from the future, ...)
 */
export async function startApp(electron: ElectronMain, opts: StartAppOptions): Promise<RunningApp | null> {
  const { app, ipcMain, protocol, dialog, powerSaveBlocker } = electron;
  const platform = opts.platform ?? process.platform;

  protocol.registerSchemesAsPrivileged(SCHEMES);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  app.setAppUserModelId?.('org.music-emotion-studio.app');
  await app.whenReady();
  hardenSession(electron);

  const dataDir = resolveDataDir({ explicit: argValue(opts.argv, '--data-dir') ?? opts.env.PDMER_DATA_DIR ?? app.getPath('userData') });
  let win: BrowserWindowLike | undefined;
  let studio: Studio;
  try {
    studio = await openStudio({
      dataDir,
      mode: 'electron',
      backgroundAnalysis: opts.env.PDMER_NO_BACKGROUND_ANALYSIS ? false : true,
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
    return null;
  }

  protocol.handle(APP_SCHEME, (req) => appProtocolResponse(opts.rendererDir, req));
  protocol.handle(MEDIA_SCHEME, (req) => mediaProtocolResponse(studio, req));
  registerElectronTransport(ipcMain, studio.dispatch, { allowedOrigins: [RENDERER_ORIGIN] });

  const cleanups: (() => void)[] = [];
  const openWindow = () => {
    for (const c of cleanups.splice(0)) c();
    const w = createMainWindow(electron, { preload: opts.preload, url: `${RENDERER_ORIGIN}/index.html` });
    win = w;
    cleanups.push(forwardEvents(studio.bus, w.webContents), attachTaskbarProgress(studio.bus, w));
    // Keep the machine awake while audio plays (issue 5): Chromium reports media state itself.
    let blocker: number | null = null;
    const release = () => {
      if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      blocker = null;
    };
    w.webContents.on('media-started-playing', () => {
      if (blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
    });
    w.webContents.on('media-paused', release);
    w.webContents.on('destroyed', release);
    cleanups.push(release);
    w.on('closed', () => {
      if (win === w) win = undefined;
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
    if (platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('before-quit', (...args: unknown[]) => {
    if (quitting) return;
    quitting = true;
    const e = args[0] as { preventDefault(): void };
    e.preventDefault();
    void studio.close().finally(() => app.quit());
  });
  return { studio, window: () => win };
}
