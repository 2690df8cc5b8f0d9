import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src-shared/ipc/channels';
import { ok } from '../../src-shared/ipc/envelope';
import type { InvokeEventLike, IpcMainLike } from '../app/electron-api';
import type { Dispatcher } from './dispatch';
import { EventBus } from './events';
import { forwardEvents, isTrustedSender, registerElectronTransport } from './electron-transport';

/** A fake ipcMain recording handlers (electron-trpc style). */
function fakeIpcMain() {
  const handlers = new Map<string, (e: InvokeEventLike, ...a: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (c, l) => {
      if (handlers.has(c)) throw new Error(`second handler for ${c}`);
      handlers.set(c, l);
    },
    removeHandler: (c) => handlers.delete(c),
  };
  return { ipc, handlers };
}
const ev = (url: string, parent: unknown = null): InvokeEventLike => ({ sender: { id: 1 }, senderFrame: { url, parent } });

describe('sender guard', () => {
  it('accepts only the main frame of our own origin', () => {
    expect(isTrustedSender(ev('studio://app/index.html#/library'))).toBe(true);
    expect(isTrustedSender(ev('studio://app/index.html', {}))).toBe(false); // iframe
    expect(isTrustedSender(ev('https://evil.example/'))).toBe(false);
    expect(isTrustedSender(ev('studio://other/index.html'))).toBe(false);
    expect(isTrustedSender(ev('file:///tmp/x.html'))).toBe(false);
    expect(isTrustedSender(ev('not a url'))).toBe(false);
    expect(isTrustedSender({ sender: { id: 1 }, senderFrame: null })).toBe(false);
    expect(isTrustedSender(ev('http://127.0.0.1:5173/'), ['http://127.0.0.1:5173'])).toBe(true);
  });
});

describe('registerElectronTransport', () => {
  it('handles every contract channel and always resolves an envelope', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const seen: unknown[] = [];
    const dispatch: Dispatcher = async (channel, raw, ctx) => {
      seen.push([channel, raw, ctx.transport]);
      if (channel === 'app:info') throw new Error('boom');
      return ok('fine');
    };
    const off = registerElectronTransport(ipc, dispatch);
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS].sort());

    await expect(handlers.get('profiles:list')!(ev('studio://app/index.html'), {})).resolves.toEqual({ ok: true, value: 'fine' });
    expect(seen).toEqual([['profiles:list', {}, 'electron']]);

    const forbidden = await handlers.get('library:import')!(ev('https://evil.example/'), { paths: ['/etc'] });
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(seen).toHaveLength(1); // the dispatcher never saw the foreign call

    await expect(handlers.get('app:info')!(ev('studio://app/'), {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    off();
    expect(handlers.size).toBe(0);
  });
});

describe('forwardEvents', () => {
  it('sends validated bus events to the window until it is destroyed', () => {
    const bus = new EventBus();
    const sent: unknown[] = [];
    let destroyed = false;
    forwardEvents(bus, { send: (c, p) => sent.push([c, p]), isDestroyed: () => destroyed });
    bus.emit('library:onChanged', { reason: 'import' });
    bus.emit('library:onChanged', { reason: 'bogus' } as never); // breaks the contract: dropped by the bus
    destroyed = true;
    bus.emit('library:onChanged', { reason: 'remove' });
    expect(sent).toEqual([['library:onChanged', { reason: 'import' }]]);
  });
});
