import { afterEach, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../src-shared/domain/job';
import { AppError } from '../../src-shared/ipc/envelope';
import { openDatabase } from '../db/open';
import type { WritableDB } from '../db/types';
import { EventBus } from '../ipc/events';
import { JobsService } from './jobs.service';

let db: WritableDB | undefined;
afterEach(() => db?.close());

function setup() {
  db = openDatabase(':memory:');
  const bus = new EventBus();
  const events: JobProgress[] = [];
  bus.subscribe((name, p) => {
    if (name === 'job:onProgress') events.push(p as JobProgress);
  });
  return { jobs: new JobsService(db, bus), events };
}

describe('JobsService', () => {
  it('runs a task, emits first and final progress, persists the result', async () => {
    const { jobs, events } = setup();
    const out = await jobs.run('import', { jobId: 'a', total: 3 }, async (job) => {
      for (let i = 1; i <= 3; i++) job.progress(i, 3, `step ${i}`);
      return 42;
    });
    expect(out).toBe(42);
    expect(events[0]).toMatchObject({ jobId: 'a', state: 'running', done: 0, total: 3 });
    expect(events.at(-1)).toMatchObject({ jobId: 'a', state: 'done', done: 3, total: 3, message: 'step 3' });
    expect(jobs.get('a')).toMatchObject({ state: 'done', done: 3 });
    expect(jobs.list()[0]?.jobId).toBe('a');
  });

  it('cancel aborts the signal; a task that throws CANCELLED ends as cancelled', async () => {
    const { jobs } = setup();
    const p = jobs.run('analyze', { jobId: 'b' }, async (job) => {
      await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve()));
      job.throwIfCancelled();
      return 'unreachable';
    });
    expect(jobs.get('b')?.state).toBe('running');
    expect(jobs.cancel('b')).toBe(true);
    expect(jobs.cancel('b')).toBe(false);
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(jobs.get('b')?.state).toBe('cancelled');
    expect(jobs.cancel('nope')).toBe(false);
  });

  it('a failing task is recorded as failed with its message; duplicate running ids conflict', async () => {
    const { jobs } = setup();
    let release!: () => void;
    const running = jobs.run('train', { jobId: 'c' }, () => new Promise<void>((r) => (release = r)));
    await expect(jobs.run('train', { jobId: 'c' }, async () => undefined)).rejects.toBeInstanceOf(AppError);
    release();
    await running;
    await expect(jobs.run('train', { jobId: 'd' }, async () => Promise.reject(new Error('out of memory')))).rejects.toThrow('out of memory');
    expect(jobs.get('d')).toMatchObject({ state: 'failed', message: 'out of memory' });
  });

  it('close cancels running jobs and refuses new ones', async () => {
    const { jobs } = setup();
    const p = jobs.run('import', { jobId: 'e' }, (job) => new Promise((resolve) => job.signal.addEventListener('abort', () => resolve('partial'))));
    jobs.close();
    expect(await p).toBe('partial');
    expect(jobs.get('e')?.state).toBe('cancelled');
    await expect(jobs.run('import', {}, async () => 1)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
