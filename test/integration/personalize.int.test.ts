/**
 * Personalization over IPC on a real temp SQLite: generated WAV tracks, a synthetic annotator
 * whose curve is the base prediction plus an offset (learnable), `personalize:run` through the
 * dispatcher (off-thread worker, job progress, cancel), the stored personal model, the error on
 * the held-out part before/after, status, the recomputed personal curves, reset, and bad inputs
 * refused with clear messages while nothing changes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../src-shared/domain/job';
import type { PersonalizeRunResult, PersonalizeStatus } from '../../src-shared/ipc/contract/personalize';
import type { Sample } from '../../src-shared/annotation/types';
import type { OpenedStudio } from '../../src-main/services/studio';
import { chirp, tone, writeWav } from '../fixtures/audio';
import { tmpStudio, useTmpDir } from '../helpers/tmp-db';

const t = useTmpDir('pdmer-personalize-');
const ctx = { transport: 'memory' as const };
const OFFSET = { arousal: 0.3, valence: -0.25 };
const clamp = (x: number) => Math.max(-1, Math.min(1, x));
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0) / a.length;

async function call<T>(studio: OpenedStudio, channel: string, input: unknown): Promise<T> {
  const r = await studio.dispatch(channel as never, input as never, ctx);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** Records a 30 Hz session tracing base + OFFSET (the synthetic person) over the whole track. */
function record(studio: OpenedStudio, profileId: number, trackId: number, base: { arousal: Float32Array; valence: Float32Array }): number {
  const ann = studio.services.annotation!;
  const s = ann.start({ profileId, trackId, sampleRateHz: 30, outputLatencySec: null, inputDevice: 'keyboard' });
  const n = Math.floor((base.arousal.length * 0.5 - 0.05) * 30);
  const all: Sample[] = Array.from({ length: n }, (_, i) => {
    const k = Math.min(base.arousal.length - 1, Math.floor(i / 30 / 0.5));
    return { seq: i, t: i / 30, valence: clamp(base.valence[k]! + OFFSET.valence) + 0, arousal: clamp(base.arousal[k]! + OFFSET.arousal) + 0, buttons: 0, layer: 0 };
  });
  for (let i = 0; i < all.length; i += 15) ann.append({ sessionId: s.id, samples: all.slice(i, i + 15) });
  ann.finish(s.id, 'keyboard');
  return s.id;
}

const personalRows = (studio: OpenedStudio) => studio.services.db.prepare('SELECT profile_id, model_version, length(weights) AS n, summary FROM personal_models').all() as { profile_id: number; model_version: string; n: number; summary: string }[];

