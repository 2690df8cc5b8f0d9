/**
 * Browse by mood (B9 rune class): every analysed track's mean (V, A) for the map (decoded from
 * `mood:points`' typed arrays), base/personal scope, colouring, selections (box, lasso, "near
 * this point", mood path) that become playlists, and the region filter of the track list.
 * Also the batched per-row sparkline summaries for the library table.
 */
import type { Track } from '../../../../src-shared/domain/track';
import { decodeMoodPoints, type MoodPath, type MoodPointsData, type MoodRegion, type PathEnd } from '../../../../src-shared/ipc/contract/mood';
import type { BackgroundStatus, CurveSummary } from '../../../../src-shared/ipc/contract/model';
import { getClient } from '../ipc';
import { IpcError, type Client } from '../ipc/client';

export interface MoodSelection {
  kind: 'region' | 'lasso' | 'near' | 'path';
  /** Human description, e.g. "valence 0.10…0.50, arousal −0.20…0.30". */
  label: string;
  trackIds: number[];
  truncated: boolean;
  region?: MoodRegion;
}

/** Largest selection fetched (the contract's limit). */
export const MAX_SELECTION = 100_000;
/** Tracks listed under a selection (titles); the playlist still gets every selected track. */
export const LISTED = 200;

const fmt = (x: number) => x.toFixed(2).replace('-', '−');

export class MoodState {
  points = $state.raw<MoodPointsData | null>(null);
  /** null: base model; a profile id: its personal predictions (base where it has none). */
  profileId = $state<number | null>(null);
  colorBy = $state<'quadrant' | 'genre'>('quadrant');
  loading = $state(false);
  error = $state<string | null>(null);
  selection = $state.raw<MoodSelection | null>(null);
  /** The first LISTED tracks of the selection, with their tags. */
  listed = $state.raw<Track[]>([]);
  path = $state.raw<MoodPath | null>(null);

  readonly #client: Client;
  #trackCache = new Map<number, Promise<Track | null>>();
  #seq = 0;
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: Client) {
    this.#client = client;
    // New analyses, imports and removals move points: reload a loaded map, at most every 2 s.
    client.on('library:onChanged', (e) => {
      if (e.reason === 'profile') return;
      this.#trackCache.clear();
      if (!this.points || this.#reloadTimer) return;
      this.#reloadTimer = setTimeout(() => {
        this.#reloadTimer = null;
        void this.load();
      }, 2_000);
    });
  }

  /** (Re)loads every point for the current scope. */
  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    this.error = null;
    try {
      const wire = await this.#client.call('mood:points', { scope: { profileId: this.profileId } });
      if (seq === this.#seq) this.points = decodeMoodPoints(wire);
    } catch (e) {
      if (seq === this.#seq) this.error = msg(e, 'Loading the mood map');
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  async setProfile(profileId: number | null): Promise<void> {
    this.profileId = profileId;
    this.selection = null;
    this.listed = [];
    await this.load();
  }

  /** Box selection; also the library-list filter by mood region. */
  async selectRegion(region: MoodRegion): Promise<void> {
    const r = normRegion(region);
    await this.#select(
      { kind: 'region', label: `valence ${fmt(r.valenceMin)}…${fmt(r.valenceMax)}, arousal ${fmt(r.arousalMin)}…${fmt(r.arousalMax)}`, region: r },
      () => this.#client.call('mood:region', { region: r, scope: { profileId: this.profileId }, limit: MAX_SELECTION }),
    );
  }

  async selectLasso(vertices: { valence: number; arousal: number }[]): Promise<void> {
    const clamp = (x: number) => Math.max(-1, Math.min(1, x));
    const vs = vertices.map((p) => ({ valence: clamp(p.valence), arousal: clamp(p.arousal) }));
    await this.#select({ kind: 'lasso', label: `lasso of ${vs.length} points` }, () =>
      this.#client.call('mood:polygon', { vertices: vs, scope: { profileId: this.profileId }, limit: MAX_SELECTION }),
    );
  }

  async selectNear(valence: number, arousal: number, radius: number): Promise<void> {
    await this.#select({ kind: 'near', label: `within ${radius.toFixed(2)} of (${fmt(valence)}, ${fmt(arousal)})` }, () =>
      this.#client.call('mood:near', { valence, arousal, radius, scope: { profileId: this.profileId }, limit: MAX_SELECTION }),
    );
  }

  async planPath(from: PathEnd, to: PathEnd, length: number): Promise<void> {
    this.error = null;
    try {
      const p = await this.#client.call('mood:path', { from, to, length, scope: { profileId: this.profileId } });
      this.path = p;
      this.selection = { kind: 'path', label: `mood path of ${p.steps.length} tracks`, trackIds: p.steps.map((s) => s.trackId), truncated: false };
      await this.#list(this.selection.trackIds);
    } catch (e) {
      this.error = msg(e, 'Planning the mood path');
    }
  }

  clearSelection(): void {
    this.selection = null;
    this.listed = [];
    this.path = null;
  }

  /** Tags of one track (cached), e.g. for the map's hover tooltip. */
  trackInfo(id: number): Promise<Track | null> {
    let p = this.#trackCache.get(id);
    if (!p) {
      p = this.#client.call('library:getTrack', { id }).catch(() => null);
      this.#trackCache.set(id, p);
    }
    return p;
  }

  async #select(meta: Omit<MoodSelection, 'trackIds' | 'truncated'>, run: () => Promise<{ hits: { trackId: number }[]; truncated: boolean }>): Promise<void> {
    this.error = null;
    this.path = null;
    try {
      const r = await run();
      this.selection = { ...meta, trackIds: r.hits.map((h) => h.trackId), truncated: r.truncated };
      await this.#list(this.selection.trackIds, meta.region);
    } catch (e) {
      this.error = msg(e, 'Selecting tracks');
    }
  }

  async #list(ids: number[], region?: MoodRegion): Promise<void> {
    if (region && this.profileId === null) {
      // The library list's own mood-region filter (library:listTracks { region }).
      const page = await this.#client.call('library:listTracks', { region, limit: LISTED, sort: 'title' });
      this.listed = page.tracks;
      return;
    }
    const tracks = await Promise.all(ids.slice(0, LISTED).map((id) => this.trackInfo(id)));
    this.listed = tracks.filter((t): t is Track => t !== null);
  }
}

