/**
 * The app-wide client singleton. Picks the Electron preload bridge when present, otherwise the
 * browser-mode WebSocket. Tests call `setClient()` with a memory transport before using state.
 */
import { createClient, type Client } from './client';
import { electronTransport, getPreloadApi } from './transports/electron';
import { socketUrlFromLocation, websocketTransport } from './transports/websocket';

let current: Client | null = null;

export function getClient(): Client {
  if (!current) {
    const api = getPreloadApi();
    current = createClient(api ? electronTransport(api) : websocketTransport({ url: socketUrlFromLocation(location) }));
  }
  return current;
}

/** Replace the client (tests, or a reconnect to another server). */
export function setClient(c: Client): void {
  current = c;
}

export { IpcError, createClient, type Client, type Transport } from './client';
export { mediaUrl, coverUrl } from './media';
