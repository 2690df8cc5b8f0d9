/**
 * Taskbar / dock progress from `job:onProgress` (import, analysis, training...): the sum of all
 * running jobs, indeterminate when any of them has no total yet, cleared when none runs.
 */
import type { JobProgress } from '../../src-shared/domain/job';
import type { EventBus } from '../ipc/events';
import type { BrowserWindowLike } from './electron-api';

export type TaskbarState = { mode: 'none' } | { mode: 'indeterminate' } | { mode: 'normal'; fraction: number };

export class TaskbarProgress {
  #running = new Map<string, JobProgress>();

  /** Folds one progress event in and returns what the taskbar should show. */
  update(p: JobProgress): TaskbarState {
    if (p.state === 'running') this.#running.set(p.jobId, p);
    else this.#running.delete(p.jobId);
    return this.state();
  }

  state(): TaskbarState {
    const jobs = [...this.#running.values()];
    if (!jobs.length) return { mode: 'none' };
    if (jobs.some((j) => j.total === null || j.total === 0)) return { mode: 'indeterminate' };
    const total = jobs.reduce((n, j) => n + (j.total ?? 0), 0);
    const done = jobs.reduce((n, j) => n + Math.min(j.done, j.total ?? 0), 0);
    return { mode: 'normal', fraction: total ? done / total : 0 };
  }
}

/** Electron: value in [0,1] normal, > 1 indeterminate (Windows), < 0 removes the bar. @returns unsubscribe */
export function attachTaskbarProgress(bus: EventBus, win: Pick<BrowserWindowLike, 'setProgressBar' | 'isDestroyed'>): () => void {
  const tp = new TaskbarProgress();
  return bus.subscribe((event, payload) => {
    if (event !== 'job:onProgress' || win.isDestroyed()) return;
    const s = tp.update(payload as JobProgress);
    if (s.mode === 'none') win.setProgressBar(-1);
    else if (s.mode === 'indeterminate') win.setProgressBar(2, { mode: 'indeterminate' });
    else win.setProgressBar(s.fraction);
  });
}
