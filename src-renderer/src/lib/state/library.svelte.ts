/**
 * Library view state (B9 rune class): the visible page of tracks, search and sort, and the
 * current import with its progress (from `job:onProgress`), cancel, and per-file problems.
 * Components never call the client directly; they call these methods.
 */
import type { ImportReport, SkipReason, Track, TrackSort } from '../../../../src-shared/domain/track';
import type { JobProgress } from '../../../../src-shared/domain/job';
import type { Envelope } from '../../../../src-shared/ipc/envelope';
import { IpcError, type Client } from '../ipc/client';

/** Uploads one dropped file to the browser-mode server and returns the server's import envelope. */
export type Uploader = (file: File, jobId: string, signal: AbortSignal) => Promise<Envelope<ImportReport>>;

/** A problem with one file of an import (skipped, failed upload) or with the import as a whole. */
export interface ImportProblem {
  path: string;
  reason: string;
  code: string;
}

export interface ImportSummary {
  imported: number;
  duplicates: number;
  skipped: number;
  cancelled: boolean;
}

const PAGE = 500;

/** A mood region filter (inclusive bounds, valence/arousal in [-1, 1]); the shape of `library:listTracks` `region`. */
export interface MoodRegionFilter {
  valenceMin: number;
  valenceMax: number;
  arousalMin: number;
  arousalMax: number;
}

/** Quick picks: the four quadrants of the valence/arousal plane. */
export const MOOD_PRESETS: readonly { id: string; label: string; region: MoodRegionFilter }[] = [
  { id: 'happy', label: 'Happy/excited (+V +A)', region: { valenceMin: 0, valenceMax: 1, arousalMin: 0, arousalMax: 1 } },
  { id: 'angry', label: 'Angry/tense (−V +A)', region: { valenceMin: -1, valenceMax: 0, arousalMin: 0, arousalMax: 1 } },
  { id: 'sad', label: 'Sad/depressed (−V −A)', region: { valenceMin: -1, valenceMax: 0, arousalMin: -1, arousalMax: 0 } },
  { id: 'calm', label: 'Calm/relaxed (+V −A)', region: { valenceMin: 0, valenceMax: 1, arousalMin: -1, arousalMax: 0 } },
];

/** The preset matching a region exactly, or undefined. */
export function presetOf(r: MoodRegionFilter | null): (typeof MOOD_PRESETS)[number] | undefined {
  if (!r) return undefined;
  return MOOD_PRESETS.find((p) => p.region.valenceMin === r.valenceMin && p.region.valenceMax === r.valenceMax && p.region.arousalMin === r.arousalMin && p.region.arousalMax === r.arousalMax);
}

