import { describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers } from './dispatch';
import { AppError } from '../../src-shared/ipc/envelope';
import { CHANNELS } from '../../src-shared/ipc/channels';

function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const notUsed = async () => {
    throw new Error('not used in this test');
  };
  const base = Object.fromEntries(CHANNELS.map((c) => [c, notUsed])) as unknown as Handlers;
  return { ...base, ...overrides };
}

describe('createDispatcher', () => {
  const ctx = { transport: 'memory' as const };

  it('rejects unknown channels', async () => {
    const d = createDispatcher(fakeHandlers());
    const r = await d('nope:nothing', {}, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('validates input: wrong types, extra keys and huge strings are refused before the handler runs', async () => {
    let called = 0;
    const d = createDispatcher(
      fakeHandlers({
        'profiles:create': async (input) => {
          called++;
          return { id: 1, name: input.name, createdAt: 'x', hasPersonalModel: false };
        },
      }),
    );
    expect(await d('profiles:create', { name: 42 }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await d('profiles:create', { name: 'a', extra: true }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await d('profiles:create', { name: 'x'.repeat(1_000_000) }, ctx)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(called).toBe(0);
    const good = await d('profiles:create', { name: '  Ana  ' }, ctx);
    expect(good).toEqual({ ok: true, value: { id: 1, name: 'Ana', createdAt: 'x', hasPersonalModel: false } });
  });

  it('turns AppError into its code and unknown errors into INTERNAL without a stack', async () => {
    const d = createDispatcher(
      fakeHandlers({
        'library:getTrack': async () => {
          throw new AppError('NOT_FOUND', 'No track with id 7');
        },
        'profiles:list': async () => {
          throw new TypeError('boom');
        },
      }),
    );
    expect(await d('library:getTrack', { id: 7 }, ctx)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No track with id 7' } });
    const r = await d('profiles:list', {}, ctx);
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('catches handler output that breaks the contract', async () => {
    const d = createDispatcher(fakeHandlers({ 'profiles:list': async () => [{ id: 'x' }] as never }), { checkOutputs: true });
    expect(await d('profiles:list', {}, ctx)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});
