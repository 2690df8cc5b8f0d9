/**
 * Mood + playlist channels wired into a real Studio (openStudio, memory transport: validation,
 * handlers, envelopes, structured clone), on a temp library seeded with synthetic predictions.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryTransport } from '../../src-main/ipc/memory-transport';
import { seedMoodLibrary } from '../../src-main/services/mood-bench';
import { decodeMoodPoints } from '../../src-shared/ipc/contract/mood';
import { tmpStudio, useTmpDir } from '../helpers/tmp-db';

describe('mood and playlist channels through a Studio', () => {
  const t = useTmpDir('pdmer-mood-studio-');

  it('map -> lasso -> playlist -> M3U lists exactly the selected files', async () => {
    const studio = t.track(await tmpStudio(t.dir));
    const lib = seedMoodLibrary(studio.services.db, { tracks: 2_000, seed: 3 });
    const ipc = createMemoryTransport(studio);
    const events: unknown[] = [];
    ipc.on('playlists:onChanged', (e) => events.push(e));

    const wire = await ipc.call('mood:points', {});
    const pts = decodeMoodPoints(wire);
    expect(pts.count).toBe(lib.tracks.filter((x) => x.base).length);

    const lasso = [
      { valence: 0, arousal: 0 },
      { valence: 0.9, arousal: 0 },
      { valence: 0.9, arousal: 0.9 },
      { valence: 0, arousal: 0.9 },
    ];
    const sel = await ipc.call('mood:polygon', { vertices: lasso, limit: 100_000 });
    const expected = lib.tracks.filter((x) => x.base && x.base.v > 0 && x.base.v < 0.9 && x.base.a > 0 && x.base.a < 0.9).map((x) => x.id);
    expect(sel.hits.map((h) => h.trackId)).toEqual(expected);

    const pl = await ipc.call('playlists:create', { name: 'Happy', trackIds: sel.hits.map((h) => h.trackId) });
    const m3u = await ipc.call('playlists:export', { id: pl.id, format: 'm3u' });
    const paths = m3u.content.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(paths).toEqual(expected.map((id) => `/music/synthetic/${id}.mp3`));
    expect(events).toEqual([{ reason: 'create', playlistId: pl.id }]);
    expect((await ipc.call('playlists:list', {})).map((p) => p.name)).toEqual(['Happy']);

    const path = await ipc.call('mood:path', { from: { trackId: expected[0] }, to: { valence: -0.8, arousal: -0.8 }, length: 6 });
    expect(path.steps).toHaveLength(6);
    expect(path.steps[0].trackId).toBe(expected[0]);

    const personal = decodeMoodPoints(await ipc.call('mood:points', { scope: { profileId: lib.profileId } }));
    expect(personal.personal.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('bad input comes back as VALIDATION_FAILED / NOT_FOUND envelopes and changes nothing', async () => {
    const studio = t.track(await tmpStudio(t.dir));
    seedMoodLibrary(studio.services.db, { tracks: 50, seed: 4 });
    const ipc = createMemoryTransport(studio);
    const r1 = await ipc.invoke('mood:region', { region: { valenceMin: 1, valenceMax: 0, arousalMin: 0, arousalMax: 1 } });
    expect(r1).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const r2 = await ipc.invoke('mood:points', { scope: { profileId: 999 } });
    expect(r2).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const r3 = await ipc.invoke('playlists:create', { name: 'x', trackIds: [1, 123_456] });
    expect(r3).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const r4 = await ipc.invoke('playlists:export', { id: 1, format: 'xspf' });
    expect(r4).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ipc.call('playlists:list', {})).toEqual([]);
  });
});