/** Why a region is not acceptable (a message naming what was expected and what arrived), or null when it is. */
export function regionProblem(r: MoodRegionFilter): string | null {
  const names: [keyof MoodRegionFilter, string][] = [
    ['valenceMin', 'Valence from'],
    ['valenceMax', 'Valence to'],
    ['arousalMin', 'Arousal from'],
    ['arousalMax', 'Arousal to'],
  ];
  for (const [k, label] of names) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${label} must be a number between -1 and 1, got ${String(v === null || v === undefined ? 'nothing' : v)}`;
    if (v < -1 || v > 1) return `${label} must be between -1 and 1, got ${v}`;
  }
  if (r.valenceMin > r.valenceMax) return `Valence from must be <= to, got ${r.valenceMin} > ${r.valenceMax}`;
  if (r.arousalMin > r.arousalMax) return `Arousal from must be <= to, got ${r.arousalMin} > ${r.arousalMax}`;
  return null;
}

const fmtNum = (x: number) => (x < 0 ? `−${Math.abs(x)}` : String(x));

/** Text of the filter chip (never colour alone). */
export function regionLabel(r: MoodRegionFilter): string {
  const p = presetOf(r);
  if (p) return p.label;
  return `valence ${fmtNum(r.valenceMin)} to ${fmtNum(r.valenceMax)}, arousal ${fmtNum(r.arousalMin)} to ${fmtNum(r.arousalMax)}`;
}

export class LibraryState {
  tracks = $state.raw<Track[]>([]);
  total = $state(0);
  search = $state('');
  sort = $state<TrackSort>('added');
  descending = $state(false);
  /** Mood region filter sent with every list call (kept across search and sort); null = all tracks. */
  region = $state.raw<MoodRegionFilter | null>(null);
  loading = $state(false);
  /** Last error of a list/refresh call (shown in an alert), null when fine. */
  error = $state<string | null>(null);

  /** The running import's progress; null when no import runs. */
  progress = $state.raw<JobProgress | null>(null);
  importing = $state(false);
  problems = $state.raw<ImportProblem[]>([]);
  lastSummary = $state.raw<ImportSummary | null>(null);

  #client: Client;
  #uploader: Uploader | null;
  #jobId: string | null = null;
  #abort: AbortController | null = null;
  #refreshSeq = 0;
  #unsubs: (() => void)[] = [];

  constructor(client: Client, uploader: Uploader | null = null) {
    this.#client = client;
    this.#uploader = uploader;
    this.#unsubs.push(
      client.on('job:onProgress', (p) => {
        if (p.jobId === this.#jobId) this.progress = p;
      }),
      client.on('library:onChanged', () => this.#refreshSoon()),
    );
  }

  /** Whether dropped files can be uploaded (browser mode). */
  get canUpload(): boolean {
    return this.#uploader !== null;
  }

  dispose(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    for (const u of this.#unsubs.splice(0)) u();
  }

  #refreshTimer: ReturnType<typeof setTimeout> | null = null;

  /** Coalesces bursts of library:onChanged (an import may emit many) into one refresh per 250 ms. */
  #refreshSoon(): void {
    if (this.#refreshTimer) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, 250);
  }

  /** Reloads the first page with the current search and sort (stale answers are dropped). */
  async refresh(): Promise<void> {
    const seq = ++this.#refreshSeq;
    this.loading = true;
    try {
      const search = this.search.trim();
      const page = await this.#client.call('library:listTracks', {
        search: search ? search : undefined,
        sort: this.sort,
        descending: this.descending,
        region: this.region ?? undefined,
        limit: Math.max(PAGE, this.tracks.length),
        offset: 0,
      });
      if (seq !== this.#refreshSeq) return;
      this.tracks = page.tracks;
      this.total = page.total;
      this.error = null;
    } catch (e) {
      if (seq === this.#refreshSeq) this.error = messageOf(e);
    } finally {
      if (seq === this.#refreshSeq) this.loading = false;
    }
  }

  /** Appends the next page. */
  async loadMore(): Promise<void> {
    if (this.tracks.length >= this.total) return;
    try {
      const search = this.search.trim();
      const page = await this.#client.call('library:listTracks', {
        search: search ? search : undefined,
        sort: this.sort,
        descending: this.descending,
        region: this.region ?? undefined,
        limit: PAGE,
        offset: this.tracks.length,
      });
      this.tracks = [...this.tracks, ...page.tracks];
      this.total = page.total;
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  setSearch(q: string): Promise<void> {
    this.search = q;
    return this.refresh();
  }

  /**
   * Filters the list by a mood region (null clears it and restores the full list).
   * @returns the validation problem (nothing changes) or null when applied.
   */
  async setRegion(r: MoodRegionFilter | null): Promise<string | null> {
    if (r) {
      const problem = regionProblem(r);
      if (problem) return problem;
      r = { valenceMin: r.valenceMin, valenceMax: r.valenceMax, arousalMin: r.arousalMin, arousalMax: r.arousalMax };
    }
    this.region = r;
    await this.refresh();
    return null;
  }

  /** Sorting by the current key flips the direction; a new key sorts ascending. */
  setSort(key: TrackSort): Promise<void> {
    if (this.sort === key) this.descending = !this.descending;
    else {
      this.sort = key;
      this.descending = false;
    }
    return this.refresh();
  }

  /** Native picker (Electron). @returns false when the transport has none (browser mode: show the path field). */
  async importWithDialog(folders: boolean): Promise<boolean> {
    const r = await this.#client.call('dialog:openAudio', { folders });
    if (!r.supported) return false;
    if (r.paths.length) await this.importPaths(r.paths);
    return true;
  }

  /** Imports files and folders by path (the main process validates and reports each file). */
  async importPaths(paths: string[]): Promise<ImportSummary | null> {
    const clean = paths.map((p) => p.trim()).filter(Boolean);
    if (!clean.length || this.importing) return null;
    const jobId = this.#begin('import', clean.length === 1 ? `Importing ${clean[0]}` : `Importing ${clean.length} paths`);
    try {
      const report = await this.#client.call('library:import', { paths: clean, jobId });
      return this.#finish([report], []);
    } catch (e) {
      return this.#finish([], [{ path: clean.join(', '), reason: messageOf(e), code: e instanceof IpcError ? e.code : 'INTERNAL' }]);
    }
  }

  /** Browser mode: uploads dropped files one by one and imports each on the server. */
  async uploadFiles(files: File[]): Promise<ImportSummary | null> {
    const uploader = this.#uploader;
    if (!uploader || !files.length || this.importing) return null;
    const jobId = this.#begin('import', `Uploading ${files.length} file${files.length === 1 ? '' : 's'}`);
    const abort = (this.#abort = new AbortController());
    const reports: ImportReport[] = [];
    const failures: ImportProblem[] = [];
    let done = 0;
    for (const file of files) {
      if (abort.signal.aborted) break;
      this.progress = { jobId, kind: 'import', state: 'running', done, total: files.length, message: `Uploading ${file.name}` };
      try {
        const env = await uploader(file, jobId, abort.signal);
        if (env.ok) reports.push(env.value);
        else failures.push({ path: file.name, reason: env.error.message, code: env.error.code });
      } catch (e) {
        if (abort.signal.aborted) break;
        failures.push({ path: file.name, reason: `Upload failed: ${messageOf(e)}`, code: 'IO_FAILED' });
      }
      done++;
    }
    const summary = this.#finish(reports, failures);
    if (abort.signal.aborted) summary.cancelled = true;
    this.lastSummary = { ...summary };
    return summary;
  }

  /** Cancels the running import (the server keeps what was already imported). */
  async cancelImport(): Promise<void> {
    this.#abort?.abort();
    const jobId = this.#jobId;
    if (!jobId) return;
    try {
      await this.#client.call('job:cancel', { jobId });
    } catch {
      // The job may already be finished; nothing to cancel.
    }
  }

  clearProblems(): void {
    this.problems = [];
  }

  #begin(kind: 'import', message: string): string {
    const jobId = `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.#jobId = jobId;
    this.importing = true;
    this.problems = [];
    this.lastSummary = null;
    this.progress = { jobId, kind, state: 'running', done: 0, total: null, message };
    return jobId;
  }

  #finish(reports: ImportReport[], failures: ImportProblem[]): ImportSummary {
    const skipped: SkipReason[] = reports.flatMap((r) => r.skipped);
    const problems: ImportProblem[] = [...skipped.map((s) => ({ path: s.path, reason: s.reason, code: s.code })), ...failures];
    const summary: ImportSummary = {
      imported: reports.reduce((n, r) => n + r.imported.length, 0),
      duplicates: reports.reduce((n, r) => n + r.duplicates.length, 0),
      skipped: problems.length,
      cancelled: reports.some((r) => r.cancelled),
    };
    this.problems = problems;
    this.lastSummary = summary;
    this.importing = false;
    this.progress = null;
    this.#jobId = null;
    this.#abort = null;
    void this.refresh();
    return summary;
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
