/**
 * Analysis wired into the studio (composition root + dispatcher, as every transport uses it):
 * background analysis after import when the studio option is on, progress events, the model
 * channels' contracts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackgroundStatus, Curve, CurveChunk, CurveSummary, ModelInfo } from '../../src-shared/ipc/contract/model';
import type { JobProgress } from '../../src-shared/domain/job';
import { chirp, writeWav } from '../fixtures/audio';
import { tmpStudio, useTmpDir } from '../helpers/tmp-db';

const t = useTmpDir('pdmer-analysis-studio-');
const ctx = { transport: 'memory' as const };

describe('analysis in the studio', () => {
  it('analyses imported tracks in the background (option on), with progress, curves and summaries over IPC', async () => {
    const studio = t.track(await tmpStudio(t.dir, { backgroundAnalysis: true }));
    const events: Array<{ name: string; payload: unknown }> = [];
    studio.bus.subscribe((name, payload) => events.push({ name, payload }));
    const a = writeWav(path.join(t.dir, 'music', 'a.wav'), [chirp(200, 1_500, 20, 22_050)], 22_050);
    const b = writeWav(path.join(t.dir, 'music', 'b.wav'), [chirp(900, 300, 25, 22_050)], 22_050);

    const done = new Promise<void>((resolve) => {
      const off = studio.bus.subscribe((name, payload) => {
        const p = payload as { reason?: string; trackIds?: number[] };
        if (name === 'library:onChanged' && p.reason === 'analysis') {
          const analysed = new Set(events.filter((e) => e.name === 'model:onCurve' && (e.payload as CurveChunk).complete).map((e) => (e.payload as CurveChunk).trackId));
          if (analysed.size === 2) {
            off();
            resolve();
          }
        }
      });
    });
    const imp = await studio.dispatch('library:import', { paths: [path.join(t.dir, 'music')] }, ctx);
    expect(imp.ok).toBe(true);
    await done;

    const status = await studio.dispatch('model:backgroundStatus', {}, ctx);
    expect(status.ok).toBe(true);
    const s = (status as { value: BackgroundStatus }).value;
    expect(s).toMatchObject({ enabled: true, paused: false, queued: 0, analysed: 2, unanalysed: 0 });
    const jobs = events.filter((e) => e.name === 'job:onProgress' && (e.payload as JobProgress).jobId === 'analysis-background');
    expect(jobs.length).toBeGreaterThan(0);
    expect((jobs.at(-1)!.payload as JobProgress).state).toBe('done');

    const curve = await studio.dispatch('model:getCurve', { trackId: 1 }, ctx);
    expect(curve.ok).toBe(true);
    const c = (curve as { value: Curve }).value;
    expect(c.status).toBe('complete');
    expect(c.arousal.length).toBe(c.totalSteps);
    expect([40, 50]).toContain(c.arousal.length);
    expect(c.model).toMatchObject({ name: 'dsaml-compact-v1', trained: true });

    const sums = await studio.dispatch('model:getSummaries', { trackIds: [1, 2, 3], points: 8 }, ctx);
    expect(sums.ok).toBe(true);
    const list = (sums as { value: CurveSummary[] }).value;
    expect(list.map((x) => x.trackId).sort()).toEqual([1, 2]);
    expect(list.every((x) => x.arousal.length === 8 && Number.isFinite(x.meanValence))).toBe(true);

    // The library list shows the means now.
    const page = await studio.dispatch('library:listTracks', {}, ctx);
    expect((page as { value: { tracks: Array<{ meanValence: number | null }> } }).value.tracks.every((x) => x.meanValence !== null)).toBe(true);

    const info = await studio.dispatch('model:info', {}, ctx);
    expect((info as { value: ModelInfo }).value).toMatchObject({ state: 'ready', config: 'compact' });

    // Bad input never reaches the service.
    const bad = await studio.dispatch('model:getCurve', { trackId: -1 }, ctx);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const missing = await studio.dispatch('model:getCurve', { trackId: 99 }, ctx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('does not analyse in the background when the option is off', async () => {
    const studio = t.track(await tmpStudio(t.dir));
    writeWav(path.join(t.dir, 'm2', 'c.wav'), [chirp(200, 1_500, 5, 22_050)], 22_050);
    await studio.dispatch('library:import', { paths: [path.join(t.dir, 'm2')] }, ctx);
    const status = await studio.dispatch('model:backgroundStatus', {}, ctx);
    expect((status as { value: BackgroundStatus }).value).toMatchObject({ enabled: false, queued: 0, current: null });
    const c = await studio.dispatch('model:getCurve', { trackId: 1 }, ctx);
    expect((c as { value: Curve }).value.status).toBe('none');
  });
});
