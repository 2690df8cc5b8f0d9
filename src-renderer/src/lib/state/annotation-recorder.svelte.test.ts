import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpcError, type Client } from '../ipc/client';
import { Recorder } from './annotation-recorder.svelte';

interface Sent {
  seq: number;
  t: number;
  valence: number;
  arousal: number;
  buttons: number;
  layer: number;
}

/** A media element whose clock runs with the (fake) wall clock while playing. */
function fakeAudio() {
  let base = 0;
  let startedAt: number | null = null;
  const listeners = new Map<string, () => void>();
  return {
    get currentTime() {
      return startedAt === null ? base : base + (Date.now() - startedAt) / 1000;
    },
    set currentTime(t: number) {
      base = t;
      if (startedAt !== null) startedAt = Date.now();
    },
    get paused() {
      return startedAt === null;
    },
    ended: false,
    play: vi.fn(async function (this: void) {
      startedAt = Date.now();
    }),
    pause() {
      if (startedAt !== null) base += (Date.now() - startedAt) / 1000;
      startedAt = null;
    },
    addEventListener: (n: string, f: () => void) => listeners.set(n, f),
    removeEventListener: (n: string) => listeners.delete(n),
  };
}

function fakeClient(opts: { failAppends?: number; conflictOnce?: boolean } = {}) {
  const ok: Sent[][] = [];
  const calls: string[] = [];
  let fails = opts.failAppends ?? 0;
  let conflict = opts.conflictOnce ?? false;
  const summary = { id: 7, nextSeq: 0, sampleCount: 0, layers: [], completeness: { lastT: null } };
  const client = {
    kind: 'memory',
    on: () => () => {},
    onStatus: () => () => {},
    async call(channel: string, input: { samples?: Sent[] }) {
      calls.push(channel);
      if (channel === 'annotation:append') {
        if (conflict) {
          conflict = false;
          throw new IpcError('annotation:append', 'CONFLICT', "Expected session 7 to be recording, got state 'interrupted' (resume it first)");
        }
        if (fails > 0) {
          fails--;
          throw new IpcError('annotation:append', 'IO_FAILED', 'socket closed');
        }
        ok.push(input.samples!);
        return { inserted: input.samples!.length, duplicates: 0, sampleCount: 0, nextSeq: 0 };
      }
      return summary;
    },
  } as unknown as Client;
  return { client, ok, calls };
}

describe('Recorder', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('samples at 30 Hz on the audio clock after a 3 s countdown, in batches of <= 500 ms', async () => {
    const { client, ok } = fakeClient();
    const rec = new Recorder(client, { rateHz: 30, flushMs: 250 });
    const audio = fakeAudio();
    await rec.start({ profileId: 1, trackId: 2, audio: audio as unknown as HTMLMediaElement });
    expect(rec.phase).toBe('countdown');
    await vi.advanceTimersByTimeAsync(2_900);
    expect(audio.play).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(rec.phase).toBe('recording');
    rec.setPoint({ v: 0.25, a: -0.5 }, 'keyboard');
    await vi.advanceTimersByTimeAsync(2_000);
    const all = ok.flat();
    // ~2 s at 30 Hz
    expect(all.length).toBeGreaterThanOrEqual(55);
    expect(all.length).toBeLessThanOrEqual(62);
    expect(all.map((s) => s.seq)).toEqual([...all.keys()]);
    for (const batch of ok) expect(batch[batch.length - 1]!.t - batch[0]!.t).toBeLessThanOrEqual(0.5);
    // Stamped with the media clock (which started at 0 when play() was called).
    expect(all[0]!.t).toBeLessThan(0.05);
    for (let i = 1; i < all.length; i++) expect(all[i]!.t - all[i - 1]!.t).toBeCloseTo(1 / 30, 2);
    expect(all[all.length - 1]).toMatchObject({ valence: 0.25, arousal: -0.5, layer: 0 });
    rec.dispose();
  });

  it('keeps failed batches and re-sends them; resumes an interrupted session automatically', async () => {
    const { client, ok, calls } = fakeClient({ failAppends: 3, conflictOnce: true });
    const rec = new Recorder(client, { rateHz: 30, flushMs: 250, countdownSec: 0 });
    const audio = fakeAudio();
    await rec.start({ profileId: 1, trackId: 2, audio: audio as unknown as HTMLMediaElement });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls).toContain('annotation:resume');
    const all = ok.flat();
    expect(all.length).toBeGreaterThan(80);
    expect(all.map((s) => s.seq)).toEqual([...all.keys()]); // nothing lost, nothing twice
    await rec.stop();
    expect(calls[calls.length - 1]).toBe('annotation:finish');
    expect(rec.queued).toBe(0);
  });

  it('pause stops sampling and resume counts down again; moments set bit 0', async () => {
    const { client, ok } = fakeClient();
    const rec = new Recorder(client, { rateHz: 30, flushMs: 250, countdownSec: 3 });
    const audio = fakeAudio();
    await rec.start({ profileId: 1, trackId: 2, audio: audio as unknown as HTMLMediaElement });
    await vi.advanceTimersByTimeAsync(3_500);
    rec.markMoment(true);
    await vi.advanceTimersByTimeAsync(100);
    rec.markMoment(false);
    rec.pause('The window lost focus');
    expect(rec.notice).toMatch(/lost focus/);
    await vi.advanceTimersByTimeAsync(600);
    const before = ok.flat().length;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ok.flat().length).toBe(before);
    rec.resume();
    expect(rec.phase).toBe('countdown');
    await vi.advanceTimersByTimeAsync(3_100);
    expect(rec.phase).toBe('recording');
    await vi.advanceTimersByTimeAsync(1_000);
    const all = ok.flat();
    expect(all.length).toBeGreaterThan(before + 20);
    expect(all.some((s) => (s.buttons & 1) === 1)).toBe(true);
    // The audio clock was paused too: no jump in t across the pause.
    const gap = Math.max(...all.slice(1).map((s, i) => s.t - all[i]!.t));
    expect(gap).toBeLessThan(0.1);
    rec.dispose();
  });
});

describe('Recorder heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends an empty batch every ~5 s while paused so the writer lease stays alive', async () => {
    const { client, ok } = fakeClient();
    const rec = new Recorder(client, { rateHz: 30, flushMs: 250, countdownSec: 0 });
    await rec.start({ profileId: 1, trackId: 2, audio: fakeAudio() as unknown as HTMLMediaElement });
    await vi.advanceTimersByTimeAsync(1_000);
    rec.pause('paused by test');
    await vi.advanceTimersByTimeAsync(500);
    const n = ok.length;
    await vi.advanceTimersByTimeAsync(20_000);
    const beats = ok.slice(n);
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.length).toBeLessThanOrEqual(5);
    expect(beats.every((b) => b.length === 0)).toBe(true);
    rec.dispose();
  });
});
