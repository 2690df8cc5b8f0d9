/**
 * Playlists on a real temp-file SQLite: CRUD, export formats (exact text), bad input that must
 * not change data, and cascades when tracks leave the library.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WritableDB } from '../../src-main/db/types';
import { PlaylistService, safeFilename, toCsv } from '../../src-main/services/playlist.service';
import { playlistsContract } from '../../src-shared/ipc/contract/playlists';
import { AppError } from '../../src-shared/ipc/envelope';
import { makeTmpDir, removeDir, tmpDb } from '../helpers/tmp-db';

let dir: string;
let db: WritableDB;
let events: { name: string; payload: unknown }[];
let svc: PlaylistService;

function addTrack(id: number, p: string, tags: { title?: string; artist?: string; duration?: number | null } = {}): void {
  db.prepare(
    `INSERT INTO tracks (id, path, content_hash, size_bytes, mtime_ms, title, artist, duration_sec, format) VALUES (?, ?, ?, 1, 0, ?, ?, ?, 'mp3')`,
  ).run(id, p, `hash-${id}`, tags.title ?? null, tags.artist ?? null, tags.duration === undefined ? 100.4 : tags.duration);
}

function snapshot(): unknown {
  return {
    playlists: db.prepare('SELECT * FROM playlists ORDER BY id').all(),
    items: db.prepare('SELECT * FROM playlist_items ORDER BY playlist_id, position').all(),
  };
}

function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? `${e.code}: ${e.message}` : `not an AppError: ${String(e)}`;
  }
  return 'no error';
}

beforeEach(() => {
  dir = makeTmpDir('pdmer-playlists-');
  db = tmpDb(dir);
  events = [];
  svc = new PlaylistService(db, { emit: (name, payload) => events.push({ name, payload }) });
  addTrack(1, '/music/a b/01 - Ünïcode, "quoted".flac', { title: 'Ünïcode, "quoted"', artist: 'Ärtist', duration: 125.6 });
  addTrack(2, '/music/plain.mp3', { title: 'Plain', duration: null });
  addTrack(3, '/music/no tags.ogg', {});
  addTrack(4, '/music/=cmd.wav', { title: '=HYPERLINK("x")', artist: '@evil' });
});

afterEach(() => {
  db.close();
  removeDir(dir);
});

describe('playlist service', () => {
  it('creates, lists, renames, replaces items and deletes, announcing each change', () => {
    const p = svc.create('  Calm evening \n', [3, 1, 3]);
    expect(p).toMatchObject({ name: 'Calm evening', trackCount: 3, trackIds: [3, 1, 3] });
    expect(p.durationSec).toBeCloseTo(100.4 + 125.6 + 100.4, 6);
    expect(svc.list().map((x) => x.name)).toEqual(['Calm evening']);
    expect(svc.rename(p.id, 'Evening').name).toBe('Evening');
    expect(svc.setTracks(p.id, [2, 1]).trackIds).toEqual([2, 1]);
    expect(svc.get(p.id).trackCount).toBe(2);
    expect(svc.delete(p.id)).toEqual({ deleted: true });
    expect(svc.list()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM playlist_items').pluck().get()).toBe(0);
    expect(events.map((e) => (e.payload as { reason: string }).reason)).toEqual(['create', 'rename', 'update', 'delete']);
    expect(events.every((e) => e.name === 'playlists:onChanged')).toBe(true);
  });

  it('rejects unknown tracks and playlists without changing anything', () => {
    const p = svc.create('Keep', [1, 2]);
    const before = snapshot();
    events.length = 0;
    expect(failure(() => svc.create('New', [1, 77, 78]))).toMatch(/^NOT_FOUND: Expected library track ids, got 2 unknown: 77, 78/);
    expect(failure(() => svc.setTracks(p.id, [2, 99]))).toMatch(/^NOT_FOUND: .*99/);
    expect(failure(() => svc.setTracks(555, [1]))).toMatch(/^NOT_FOUND: Expected an existing playlist id, got 555/);
    expect(failure(() => svc.rename(555, 'x'))).toMatch(/^NOT_FOUND/);
    expect(failure(() => svc.rename(p.id, ' \n '))).toMatch(/^VALIDATION_FAILED/);
    expect(failure(() => svc.delete(555))).toMatch(/^NOT_FOUND/);
    expect(failure(() => svc.export(555, 'm3u'))).toMatch(/^NOT_FOUND/);
    expect(snapshot()).toEqual(before);
    expect(events).toEqual([]);
  });

  it('checks more track ids than one IN chunk', () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => i + 10);
    db.transaction(() => ids.forEach((id) => addTrack(id, `/music/bulk/${id}.mp3`)))();
    const p = svc.create('Bulk', ids);
    expect(p.trackIds).toEqual(ids);
    expect(failure(() => svc.create('Bulk+1', [...ids, 99_999]))).toMatch(/got 1 unknown: 99999/);
  });

  it('exports extended M3U with durations, "artist - title" and absolute paths', () => {
    const p = svc.create('Mix/1: "best"?', [1, 2, 3, 4]);
    const m3u = svc.export(p.id, 'm3u');
    expect(m3u.filename).toBe('Mix_1_ _best_.m3u');
    expect(m3u.mime).toBe('audio/x-mpegurl');
    expect(m3u.trackCount).toBe(4);
    expect(m3u.content).toBe(
      [
        '#EXTM3U',
        '#EXTINF:126,Ärtist - Ünïcode, "quoted"',
        '/music/a b/01 - Ünïcode, "quoted".flac',
        '#EXTINF:-1,Plain',
        '/music/plain.mp3',
        '#EXTINF:100,no tags',
        '/music/no tags.ogg',
        '#EXTINF:100,@evil - =HYPERLINK("x")',
        '/music/=cmd.wav',
        '',
      ].join('\n'),
    );
  });

  it('exports RFC 4180 CSV with quoting, base means and formula-injection guards', () => {
    db.prepare(
      `INSERT INTO predictions (track_id, content_hash, model_version, feature_hash, n_steps, arousal, valence, mean_arousal, mean_valence)
       VALUES (1, 'hash-1', 'v1', 'f', 1, x'00000000', x'00000000', -0.25, 0.5)`,
    ).run();
    const p = svc.create('csv', [1, 4]);
    const csv = svc.export(p.id, 'csv');
    expect(csv.filename).toBe('csv.csv');
    expect(csv.content).toBe(
      [
        'position,track_id,title,artist,album,duration_sec,valence,arousal,path',
        '1,1,"Ünïcode, ""quoted""",Ärtist,,125.6,0.5,-0.25,"/music/a b/01 - Ünïcode, ""quoted"".flac"',
        `2,4,"'=HYPERLINK(""x"")",'@evil,,100.4,,,/music/=cmd.wav`,
        '',
      ].join('\r\n'),
    );
    expect(toCsv([])).toBe('position,track_id,title,artist,album,duration_sec,valence,arousal,path\r\n');
  });

  it('drops items of tracks removed from the library (ON DELETE CASCADE) and keeps order', () => {
    const p = svc.create('cascade', [1, 2, 3]);
    db.prepare('DELETE FROM tracks WHERE id = 2').run();
    expect(svc.get(p.id).trackIds).toEqual([1, 3]);
    expect(svc.export(p.id, 'm3u').trackCount).toBe(2);
  });

  it('safeFilename never yields a path or an empty name', () => {
    expect(safeFilename('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFilename('...')).toBe('playlist');
    expect(safeFilename('a\u0000b')).toBe('a_b');
  });

  it('the contract trims names and bounds inputs', () => {
    const c = playlistsContract;
    expect(c['playlists:create'].input.parse({ name: '  x ', trackIds: [] })).toEqual({ name: 'x', trackIds: [] });
    expect(c['playlists:create'].input.safeParse({ name: '   ', trackIds: [] }).success).toBe(false);
    expect(c['playlists:create'].input.safeParse({ name: 'x', trackIds: [0] }).success).toBe(false);
    expect(c['playlists:export'].input.safeParse({ id: 1, format: 'pls' }).success).toBe(false);
    expect(c['playlists:rename'].input.safeParse({ id: 1, name: 'x'.repeat(201) }).success).toBe(false);
  });
});
