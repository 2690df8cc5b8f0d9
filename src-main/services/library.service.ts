/**
 * The music library: import (files and folders, recursive), rescan (moved / deleted /
 * reappeared files), listing with search, sort and the mood-region filter, removal.
 *
 * Import is sequential and streaming (one file open at a time, hashes streamed, directory
 * entries read with `opendir`) so a folder of 10,000 files needs little memory, and it yields
 * to the event loop between files so the Electron main thread is never blocked for long.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseFile, type IAudioMetadata } from 'music-metadata';
import type {
  ImportReport,
  ListTracksInput,
  RescanReport,
  SkipReason,
  Track,
  TrackPage,
} from '../../src-shared/domain/track';
import { ListTracksInputSchema } from '../../src-shared/domain/track';
import { AppError } from '../../src-shared/ipc/envelope';
import { TracksRepo, type NewTrack } from '../db/tracks.repo';
import type { WritableDB } from '../db/types';
import type { EventBus } from '../ipc/events';
import { log } from '../log';
import type { JobHandle, JobsService } from './jobs.service';
import type { MediaInfo } from './studio-types';

/** File extensions we import (lower case, no dot) and the MIME type used to serve them. */
export const AUDIO_EXTENSIONS: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/ogg; codecs=opus',
  wav: 'audio/wav',
  wave: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
};

/** True for a lower-case extension (no dot) we import. */
export function isAudioExtension(ext: string): boolean {
  return Object.hasOwn(AUDIO_EXTENSIONS, ext);
}

/** MIME type per detected format (the `format` column). */
const FORMAT_MIME: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
};

/** Largest embedded cover we keep in the database (bytes); bigger ones are ignored. */
const MAX_COVER_BYTES = 2 * 1024 * 1024;
/** Tag text is capped so rows always fit the shared schema (ShortText). */
const MAX_TAG_CHARS = 1_000;
/** Longest stretch (ms) the import loop runs before yielding to the event loop. */
const YIELD_EVERY_MS = 15;
/** Emit `library:onChanged` after this many imported tracks during a long import. */
const CHANGED_BATCH = 200;

/** A skipped-file reason code (the `code` field of SkipReason). */
export type SkipCode =
  | 'NOT_FOUND'
  | 'UNREADABLE'
  | 'NOT_A_FILE'
  | 'EMPTY_FILE'
  | 'NOT_AUDIO'
  | 'UNSUPPORTED_FORMAT'
  | 'AUDIO_DECODE_FAILED'
  | 'TRUNCATED'
  | 'CONFLICT';

class Skip extends Error {
  constructor(
    readonly code: SkipCode,
    message: string,
  ) {
    super(message);
  }
}

export interface LibraryDeps {
  db: WritableDB;
  bus: EventBus;
  jobs: JobsService;
  tracks?: TracksRepo;
}

export interface ImportOptions {
  jobId?: string;
  /** Called after each file (CLI progress). */
  onFile?: (info: { path: string; outcome: 'imported' | 'duplicate' | 'skipped'; done: number; total: number | null }) => void;
}

export class LibraryService {
  readonly tracks: TracksRepo;
  readonly #db: WritableDB;
  readonly #bus: EventBus;
  readonly #jobs: JobsService;

  constructor(deps: LibraryDeps) {
    this.#db = deps.db;
    this.#bus = deps.bus;
    this.#jobs = deps.jobs;
    this.tracks = deps.tracks ?? new TracksRepo(deps.db);
  }

  // ---------------------------------------------------------------- import

