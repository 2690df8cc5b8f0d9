/**
 * Browser-mode transport: one WebSocket to src-main/server (`/ws?token=...`), JSON frames
 * `{id, channel, payload}` -> `{id, envelope}` and pushed `{event, payload}`.
 * Connects lazily, reconnects with exponential backoff, and fails pending calls with a clear
 * IO_FAILED envelope when the connection drops (the server may have been restarted).
 */
import type { Channel, EventName } from '../../../../../src-shared/ipc/channels';
import { err, type Envelope } from '../../../../../src-shared/ipc/envelope';
import type { ConnectionStatus, Transport } from '../client';

export interface WebSocketTransportOptions {
  /** Full ws:// or wss:// URL including `?token=`. */
  url: string;
  /** Injected in tests; defaults to the global WebSocket. */
  WebSocketImpl?: typeof WebSocket;
  /** First reconnect delay (doubles up to maxDelayMs). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Pending {
  channel: Channel;
  resolve: (e: Envelope<unknown>) => void;
}

/** Builds the socket URL for the page the renderer was served from. */
export function socketUrlFromLocation(loc: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  // Without a token in the URL the HttpOnly session cookie set on first load authenticates.
  return `${proto}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export function websocketTransport(opts: WebSocketTransportOptions): Transport & { close(): void } {
  const WS = opts.WebSocketImpl ?? WebSocket;
  const base = opts.baseDelayMs ?? 250;
  const max = opts.maxDelayMs ?? 10_000;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  let ws: WebSocket | null = null;
  let status: ConnectionStatus = 'closed';
  let nextId = 1;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closedByUser = false;

  const setStatus = (s: ConnectionStatus) => {
    if (s === status) return;
    status = s;
    for (const cb of statusListeners) cb(s);
  };

  const failPending = (why: string) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve(err('IO_FAILED', `Connection to the studio server was lost before ${p.channel} answered (${why}); it reconnects by itself, try again.`));
    }
    queue.length = 0;
  };

  const scheduleReconnect = () => {
    if (closedByUser || timer) return;
    const delay = Math.min(max, base * 2 ** attempt);
    attempt++;
    timer = setTimeout(() => {
      timer = null;
      connect();
    }, delay);
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let msg: { id?: unknown; envelope?: Envelope<unknown>; event?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof msg.id === 'number' && msg.envelope) {
      const p = pending.get(msg.id);
      if (p) {
        pending.delete(msg.id);
        p.resolve(msg.envelope);
      }
    } else if (typeof msg.event === 'string') {
      for (const cb of listeners.get(msg.event) ?? []) {
        try {
          cb(msg.payload);
        } catch (e) {
          console.error(`listener for ${msg.event} failed`, e);
        }
      }
    }
  };

  function connect(): void {
    if (ws || closedByUser) return;
    setStatus('connecting');
    let sock: WebSocket;
    try {
      sock = new WS(opts.url);
    } catch {
      setStatus('closed');
      scheduleReconnect();
      return;
    }
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      setStatus('open');
      for (const frame of queue.splice(0)) sock.send(frame);
    };
    sock.onmessage = (ev) => onMessage(ev.data);
    sock.onclose = (ev) => {
      if (ws === sock) ws = null;
      setStatus('closed');
      failPending(ev.code === 1009 ? 'the request was too large' : `code ${ev.code}`);
      scheduleReconnect();
    };
    sock.onerror = () => {
      // onclose follows; nothing else to do.
    };
  }

  return {
    kind: 'websocket',
    invoke(channel: Channel, payload: unknown) {
      return new Promise<Envelope<unknown>>((resolve) => {
        const id = nextId++;
        let frame: string;
        try {
          frame = JSON.stringify({ id, channel, payload: payload === undefined ? {} : payload });
        } catch (e) {
          resolve(err('VALIDATION_FAILED', `Input for ${channel} cannot be sent as JSON: ${e instanceof Error ? e.message : String(e)}`));
          return;
        }
        pending.set(id, { channel, resolve });
        if (ws && ws.readyState === WS.OPEN) ws.send(frame);
        else {
          queue.push(frame);
          if (timer) {
            // A call while waiting for backoff: try now instead.
            clearTimeout(timer);
            timer = null;
          }
          connect();
        }
      });
    },
    on(event: EventName, cb: (payload: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
      connect();
      return () => set.delete(cb);
    },
    onStatus(cb) {
      statusListeners.add(cb);
      cb(status);
      return () => statusListeners.delete(cb);
    },
    close() {
      closedByUser = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const sock = ws;
      ws = null;
      failPending('closed by the page');
      sock?.close();
      setStatus('closed');
    },
  };
}
