import { describe, expect, it } from 'vitest';
import { createClient, type Transport } from '../ipc/client';
import { MoodState, SummaryCache } from './mood.svelte';
import { encodeMoodPoints } from '../../../../src-shared/ipc/contract/mood';

/** A fake transport recording calls and answering from a table (no main process). */
function fakeTransport(answer: (channel: string, payload: any) => unknown) {
  const calls: { channel: string; payload: any }[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  const t: Transport = {
    kind: 'memory',
    async invoke(channel, payload) {
      calls.push({ channel, payload });
      try {
        return { ok: true, value: answer(channel, payload) };
      } catch (e) {
        return { ok: false, error: { code: 'NOT_FOUND', message: (e as Error).message } };
      }
    },
    on(event, cb) {
      listeners.set(event, [...(listeners.get(event) ?? []), cb]);
      return () => {};
    },
  };
  return { client: createClient(t), calls, emit: (e: string, p: unknown) => listeners.get(e)?.forEach((cb) => cb(p)) };
}

describe('SummaryCache', () => {
  it('batches the rows requested in one tick into one model:getSummaries call', async () => {
    const f = fakeTransport((ch, p) =>
      ch === 'model:getSummaries' ? p.trackIds.filter((id: number) => id !== 3).map((id: number) => ({ trackId: id, complete: true, meanArousal: 0, meanValence: id / 10, arousal: [0, 0], valence: [0, 1] })) : null,
    );
    const cache = new SummaryCache(f.client);
    for (const id of [1, 2, 3, 2, 1]) cache.request(id);
    await new Promise((r) => setTimeout(r, 10));
    expect(f.calls.map((c) => c.channel)).toEqual(['model:getSummaries']);
    expect(f.calls[0]!.payload.trackIds).toEqual([1, 2, 3]);
    expect(cache.byId[2]?.meanValence).toBe(0.2);
    expect(cache.byId[3]).toBeNull(); // asked, not analysed: not asked again
    cache.request(3);
    await new Promise((r) => setTimeout(r, 10));
    expect(f.calls).toHaveLength(1);
  });
});

describe('MoodState', () => {
  it('decodes the map payload and turns a region into a selection listed through the library filter', async () => {
    const pts = {
      count: 2,
      trackIds: Uint32Array.from([4, 9]),
      valence: Float32Array.from([0.5, -0.5]),
      arousal: Float32Array.from([0.5, -0.5]),
      quadrant: Uint8Array.from([1, 3]),
      personal: Uint8Array.from([0, 0]),
      genre: Uint16Array.from([0, 0]),
      genres: [''],
    };
    const f = fakeTransport((ch, p) => {
      if (ch === 'mood:points') return encodeMoodPoints(pts);
      if (ch === 'mood:region') return { hits: [{ trackId: 4, predictionId: 1, valence: 0.5, arousal: 0.5, personal: false }], truncated: false };
      if (ch === 'library:listTracks') return { tracks: [{ id: 4, title: 'Four' }], total: 1 };
      throw new Error(`unexpected ${ch} ${JSON.stringify(p)}`);
    });
    const mood = new MoodState(f.client);
    await mood.load();
    expect(mood.points?.count).toBe(2);
    expect(Array.from(mood.points!.trackIds)).toEqual([4, 9]);
    // Reversed bounds are normalised before they reach the contract.
    await mood.selectRegion({ valenceMin: 1, valenceMax: 0, arousalMin: 0, arousalMax: 1 });
    expect(f.calls.find((c) => c.channel === 'mood:region')!.payload.region).toEqual({ valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 });
    expect(f.calls.find((c) => c.channel === 'library:listTracks')!.payload.region).toEqual({ valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 });
    expect(mood.selection?.trackIds).toEqual([4]);
    expect(mood.listed.map((t) => t.title)).toEqual(['Four']);
    expect(mood.error).toBeNull();
  });

  it('reports errors as messages instead of throwing', async () => {
    const f = fakeTransport(() => {
      throw new Error('Expected an existing profile id for the mood scope, got 7');
    });
    const mood = new MoodState(f.client);
    await mood.setProfile(7);
    expect(mood.error).toMatch(/Loading the mood map failed: Expected an existing profile id/);
    expect(mood.loading).toBe(false);
  });
});
