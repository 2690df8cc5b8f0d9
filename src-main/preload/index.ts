/**
 * The only preload (sandboxed, CommonJS, B4): exposes `window.api` with `invoke`/`on` for the
 * allowlisted channel and event names only. No ipcRenderer, no Node, no process.
 */
import { CHANNELS, EVENTS } from '../../src-shared/ipc/channels';

interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, payload: unknown): Promise<unknown>;
    on(channel: string, listener: (e: unknown, payload: unknown) => void): void;
    removeListener(channel: string, listener: (e: unknown, payload: unknown) => void): void;
  };
  webUtils?: { getPathForFile(file: File): string };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- sandboxed preloads are CommonJS
const { contextBridge, ipcRenderer, webUtils } = require('electron') as PreloadElectron;
const channels: ReadonlySet<string> = new Set(CHANNELS);
const events: ReadonlySet<string> = new Set(EVENTS);

contextBridge.exposeInMainWorld('api', {
  invoke(channel: string, payload: unknown) {
    if (!channels.has(channel)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${String(channel).slice(0, 100)}` } });
    return ipcRenderer.invoke(channel, payload);
  },
  on(event: string, cb: (payload: unknown) => void) {
    if (!events.has(event) || typeof cb !== 'function') return () => {};
    const listener = (_e: unknown, payload: unknown) => cb(payload);
    ipcRenderer.on(event, listener);
    return () => ipcRenderer.removeListener(event, listener);
  },
  pathForFile(file: File) {
    return webUtils?.getPathForFile(file) ?? '';
  },
});