  /**
   * Imports files and folders (recursively) as one job. Never throws for a bad file: each one
   * lands in `skipped` with a reason. On cancel, returns what was done so far with `cancelled: true`.
   */
  async importPaths(inputs: readonly string[], opts: ImportOptions = {}): Promise<ImportReport> {
    return this.#jobs.run('import', { jobId: opts.jobId, total: null, payload: { paths: inputs.slice(0, 100) } }, (job) =>
      this.#import(inputs, job, opts),
    );
  }

  async #import(inputs: readonly string[], job: JobHandle, opts: ImportOptions): Promise<ImportReport> {
    const report: ImportReport = { imported: [], duplicates: [], skipped: [], cancelled: false };
    const skip = (p: string, code: SkipCode, reason: string) => {
      report.skipped.push({ path: clampPath(p), code, reason: reason.slice(0, MAX_TAG_CHARS) });
    };

    // Phase 1: enumerate candidate files (paths only; cheap even for 100k entries).
    job.progress(0, null, 'Scanning folders');
    const files: string[] = [];
    for (const raw of inputs) {
      if (job.signal.aborted) break;
      const abs = path.resolve(raw);
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const dangling = code === 'ENOENT' && (await isSymlink(abs));
        skip(abs, code === 'ENOENT' ? 'NOT_FOUND' : 'UNREADABLE', dangling ? 'Broken symbolic link: its target does not exist' : describeFsError(e, 'read'));
        continue;
      }
      if (st.isDirectory()) {
        this.tracks.addRoot(abs);
        for await (const entry of walk(abs, job.signal)) {
          if (entry.kind === 'file') {
            files.push(entry.path);
            if (files.length % 1000 === 0) job.progress(0, null, `Scanning folders: ${files.length} files found`);
          } else skip(entry.path, entry.code, entry.reason);
        }
      } else if (st.isFile()) {
        this.tracks.addRoot(path.dirname(abs));
        files.push(abs);
      } else {
        skip(abs, 'NOT_A_FILE', 'Expected a regular file or a folder, got a device, socket or pipe');
      }
    }

    // Phase 2: one file at a time.
    const total = files.length;
    let changed: number[] = [];
    const flushChanged = () => {
      if (changed.length) this.#bus.emit('library:onChanged', { reason: 'import', trackIds: changed });
      changed = [];
    };
    let lastYield = performance.now();
    for (let i = 0; i < files.length; i++) {
      // Files rejected without I/O (wrong extension) never reach the event loop; give it a turn
      // every few ms so the Electron main thread keeps answering (B8: no blocks over ~50 ms).
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((r) => setImmediate(r));
        lastYield = performance.now();
      }
      if (job.signal.aborted) break;
      const file = files[i]!;
      job.progress(i, total, path.basename(file));
      let outcome: 'imported' | 'duplicate' | 'skipped';
      try {
        const r = await this.#importOne(file, job.signal);
        if (r.kind === 'imported') {
          report.imported.push({ id: r.id, path: clampPath(file) });
          changed.push(r.id);
          if (changed.length >= CHANGED_BATCH) flushChanged();
          outcome = 'imported';
        } else {
          report.duplicates.push({ path: clampPath(file), existingId: r.id, existingPath: clampPath(r.existingPath) });
          outcome = 'duplicate';
        }
      } catch (e) {
        if (job.signal.aborted) break;
        if (e instanceof Skip) skip(file, e.code, e.message);
        else {
          log.warn(`import of ${file} failed unexpectedly`, e);
          skip(file, 'UNREADABLE', `Could not import: ${(e as Error).message ?? String(e)}`);
        }
        outcome = 'skipped';
      }
      opts.onFile?.({ path: file, outcome, done: i + 1, total });
    }
    flushChanged();
    report.cancelled = job.signal.aborted;
    job.progress(
      report.cancelled ? Math.min(total, report.imported.length + report.duplicates.length) : total,
      total,
      `${report.imported.length} imported, ${report.duplicates.length} duplicates, ${report.skipped.length} skipped${report.cancelled ? ' (cancelled)' : ''}`,
    );
    return report;
  }

  async #importOne(file: string, signal: AbortSignal): Promise<{ kind: 'imported' | 'duplicate'; id: number; existingPath: string }> {
    const ext = path.extname(file).slice(1).toLowerCase();
    if (!isAudioExtension(ext)) {
      throw new Skip(
        'NOT_AUDIO',
        `Not an audio file: expected one of .${Object.keys(AUDIO_EXTENSIONS).join(', .')}, got ${ext ? `.${ext}` : 'no extension'}`,
      );
    }
    const st = await statFile(file);
    if (st.size === 0) throw new Skip('EMPTY_FILE', 'Empty file (0 bytes): expected audio data');
    const hash = await sha256File(file, signal);

    const sameContent = this.tracks.findByHash(hash);
    if (sameContent) {
      if (sameContent.path === file) {
        if (sameContent.status === 'ok') return { kind: 'duplicate', id: sameContent.id, existingPath: sameContent.path };
        this.tracks.move(sameContent.id, file, st.mtimeMs); // was missing/unreadable, is back: restore
        return { kind: 'imported', id: sameContent.id, existingPath: file };
      }
      // The known copy is gone: this is the same track, moved. Follow it instead of duplicating.
      if (sameContent.status === 'missing' || !(await exists(sameContent.path))) {
        const atNewPath = this.tracks.idByPath(file);
        if (atNewPath === null) {
          this.tracks.move(sameContent.id, file, st.mtimeMs);
          return { kind: 'imported', id: sameContent.id, existingPath: sameContent.path };
        }
      }
      return { kind: 'duplicate', id: sameContent.id, existingPath: sameContent.path };
    }

    const meta = await readAudioMetadata(file, ext, st.size);
    const row = toNewTrack(file, hash, st, meta);
    const existingAtPath = this.tracks.idByPath(file);
    try {
      if (existingAtPath !== null) {
        // Same path, new content (the file was replaced): keep the id, refresh everything.
        this.tracks.replaceContent(existingAtPath, row);
        return { kind: 'imported', id: existingAtPath, existingPath: file };
      }
      return { kind: 'imported', id: this.tracks.insert(row), existingPath: file };
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        const other = this.tracks.findByHash(hash);
        if (other) return { kind: 'duplicate', id: other.id, existingPath: other.path };
        throw new Skip('CONFLICT', `Could not add the track: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- rescan

  /**
   * Checks every track's file: unchanged, changed in place (re-read), missing, or back again;
   * then looks for missing tracks under the known library roots by size + content hash.
   */
  async rescan(opts: { jobId?: string } = {}): Promise<RescanReport> {
    return this.#jobs.run('rescan', { jobId: opts.jobId, total: this.tracks.count() }, (job) => this.#rescan(job));
  }

  async #rescan(job: JobHandle): Promise<RescanReport> {
    const report: RescanReport = { unchanged: 0, moved: [], missing: [], restored: [], updated: [] };
    const missing = new Map<string, { id: number; path: string; size: number }>();
    const rows = [...this.tracks.iterateFiles()];
    const changedIds: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      job.throwIfCancelled();
      const t = rows[i]!;
      job.progress(i, rows.length, path.basename(t.path));
      let st: fs.Stats | null = null;
      try {
        st = await fs.promises.stat(t.path);
        if (!st.isFile()) st = null;
      } catch {
        st = null; // absent or unreadable: treated as missing below
      }
      if (!st) {
        missing.set(t.content_hash, { id: t.id, path: t.path, size: t.size_bytes });
        continue;
      }
      const sameStamp = st.size === t.size_bytes && Math.round(st.mtimeMs) === t.mtime_ms;
      if (sameStamp && t.status === 'ok') {
        report.unchanged++;
        continue;
      }
      let hash: string;
      try {
        hash = await sha256File(t.path, job.signal);
      } catch (e) {
        job.throwIfCancelled();
        this.tracks.setStatus(t.id, 'error', describeFsError(e, 'read').slice(0, MAX_TAG_CHARS));
        changedIds.push(t.id);
        continue;
      }
      if (hash === t.content_hash) {
        this.tracks.touch(t.id, st.mtimeMs);
        if (t.status !== 'ok') {
          this.tracks.setStatus(t.id, 'ok', null);
          report.restored.push({ id: t.id, path: t.path });
          changedIds.push(t.id);
        } else report.unchanged++;
        continue;
      }
      // New content at a known path: re-read it (predictions keyed by the old hash become stale).
      try {
        const ext = path.extname(t.path).slice(1).toLowerCase();
        const meta = await readAudioMetadata(t.path, ext, st.size);
        const clash = this.tracks.findByHash(hash);
        if (clash && clash.id !== t.id) throw new Skip('CONFLICT', `Its content is now identical to track ${clash.id} (${clash.path})`);
        this.tracks.replaceContent(t.id, toNewTrack(t.path, hash, st, meta));
        report.updated!.push({ id: t.id, path: t.path });
      } catch (e) {
        this.tracks.setStatus(t.id, 'error', ((e as Error).message ?? String(e)).slice(0, MAX_TAG_CHARS));
        report.updated!.push({ id: t.id, path: t.path });
      }
      changedIds.push(t.id);
    }

    // Look for missing tracks under the known roots: only unknown files of a matching size are hashed.
    if (missing.size > 0) {
      const sizes = new Set([...missing.values()].map((m) => m.size));
      for (const root of outermost(this.tracks.roots())) {
        if (missing.size === 0) break;
        for await (const entry of walk(root, job.signal)) {
          job.throwIfCancelled();
          if (missing.size === 0) break;
          if (entry.kind !== 'file') continue;
          if (!isAudioExtension(path.extname(entry.path).slice(1).toLowerCase())) continue; // as import: audio names only
          if (this.tracks.idByPath(entry.path) !== null) continue;
          let st: fs.Stats;
          try {
            st = await fs.promises.stat(entry.path);
          } catch {
            continue; // vanished or unreadable while scanning: not a candidate
          }
          if (!sizes.has(st.size)) continue;
          let hash: string;
          try {
            hash = await sha256File(entry.path, job.signal);
          } catch {
            job.throwIfCancelled();
            continue; // unreadable candidate: not a match
          }
          const m = missing.get(hash);
          if (!m) continue;
          this.tracks.move(m.id, entry.path, st.mtimeMs);
          report.moved.push({ id: m.id, from: m.path, to: entry.path });
          changedIds.push(m.id);
          missing.delete(hash);
        }
      }
    }
    for (const m of missing.values()) {
      const row = this.tracks.fileRow(m.id);
      if (row && row.status !== 'missing') {
        this.tracks.setStatus(m.id, 'missing', 'File not found at its path or under the library folders');
        changedIds.push(m.id);
      }
      report.missing.push({ id: m.id, path: m.path });
    }
    job.progress(rows.length, rows.length, `${report.moved.length} moved, ${report.missing.length} missing, ${report.restored.length} restored`);
    if (changedIds.length) this.#bus.emit('library:onChanged', { reason: 'rescan', trackIds: changedIds });
    return report;
  }

  // ---------------------------------------------------------------- queries

  /** One page of tracks. Accepts raw or parsed input (defaults applied here too). */
  list(input: ListTracksInput = {}): TrackPage {
    const q = ListTracksInputSchema.parse(input);
    if (q.region && (q.region.valenceMin > q.region.valenceMax || q.region.arousalMin > q.region.arousalMax)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Mood region must have min <= max, got valence [${q.region.valenceMin}, ${q.region.valenceMax}], arousal [${q.region.arousalMin}, ${q.region.arousalMax}]`,
      );
    }
    return this.tracks.list(q);
  }

  /** @throws AppError NOT_FOUND */
  get(id: number): Track {
    const t = this.tracks.get(id);
    if (!t) throw new AppError('NOT_FOUND', `No track with id ${id} in the library`);
    return t;
  }

  /** Removes tracks from the library (files on disk are never touched). @returns number removed */
  remove(ids: readonly number[]): number {
    const removed = this.tracks.remove([...new Set(ids)]);
    if (removed > 0) this.#bus.emit('library:onChanged', { reason: 'remove', trackIds: [...new Set(ids)] });
    return removed;
  }

  /** The audio file of a library track, only when it is status ok and exists as a regular file. */
  media(trackId: number): MediaInfo | null {
    if (!Number.isSafeInteger(trackId) || trackId <= 0) return null;
    const row = this.tracks.fileRow(trackId);
    if (!row || row.status !== 'ok') return null;
    let st: fs.Stats;
    try {
      st = fs.statSync(row.path);
    } catch {
      return null; // gone since the last scan: not servable
    }
    if (!st.isFile()) return null;
    const track = this.tracks.get(trackId)!;
    const ext = path.extname(row.path).slice(1).toLowerCase();
    return {
      path: row.path,
      mime: (Object.hasOwn(FORMAT_MIME, track.format) ? FORMAT_MIME[track.format] : isAudioExtension(ext) ? AUDIO_EXTENSIONS[ext] : undefined) ?? 'application/octet-stream',
      size: st.size,
    };
  }

  cover(trackId: number): { mime: string; data: Buffer } | null {
    if (!Number.isSafeInteger(trackId) || trackId <= 0) return null;
    return this.tracks.cover(trackId);
  }
}

