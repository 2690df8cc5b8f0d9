import type Database from 'better-sqlite3';

/** A connection that may write. Only `db/open.ts` constructs one. */
export type WritableDB = Database.Database & { readonly __writable: unique symbol };
/** A connection handed to read-only consumers (Signal's ReadableDB). */
export type ReadableDB = Database.Database;
