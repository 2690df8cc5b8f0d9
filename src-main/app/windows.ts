/**
 * The main window, hardened (B4/B14): contextIsolation + sandbox, no Node in the renderer, no
 * new windows (https links go to the system browser), no navigation away from the app, every
 * permission request denied, a recovery dialog when the renderer process dies (Joplin).
 */
import type { BrowserWindowLike, ElectronMain } from './electron-api';
import { log } from '../log';

export interface MainWindowOptions {
  preload: string;
  url: string;
  /** Called when the renderer is gone and the user chose to reload (re-attach per-window things). */
  onReload?: () => void;
}

export function hardenSession(electron: Pick<ElectronMain, 'session'>): void {
  const s = electron.session.defaultSession;
  // Nothing the studio needs asks for a permission (audio output and gamepads need none).
  s.setPermissionRequestHandler((_wc, _permission, cb) => cb(false));
  s.setPermissionCheckHandler(() => false);
}

/** Whether a URL may be opened in the system browser (plain https links only). */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && !u.username && !u.password;
  } catch {
    return false;
  }
}

export function createMainWindow(electron: ElectronMain, opts: MainWindowOptions): BrowserWindowLike {
  const win = new electron.BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'Music Emotion Studio',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void electron.shell.openExternal(url);
    return { action: 'deny' };
  });
  const appOrigin = new URL(opts.url).origin === 'null' ? opts.url.replace(/^(\w[\w+.-]*:\/\/[^/]+).*$/, '$1') : new URL(opts.url).origin;
  const stayInApp = (e: { preventDefault(): void }, url: string) => {
    // In-app hash changes do not fire will-navigate; anything else leaves the app: refuse.
    if (!url.startsWith(`${appOrigin}/`)) {
      e.preventDefault();
      log.warn(`blocked navigation to ${url.slice(0, 200)}`);
    }
  };
  wc.on('will-navigate', stayInApp);
  wc.on('will-redirect', stayInApp);
  wc.on('render-process-gone', (_e, details) => {
    log.error(`renderer process gone: ${details.reason} (exit ${details.exitCode})`);
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    void electron.dialog
      .showMessageBox(win, {
        type: 'error',
        title: 'Music Emotion Studio',
        message: 'The studio window stopped unexpectedly.',
        detail: `Reason: ${details.reason}. Your library and any annotation samples already sent are saved. Reload the window to continue.`,
        buttons: ['Reload', 'Quit'],
        defaultId: 0,
        cancelId: 1,
      })
      .then(({ response }) => {
        if (response === 0 && !win.isDestroyed()) {
          wc.reload();
          opts.onReload?.();
        } else electron.app.quit();
      });
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.url);
  return win;
}
