/**
 * Saved playlists: create (e.g. from a mood selection), rename, replace items, delete, and
 * export as M3U or CSV. Every write checks its input first (unknown playlist or track ids ->
 * NOT_FOUND, listing what arrived) so bad input never changes data, and announces itself as
 * `playlists:onChanged`.
 */
import { AppError } from '../../src-shared/ipc/envelope';
import type { Playlist, PlaylistDetail, PlaylistExport } from '../../src-shared/ipc/contract/playlists';
import { PlaylistsRepo, type PlaylistEntry, type PlaylistRow } from '../db/playlists.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';

/** Longest accepted name (the contract trims and enforces the same). */
const MAX_NAME = 200;

export class PlaylistService {
  readonly repo: PlaylistsRepo;
  readonly #bus: Pick<EventBus, 'emit'> | undefined;

  constructor(db: WritableDB, bus?: Pick<EventBus, 'emit'>) {
    this.repo = new PlaylistsRepo(db);
    this.#bus = bus;
  }

  list(): Playlist[] {
    return this.repo.list();
  }

  /** @throws NOT_FOUND */
  get(id: number): PlaylistDetail {
    const row = this.#require(id);
    return { ...row, trackIds: this.repo.trackIds(id) };
  }

  /** @throws NOT_FOUND when a track id is not in the library; VALIDATION_FAILED for a bad name */
  create(name: string, trackIds: readonly number[]): PlaylistDetail {
    const clean = checkName(name);
    this.#requireTracks(trackIds);
    const id = this.repo.create(clean, trackIds);
    this.#bus?.emit('playlists:onChanged', { reason: 'create', playlistId: id });
    return this.get(id);
  }

  rename(id: number, name: string): Playlist {
    const clean = checkName(name);
    this.#require(id);
    this.repo.rename(id, clean);
    this.#bus?.emit('playlists:onChanged', { reason: 'rename', playlistId: id });
    return this.#require(id);
  }

  setTracks(id: number, trackIds: readonly number[]): PlaylistDetail {
    this.#require(id);
    this.#requireTracks(trackIds);
    this.repo.setTracks(id, trackIds);
    this.#bus?.emit('playlists:onChanged', { reason: 'update', playlistId: id });
    return this.get(id);
  }

  delete(id: number): { deleted: boolean } {
    this.#require(id);
    const deleted = this.repo.delete(id);
    this.#bus?.emit('playlists:onChanged', { reason: 'delete', playlistId: id });
    return { deleted };
  }

  /** @throws NOT_FOUND */
  export(id: number, format: 'm3u' | 'csv'): PlaylistExport {
    const row = this.#require(id);
    const entries = this.repo.entries(id);
    const base = safeFilename(row.name);
    if (format === 'm3u') {
      const { text, count } = toM3u(entries);
      return { filename: `${base}.m3u`, mime: 'audio/x-mpegurl', content: text, trackCount: count };
    }
    return { filename: `${base}.csv`, mime: 'text/csv', content: toCsv(entries), trackCount: entries.length };
  }

  #require(id: number): PlaylistRow {
    const row = this.repo.get(id);
    if (!row) throw new AppError('NOT_FOUND', `Expected an existing playlist id, got ${id}`);
    return row;
  }

  #requireTracks(trackIds: readonly number[]): void {
    const missing = this.repo.missingTracks(trackIds);
    if (missing.length > 0) {
      throw new AppError(
        'NOT_FOUND',
        `Expected library track ids, got ${missing.length} unknown: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`,
        { missing: missing.slice(0, 1000) },
      );
    }
  }
}

function checkName(name: string): string {
  const clean = name.replace(/[\r\n\t]+/g, ' ').trim();
  if (clean.length === 0 || clean.length > MAX_NAME) {
    throw new AppError('VALIDATION_FAILED', `Expected a playlist name of 1..${MAX_NAME} characters, got ${clean.length}`);
  }
  return clean;
}

/** A name usable as a download file name on every OS (no path separators or reserved chars). */
export function safeFilename(name: string): string {
  const s = name
    .replace(/[\u0000-\u001f<>:"/\\|?*\u007f]+/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return s.length > 0 ? s : 'playlist';
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

function displayName(e: PlaylistEntry): string {
  const title = e.title ? oneLine(e.title) : '';
  const artist = e.artist ? oneLine(e.artist) : '';
  if (title && artist) return `${artist} - ${title}`;
  if (title) return title;
  const file = e.path.split(/[\\/]/).pop() ?? e.path;
  const stem = file.replace(/\.[^.]*$/, '');
  return artist ? `${artist} - ${stem}` : stem;
}

/**
 * Extended M3U: `#EXTM3U`, then `#EXTINF:<whole seconds, -1 when unknown>,<artist> - <title>`
 * and the absolute path. Paths containing a line break cannot be written in M3U and are left
 * out (`count` says how many entries were written). LF line endings, UTF-8.
 */
export function toM3u(entries: readonly PlaylistEntry[]): { text: string; count: number } {
  const lines = ['#EXTM3U'];
  let count = 0;
  for (const e of entries) {
    if (/[\r\n]/.test(e.path)) continue;
    const secs = e.durationSec === null ? -1 : Math.round(e.durationSec);
    lines.push(`#EXTINF:${secs},${displayName(e)}`, e.path);
    count++;
  }
  return { text: `${lines.join('\n')}\n`, count };
}

const CSV_HEADER = ['position', 'track_id', 'title', 'artist', 'album', 'duration_sec', 'valence', 'arousal', 'path'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text cells that a spreadsheet would run as a formula get a leading quote (OWASP CSV injection). */
function csvText(s: string | null): string {
  if (s === null) return '';
  return csvField(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
}

function csvNum(n: number | null, digits: number): string {
  return n === null ? '' : String(Number(n.toFixed(digits)));
}

/** RFC 4180 CSV with a header row and CRLF line endings; positions count from 1. */
export function toCsv(entries: readonly PlaylistEntry[]): string {
  const rows = [CSV_HEADER.join(',')];
  entries.forEach((e, i) => {
    rows.push(
      [
        String(i + 1),
        String(e.trackId),
        csvText(e.title),
        csvText(e.artist),
        csvText(e.album),
        csvNum(e.durationSec, 3),
        csvNum(e.meanValence, 4),
        csvNum(e.meanArousal, 4),
        csvField(e.path),
      ].join(','),
    );
  });
  return `${rows.join('\r\n')}\r\n`;
}

/** ServiceDeps installer (SERVICE_INSTALLERS in src-main/ipc/handlers/index.ts). */
export function installPlaylists(deps: { readonly db: WritableDB; readonly bus: EventBus; playlists?: PlaylistService }): void {
  deps.playlists = new PlaylistService(deps.db, deps.bus);
}
