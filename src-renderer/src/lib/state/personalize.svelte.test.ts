import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { PersonalizeReport, PersonalizeStatus } from '../../../../src-shared/ipc/contract/personalize';
import { err, ok, type Envelope } from '../../../../src-shared/ipc/envelope';
import { setClient } from '../ipc';
import { createClient } from '../ipc/client';
import { memoryTransport } from '../ipc/transports/memory';
import { getMood } from './mood.svelte';
import { getPlayer } from './player.svelte';
import { PersonalizeState } from './personalize.svelte';

const REPORT: PersonalizeReport = {
  sessions: 2,
  adaptSteps: 60,
  heldOutSteps: 20,
  before: { rmse: 0.5, rmseA: 0.6, rmseV: 0.4 },
  after: { rmse: 0.25, rmseA: 0.3, rmseV: 0.2 },
  sessionIds: [1, 2],
};

/** A scripted main process: one profile whose run can be held open, cancelled or refused. */
function fakeMain(report: PersonalizeReport = REPORT) {
  let model = false;
  let backup = false;
  const calls: { channel: string; payload: any }[] = [];
  let release: ((outcome: 'ok' | 'cancel') => void) | null = null;
  const status = (): PersonalizeStatus => ({
    profileId: 7,
    modelVersion: 'v0',
    hasPersonalModel: model,
    createdAt: model ? '2026-01-01T00:00:00.000Z' : null,
    lastReport: model ? report : null,
    sessionsUsed: 2,
    sessionsExcluded: 0,
    canUndoReset: backup,
    runningJobId: null,
  });
  const t = memoryTransport({
    dispatch: async (channel, payload: any): Promise<Envelope<unknown>> => {
      calls.push({ channel, payload });
      if (channel === 'personalize:status') return ok(status());
      if (channel === 'profiles:list') return ok([{ id: 7, name: 'Eve', createdAt: '2026-01-01T00:00:00Z', hasPersonalModel: model }]);
      if (channel === 'personalize:run') {
        const outcome = await new Promise<'ok' | 'cancel'>((r) => (release = r));
        if (outcome === 'cancel') return err('CANCELLED', 'Personalization was cancelled');
        model = true;
        backup = false;
        return ok({ profileId: 7, modelVersion: 'v0', createdAt: '2026-01-01T00:00:00.000Z', report, requeued: [3, 4] });
      }
      if (channel === 'job:cancel') {
        release?.('cancel');
        return ok({ cancelled: true });
      }
      if (channel === 'personalize:reset') {
        const had = model;
        model = false;
        backup = had;
        return ok({ profileId: 7, removedModels: had ? 1 : 0, removedPredictions: had ? 2 : 0 });
      }
      if (channel === 'personalize:undoReset') {
        if (!backup) return err('NOT_FOUND', 'Profile "Eve" has no reset personal model to restore');
        model = true;
        backup = false;
        return ok({ profileId: 7, restoredModels: 1, requeued: [3] });
      }
      if (channel === 'mood:points') return err('INTERNAL', 'not in this test');
      return err('UNKNOWN_CHANNEL', channel);
    },
  });
  return { t, calls, release: (o: 'ok' | 'cancel') => release?.(o) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('PersonalizeState', () => {
  it('runs with progress of its own job only, shows the report, switches overlay+map, resets and undoes', async () => {
    const m = fakeMain();
    setClient(createClient(m.t));
    const p = new PersonalizeState(createClient(m.t));
    await p.load(7);
    expect(p.status).toMatchObject({ hasPersonalModel: false });
    expect(p.report).toBeNull();

    const done = p.run();
    await tick();
    expect(p.running).toBe(true);
    const jobId = m.calls.find((c) => c.channel === 'personalize:run')!.payload.jobId as string;
    expect(jobId).toMatch(/^[A-Za-z0-9_-]+$/);
    m.t.emit('job:onProgress', { jobId: 'other', kind: 'personalize', state: 'running', done: 9, total: 9 });
    m.t.emit('job:onProgress', { jobId, kind: 'personalize', state: 'running', done: 2, total: 4, message: 'adapting the model' });
    flushSync();
    expect(p.progress).toMatchObject({ done: 2, total: 4, message: 'adapting the model' });
    m.release('ok');
    await done;
    expect(p.running).toBe(false);
    expect(p.progress).toBeNull();
    expect(p.report).toEqual(REPORT);
    expect(p.status).toMatchObject({ hasPersonalModel: true });
    expect(p.notice).toMatch(/2 track curve/);
    expect(p.notice).not.toMatch(/worse/);
    expect(p.personalWorse).toBe(false);
    // The player's profile list was refreshed (the Listen select shows "(personal model)").
    expect(getPlayer().profiles[0]!.hasPersonalModel).toBe(true);

    // The switch: both the Listen overlay and the Mood map follow the profile.
    expect(p.personalShown).toBe(false);
    await p.showPersonal(true);
    expect([getPlayer().profileId, getMood().profileId]).toEqual([7, 7]);
    expect(p.personalShown).toBe(true);

    await p.reset();
    expect(p.status).toMatchObject({ hasPersonalModel: false, canUndoReset: true });
    expect(p.report).toBeNull();
    expect([getPlayer().profileId, getMood().profileId]).toEqual([null, null]);
    await p.undoReset();
    expect(p.status).toMatchObject({ hasPersonalModel: true, canUndoReset: false });
    expect(p.report).toEqual(REPORT);
    await p.undoReset();
    expect(p.error).toMatch(/no reset personal model to restore/);
  });

  it('says so when the personal model is worse than the base model on the held-out annotations', async () => {
    const m = fakeMain({ ...REPORT, after: { rmse: 0.55, rmseA: 0.6, rmseV: 0.5 } });
    setClient(createClient(m.t));
    const p = new PersonalizeState(createClient(m.t));
    await p.load(7);
    const done = p.run();
    await tick();
    m.release('ok');
    await done;
    expect(p.personalWorse).toBe(true);
    expect(p.notice).toMatch(/worse than the base model on your held-out annotations \(RMSE 0\.550 vs 0\.500\)/);
    expect(p.personalShown).toBe(false);
  });

  it('a refused run keeps its error visible after the status reload', async () => {
    const t = memoryTransport({
      dispatch: async (c) =>
        c === 'personalize:run'
          ? err('VALIDATION_FAILED', 'Personalization needs at least one annotated session; profile "Eve" has none')
          : c === 'personalize:status'
            ? ok({ profileId: 7, modelVersion: 'v0', hasPersonalModel: false, createdAt: null, lastReport: null, sessionsUsed: 0, sessionsExcluded: 0, canUndoReset: false, runningJobId: null })
            : err('UNKNOWN_CHANNEL', c),
    });
    const p = new PersonalizeState(createClient(t));
    await p.load(7);
    await p.run();
    expect(p.error).toBe('Personalization failed: Personalization needs at least one annotated session; profile "Eve" has none');
    expect(p.running).toBe(false);
  });

  it('follows a run started elsewhere (status.runningJobId): busy, its progress, reload when it ends', async () => {
    let running: string | null = 'job-elsewhere';
    const t = memoryTransport({
      dispatch: async (c) =>
        c === 'personalize:status'
          ? ok({ profileId: 7, modelVersion: 'v0', hasPersonalModel: running === null, createdAt: null, lastReport: null, sessionsUsed: 1, sessionsExcluded: 0, canUndoReset: false, runningJobId: running })
          : err('UNKNOWN_CHANNEL', c),
    });
    const p = new PersonalizeState(createClient(t));
    await p.load(7);
    expect(p.busy).toBe(true);
    expect(p.progress).toMatchObject({ jobId: 'job-elsewhere', total: null });
    t.emit('job:onProgress', { jobId: 'job-elsewhere', kind: 'personalize', state: 'running', done: 1, total: 3 });
    flushSync();
    expect(p.progress).toMatchObject({ done: 1, total: 3 });
    running = null;
    t.emit('job:onProgress', { jobId: 'job-elsewhere', kind: 'personalize', state: 'done', done: 3, total: 3 });
    await tick();
    await tick();
    expect(p.busy).toBe(false);
    expect(p.progress).toBeNull();
    expect(p.status).toMatchObject({ hasPersonalModel: true });
  });

  it('cancel: says nothing changed, no error', async () => {
    const m = fakeMain();
    setClient(createClient(m.t));
    const p = new PersonalizeState(createClient(m.t));
    await p.load(7);
    const done = p.run();
    await tick();
    await p.cancel();
    await done;
    expect(m.calls.some((c) => c.channel === 'job:cancel')).toBe(true);
    expect(p.error).toBeNull();
    expect(p.notice).toMatch(/cancelled; nothing was changed/);
    expect(p.status).toMatchObject({ hasPersonalModel: false });
  });
});
