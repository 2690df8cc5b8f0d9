/**
 * Annotation studio state (B9): profiles, tracks, the current profile's sessions with their
 * completeness flags, session actions (resume/discard/restore/exclude/undo/redo), review data,
 * reliability, export/import, and study mode. Views call these methods, never the client.
 */
import type { SessionSummary } from '../../../../src-shared/annotation/types';
import type { Profile, Track } from '../../../../src-shared/domain/track';
import type { Output } from '../../../../src-shared/ipc/contract';
import type { ImportResult, Participant, ReliabilityReport, Study, StudyConfig, TrackTraces } from '../../../../src-shared/ipc/contract/annotation';
import { splitExport } from '../../../../src-shared/annotation/export';
import { getClient } from '../ipc';
import { IpcError, type Client } from '../ipc/client';

export type Curve = Output<'model:getCurve'>;

/** Largest text sent in one `annotation:import` call (the IPC payload bound is 8 M characters). */
export const IMPORT_PART_CHARS = 3_000_000;

export class AnnotationState {
  profiles = $state.raw<Profile[]>([]);
  tracks = $state.raw<Track[]>([]);
  profileId = $state<number | null>(null);
  trackId = $state<number | null>(null);
  sessions = $state.raw<SessionSummary[]>([]);
  discarded = $state.raw<SessionSummary[]>([]);
  error = $state<string | null>(null);
  /** Last action's message for a polite live region. */
  status = $state<string>('');
  traces = $state.raw<TrackTraces | null>(null);
  prediction = $state.raw<Curve | null>(null);
  reliability = $state.raw<ReliabilityReport | null>(null);
  libraryReliability = $state.raw<ReliabilityReport | null>(null);
  studies = $state.raw<Study[]>([]);
  lastImport = $state.raw<ImportResult | null>(null);

  readonly client: Client;
  #unsubs: (() => void)[] = [];

