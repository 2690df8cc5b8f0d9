import { describe, expect, it } from 'vitest';
import { err, ok } from '../../../../src-shared/ipc/envelope';
import { createClient, IpcError } from './client';
import { memoryTransport } from './transports/memory';
import { socketUrlFromLocation, websocketTransport } from './transports/websocket';

describe('createClient', () => {
  it('unwraps ok envelopes and throws IpcError with the code of error envelopes', async () => {
    const t = memoryTransport({
      dispatch: async (channel) => (channel === 'profiles:list' ? ok([]) : err('NOT_FOUND', 'no such track 7')),
    });
    const c = createClient(t);
    await expect(c.call('profiles:list', {})).resolves.toEqual([]);
    const e = await c.call('library:getTrack', { id: 7 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcError);
    expect((e as IpcError).code).toBe('NOT_FOUND');
    expect((e as IpcError).message).toBe('no such track 7');
  });

  it('turns a non-envelope answer into INTERNAL instead of returning garbage', async () => {
    const c = createClient(memoryTransport({ dispatch: async () => 'nonsense' as never }));
    await expect(c.call('profiles:list', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('delivers events to subscribers until they unsubscribe', () => {
    const t = memoryTransport({ dispatch: async () => ok(null) });
    const c = createClient(t);
    const seen: unknown[] = [];
    const off = c.on('library:onChanged', (p) => seen.push(p.reason));
    t.emit('library:onChanged', { reason: 'import' });
    off();
    t.emit('library:onChanged', { reason: 'remove' });
    expect(seen).toEqual(['import']);
  });
});

/** A scripted fake WebSocket (no network in unit tests). */
class FakeSocket {
  static OPEN = 1;
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.instances.push(this);
  }
  send(s: string) {
    this.sent.push(s);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('websocketTransport', () => {
  it('builds the socket URL with the page token', () => {
    expect(socketUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=ab%2Bc' })).toBe('ws://127.0.0.1:5000/ws?token=ab%2Bc');
    expect(socketUrlFromLocation({ protocol: 'https:', host: 'h:1', search: '' })).toBe('wss://h:1/ws');
  });

  it('queues calls until open, matches answers by id, fails pending calls on disconnect, and reconnects', async () => {
    FakeSocket.instances = [];
    const t = websocketTransport({ url: 'ws://x/ws?token=t', WebSocketImpl: FakeSocket as unknown as typeof WebSocket, baseDelayMs: 1, maxDelayMs: 2 });
    const c = createClient(t);
    const p1 = c.call('profiles:list', {});
    const s1 = FakeSocket.instances[0]!;
    expect(s1.sent).toEqual([]);
    s1.open();
    const frame = JSON.parse(s1.sent[0]!);
    expect(frame).toMatchObject({ channel: 'profiles:list', payload: {} });
    s1.onmessage?.({ data: JSON.stringify({ id: frame.id, envelope: ok([{ id: 1, name: 'me', createdAt: 'x', hasPersonalModel: false }]) }) });
    await expect(p1).resolves.toHaveLength(1);

    const events: unknown[] = [];
    c.on('job:onProgress', (p) => events.push(p.done));
    s1.onmessage?.({ data: JSON.stringify({ event: 'job:onProgress', payload: { jobId: 'j', kind: 'import', state: 'running', done: 3, total: 9 } }) });
    s1.onmessage?.({ data: 'not json' });
    expect(events).toEqual([3]);

    const p2 = c.call('app:info', {});
    s1.drop();
    const e = await p2.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpcError);
    expect((e as IpcError).code).toBe('IO_FAILED');
    expect((e as IpcError).message).toMatch(/lost before app:info answered/);

    await new Promise((r) => setTimeout(r, 20));
    expect(FakeSocket.instances.length).toBe(2);
    t.close();
  });
});
