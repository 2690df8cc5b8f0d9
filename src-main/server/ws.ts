/**
 * The browser mode's WebSocket transport: JSON frames `{id, channel, payload}` are handed to the
 * Studio's dispatcher and answered with `{id, envelope}`; push events from the bus go out as
 * `{event, payload}` to every authenticated socket. Oversized frames close the socket (1009),
 * malformed frames get an error envelope; nothing a client sends can crash the server.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_PAYLOAD_CHARS } from '../ipc/dispatch';
import { err } from '../../src-shared/ipc/envelope';
import type { Studio } from '../services/studio-types';
import { log } from '../log';

/** Largest frame accepted (bytes): the dispatcher's payload bound plus room for the frame. */
export const MAX_FRAME_BYTES = MAX_PAYLOAD_CHARS + 64 * 1024;
/** Events are dropped for a socket whose send buffer is this full (a stalled tab). */
const MAX_BUFFERED = 16 * 1024 * 1024;

export function createSocketServer(studio: Studio, opts: { maxFrameBytes?: number } = {}): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxFrameBytes ?? MAX_FRAME_BYTES, perMessageDeflate: false });
  const unsubscribe = studio.bus.subscribe((event, payload) => {
    const frame = JSON.stringify({ event, payload });
    for (const ws of wss.clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_BUFFERED) ws.send(frame);
    }
  });
  wss.on('close', unsubscribe);

  const alive = new WeakMap<WebSocket, boolean>();
  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) ws.terminate();
      else {
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, 30_000);
  ping.unref();
  wss.on('close', () => clearInterval(ping));

  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (e) => log.warn('websocket error', e.message));
    ws.on('message', (data, isBinary) => {
      void handleFrame(ws, studio, isBinary ? null : data.toString('utf8'));
    });
  });
  return wss;
}

async function handleFrame(ws: WebSocket, studio: Studio, text: string | null): Promise<void> {
  const reply = (id: unknown, envelope: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, envelope }));
  };
  if (text === null) return reply(null, err('VALIDATION_FAILED', 'Expected a JSON text frame {id, channel, payload}, got a binary frame'));
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return reply(null, err('VALIDATION_FAILED', `Frame is not valid JSON (${e instanceof Error ? e.message : 'parse error'}); expected {id, channel, payload}`));
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    return reply(null, err('VALIDATION_FAILED', 'Expected a JSON object {id, channel, payload}'));
  }
  const { id, channel, payload } = msg as { id?: unknown; channel?: unknown; payload?: unknown };
  const safeId = typeof id === 'number' && Number.isSafeInteger(id) ? id : typeof id === 'string' && id.length <= 64 ? id : null;
  if (safeId === null) return reply(null, err('VALIDATION_FAILED', 'Frame needs an id (integer or string of at most 64 characters)'));
  if (typeof channel !== 'string') return reply(safeId, err('VALIDATION_FAILED', 'Frame needs a channel name string'));
  try {
    const envelope = await studio.dispatch(channel, payload, { transport: 'websocket' });
    reply(safeId, envelope);
  } catch (e) {
    // The dispatcher never throws by contract; this guards against a broken one.
    log.error(`dispatch of ${channel} threw`, e);
    reply(safeId, err('INTERNAL', `Dispatch of ${channel} failed unexpectedly`));
  }
}