// ------------------------------------------------------------------ helpers

type WalkEntry = { kind: 'file'; path: string } | { kind: 'skip'; path: string; code: SkipCode; reason: string };

const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Depth-first directory walk with `opendir`, in natural name order ("2 x" before "10 x", so an
 * album imports in track order). Only one folder's listing is held at a time. Symlinks to files
 * are followed; symlinks to folders are not (loops); broken links and unreadable folders are
 * reported.
 */
export async function* walk(root: string, signal?: AbortSignal): AsyncGenerator<WalkEntry> {
  const stack: string[] = [root];
  while (stack.length) {
    if (signal?.aborted) return;
    const dir = stack.pop()!;
    const entries: fs.Dirent[] = [];
    try {
      const handle = await fs.promises.opendir(dir, { bufferSize: 128 });
      for await (const d of handle) {
        if (signal?.aborted) return;
        entries.push(d);
      }
    } catch (e) {
      yield { kind: 'skip', path: dir, code: 'UNREADABLE', reason: describeFsError(e, 'list') };
      continue;
    }
    entries.sort((a, b) => NAME_ORDER.compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const d of entries) {
      if (signal?.aborted) return;
      const p = path.join(dir, d.name);
      if (d.isDirectory()) subdirs.push(p);
      else if (d.isFile()) yield { kind: 'file', path: p };
      else if (d.isSymbolicLink()) {
        try {
          const st = await fs.promises.stat(p);
          if (st.isFile()) yield { kind: 'file', path: p };
          else if (st.isDirectory())
            yield { kind: 'skip', path: p, code: 'NOT_A_FILE', reason: 'Symbolic link to a folder: not followed (import the folder itself)' };
          else yield { kind: 'skip', path: p, code: 'NOT_A_FILE', reason: 'Expected a regular file, got a link to a device, socket or pipe' };
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          yield {
            kind: 'skip',
            path: p,
            code: 'UNREADABLE',
            reason: code === 'ENOENT' ? 'Broken symbolic link: its target does not exist' : describeFsError(e, 'read'),
          };
        }
      } else yield { kind: 'skip', path: p, code: 'NOT_A_FILE', reason: 'Expected a regular file, got a device, socket or pipe' };
    }
    // Files of a folder first, then its subfolders in name order (pushed reversed onto the stack).
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

/** Drops folders that lie inside another folder of the list (walked once, via the outer one). */
export function outermost(dirs: readonly string[]): string[] {
  const sorted = [...new Set(dirs.map((d) => path.resolve(d)))].sort();
  const out: string[] = [];
  for (const d of sorted) {
    const parent = out.at(-1);
    if (parent !== undefined && (d === parent || d.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep))) continue;
    out.push(d);
  }
  return out;
}

/** Streams a file through sha256. @returns lowercase hex */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const stream = fs.createReadStream(file, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function statFile(file: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (e) {
    throw new Skip((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'UNREADABLE', describeFsError(e, 'read'));
  }
  if (!st.isFile()) throw new Skip('NOT_A_FILE', 'Expected a regular file');
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch (e) {
    throw new Skip('UNREADABLE', describeFsError(e, 'read'));
  }
  return st;
}

async function exists(p: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(p)).isFile();
  } catch {
    return false; // absent or unreadable
  }
}

async function isSymlink(p: string): Promise<boolean> {
  try {
    return (await fs.promises.lstat(p)).isSymbolicLink();
  } catch {
    return false; // nothing there at all
  }
}

function describeFsError(e: unknown, verb: 'read' | 'list'): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'Not found: no file or folder at this path';
    case 'EACCES':
    case 'EPERM':
      return `Permission denied: cannot ${verb} this ${verb === 'list' ? 'folder' : 'file'}`;
    case 'ENAMETOOLONG':
      return 'File name too long for this file system';
    case 'ELOOP':
      return 'Too many levels of symbolic links';
    case 'EISDIR':
      return 'Expected a file, got a folder';
    default:
      return `Cannot ${verb}: ${err.message ?? String(e)}`;
  }
}

