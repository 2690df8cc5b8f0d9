/**
 * Library service end to end through the memory transport (call -> validate -> handler -> DB ->
 * envelope): import of generated audio (good, duplicate, broken, unicode/long names, missing
 * paths, 10,000-file folder), rescan (moved, deleted, restored, changed), list/search/sort,
 * cancel, media lookups, and invalid IPC payloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobProgress } from '../../src-shared/domain/job';
import { createMemoryTransport } from '../../src-main/ipc/memory-transport';
import { tone, writeWav } from '../fixtures/audio';
import { encoded, mixedFolder, taggedMp3, uniqueWav } from '../helpers/library-fixtures';
import { tmpStudio, useTmpDir } from '../helpers/tmp-db';

const t = useTmpDir('pdmer-lib-');

async function setup() {
  const studio = t.track(await tmpStudio(t.dir));
  const ipc = createMemoryTransport(studio);
  return { studio, ipc };
}

describe('import', () => {
  it('imports good files of every format and reports each broken one with a reason', async () => {
    const { ipc } = await setup();
    const folder = mixedFolder(path.join(t.dir, 'music'));
    const missing = path.join(t.dir, 'nowhere', 'gone.wav');
    const report = await ipc.call('library:import', { paths: [folder.root, missing] });

    expect(report.cancelled).toBe(false);
    expect(report.imported.map((x) => x.path).sort()).toEqual([...folder.good].sort());
    expect(report.duplicates).toEqual([]);
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.path, s.code]));
    expect(skipped).toEqual({ ...folder.bad, [missing]: 'NOT_FOUND' });
    for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(10);
    expect(report.skipped.find((s) => s.code === 'TRUNCATED')?.reason).toMatch(/declares \d+ bytes .* only \d+ bytes/);
    expect(report.skipped.find((s) => s.code === 'NOT_AUDIO')?.reason).toMatch(/got \.txt/);

    const page = await ipc.call('library:listTracks', { sort: 'title', limit: 100 });
    expect(page.total).toBe(folder.good.length);
    const byFormat = Object.fromEntries(page.tracks.map((x) => [x.format, x]));
    expect(Object.keys(byFormat).sort()).toEqual(['flac', 'mp3', 'ogg', 'opus', 'wav']);
    expect(byFormat.opus).toMatchObject({ title: 'Quiet', sampleRate: 48_000, channels: 1, durationSec: 1.5 });
    expect(byFormat.flac).toMatchObject({ sampleRate: 44_100, channels: 2, status: 'ok' });
    expect(byFormat.flac!.durationSec).toBeCloseTo(1, 2);
    expect(byFormat.ogg!.durationSec).toBeCloseTo(1, 1);
    expect(byFormat.mp3!.durationSec).toBeGreaterThan(0.9);
    const wav = page.tracks.find((x) => x.path.endsWith('tone.wav'))!;
    expect(wav).toMatchObject({ format: 'wav', sampleRate: 22_050, channels: 1, title: 'tone', hasCover: false, meanValence: null });
    expect(wav.durationSec).toBeCloseTo(0.5, 3);
    expect(wav.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const long = page.tracks.find((x) => x.path.includes('長'))!;
    expect(Buffer.byteLength(path.basename(long.path))).toBeGreaterThan(240);
    expect(page.tracks.some((x) => x.title === 'ünïcødé 曲 — ☃')).toBe(true);
  });

  it('reads tags and cover art; cover served only for that track', async () => {
    const { studio, ipc } = await setup();
    const file = taggedMp3(path.join(t.dir, 'm', 'tagged.mp3'), { title: 'Naïma', artist: 'J. Coltrane', album: 'Giant Steps', genre: 'Jazz', year: 1960 });
    const plain = uniqueWav(path.join(t.dir, 'm', 'plain.wav'));
    const r = await ipc.call('library:import', { paths: [file, plain] });
    expect(r.imported).toHaveLength(2);
    const track = await ipc.call('library:getTrack', { id: r.imported[0]!.id });
    expect(track).toMatchObject({ title: 'Naïma', artist: 'J. Coltrane', album: 'Giant Steps', genre: 'Jazz', year: 1960, hasCover: true, format: 'mp3' });
    const cover = studio.coverForTrack(track.id);
    expect(cover?.mime).toBe('image/png');
    expect(cover?.data.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(studio.coverForTrack(r.imported[1]!.id)).toBeNull();
    expect(studio.coverForTrack(9999)).toBeNull();
  });

  it('dedupes by content: same file again, and a byte-identical copy elsewhere', async () => {
    const { ipc } = await setup();
    const a = uniqueWav(path.join(t.dir, 'in', 'a.wav'));
    const copy = path.join(t.dir, 'other', 'copy of a.wav');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(a, copy);
    const first = await ipc.call('library:import', { paths: [a] });
    expect(first.imported).toHaveLength(1);
    const second = await ipc.call('library:import', { paths: [a, copy] });
    expect(second.imported).toEqual([]);
    expect(second.duplicates).toEqual([
      { path: a, existingId: first.imported[0]!.id, existingPath: a },
      { path: copy, existingId: first.imported[0]!.id, existingPath: a },
    ]);
    expect((await ipc.call('library:listTracks', {})).total).toBe(1);
  });

  it('imports a folder in natural name order, files before subfolders', async () => {
    const { ipc } = await setup();
    const dir = path.join(t.dir, 'album');
    for (const n of ['10 Ten.wav', '2 Two.wav', '1 One.wav', 'cd2/1 Bonus.wav']) uniqueWav(path.join(dir, n), 0.1);
    const r = await ipc.call('library:import', { paths: [dir] });
    expect(r.imported.map((x) => path.relative(dir, x.path))).toEqual(['1 One.wav', '2 Two.wav', '10 Ten.wav', path.join('cd2', '1 Bonus.wav')]);
    expect(r.imported.map((x) => x.id)).toEqual([1, 2, 3, 4]);
  });

  it('emits job progress and library:onChanged with the new track ids', async () => {
    const { ipc } = await setup();
    const files = [0, 1, 2].map((i) => uniqueWav(path.join(t.dir, 'p', `${i}.wav`)));
    const progress: JobProgress[] = [];
    const changed: number[][] = [];
    ipc.on('job:onProgress', (p) => progress.push(p));
    ipc.on('library:onChanged', (e) => changed.push(e.trackIds ?? []));
    const r = await ipc.call('library:import', { paths: [path.dirname(files[0]!)], jobId: 'imp-1' });
    expect(progress[0]).toMatchObject({ jobId: 'imp-1', kind: 'import', state: 'running' });
    expect(progress.at(-1)).toMatchObject({ jobId: 'imp-1', state: 'done', done: 3, total: 3 });
    expect(changed.flat().sort()).toEqual(r.imported.map((x) => x.id).sort());
    const jobs = await ipc.call('job:list', {});
    expect(jobs.find((j) => j.jobId === 'imp-1')).toMatchObject({ state: 'done', kind: 'import' });
  });

  it('a folder of 10,000 files (mostly non-audio) imports its few tracks and reports the rest', async () => {
    const { ipc } = await setup();
    const root = path.join(t.dir, 'big');
    for (let d = 0; d < 10; d++) fs.mkdirSync(path.join(root, `d${d}`), { recursive: true });
    const wavs: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const file = path.join(root, `d${i % 10}`, `f${i}`);
      if (i % 1000 === 0) wavs.push(writeWav(`${file}.wav`, [tone(300 + i / 10, 0.05, 8_000)], 8_000));
      else fs.writeFileSync(`${file}.dat`, String(i));
    }
    let maxTotal = 0;
    ipc.on('job:onProgress', (p) => {
      maxTotal = Math.max(maxTotal, p.total ?? 0);
    });
    const heapBefore = process.memoryUsage().heapUsed;
    const r = await ipc.call('library:import', { paths: [root] });
    expect(r.imported.map((x) => x.path).sort()).toEqual(wavs.sort());
    expect(r.skipped).toHaveLength(9_990);
    expect(new Set(r.skipped.map((s) => s.code))).toEqual(new Set(['NOT_AUDIO']));
    expect(maxTotal).toBe(10_000);
    // Loose bound: the walk streams entries; the report itself is ~2 MB.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });

  it('can be cancelled: returns a partial report marked cancelled, job state cancelled', async () => {
    const { studio } = await setup();
    const dir = path.join(t.dir, 'c');
    for (let i = 0; i < 20; i++) uniqueWav(path.join(dir, `${String(i).padStart(2, '0')}.wav`), 0.1);
    let calls = 0;
    const r = await studio.services.library.importPaths([dir], {
      jobId: 'cancel-me',
      onFile: () => {
        if (++calls === 3) studio.services.jobs.cancel('cancel-me');
      },
    });
    expect(r.cancelled).toBe(true);
    expect(r.imported).toHaveLength(3);
    expect(studio.services.jobs.get('cancel-me')?.state).toBe('cancelled');
    expect(studio.services.tracks.count()).toBe(3);
  });

  it('closing the studio during an import cancels it cleanly', async () => {
    const { studio } = await setup();
    const dir = path.join(t.dir, 'c3');
    for (let i = 0; i < 20; i++) uniqueWav(path.join(dir, `${i}.wav`), 0.1);
    let closing: Promise<void> | undefined;
    const r = await studio.services.library.importPaths([dir], {
      onFile: () => {
        closing ??= studio.close();
      },
    });
    await closing;
    expect(r.cancelled).toBe(true);
    expect(r.imported.length).toBeLessThan(20);
    await studio.close(); // idempotent
  });

  it('job:cancel over IPC stops a running import', async () => {
    const { ipc } = await setup();
    const dir = path.join(t.dir, 'c2');
    for (let i = 0; i < 40; i++) uniqueWav(path.join(dir, `${i}.wav`), 0.1);
    let cancelReply: { cancelled: boolean } | undefined;
    const off = ipc.on('job:onProgress', (p) => {
      if (p.jobId === 'j-ipc' && p.state === 'running' && p.total !== null && !cancelReply) {
        cancelReply = { cancelled: false };
        void ipc.call('job:cancel', { jobId: 'j-ipc' }).then((x) => (cancelReply = x));
      }
    });
    const r = await ipc.call('library:import', { paths: [dir], jobId: 'j-ipc' });
    off();
    expect(cancelReply).toEqual({ cancelled: true });
    expect(r.cancelled).toBe(true);
    expect(r.imported.length).toBeLessThan(40);
    expect(await ipc.call('job:cancel', { jobId: 'j-ipc' })).toEqual({ cancelled: false }); // already finished
  });
});

describe('rescan', () => {
  it('finds moved files by hash under the library folders, marks deleted ones missing, restores returning ones, re-reads changed ones', async () => {
    const { studio, ipc } = await setup();
    const root = path.join(t.dir, 'lib');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => uniqueWav(path.join(root, `${n}.wav`)));
    const r = await ipc.call('library:import', { paths: [root] });
    const id = Object.fromEntries(r.imported.map((x) => [path.basename(x.path, '.wav'), x.id]));

    fs.mkdirSync(path.join(root, 'moved', 'deep'), { recursive: true });
    const aMoved = path.join(root, 'moved', 'deep', 'a renamed.wav');
    fs.renameSync(a!, aMoved);
    const bAside = path.join(t.dir, 'outside-b.wav');
    fs.renameSync(b!, bAside); // leaves the library folders: missing
    fs.writeFileSync(d!, Buffer.concat([fs.readFileSync(d!), Buffer.alloc(0)])); // same bytes: unchanged
    uniqueWav(c!, 0.7); // new content at the same path

    const s1 = await ipc.call('library:rescan', {});
    expect(s1.moved).toEqual([{ id: id.a, from: a, to: aMoved }]);
    expect(s1.missing).toEqual([{ id: id.b, path: b }]);
    expect(s1.updated).toEqual([{ id: id.c, path: c }]);
    expect(s1.unchanged).toBe(1);
    expect(studio.mediaForTrack(id.b!)).toBeNull();
    expect((await ipc.call('library:getTrack', { id: id.b! })).status).toBe('missing');
    expect((await ipc.call('library:getTrack', { id: id.c! })).durationSec).toBeCloseTo(0.7, 3);
    expect(studio.mediaForTrack(id.a!)?.path).toBe(aMoved);

    fs.renameSync(bAside, b!);
    const s2 = await ipc.call('library:rescan', {});
    expect(s2.restored).toEqual([{ id: id.b, path: b }]);
    expect(s2.missing).toEqual([]);
    expect(s2.unchanged).toBe(3);
    expect((await ipc.call('library:getTrack', { id: id.b! })).status).toBe('ok');
  });

  it('importing a missing track from its new place relocates it instead of duplicating', async () => {
    const { ipc } = await setup();
    const a = uniqueWav(path.join(t.dir, 'x', 'a.wav'));
    const r = await ipc.call('library:import', { paths: [a] });
    const elsewhere = path.join(t.dir, 'y', 'a.wav');
    fs.mkdirSync(path.dirname(elsewhere));
    fs.renameSync(a, elsewhere);
    const r2 = await ipc.call('library:import', { paths: [elsewhere] });
    expect(r2.imported).toEqual([{ id: r.imported[0]!.id, path: elsewhere }]);
    expect((await ipc.call('library:listTracks', {})).tracks.map((x) => x.path)).toEqual([elsewhere]);

    // Missing after a rescan, then imported again at the same path: restored, not a duplicate.
    fs.renameSync(elsewhere, `${elsewhere}.bak`);
    expect((await ipc.call('library:rescan', {})).missing).toHaveLength(1);
    fs.renameSync(`${elsewhere}.bak`, elsewhere);
    const r3 = await ipc.call('library:import', { paths: [elsewhere] });
    expect(r3.imported).toEqual([{ id: r.imported[0]!.id, path: elsewhere }]);
    expect((await ipc.call('library:getTrack', { id: r.imported[0]!.id })).status).toBe('ok');
  });
});

describe('list, remove, media', () => {
  it('searches (substring, case-insensitive, path too), sorts, pages; removal keeps files on disk', async () => {
    const { studio, ipc } = await setup();
    const dir = path.join(t.dir, 'Jazz Collection');
    const files = ['Autumn Leaves', 'blue bossa', 'Naïma', 'Donna Lee', 'Epistrophy'].map((n, i) => uniqueWav(path.join(dir, `${n}.wav`), 0.2 + i * 0.1));
    await ipc.call('library:import', { paths: [dir] });
    const titles = async (input: Parameters<typeof ipc.call<'library:listTracks'>>[1]) => (await ipc.call('library:listTracks', input)).tracks.map((x) => x.title);
    expect(await titles({ sort: 'title' })).toEqual(['Autumn Leaves', 'blue bossa', 'Donna Lee', 'Epistrophy', 'Naïma']);
    expect(await titles({ sort: 'duration', descending: true, limit: 2 })).toEqual(['Epistrophy', 'Donna Lee']);
    expect(await titles({ sort: 'title', offset: 3 })).toEqual(['Epistrophy', 'Naïma']);
    expect(await titles({ search: 'BOSSA' })).toEqual(['blue bossa']);
    expect(await titles({ search: 'ÏM' })).toEqual(['Naïma']); // 2 chars: LIKE path (ASCII-only case folding)
    expect((await ipc.call('library:listTracks', { search: 'jazz coll' })).total).toBe(5); // matches the folder in the path
    expect((await ipc.call('library:listTracks', { search: 'nothing like this' })).total).toBe(0);

    const all = (await ipc.call('library:listTracks', {})).tracks;
    const media = studio.mediaForTrack(all[0]!.id);
    expect(media).toMatchObject({ path: all[0]!.path, mime: 'audio/wav', size: fs.statSync(all[0]!.path).size });
    expect(studio.mediaForTrack(12345)).toBeNull();
    expect(studio.mediaForTrack(-1)).toBeNull();
    expect(studio.mediaForTrack(Number.NaN)).toBeNull();

    expect(await ipc.call('library:removeTracks', { ids: [all[0]!.id, all[1]!.id, 999] })).toEqual({ removed: 2 });
    expect((await ipc.call('library:listTracks', {})).total).toBe(3);
    expect(studio.mediaForTrack(all[0]!.id)).toBeNull();
    for (const f of files) expect(fs.existsSync(f)).toBe(true);
    const gone = await ipc.invoke('library:getTrack', { id: all[0]!.id });
    expect(gone).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('media is refused for a library file deleted since the last scan', async () => {
    const { studio, ipc } = await setup();
    const f = encoded(path.join(t.dir, 'm'), 'x', 'flac');
    const r = await ipc.call('library:import', { paths: [f] });
    expect(studio.mediaForTrack(r.imported[0]!.id)?.mime).toBe('audio/flac');
    fs.rmSync(f);
    expect(studio.mediaForTrack(r.imported[0]!.id)).toBeNull();
  });
});

describe('invalid IPC payloads are refused and change nothing', () => {
  it('wrong types, extra keys, huge strings, unknown channels, bad ids', async () => {
    const { studio, ipc } = await setup();
    const f = uniqueWav(path.join(t.dir, 'one.wav'));
    await ipc.call('library:import', { paths: [f] });
    const bad: Array<[string, unknown]> = [
      ['library:import', { paths: 'not-an-array' }],
      ['library:import', { paths: [] }],
      ['library:import', { paths: [f], extra: true }],
      ['library:import', { paths: ['x'.repeat(5_000)] }],
      ['library:import', { paths: [f], jobId: '../../etc' }],
      ['library:import', null],
      ['library:import', [f]],
      ['library:listTracks', { search: 'y'.repeat(1_000_000) }],
      ['library:listTracks', { limit: 1e9 }],
      ['library:listTracks', { limit: 10.5 }],
      ['library:listTracks', { sort: 'path; DROP TABLE tracks' }],
      ['library:listTracks', { region: { valenceMin: -2, valenceMax: 1, arousalMin: 0, arousalMax: 1 } }],
      ['library:listTracks', { region: { valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1, z: 1 } }],
      ['library:getTrack', { id: '1' }],
      ['library:getTrack', { id: -1 }],
      ['library:getTrack', { id: 1.5 }],
      ['library:removeTracks', { ids: [1, 'two'] }],
      ['library:removeTracks', { ids: [] }],
      ['profiles:create', { name: '' }],
      ['profiles:create', { name: 'n'.repeat(101) }],
      ['job:cancel', { jobId: 'a b' }],
      ['log:renderer', { level: 'fatal', message: 'x' }],
      ['app:info', { anything: 1 }],
    ];
    for (const [channel, payload] of bad) {
      const env = await ipc.invoke(channel, payload);
      expect(env, `${channel} ${JSON.stringify(payload)?.slice(0, 80)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      if (!env.ok) expect(env.error.message.length).toBeLessThan(2_000);
    }
    expect(await ipc.invoke('library:nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await ipc.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    // A region with min > max passes the schema but is refused by the service.
    expect(await ipc.invoke('library:listTracks', { region: { valenceMin: 0.5, valenceMax: 0, arousalMin: 0, arousalMax: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(studio.services.tracks.count()).toBe(1);
    expect((await ipc.call('library:listTracks', {})).tracks[0]?.path).toBe(f);
  });

  it('profiles: create and list; duplicate names are a CONFLICT', async () => {
    const { ipc } = await setup();
    const p = await ipc.call('profiles:create', { name: '  Ana  ' });
    expect(p).toMatchObject({ name: 'Ana', hasPersonalModel: false });
    expect(await ipc.invoke('profiles:create', { name: 'ANA' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect((await ipc.call('profiles:list', {})).map((x) => x.name)).toEqual(['Ana']);
  });

  it('app:info and dialog:openAudio outside Electron', async () => {
    const { studio, ipc } = await setup();
    expect(await ipc.call('app:info', {})).toMatchObject({ name: 'Music Emotion Studio', mode: 'memory', dataDir: studio.dataDir, dbPath: studio.dbPath });
    expect(await ipc.call('dialog:openAudio', { folders: true })).toEqual({ supported: false, paths: [] });
    expect(await ipc.call('log:renderer', { level: 'info', message: 'hello from a test' })).toBeNull();
  });
});
