/** The preload, bundled as for Electron, run in a VM with a fake `require('electron')`. */
import { build } from 'esbuild';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

async function loadPreload() {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const exposed: Record<string, any> = {};
  const invoked: unknown[] = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (k: string, v: unknown) => (exposed[k] = v) },
    ipcRenderer: {
      invoke: async (c: string, p: unknown) => {
        invoked.push([c, p]);
        return { ok: true, value: 'from main' };
      },
      on: (c: string, l: (...a: unknown[]) => void) => {
        if (!listeners.has(c)) listeners.set(c, new Set());
        listeners.get(c)!.add(l);
      },
      removeListener: (c: string, l: (...a: unknown[]) => void) => listeners.get(c)?.delete(l),
    },
    webUtils: { getPathForFile: (f: { name: string }) => `/real/${f.name}` },
  };
  const module = { exports: {} };
  vm.runInNewContext(code, { require: (id: string) => (id === 'electron' ? electron : (() => { throw new Error(`preload may not require ${id}`); })()), module, exports: module.exports });
  return { api: exposed.api, exposed, invoked, listeners };
}

describe('preload', () => {
  it('exposes only window.api with invoke/on/pathForFile', async () => {
    const { exposed, api } = await loadPreload();
    expect(Object.keys(exposed)).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on', 'pathForFile']);
    expect(api.pathForFile({ name: 'a.mp3' })).toBe('/real/a.mp3');
  });

  it('forwards allowlisted channels and refuses others without touching ipcRenderer', async () => {
    const { api, invoked } = await loadPreload();
    await expect(api.invoke('library:listTracks', { limit: 1 })).resolves.toEqual({ ok: true, value: 'from main' });
    await expect(api.invoke('shell:exec', { cmd: 'rm -rf /' })).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(invoked).toEqual([['library:listTracks', { limit: 1 }]]);
  });

  it('subscribes only to known events and unsubscribes', async () => {
    const { api, listeners } = await loadPreload();
    const got: unknown[] = [];
    const off = api.on('job:onProgress', (p: unknown) => got.push(p));
    api.on('evil:event', () => got.push('no'));
    expect([...listeners.keys()]).toEqual(['job:onProgress']);
    for (const l of listeners.get('job:onProgress')!) l({ sender: 'hidden' }, { done: 1 });
    expect(got).toEqual([{ done: 1 }]); // the IPC event object never reaches the page
    off();
    expect(listeners.get('job:onProgress')!.size).toBe(0);
  });
});