/**
 * Batched sparkline summaries for library rows: cells call `request(id)`; ids gathered in one
 * tick go out as one `model:getSummaries` call (up to 1,000 ids).
 */
export class SummaryCache {
  byId = $state.raw<Record<number, CurveSummary | null>>({});
  readonly #client: Client;
  #pending = new Set<number>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: Client) {
    this.#client = client;
    client.on('library:onChanged', (e) => {
      if (e.reason !== 'analysis') return;
      const next = { ...this.byId };
      for (const id of e.trackIds ?? Object.keys(next).map(Number)) delete next[id];
      this.byId = next;
    });
    client.on('model:onCurve', (c) => {
      if (c.complete && c.profileId === null && c.trackId in this.byId) {
        const next = { ...this.byId };
        delete next[c.trackId];
        this.byId = next;
      }
    });
  }

  request(trackId: number): void {
    if (trackId in this.byId || this.#pending.has(trackId)) return;
    this.#pending.add(trackId);
    this.#timer ??= setTimeout(() => void this.#flush(), 0);
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const ids = [...this.#pending].slice(0, 1_000);
    for (const id of ids) this.#pending.delete(id);
    if (this.#pending.size) this.#timer = setTimeout(() => void this.#flush(), 0);
    if (!ids.length) return;
    try {
      const rows = await this.#client.call('model:getSummaries', { trackIds: ids, points: 32 });
      const next: Record<number, CurveSummary | null> = { ...this.byId };
      for (const id of ids) next[id] = null;
      for (const r of rows) next[r.trackId] = r;
      this.byId = next;
    } catch {
      // best effort: rows keep their numeric means; a later request retries
    }
  }
}

function normRegion(r: MoodRegion): MoodRegion {
  const c = (x: number) => Math.max(-1, Math.min(1, x));
  return {
    valenceMin: c(Math.min(r.valenceMin, r.valenceMax)),
    valenceMax: c(Math.max(r.valenceMin, r.valenceMax)),
    arousalMin: c(Math.min(r.arousalMin, r.arousalMax)),
    arousalMax: c(Math.max(r.arousalMin, r.arousalMax)),
  };
}

function msg(e: unknown, what: string): string {
  return `${what} failed: ${e instanceof IpcError || e instanceof Error ? e.message : String(e)}`;
}

let mood: MoodState | null = null;
let summaries: SummaryCache | null = null;
export function getMood(): MoodState {
  return (mood ??= new MoodState(getClient()));
}
export function getSummaries(): SummaryCache {
  return (summaries ??= new SummaryCache(getClient()));
}

/**
 * Background analysis of the whole library (issue 5): progress from `model:onBackground`,
 * pause/resume, and "analyse the library" (queues every unanalysed track).
 */
export class BackgroundAnalysisState {
  status = $state.raw<BackgroundStatus | null>(null);
  error = $state<string | null>(null);
  readonly #client: Client;

  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(client: Client) {
    this.#client = client;
    client.on('model:onBackground', (s) => (this.status = s));
    // Play-priority analyses, imports and removals change the counts too (no onBackground then).
    const later = () => {
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        void this.refresh();
      }, 300);
    };
    client.on('library:onChanged', (e) => {
      if (e.reason !== 'profile') later();
    });
    client.on('model:onCurve', (c) => {
      if (c.complete) later();
    });
  }

  async refresh(): Promise<void> {
    await this.#run(async () => {
      this.status = await this.#client.call('model:backgroundStatus', {});
    });
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.#run(async () => {
      this.status = await this.#client.call('model:setBackgroundPaused', { paused });
    });
  }

  async analyzeLibrary(): Promise<void> {
    await this.#run(async () => {
      await this.#client.call('model:analyzeLibrary', {});
      this.status = await this.#client.call('model:backgroundStatus', {});
    });
  }

  async #run(f: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await f();
    } catch (e) {
      this.error = msg(e, 'Background analysis');
    }
  }
}

let background: BackgroundAnalysisState | null = null;
export function getBackgroundAnalysis(): BackgroundAnalysisState {
  return (background ??= new BackgroundAnalysisState(getClient()));
}
