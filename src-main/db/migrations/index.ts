/**
 * Ordered migration registry (Signal's shape): versions strictly increase, all pending ones run
 * in ONE transaction, `user_version` records the highest applied version, and a database from a
 * newer build is refused (DB_FROM_FUTURE) before anything is written.
 *
 * To add a migration: create `NNNN-name.ts` with `export default function up(db)` and add ONE
 * line `[NNNN, 'name', upNNNN],` below (plus its import). Version 2 is reserved for the study
 * tables (annotation); versions need not be contiguous, but must increase.
 */
import { AppError } from '../../../src-shared/ipc/envelope';
import type { WritableDB } from '../types';
import up0001 from './0001-initial';
import up0002 from './0002-annotation-studies';

export interface Migration {
  version: number;
  name: string;
  up: (db: WritableDB) => void;
}

type Entry = readonly [version: number, name: string, up: (db: WritableDB) => void];

const ENTRIES: Entry[] = [
  [1, 'initial', up0001],
  [2, 'annotation-studies', up0002],
];

/** Every migration, sorted by version. */
export const MIGRATIONS: readonly Migration[] = checkRegistry(ENTRIES.map(([version, name, up]) => ({ version, name, up })));

/** The schema version this build writes. */
export const LATEST_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Verifies versions are positive integers in strictly increasing order.
 * @throws Error on a malformed registry (a programming error caught by the tests).
 */
export function checkRegistry(list: Migration[]): Migration[] {
  let prev = 0;
  for (const m of list) {
    if (!Number.isInteger(m.version) || m.version <= prev) {
      throw new Error(`Migration registry out of order: version ${m.version} ('${m.name}') must be an integer greater than ${prev}`);
    }
    prev = m.version;
  }
  return list;
}

export function getUserVersion(db: { pragma(s: string, o: { simple: true }): unknown }): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Applies pending migrations up to `target` (default: latest) in one transaction.
 * @returns the versions applied, in order
 * @throws AppError DB_FROM_FUTURE when the database is newer than this build
 */
export function updateToVersion(db: WritableDB, target?: number, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const current = getUserVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  target ??= latest;
  if (current > latest) {
    throw new AppError(
      'DB_FROM_FUTURE',
      `The library database has schema version ${current}, but this version of the studio only knows up to ${latest}. ` +
        `Update the studio; the database was left untouched.`,
      { dbVersion: current, supported: latest },
    );
  }
  const pending = migrations.filter((m) => m.version > current && m.version <= target);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) {
      m.up(db);
      // user_version cannot be a bound parameter; the value is an integer from our registry.
      db.pragma(`user_version = ${m.version | 0}`);
    }
  })();
  return pending.map((m) => m.version);
}

/** Applies every pending migration and runs `pragma optimize` after an upgrade. */
export function migrate(db: WritableDB): number[] {
  const applied = updateToVersion(db);
  if (applied.length > 0) db.pragma('optimize');
  return applied;
}
