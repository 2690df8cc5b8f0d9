import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Track } from '../../../../src-shared/domain/track';
import { err, ok, type Envelope } from '../../../../src-shared/ipc/envelope';
import { createClient } from '../ipc/client';
import { memoryTransport } from '../ipc/transports/memory';
import { LibraryState, MOOD_PRESETS, regionLabel, regionProblem } from './library.svelte';

const track = (id: number, title: string): Track => ({
  id,
  path: `/m/${title}.wav`,
  contentHash: `h${id}`,
  title,
  artist: null,
  album: null,
  genre: null,
  year: null,
  durationSec: id,
  format: 'wav',
  sampleRate: 22050,
  channels: 1,
  hasCover: false,
  status: 'ok',
  error: null,
  addedAt: '2026-01-01T00:00:00Z',
  meanValence: null,
  meanArousal: null,
});

/** A scripted main process: a tiny in-memory library whose import can be held open. */
function fakeMain() {
  let tracks: Track[] = [track(1, 'one')];
  const calls: { channel: string; payload: any }[] = [];
  let releaseImport: (() => void) | null = null;
  const t = memoryTransport({
    dispatch: async (channel, payload: any): Promise<Envelope<unknown>> => {
      calls.push({ channel, payload });
      if (channel === 'library:listTracks') {
        const q = (payload.search ?? '').toLowerCase();
        const list = tracks.filter((x) => x.title!.includes(q));
        if (payload.sort === 'title') list.sort((a, b) => a.title!.localeCompare(b.title!) * (payload.descending ? -1 : 1));
        return ok({ tracks: list, total: list.length });
      }
      if (channel === 'library:import') {
        await new Promise<void>((r) => (releaseImport = r));
        tracks = [...tracks, track(2, 'two')];
        return ok({
          imported: [{ id: 2, path: '/m/two.wav' }],
          duplicates: [],
          skipped: [{ path: '/m/bad.wav', reason: 'Not audio: expected a RIFF/WAVE header, got text', code: 'AUDIO_DECODE_FAILED' }],
          cancelled: false,
        });
      }
      if (channel === 'job:cancel') return ok({ cancelled: true });
      if (channel === 'dialog:openAudio') return ok({ supported: false, paths: [] });
      return err('UNKNOWN_CHANNEL', channel);
    },
  });
  return { t, calls, release: () => releaseImport?.() };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('LibraryState', () => {
  it('lists, searches and sorts (the same key twice flips direction)', async () => {
    const m = fakeMain();
    const lib = new LibraryState(createClient(m.t));
    await lib.refresh();
    expect(lib.tracks.map((x) => x.title)).toEqual(['one']);
    await lib.setSearch('zzz');
    expect(lib.total).toBe(0);
    expect(m.calls.at(-1)!.payload.search).toBe('zzz');
    await lib.setSearch('  ');
    expect(m.calls.at(-1)!.payload.search).toBeUndefined();
    await lib.setSort('title');
    expect([lib.sort, lib.descending]).toEqual(['title', false]);
    await lib.setSort('title');
    expect(lib.descending).toBe(true);
    expect(m.calls.at(-1)!.payload).toMatchObject({ sort: 'title', descending: true });
  });

  it('shows import progress from job:onProgress for its own job only, then the per-file errors', async () => {
    const m = fakeMain();
    const lib = new LibraryState(createClient(m.t));
    const done = lib.importPaths(['/m', ' ', '']);
    await tick();
    expect(lib.importing).toBe(true);
    const call = m.calls.find((c) => c.channel === 'library:import')!;
    expect(call.payload.paths).toEqual(['/m']);
    const jobId = call.payload.jobId as string;
    m.t.emit('job:onProgress', { jobId: 'someone-else', kind: 'analyze', state: 'running', done: 9, total: 10 });
    m.t.emit('job:onProgress', { jobId, kind: 'import', state: 'running', done: 1, total: 3, message: 'two.wav' });
    flushSync();
    expect(lib.progress).toMatchObject({ done: 1, total: 3, message: 'two.wav' });

    await lib.cancelImport();
    expect(m.calls.at(-1)).toEqual({ channel: 'job:cancel', payload: { jobId } });

    m.release();
    const summary = await done;
    expect(summary).toEqual({ imported: 1, duplicates: 0, skipped: 1, cancelled: false });
    expect(lib.importing).toBe(false);
    expect(lib.progress).toBeNull();
    expect(lib.problems).toEqual([{ path: '/m/bad.wav', reason: 'Not audio: expected a RIFF/WAVE header, got text', code: 'AUDIO_DECODE_FAILED' }]);
    await tick();
    expect(lib.tracks.map((x) => x.title)).toEqual(['one', 'two']);
  });

  it('reports a refused import (e.g. validation) as one problem instead of throwing', async () => {
    const t = memoryTransport({ dispatch: async (c) => (c === 'library:import' ? err('VALIDATION_FAILED', 'Invalid input for library:import: paths.0: Too big') : ok({ tracks: [], total: 0 })) });
    const lib = new LibraryState(createClient(t));
    const r = await lib.importPaths(['x'.repeat(5000)]);
    expect(r).toMatchObject({ imported: 0, skipped: 1 });
    expect(lib.problems[0]).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('falls back to the path field when there is no native dialog', async () => {
    const lib = new LibraryState(createClient(fakeMain().t));
    await expect(lib.importWithDialog(true)).resolves.toBe(false);
    expect(lib.canUpload).toBe(false);
  });

  it('uploads files one by one with progress and collects broken ones', async () => {
    const m = fakeMain();
    const seen: string[] = [];
    const lib = new LibraryState(createClient(m.t), async (file) => {
      seen.push(file.name);
      if (file.name === 'bad.txt') return ok({ imported: [], duplicates: [], skipped: [{ path: 'bad.txt', reason: 'not audio', code: 'UNSUPPORTED_FORMAT' }], cancelled: false });
      if (file.name === 'huge.wav') return err('VALIDATION_FAILED', 'huge.wav exceeds the upload limit');
      return ok({ imported: [{ id: 5, path: '/data/imports/a.wav' }], duplicates: [], skipped: [], cancelled: false });
    });
    const files = ['a.wav', 'bad.txt', 'huge.wav'].map((n) => new File(['x'], n));
    const r = await lib.uploadFiles(files);
    expect(seen).toEqual(['a.wav', 'bad.txt', 'huge.wav']);
    expect(r).toEqual({ imported: 1, duplicates: 0, skipped: 2, cancelled: false });
    expect(lib.problems.map((p) => p.path)).toEqual(['bad.txt', 'huge.wav']);
  });
});

describe('LibraryState events', () => {
  it('coalesces a burst of library:onChanged into one refresh', async () => {
    const m = fakeMain();
    const lib = new LibraryState(createClient(m.t));
    for (let i = 0; i < 20; i++) m.t.emit('library:onChanged', { reason: 'import' });
    await new Promise((r) => setTimeout(r, 400));
    expect(m.calls.filter((c) => c.channel === 'library:listTracks')).toHaveLength(1);
    lib.dispose();
  });

  it('sends the mood region with every list call, keeps it across search/sort, and clears it', async () => {
    const placed = (id: number, title: string, v: number, a: number): Track => ({ ...track(id, title), meanValence: v, meanArousal: a });
    const all = [placed(1, 'happy', 0.6, 0.5), placed(2, 'sad', -0.6, -0.5), placed(3, 'calm', 0.5, -0.6), track(4, 'unanalysed')];
    const calls: any[] = [];
    const t = memoryTransport({
      dispatch: async (channel, payload: any): Promise<Envelope<unknown>> => {
        if (channel !== 'library:listTracks') return err('UNKNOWN_CHANNEL', channel);
        calls.push(payload);
        const r = payload.region;
        const q = (payload.search ?? '').toLowerCase();
        const list = all.filter(
          (x) =>
            x.title!.includes(q) &&
            (!r || (x.meanValence !== null && x.meanArousal !== null && x.meanValence >= r.valenceMin && x.meanValence <= r.valenceMax && x.meanArousal >= r.arousalMin && x.meanArousal <= r.arousalMax)),
        );
        return ok({ tracks: list, total: list.length });
      },
    });
    const lib = new LibraryState(createClient(t));
    await lib.refresh();
    expect(calls.at(-1).region).toBeUndefined();
    expect(lib.total).toBe(4);

    const positive = MOOD_PRESETS.find((p) => p.id === 'happy')!;
    await expect(lib.setRegion(positive.region)).resolves.toBeNull();
    expect(calls.at(-1).region).toEqual({ valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 });
    expect(lib.tracks.map((x) => x.title)).toEqual(['happy']);
    expect(regionLabel(lib.region!)).toBe('Happy/excited (+V +A)');

    const custom = { valenceMin: 0.2, valenceMax: 1, arousalMin: -1, arousalMax: 1 };
    await lib.setRegion(custom);
    expect(lib.tracks.map((x) => x.title)).toEqual(['happy', 'calm']);
    expect(regionLabel(lib.region!)).toBe('valence 0.2 to 1, arousal −1 to 1');
    await lib.setSearch('calm');
    expect(calls.at(-1)).toMatchObject({ search: 'calm', region: custom });
    await lib.setSort('title');
    expect(calls.at(-1)).toMatchObject({ sort: 'title', region: custom });
    expect(lib.tracks.map((x) => x.title)).toEqual(['calm']);
    await lib.setSearch('');

    // Invalid ranges are refused with a message and change nothing (no call made).
    const n = calls.length;
    await expect(lib.setRegion({ ...custom, valenceMin: 1.5 })).resolves.toMatch(/Valence from must be between -1 and 1, got 1.5/);
    await expect(lib.setRegion({ ...custom, arousalMin: 0.5, arousalMax: -0.5 })).resolves.toMatch(/Arousal from must be <= to/);
    await expect(lib.setRegion({ ...custom, arousalMax: null as unknown as number })).resolves.toMatch(/Arousal to must be a number/);
    expect(calls.length).toBe(n);
    expect(lib.region).toEqual(custom);

    await expect(lib.setRegion(null)).resolves.toBeNull();
    expect(lib.region).toBeNull();
    expect(calls.at(-1).region).toBeUndefined();
    expect(lib.total).toBe(4);
  });

  it('validates region bounds', () => {
    expect(regionProblem({ valenceMin: -1, valenceMax: 1, arousalMin: -1, arousalMax: 1 })).toBeNull();
    expect(regionProblem({ valenceMin: Number.NaN, valenceMax: 1, arousalMin: -1, arousalMax: 1 })).toMatch(/Valence from must be a number/);
    expect(regionProblem({ valenceMin: -1, valenceMax: 1, arousalMin: -1.01, arousalMax: 1 })).toMatch(/Arousal from must be between -1 and 1, got -1.01/);
  });
});
