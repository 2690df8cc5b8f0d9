import { describe, expect, it } from 'vitest';
import { EventBus } from '../ipc/events';
import { attachTaskbarProgress, TaskbarProgress } from './taskbar';

describe('TaskbarProgress', () => {
  it('sums running jobs, goes indeterminate without totals, clears when all finish', () => {
    const t = new TaskbarProgress();
    expect(t.update({ jobId: 'a', kind: 'import', state: 'running', done: 1, total: 4 })).toEqual({ mode: 'normal', fraction: 0.25 });
    expect(t.update({ jobId: 'b', kind: 'analyze', state: 'running', done: 3, total: 4 })).toEqual({ mode: 'normal', fraction: 0.5 });
    expect(t.update({ jobId: 'c', kind: 'train', state: 'running', done: 0, total: null })).toEqual({ mode: 'indeterminate' });
    expect(t.update({ jobId: 'c', kind: 'train', state: 'done', done: 5, total: 5 })).toEqual({ mode: 'normal', fraction: 0.5 });
    t.update({ jobId: 'a', kind: 'import', state: 'cancelled', done: 1, total: 4 });
    expect(t.update({ jobId: 'b', kind: 'analyze', state: 'failed', done: 3, total: 4 })).toEqual({ mode: 'none' });
  });

  it('drives a window progress bar from bus events', () => {
    const bus = new EventBus();
    const calls: unknown[] = [];
    attachTaskbarProgress(bus, { setProgressBar: (v, o) => calls.push(o ? [v, o.mode] : v), isDestroyed: () => false });
    bus.emit('job:onProgress', { jobId: 'a', kind: 'import', state: 'running', done: 1, total: 2 });
    bus.emit('job:onProgress', { jobId: 'a', kind: 'import', state: 'done', done: 2, total: 2 });
    expect(calls).toEqual([0.5, -1]);
  });
});
