/**
 * Saved playlists (tables `playlists` and `playlist_items`, migration 0001). Items are an
 * ordered list of track ids (positions 0..n-1, duplicates allowed: a playlist may repeat a
 * track); deleting a track removes its items through ON DELETE CASCADE, so positions may
 * have gaps, and readers order by position rather than trusting it to be dense.
 */
import type Database from 'better-sqlite3';
import type { WritableDB } from './types';

export interface PlaylistRow {
  id: number;
  name: string;
  createdAt: string;
  trackCount: number;
  durationSec: number;
}

/** One exported line: what M3U/CSV need about a track. */
export interface PlaylistEntry {
  position: number;
  trackId: number;
  path: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  durationSec: number | null;
  meanValence: number | null;
  meanArousal: number | null;
}

interface RawPlaylist {
  id: number;
  name: string;
  created_at: string;
  track_count: number;
  duration_sec: number | null;
}

/** `IN (...)` lists are chunked below SQLite's default 32766 host-parameter limit (B8). */
const ID_CHUNK = 500;

function toRow(r: RawPlaylist): PlaylistRow {
  return { id: r.id, name: r.name, createdAt: r.created_at, trackCount: r.track_count, durationSec: r.duration_sec ?? 0 };
}

const SUMMARY = `SELECT pl.id, pl.name, pl.created_at,
    (SELECT count(*) FROM playlist_items i WHERE i.playlist_id = pl.id) AS track_count,
    (SELECT sum(t.duration_sec) FROM playlist_items i JOIN tracks t ON t.id = i.track_id WHERE i.playlist_id = pl.id) AS duration_sec
  FROM playlists pl`;

export class PlaylistsRepo {
  readonly #db: WritableDB;
  readonly #stmts: {
    list: Database.Statement;
    get: Database.Statement;
    insert: Database.Statement;
    rename: Database.Statement;
    delete: Database.Statement;
    clearItems: Database.Statement;
    insertItem: Database.Statement;
    trackIds: Database.Statement;
    entries: Database.Statement;
    existing: Database.Statement;
  };

  constructor(db: WritableDB) {
    this.#db = db;
    const placeholders = Array.from({ length: ID_CHUNK }, () => '?').join(',');
    this.#stmts = {
      list: db.prepare(`${SUMMARY} ORDER BY pl.name COLLATE NOCASE, pl.id`),
      get: db.prepare(`${SUMMARY} WHERE pl.id = ?`),
      insert: db.prepare(`INSERT INTO playlists (name) VALUES (?)`),
      rename: db.prepare(`UPDATE playlists SET name = ? WHERE id = ?`),
      delete: db.prepare(`DELETE FROM playlists WHERE id = ?`),
      clearItems: db.prepare(`DELETE FROM playlist_items WHERE playlist_id = ?`),
      insertItem: db.prepare(`INSERT INTO playlist_items (playlist_id, position, track_id) VALUES (?, ?, ?)`),
      trackIds: db.prepare(`SELECT track_id FROM playlist_items WHERE playlist_id = ? ORDER BY position`).pluck(),
      // The base prediction's mean for CSV: newest complete base prediction of the track.
      entries: db.prepare(`SELECT i.position, t.id AS track_id, t.path, t.title, t.artist, t.album, t.duration_sec,
          bp.mean_valence, bp.mean_arousal
        FROM playlist_items i JOIN tracks t ON t.id = i.track_id
        LEFT JOIN predictions bp ON bp.id = (
          SELECT max(q.id) FROM predictions q WHERE q.track_id = t.id AND q.profile_id IS NULL AND q.complete = 1)
        WHERE i.playlist_id = ? ORDER BY i.position`),
      existing: db.prepare(`SELECT id FROM tracks WHERE id IN (${placeholders})`).pluck(),
    };
  }

  list(): PlaylistRow[] {
    return (this.#stmts.list.all() as RawPlaylist[]).map(toRow);
  }

  get(id: number): PlaylistRow | null {
    const r = this.#stmts.get.get(id) as RawPlaylist | undefined;
    return r ? toRow(r) : null;
  }

  /** Track ids in playlist order. */
  trackIds(id: number): number[] {
    return this.#stmts.trackIds.all(id) as number[];
  }

  /** What export needs, in playlist order. */
  entries(id: number): PlaylistEntry[] {
    return (
      this.#stmts.entries.all(id) as {
        position: number;
        track_id: number;
        path: string;
        title: string | null;
        artist: string | null;
        album: string | null;
        duration_sec: number | null;
        mean_valence: number | null;
        mean_arousal: number | null;
      }[]
    ).map((r) => ({
      position: r.position,
      trackId: r.track_id,
      path: r.path,
      title: r.title,
      artist: r.artist,
      album: r.album,
      durationSec: r.duration_sec,
      meanValence: r.mean_valence,
      meanArousal: r.mean_arousal,
    }));
  }

  /** @returns the ids from `ids` that are NOT library tracks (empty when all exist). */
  missingTracks(ids: readonly number[]): number[] {
    const unique = [...new Set(ids)];
    const found = new Set<number>();
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      const chunk = unique.slice(i, i + ID_CHUNK);
      // Pad with a never-valid id so one prepared statement serves every chunk size.
      const args = chunk.concat(Array.from({ length: ID_CHUNK - chunk.length }, () => -1));
      for (const id of this.#stmts.existing.all(...args) as number[]) found.add(id);
    }
    return unique.filter((id) => !found.has(id));
  }

  /** Creates a playlist with its items in one transaction. @returns the new id */
  create(name: string, trackIds: readonly number[]): number {
    return this.#db.transaction(() => {
      const id = Number(this.#stmts.insert.run(name).lastInsertRowid);
      this.#writeItems(id, trackIds);
      return id;
    })();
  }

  /** @returns false when no such playlist */
  rename(id: number, name: string): boolean {
    return this.#stmts.rename.run(name, id).changes > 0;
  }

  /** Replaces the items (one transaction). @returns false when no such playlist */
  setTracks(id: number, trackIds: readonly number[]): boolean {
    return this.#db.transaction(() => {
      if (!this.get(id)) return false;
      this.#stmts.clearItems.run(id);
      this.#writeItems(id, trackIds);
      return true;
    })();
  }

  /** @returns false when no such playlist */
  delete(id: number): boolean {
    // Items go explicitly too, so a connection without foreign_keys = ON leaves no orphans.
    return this.#db.transaction(() => {
      this.#stmts.clearItems.run(id);
      return this.#stmts.delete.run(id).changes > 0;
    })();
  }

  #writeItems(id: number, trackIds: readonly number[]): void {
    trackIds.forEach((tid, pos) => this.#stmts.insertItem.run(id, pos, tid));
  }
}
