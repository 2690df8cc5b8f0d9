/**
 * The ONLY place that constructs a better-sqlite3 `Database` (B8). Opens (or creates) the
 * library file, refuses corrupt files and files from a newer build WITHOUT writing to them,
 * then sets WAL / foreign keys / busy timeout and migrates.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../src-shared/ipc/envelope';
import { LATEST_VERSION, getUserVersion, migrate, type Migration, MIGRATIONS, updateToVersion } from './migrations/index';
import type { WritableDB } from './types';

export interface OpenDbOptions {
  /** Stop at this schema version (tests: per-migration checks). Default: latest. */
  targetVersion?: number;
  /** Registry override (tests only). */
  migrations?: readonly Migration[];
  /** Milliseconds a writer waits for a lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Databases up to this size get a full `quick_check` when opened (roughly 0.5 s at worst). */
const QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024;

function corrupt(file: string, why: string): AppError {
  return new AppError(
    'DB_CORRUPT',
    `The library database ${file} is not a readable SQLite database (${why}). It was left untouched; move it aside to start a new library.`,
    { path: file },
  );
}

/**
 * Checks an existing file read-only: SQLite header, readable schema, user_version.
 * Nothing is written (read-only connection, no journal-mode change).
 */
function inspectExisting(file: string, supported: number): void {
  const st = fs.statSync(file);
  if (!st.isFile()) throw corrupt(file, 'expected a regular file');
  if (st.size === 0) return; // SQLite treats an empty file as a new database
  const head = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (n < 16 || !head.subarray(0, 16).equals(SQLITE_HEADER)) throw corrupt(file, 'missing "SQLite format 3" header');
  if (n < 100) throw corrupt(file, `the file is only ${st.size} bytes, shorter than a database header`);
  // The header's page count is valid when "version-valid-for" equals the change counter
  // (https://www.sqlite.org/fileformat2.html#in_header_database_size). A cut file is smaller.
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pages = head.readUInt32BE(28);
  if (pages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > st.size) {
    throw corrupt(file, `truncated: its header declares ${pages * pageSize} bytes, the file has ${st.size}`);
  }
  let ro: Database.Database | undefined;
  try {
    ro = new Database(file, { readonly: true, fileMustExist: true });
    const version = getUserVersion(ro);
    if (version > supported) {
      throw new AppError(
        'DB_FROM_FUTURE',
        `The library database ${file} has schema version ${version}, but this version of the studio only knows up to ${supported}. ` +
          `Update the studio; the database was left untouched.`,
        { path: file, dbVersion: version, supported },
      );
    }
    // Reads the schema (garbage pages fail here) and, for files small enough to check quickly,
    // every page (quick_check is O(file size), so large libraries skip it at startup).
    ro.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    if (st.size <= QUICK_CHECK_MAX_BYTES) {
      const check = ro.pragma('quick_check(1)', { simple: true });
      if (check !== 'ok') throw corrupt(file, `integrity check: ${String(check).slice(0, 200)}`);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw corrupt(file, e instanceof Error ? e.message : String(e));
  } finally {
    ro?.close();
  }
}

/**
 * Opens the library database at `file`, creating it (and its directory) if missing.
 * @returns a migrated writable connection (WAL, foreign keys on, busy timeout set)
 * @throws AppError DB_CORRUPT (not SQLite / unreadable) or DB_FROM_FUTURE (newer schema); the file is not modified
 */
export function openDatabase(file: string, opts: OpenDbOptions = {}): WritableDB {
  const migrations = opts.migrations ?? MIGRATIONS;
  const supported = migrations.at(-1)?.version ?? LATEST_VERSION;
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) inspectExisting(file, supported);
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw corrupt(file, e instanceof Error ? e.message : String(e));
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // safe with WAL: durable except on OS crash/power loss
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5_000))}`);
    const wdb = db as WritableDB;
    if (opts.targetVersion !== undefined || opts.migrations) updateToVersion(wdb, opts.targetVersion, migrations);
    else migrate(wdb);
    return wdb;
  } catch (e) {
    db.close();
    if (e instanceof AppError) throw e;
    throw corrupt(file, e instanceof Error ? e.message : String(e));
  }
}

/** Closes a connection, checkpointing the WAL first (best effort). Idempotent. */
export function closeDatabase(db: Database.Database): void {
  if (!db.open) return;
  try {
    db.pragma('optimize');
  } catch {
    // best effort: optimize is advisory and must not block closing
  }
  db.close();
}