  constructor(client: Client) {
    this.client = client;
    this.#unsubs.push(
      client.on('annotation:onChanged', () => void this.refreshSessions()),
      client.on('library:onChanged', () => void this.loadBasics()),
    );
  }

  async #run<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      const r = await fn();
      this.error = null;
      return r;
    } catch (e) {
      this.error = `${what} failed: ${e instanceof IpcError || e instanceof Error ? e.message : String(e)}`;
      return null;
    }
  }

  async loadBasics(): Promise<void> {
    await this.#run('Loading profiles and tracks', async () => {
      const [profiles, page] = await Promise.all([this.client.call('profiles:list', {}), this.client.call('library:listTracks', { limit: 5_000, sort: 'title' })]);
      this.profiles = profiles;
      this.tracks = page.tracks.filter((t) => t.status === 'ok');
      if (this.profileId === null && profiles.length) this.profileId = profiles[0]!.id;
      if (this.trackId === null && this.tracks.length) this.trackId = this.tracks[0]!.id;
    });
    await this.refreshSessions();
  }

  async createProfile(name: string): Promise<void> {
    const p = await this.#run('Creating the profile', () => this.client.call('profiles:create', { name }));
    if (p) {
      this.profiles = [...this.profiles, p].sort((a, b) => a.name.localeCompare(b.name));
      this.profileId = p.id;
      this.status = `Profile ${p.name} created`;
      await this.refreshSessions();
    }
  }

  async refreshSessions(): Promise<void> {
    if (this.profileId === null) {
      this.sessions = [];
      return;
    }
    const pid = this.profileId;
    const [live, gone] = await Promise.all([
      this.#run('Listing sessions', () => this.client.call('annotation:list', { profileId: pid })),
      this.#run('Listing discarded sessions', () => this.client.call('annotation:list', { profileId: pid, states: ['discarded'] })),
    ]);
    if (live) this.sessions = live;
    if (gone) this.discarded = gone;
  }

  async act(kind: 'discard' | 'restore' | 'undo' | 'redo' | 'purge', sessionId: number): Promise<void> {
    const channel = `annotation:${kind}` as const;
    const r = await this.#run(`${kind[0]!.toUpperCase()}${kind.slice(1)}`, () => this.client.call(channel, { sessionId }));
    if (r) this.status = `Session ${sessionId}: ${kind} done`;
    await this.refreshSessions();
  }

  async setExcluded(sessionId: number, excluded: boolean): Promise<void> {
    await this.#run('Changing exclusion', () => this.client.call('annotation:setExcluded', { sessionId, excluded }));
    this.status = `Session ${sessionId} ${excluded ? 'excluded from' : 'included in'} personalization`;
    await this.refreshSessions();
  }

  async loadReview(trackId: number, profileIds?: number[]): Promise<void> {
    this.traces = await this.#run('Loading traces', () => this.client.call('annotation:trackTraces', { trackId, profileIds }));
    this.reliability = await this.#run('Computing reliability', () => this.client.call('annotation:reliability', { trackId, maxLagSteps: 0 }));
    try {
      this.prediction = await this.client.call('model:getCurve', { trackId, profileId: null, analyze: false });
    } catch {
      this.prediction = null; // best effort: the overlay works without a model prediction
    }
  }

  async loadLibraryReliability(maxLagSteps: number): Promise<void> {
    this.libraryReliability = await this.#run('Computing reliability', () => this.client.call('annotation:reliability', { maxLagSteps }));
  }

  /** Asks the main process for an export and offers it as a download. */
  async exportAs(format: 'json' | 'csv-long' | 'csv-wide', filter: { profileId?: number; trackId?: number; studyId?: string } = {}): Promise<void> {
    const r = await this.#run('Export', () => this.client.call('annotation:export', { format, ...filter }));
    if (!r) return;
    const url = URL.createObjectURL(new Blob([r.text], { type: r.mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = r.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    this.status = `Exported ${r.sessions} session(s) as ${r.filename}`;
  }

  async importText(text: string): Promise<void> {
    const r = await this.#run('Import', async () => {
      // Big exports go in parts of whole sessions so each call stays within the IPC payload bound.
      const total: ImportResult = { imported: [], skipped: [], createdProfiles: [] };
      for (const part of splitExport(text, IMPORT_PART_CHARS)) {
        const one = await this.client.call('annotation:import', { text: part, format: 'auto' });
        total.imported.push(...one.imported);
        total.skipped.push(...one.skipped);
        total.createdProfiles.push(...one.createdProfiles);
      }
      return total;
    });
    if (r) {
      this.lastImport = r;
      this.status = `Imported ${r.imported.length} session(s), skipped ${r.skipped.length}`;
      await this.loadBasics();
    }
  }

  // --- studies -------------------------------------------------------------------------------

  async loadStudies(): Promise<void> {
    const s = await this.#run('Listing studies', () => this.client.call('study:list', {}));
    if (s) this.studies = s;
  }

  async createStudy(id: string, name: string, config: Partial<StudyConfig> & { stimuli: number[] }): Promise<Study | null> {
    const s = await this.#run('Creating the study', () => this.client.call('study:create', { id, name, config }));
    if (s) {
      this.status = `Study ${s.name} created`;
      await this.loadStudies();
    }
    return s;
  }

  getStudy(id: string): Promise<Output<'study:get'> | null> {
    return this.#run('Loading the study', () => this.client.call('study:get', { id }));
  }

  enrol(studyId: string, participantId: string): Promise<Participant | null> {
    return this.#run('Enrolling', () => this.client.call('study:enrol', { studyId, participantId }));
  }

  advance(studyId: string, participantId: string, sessionId: number): Promise<Participant | null> {
    return this.#run('Saving progress', () => this.client.call('study:advance', { studyId, participantId, sessionId }));
  }

  results(studyId: string): Promise<Output<'study:results'> | null> {
    return this.#run('Loading results', () => this.client.call('study:results', { studyId }));
  }

  dispose(): void {
    for (const u of this.#unsubs.splice(0)) u();
  }
}

let singleton: AnnotationState | null = null;
/** App-wide annotation state (created on first use, after the client is set). */
export function getAnnotation(): AnnotationState {
  return (singleton ??= new AnnotationState(getClient()));
}