/** Normalised format name from music-metadata's container/codec. */
export function formatName(meta: IAudioMetadata, ext: string): string | null {
  const container = (meta.format.container ?? '').toLowerCase();
  const codec = (meta.format.codec ?? '').toLowerCase();
  if (codec.includes('opus')) return 'opus';
  if (codec.includes('vorbis')) return 'ogg';
  if (codec.includes('flac') || container === 'flac') return 'flac';
  if (codec.includes('layer 3') || (container === 'mpeg' && ext === 'mp3')) return 'mp3';
  if (container === 'wave' || container === 'riff' || container === 'rf64') return 'wav';
  if (codec.includes('aac') || codec.includes('mp4a')) return container.includes('adts') || ext === 'aac' ? 'aac' : 'm4a';
  return null;
}

/**
 * Parses tags and stream facts with music-metadata and checks the file really holds audio.
 * @throws Skip AUDIO_DECODE_FAILED / UNSUPPORTED_FORMAT / TRUNCATED with a reason
 */
async function readAudioMetadata(file: string, ext: string, size: number): Promise<{ meta: IAudioMetadata; format: string }> {
  let meta: IAudioMetadata;
  try {
    meta = await parseFile(file, { duration: true });
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    throw new Skip('AUDIO_DECODE_FAILED', `Unreadable ${ext.toUpperCase()} header: ${/end-of-stream|outside the bounds/i.test(msg) ? 'the file ends early (truncated)' : msg}`);
  }
  const f = meta.format;
  const format = formatName(meta, ext);
  if (!f.container && !f.codec) {
    throw new Skip('AUDIO_DECODE_FAILED', `Expected a .${ext} audio file, but its content is not a recognised audio format`);
  }
  if (!format) {
    throw new Skip('UNSUPPORTED_FORMAT', `Unsupported audio format: container ${f.container ?? '?'}, codec ${f.codec ?? '?'} (expected mp3, flac, ogg/vorbis, opus, wav, m4a/aac)`);
  }
  if (!f.sampleRate || !f.numberOfChannels || !f.duration || !Number.isFinite(f.duration) || f.duration <= 0) {
    throw new Skip(
      'AUDIO_DECODE_FAILED',
      `No playable audio stream: expected a sample rate, channels and a duration, got sampleRate=${f.sampleRate ?? 'none'}, channels=${f.numberOfChannels ?? 'none'}, duration=${f.duration ?? 'none'}`,
    );
  }
  await checkTruncation(file, format, size, meta);
  return { meta, format };
}

