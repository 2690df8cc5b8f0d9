/**
 * Electron transport (B4): `ipcMain.handle` for every contract channel, behind a sender guard
 * modelled on VS Code's `validateEvent`, always resolving with an envelope (Electron strips
 * everything but `message` from thrown errors, electron/electron#24427). Push events go to the
 * window with `webContents.send` after contract validation (the EventBus does that).
 *
 * Written against the structural types in app/electron-api.ts so it runs under Vitest with
 * fakes; src-main/app passes the real `ipcMain` and window.
 */
import { CHANNELS } from '../../src-shared/ipc/channels';
import { err, type Envelope } from '../../src-shared/ipc/envelope';
import type { InvokeEventLike, IpcMainLike, WebContentsLike } from '../app/electron-api';
import { log } from '../log';
import type { Dispatcher } from './dispatch';
import type { EventBus } from './events';

/** The renderer's origin in Electron (served by the `studio://` protocol in app/protocols.ts). */
export const RENDERER_ORIGIN = 'studio://app';

/**
 * True when the event comes from the main frame of a page of our own origin (not an iframe,
 * not a navigated-away or foreign page).
 * @param allowedOrigins e.g. ['studio://app'] plus the dev server origin in development
 */
export function isTrustedSender(event: InvokeEventLike, allowedOrigins: readonly string[] = [RENDERER_ORIGIN]): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  let origin: string;
  try {
    const u = new URL(frame.url);
    // Custom schemes have an opaque URL.origin ("null"): rebuild it from protocol + host.
    origin = `${u.protocol}//${u.host}`;
  } catch {
    return false;
  }
  return allowedOrigins.includes(origin);
}

export interface ElectronTransportOptions {
  allowedOrigins?: readonly string[];
}

/**
 * Registers one `ipcMain.handle` per channel.
 * @returns a function that removes every handler (window teardown, tests)
 */
export function registerElectronTransport(ipcMain: IpcMainLike, dispatch: Dispatcher, opts: ElectronTransportOptions = {}): () => void {
  const allowed = opts.allowedOrigins ?? [RENDERER_ORIGIN];
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event, allowed)) {
        log.warn(`refused ${channel} from an untrusted frame (${event.senderFrame?.url ?? 'no frame'})`);
        return err('FORBIDDEN', `${channel} may only be called from the studio's own window`);
      }
      try {
        return await dispatch(channel, payload, { transport: 'electron' });
      } catch (e) {
        // The dispatcher never throws by contract; never let a rejection cross the bridge.
        log.error(`dispatch of ${channel} threw`, e);
        return err('INTERNAL', `Dispatch of ${channel} failed unexpectedly`);
      }
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

/**
 * Forwards every bus event to one window until it is destroyed.
 * @returns unsubscribe
 */
export function forwardEvents(bus: EventBus, contents: Pick<WebContentsLike, 'send' | 'isDestroyed'>): () => void {
  const off = bus.subscribe((event, payload) => {
    if (contents.isDestroyed()) {
      off();
      return;
    }
    contents.send(event, payload);
  });
  return off;
}