describe('personalize over IPC', () => {
  it('adapts to a synthetic person (offset), stores the model, recomputes curves, reports status, resets; bad input changes nothing', async () => {
    const studio = t.track(await tmpStudio(t.dir));
    const events: { name: string; payload: unknown }[] = [];
    studio.bus.subscribe((name, payload) => events.push({ name, payload }));
    writeWav(path.join(t.dir, 'music', 'a.wav'), [chirp(200, 1_500, 30, 22_050)], 22_050);
    writeWav(path.join(t.dir, 'music', 'b.wav'), [tone(440, 24, 22_050, 0.3)], 22_050);
    await call(studio, 'library:import', { paths: [path.join(t.dir, 'music')] });
    const tracks = (await call<{ tracks: { id: number }[] }>(studio, 'library:listTracks', {})).tracks.map((x) => x.id).sort();
    expect(tracks).toHaveLength(2);
    const ann = await call<{ id: number }>(studio, 'profiles:create', { name: 'Ann' });
    const bob = await call<{ id: number }>(studio, 'profiles:create', { name: 'Bob' });

    const analysis = studio.services.analysis!;
    const base = new Map<number, { arousal: Float32Array; valence: Float32Array }>();
    for (const id of tracks) base.set(id, await analysis.analyzeTrack(id));
    const sessions = tracks.map((id) => record(studio, ann.id, id, base.get(id)!));

    // --- bad inputs: refused with clear errors, nothing stored ---
    const bad1 = await studio.dispatch('personalize:run', { profileId: bob.id }, ctx);
    expect(bad1).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: 'Personalization needs at least one annotated session; profile "Bob" has none' } });
    const bad2 = await studio.dispatch('personalize:run', { profileId: 999 }, ctx);
    expect(bad2).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(!bad2.ok && bad2.error.message).toContain('999');
    const bad3 = await studio.dispatch('personalize:run', { profileId: -1 } as never, ctx);
    expect(bad3).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const bad4 = await studio.dispatch('personalize:reset', { profileId: 999 }, ctx);
    expect(bad4).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // All sessions excluded: a different message.
    for (const s of sessions) await call(studio, 'annotation:setExcluded', { sessionId: s, excluded: true });
    const bad5 = await studio.dispatch('personalize:run', { profileId: ann.id }, ctx);
    expect(bad5).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(!bad5.ok && bad5.error.message).toMatch(/all 2 session\(s\) of profile "Ann" are excluded/);
    for (const s of sessions) await call(studio, 'annotation:setExcluded', { sessionId: s, excluded: false });
    // Too few annotated steps (2 s of Bob's trace): the adaptation refuses, nothing is stored.
    const short = base.get(tracks[0]!)!;
    record(studio, bob.id, tracks[0]!, { arousal: short.arousal.slice(0, 4), valence: short.valence.slice(0, 4) });
    const bad6 = await studio.dispatch('personalize:run', { profileId: bob.id }, ctx);
    expect(bad6).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(!bad6.ok && bad6.error.message).toMatch(/at least 8 annotated 0\.5 s steps .* got [0-4]\b/);
    expect(personalRows(studio)).toEqual([]);

    const st0 = await call<PersonalizeStatus>(studio, 'personalize:status', { profileId: ann.id });
    expect(st0).toMatchObject({ hasPersonalModel: false, createdAt: null, lastReport: null, sessionsUsed: 2, sessionsExcluded: 0, canUndoReset: false, runningJobId: null });

    // --- cancel: the worker is stopped, nothing stored ---
    const cancelled = studio.dispatch('personalize:run', { profileId: ann.id, jobId: 'pers-cancel' }, ctx);
    await new Promise((r) => setTimeout(r, 50));
    expect((await call<PersonalizeStatus>(studio, 'personalize:status', { profileId: ann.id })).runningJobId).toBe('pers-cancel');
    const conflict = await studio.dispatch('personalize:run', { profileId: ann.id }, ctx);
    expect(conflict).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await call(studio, 'job:cancel', { jobId: 'pers-cancel' });
    expect(await cancelled).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(personalRows(studio)).toEqual([]);

    // --- run ---
    const r = await call<PersonalizeRunResult>(studio, 'personalize:run', { profileId: ann.id, jobId: 'pers-1' });
    const rep = r.report;
    console.log(`personalize: ${rep.sessions} sessions, adapt ${rep.adaptSteps} steps, held out ${rep.heldOutSteps}; RMSE ${rep.before.rmse?.toFixed(4)} -> ${rep.after.rmse?.toFixed(4)} (A ${rep.before.rmseA?.toFixed(4)} -> ${rep.after.rmseA?.toFixed(4)}, V ${rep.before.rmseV?.toFixed(4)} -> ${rep.after.rmseV?.toFixed(4)})`);
    expect(rep.sessions).toBe(2);
    expect([...rep.sessionIds].sort()).toEqual([...sessions].sort());
    expect(rep.heldOutSteps).toBeGreaterThan(10);
    expect(rep.adaptSteps).toBeGreaterThan(rep.heldOutSteps);
    // The synthetic person is the base plus an offset: the held-out error before is about the offset.
    expect(rep.before.rmseA!).toBeGreaterThan(0.2);
    expect(rep.before.rmseV!).toBeGreaterThan(0.15);
    expect(rep.after.rmse!).toBeLessThan(rep.before.rmse! * 0.8);
    expect(rep.after.rmseA!).toBeLessThan(rep.before.rmseA!);
    expect(rep.after.rmseV!).toBeLessThan(rep.before.rmseV!);
    const rows = personalRows(studio);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ profile_id: ann.id, model_version: r.modelVersion });
    expect(rows[0]!.n).toBeGreaterThan(0);
    expect(JSON.parse(rows[0]!.summary)).toMatchObject({ sessions: 2, heldOutSteps: rep.heldOutSteps });
    const prog = events.filter((e) => e.name === 'job:onProgress' && (e.payload as JobProgress).jobId === 'pers-1').map((e) => e.payload as JobProgress);
    expect(prog[0]).toMatchObject({ kind: 'personalize', state: 'running' });
    expect(prog.at(-1)).toMatchObject({ kind: 'personalize', state: 'done' });
    expect(prog.some((p) => p.total !== null && p.done > 0 && p.done < p.total)).toBe(true);
    expect(events.some((e) => e.name === 'personalize:onChanged' && (e.payload as { reason: string }).reason === 'run')).toBe(true);

    const st1 = await call<PersonalizeStatus>(studio, 'personalize:status', { profileId: ann.id });
    expect(st1).toMatchObject({ hasPersonalModel: true, modelVersion: r.modelVersion, createdAt: r.createdAt, sessionsUsed: 2, runningJobId: null });
    expect(st1.lastReport).toEqual(rep);
    const profiles = await call<{ id: number; hasPersonalModel: boolean }[]>(studio, 'profiles:list', {});
    expect(profiles.find((p) => p.id === ann.id)!.hasPersonalModel).toBe(true);

    // --- the profile's curves are recomputed with the personal model (moved towards the person) ---
    expect([...r.requeued].sort()).toEqual(tracks);
    for (const id of tracks) {
      const p = await analysis.analyzeTrack(id, 'background', ann.id);
      expect(p.createdAt >= r.createdAt).toBe(true);
      const b = base.get(id)!;
      expect(mean(p.arousal) - mean(b.arousal)).toBeGreaterThan(0.05);
      expect(mean(p.valence) - mean(b.valence)).toBeLessThan(-0.05);
    }
    const curve = await call<{ status: string; profileId: number }>(studio, 'model:getCurve', { trackId: tracks[0], profileId: ann.id });
    expect(curve).toMatchObject({ status: 'complete', profileId: ann.id });

    // --- reset: weights and personal predictions gone, annotations kept ---
    const reset = await call<{ removedModels: number; removedPredictions: number }>(studio, 'personalize:reset', { profileId: ann.id });
    expect(reset).toMatchObject({ removedModels: 1, removedPredictions: 2 });
    expect(personalRows(studio)).toEqual([]);
    expect(studio.services.db.prepare('SELECT count(*) FROM predictions WHERE profile_id = ?').pluck().get(ann.id)).toBe(0);
    expect(studio.services.db.prepare('SELECT count(*) FROM predictions WHERE profile_id IS NULL').pluck().get()).toBe(2);
    const st2 = await call<PersonalizeStatus>(studio, 'personalize:status', { profileId: ann.id });
    expect(st2).toMatchObject({ hasPersonalModel: false, lastReport: null, sessionsUsed: 2 });
    const gone = await studio.dispatch('model:getCurve', { trackId: tracks[0]!, profileId: ann.id }, ctx);
    expect(gone).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // --- undo the reset (kept until the next run): the same model is back, curves recomputed ---
    expect(st2.canUndoReset).toBe(true);
    const undo = await call<{ restoredModels: number; requeued: number[] }>(studio, 'personalize:undoReset', { profileId: ann.id });
    expect(undo.restoredModels).toBe(1);
    expect([...undo.requeued].sort()).toEqual(tracks);
    const st3 = await call<PersonalizeStatus>(studio, 'personalize:status', { profileId: ann.id });
    expect(st3).toMatchObject({ hasPersonalModel: true, createdAt: r.createdAt, canUndoReset: false });
    expect(st3.lastReport).toEqual(rep);
    const p0 = await analysis.analyzeTrack(tracks[0]!, 'background', ann.id);
    expect(mean(p0.arousal) - mean(base.get(tracks[0]!)!.arousal)).toBeGreaterThan(0.05);
    const again = await studio.dispatch('personalize:undoReset', { profileId: ann.id }, ctx);
    expect(again).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(personalRows(studio)).toHaveLength(1);
  }, 120_000);
});
