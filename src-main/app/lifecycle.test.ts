/**
 * The Electron lifecycle against a fake Electron (no binary here): hardening, protocols, IPC,
 * native dialog override, taskbar progress, power-save blocker, crash recovery, quit, and the
 * blocking dialog for a database from a newer version.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src-shared/ipc/channels';
import type { BrowserWindowLike, ElectronMain, InvokeEventLike } from './electron-api';
import { startApp, type RunningApp } from './lifecycle';

type Fn = (...a: any[]) => any;

function fakeElectron(userData: string) {
  const rec = {
    ready: false,
    schemesBeforeReady: null as boolean | null,
    appOn: new Map<string, Fn>(),
    quit: 0,
    exit: [] as number[],
    windows: [] as { opts: any; win: BrowserWindowLike; wcOn: Map<string, Fn>; openHandler: Fn | null; sent: unknown[]; progress: unknown[]; reloads: number }[],
    ipc: new Map<string, Fn>(),
    protocols: new Map<string, Fn>(),
    permissionHandler: null as Fn | null,
    messageBoxSync: [] as any[],
    messageBox: [] as any[],
    errorBox: [] as string[],
    external: [] as string[],
    blockers: new Set<number>(),
  };
  let nextBlocker = 1;
  class FakeWindow {
    webContents: any;
    constructor(opts: any) {
      const wcOn = new Map<string, Fn>();
      const entry = { opts, win: this as unknown as BrowserWindowLike, wcOn, openHandler: null as Fn | null, sent: [] as unknown[], progress: [] as unknown[], reloads: 0 };
      this.webContents = {
        id: 1,
        send: (c: string, p: unknown) => entry.sent.push([c, p]),
        isDestroyed: () => false,
        getURL: () => 'studio://app/index.html',
        on: (e: string, cb: Fn) => wcOn.set(e, cb),
        setWindowOpenHandler: (h: Fn) => (entry.openHandler = h),
        reload: () => entry.reloads++,
      };
      rec.windows.push(entry);
    }
    loadURL = async () => {};
    setProgressBar = (v: number, o?: unknown) => rec.windows.at(-1)!.progress.push(o ? [v, o] : v);
    isDestroyed = () => false;
    show() {}
    focus() {}
    restore() {}
    isMinimized = () => false;
    destroy() {}
    once() {}
    on() {}
  }
  const electron: ElectronMain = {
    app: {
      whenReady: async () => {
        rec.ready = true;
      },
      on: (e: string, cb: Fn) => rec.appOn.set(e, cb),
      quit: () => rec.quit++,
      exit: (c = 0) => rec.exit.push(c),
      getPath: () => userData,
      getAppPath: () => '/app',
      isPackaged: false,
      requestSingleInstanceLock: () => true,
    },
    BrowserWindow: FakeWindow as any,
    ipcMain: { handle: (c, l) => rec.ipc.set(c, l), removeHandler: (c) => rec.ipc.delete(c) },
    protocol: {
      registerSchemesAsPrivileged: () => {
        rec.schemesBeforeReady = !rec.ready;
      },
      handle: (s, h) => rec.protocols.set(s, h),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h) => (rec.permissionHandler = h),
        setPermissionCheckHandler: () => {},
      },
    },
    dialog: {
      showOpenDialog: async (_w, o) => ({ canceled: false, filePaths: (o.properties as string[]).includes('openDirectory') ? ['/music'] : ['/music/a.mp3'] }),
      showMessageBox: async (_w, o) => {
        rec.messageBox.push(o);
        return { response: 0 };
      },
      showMessageBoxSync: (o) => {
        rec.messageBoxSync.push(o);
        return 0;
      },
      showErrorBox: (t, c) => rec.errorBox.push(`${t}: ${c}`),
    },
    powerSaveBlocker: {
      start: () => {
        const id = nextBlocker++;
        rec.blockers.add(id);
        return id;
      },
      stop: (id) => rec.blockers.delete(id),
      isStarted: (id) => rec.blockers.has(id),
    },
    shell: { openExternal: async (u) => void rec.external.push(u) },
  };
  return { electron, rec };
}

const trusted: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'studio://app/index.html', parent: null } };
const foreign: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'https://evil.example/', parent: null } };

let tmp: string;
let running: RunningApp | null = null;
afterEach(async () => {
  await running?.studio.close();
  running = null;
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function setup() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-electron-'));
  const renderer = path.join(tmp, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>x</title>');
  const dataDir = path.join(tmp, 'data');
  const f = fakeElectron(path.join(tmp, 'userData'));
  const opts = { argv: ['electron', '.', '--data-dir', dataDir], env: { PDMER_NO_BACKGROUND_ANALYSIS: '1' }, rendererDir: renderer, preload: '/out/preload/index.cjs', platform: 'linux' as const };
  return { ...f, dataDir, opts };
}

describe('startApp', () => {
  it('starts hardened: schemes before ready, sandboxed window, deny-all permissions, guarded IPC on the real studio', async () => {
    const { electron, rec, dataDir, opts } = setup();
    running = await startApp(electron, opts);
    expect(running).not.toBeNull();
    expect(rec.schemesBeforeReady).toBe(true);

    const w = rec.windows[0]!;
    expect(w.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/out/preload/index.cjs' });
    let granted: boolean | null = null;
    rec.permissionHandler!(null, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);

    expect(w.openHandler!({ url: 'https://example.org/help' })).toEqual({ action: 'deny' });
    expect(w.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(rec.external).toEqual(['https://example.org/help']);
    let prevented = 0;
    w.wcOn.get('will-navigate')!({ preventDefault: () => prevented++ }, 'https://evil.example/');
    w.wcOn.get('will-navigate')!({ preventDefault: () => prevented++ }, 'studio://app/index.html#/library');
    expect(prevented).toBe(1);

    expect([...rec.ipc.keys()].sort()).toEqual([...CHANNELS].sort());
    const info = await rec.ipc.get('app:info')!(trusted, {});
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', dataDir } });
    expect(await rec.ipc.get('app:info')!(foreign, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await rec.ipc.get('library:import')!(trusted, { paths: 'not-an-array' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await rec.ipc.get('dialog:openAudio')!(trusted, { folders: true })).toEqual({ ok: true, value: { supported: true, paths: ['/music'] } });

    const page = await rec.protocols.get('studio')!(new Request('studio://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await rec.protocols.get('studio-media')!(new Request('studio-media://track/1'))).status).toBe(404);
  });

  it('forwards events, shows taskbar progress, blocks sleep while playing, recovers from a renderer crash, closes the studio on quit', async () => {
    const { electron, rec, opts } = setup();
    running = await startApp(electron, opts);
    const w = rec.windows[0]!;
    running!.studio.bus.emit('job:onProgress', { jobId: 'j', kind: 'import', state: 'running', done: 1, total: 4 });
    expect(w.sent).toContainEqual(['job:onProgress', { jobId: 'j', kind: 'import', state: 'running', done: 1, total: 4 }]);
    expect(w.progress).toEqual([0.25]);

    w.wcOn.get('media-started-playing')!();
    expect(rec.blockers.size).toBe(1);
    w.wcOn.get('media-paused')!();
    expect(rec.blockers.size).toBe(0);

    w.wcOn.get('render-process-gone')!({}, { reason: 'crashed', exitCode: 139 });
    await new Promise((r) => setTimeout(r, 0));
    expect(rec.messageBox[0].buttons).toEqual(['Reload', 'Quit']);
    expect(w.reloads).toBe(1);

    let prevented = false;
    rec.appOn.get('before-quit')!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await expect.poll(() => rec.quit, { timeout: 10_000 }).toBe(1);
    running = null; // closed by before-quit
  });

  it('refuses a library from a newer version with a blocking dialog and leaves it untouched', async () => {
    const { electron, rec, dataDir, opts } = setup();
    fs.mkdirSync(dataDir, { recursive: true });
    const dbFile = path.join(dataDir, 'library.sqlite');
    const db = new Database(dbFile);
    db.pragma('user_version = 9999');
    db.close();
    const before = fs.readFileSync(dbFile);
    const r = await startApp(electron, opts);
    expect(r).toBeNull();
    expect(rec.messageBoxSync).toHaveLength(1);
    expect(rec.messageBoxSync[0].message).toMatch(/newer version/);
    expect(rec.exit).toEqual([1]);
    expect(rec.windows).toHaveLength(0);
    expect(fs.readFileSync(dbFile).equals(before)).toBe(true);
  });
});
