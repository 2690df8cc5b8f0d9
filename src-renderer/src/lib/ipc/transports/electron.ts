/** Transport over the preload's `window.api` (contextBridge; allowlisted channels only). */
import type { Channel, EventName } from '../../../../../src-shared/ipc/channels';
import type { Envelope } from '../../../../../src-shared/ipc/envelope';
import type { Transport } from '../client';

/** The shape src-main/preload/index.ts exposes as `window.api`. */
export interface PreloadApi {
  invoke(channel: string, payload: unknown): Promise<Envelope<unknown>>;
  on(event: string, cb: (payload: unknown) => void): () => void;
  /** Real filesystem path of a dropped File (Electron `webUtils.getPathForFile`), '' when unknown. */
  pathForFile?(file: File): string;
}

export function getPreloadApi(): PreloadApi | null {
  const api = (globalThis as { api?: PreloadApi }).api;
  return api && typeof api.invoke === 'function' && typeof api.on === 'function' ? api : null;
}

export function electronTransport(api: PreloadApi): Transport {
  return {
    kind: 'electron',
    invoke: (channel: Channel, payload: unknown) => api.invoke(channel, payload),
    on: (event: EventName, cb: (payload: unknown) => void) => api.on(event, cb),
  };
}