/**
 * Detects files cut short after a valid header: WAV (the data chunk claims more bytes than the
 * file has) and constant-bitrate MP3 (far fewer bytes than bitrate x duration). Other formats
 * decode up to the cut and are accepted.
 */
async function checkTruncation(file: string, format: string, size: number, meta: IAudioMetadata): Promise<void> {
  if (format === 'wav') {
    const declared = await wavDataEnd(file);
    if (declared !== null && declared > size) {
      throw new Skip('TRUNCATED', `Truncated WAV: its header declares ${declared} bytes of audio data, but the file has only ${size} bytes`);
    }
  } else if (format === 'mp3' && meta.format.codecProfile === 'CBR' && meta.format.bitrate && meta.format.duration) {
    const expected = (meta.format.bitrate / 8) * meta.format.duration;
    if (size < expected * 0.5) {
      throw new Skip('TRUNCATED', `Truncated MP3: ${Math.round(meta.format.duration * 10) / 10} s at ${meta.format.bitrate / 1000} kbit/s needs about ${Math.round(expected)} bytes, the file has ${size}`);
    }
  }
}

/** Offset just past the end of a RIFF/WAVE `data` chunk as declared by its header, or null. */
async function wavDataEnd(file: string): Promise<number | null> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') return null;
    let off = 12;
    while (off + 8 <= bytesRead) {
      const id = buf.toString('latin1', off, off + 4);
      const len = buf.readUInt32LE(off + 4);
      if (id === 'data') return len === 0xffffffff ? null : off + 8 + len; // 0xFFFFFFFF: streaming writer, size unknown
      off += 8 + len + (len & 1);
    }
    return null;
  } finally {
    await fh.close();
  }
}

function tag(s: string | undefined | null): string | null {
  if (s === undefined || s === null) return null;
  const t = String(s).trim();
  return t ? t.slice(0, MAX_TAG_CHARS) : null;
}

function toNewTrack(file: string, hash: string, st: fs.Stats, m: { meta: IAudioMetadata; format: string }): NewTrack {
  const c = m.meta.common;
  const pic = c.picture?.find((p) => p.data.length > 0 && p.data.length <= MAX_COVER_BYTES);
  const stem = path.basename(file, path.extname(file));
  return {
    path: file,
    contentHash: hash,
    sizeBytes: st.size,
    mtimeMs: Math.round(st.mtimeMs),
    title: tag(c.title) ?? tag(stem),
    artist: tag(c.artist),
    album: tag(c.album),
    genre: tag(c.genre?.[0]),
    year: c.year && Number.isInteger(c.year) ? c.year : null,
    durationSec: m.meta.format.duration ?? null,
    format: m.format,
    sampleRate: m.meta.format.sampleRate ? Math.round(m.meta.format.sampleRate) : null,
    channels: m.meta.format.numberOfChannels ?? null,
    coverMime: pic ? (pic.format.startsWith('image/') ? pic.format : `image/${pic.format}`) : null,
    cover: pic ? Buffer.from(pic.data) : null,
  };
}

/** Report paths must fit the shared PathSchema (4096 chars); longer ones are cut with an ellipsis. */
function clampPath(p: string): string {
  return p.length <= 4_096 ? p : `${p.slice(0, 4_000)}…${p.slice(-90)}`;
}

export type { SkipReason };
