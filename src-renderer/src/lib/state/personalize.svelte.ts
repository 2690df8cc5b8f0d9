/**
 * Personalize panel state (B9 rune class): the selected profile's personalization status
 * (`personalize:status`), running personalization with progress (`personalize:run` + the job's
 * `job:onProgress` events, cancel via `job:cancel`), the before/after held-out error, reset, and
 * the base/personal model switch shared with the Listen overlay (player state) and the Mood map
 * (mood state): "personal" = both show this profile's personal predictions. A reset can be undone
 * until the next run (`personalize:undoReset`).
 */
import type { JobProgress } from '../../../../src-shared/domain/job';
import type { PersonalizeReport, PersonalizeStatus } from '../../../../src-shared/ipc/contract/personalize';
import { getClient } from '../ipc';
import { IpcError, type Client } from '../ipc/client';
import { getMood } from './mood.svelte';
import { getPlayer } from './player.svelte';

let jobSeq = 0;

/** The held-out error went up with the personal model (false when nothing was held out). */
function worseThanBase(r: PersonalizeReport): boolean {
  return r.heldOutSteps > 0 && r.before.rmse !== null && r.after.rmse !== null && r.after.rmse > r.before.rmse;
}

export class PersonalizeState {
  status = $state.raw<PersonalizeStatus | null>(null);
  /** Progress of the running job (null when none). */
  progress = $state.raw<JobProgress | null>(null);
  /** Report of the last run in this window (else the stored model's report from status). */
  report = $state.raw<PersonalizeReport | null>(null);
  running = $state(false);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /**
   * The personal model predicts the held-out part of this person's annotations WORSE than the base
   * model (with one short song this happens: see the model card). The panel says so; the overlay and
   * map keep showing the base model unless the person switches.
   */
  get personalWorse(): boolean {
    return !!this.report && worseThanBase(this.report);
  }

  /** A run of this profile is going (started here or elsewhere). */
  get busy(): boolean {
    return this.running || !!this.status?.runningJobId;
  }
  /** Profile the status belongs to. */
  profileId = $state<number | null>(null);

  readonly #client: Client;
  #jobId: string | null = null;
  #seq = 0;

  constructor(client: Client) {
    this.#client = client;
    client.on('job:onProgress', (p) => {
      if (p.kind !== 'personalize' || p.jobId !== this.#jobId) return;
      if (this.running || p.state === 'running') this.progress = p;
      else {
        // A run started elsewhere (another window, or before a reload) ended.
        this.#jobId = null;
        this.progress = null;
        void this.load(this.profileId);
      }
    });
    client.on('personalize:onChanged', (e) => {
      if (e.profileId === this.profileId && !this.running) void this.load(e.profileId);
    });
  }

  /** Loads the status of `profileId` (null clears). */
  async load(profileId: number | null): Promise<void> {
    const seq = ++this.#seq;
    this.profileId = profileId;
    if (profileId === null) {
      this.status = null;
      this.report = null;
      return;
    }
    try {
      const s = await this.#client.call('personalize:status', { profileId });
      if (seq !== this.#seq) return;
      this.status = s;
      this.report = s.lastReport;
      if (!this.running) {
        // Follow a run of this profile that this window did not start (progress bar, buttons off).
        this.#jobId = s.runningJobId;
        if (s.runningJobId && this.progress?.jobId !== s.runningJobId) this.progress = { jobId: s.runningJobId, kind: 'personalize', state: 'running', done: 0, total: null, message: 'running' };
        if (!s.runningJobId) this.progress = null;
      }
    } catch (e) {
      if (seq === this.#seq) this.error = msg(e, 'Loading the personalization status');
    }
  }

  /** Runs personalization for the loaded profile; refreshes the overlay/map profile lists. */
  async run(): Promise<void> {
    const profileId = this.profileId;
    if (profileId === null || this.running) return;
    const jobId = `personalize-${Date.now().toString(36)}-${++jobSeq}`;
    this.#jobId = jobId;
    this.running = true;
    this.error = null;
    this.notice = null;
    this.progress = { jobId, kind: 'personalize', state: 'running', done: 0, total: null, message: 'starting' };
    try {
      const r = await this.#client.call('personalize:run', { profileId, jobId });
      if (this.profileId === profileId) this.report = r.report;
      const { before, after } = r.report;
      this.notice =
        worseThanBase(r.report) && before.rmse !== null && after.rmse !== null
          ? `Personal model stored, but it is worse than the base model on your held-out annotations (RMSE ${after.rmse.toFixed(3)} vs ${before.rmse.toFixed(3)}). ` +
            `Keep showing the base model, annotate more songs and run again, or reset it. ${r.requeued.length} track curve(s) are being recomputed with it.`
          : `Personal model stored; ${r.requeued.length} track curve(s) are being recomputed with it.`;
      await this.#refreshViews(profileId);
    } catch (e) {
      if (e instanceof IpcError && e.code === 'CANCELLED') this.notice = 'Personalization cancelled; nothing was changed.';
      else this.error = msg(e, 'Personalization');
    } finally {
      this.running = false;
      this.#jobId = null;
      this.progress = null;
      await this.load(profileId);
    }
  }

  async cancel(): Promise<void> {
    if (this.#jobId) await this.#client.call('job:cancel', { jobId: this.#jobId }).catch(() => undefined);
  }

  /** Deletes the personal model (the caller confirms first). */
  async reset(): Promise<void> {
    const profileId = this.profileId;
    if (profileId === null) return;
    this.error = null;
    try {
      const r = await this.#client.call('personalize:reset', { profileId });
      this.report = null;
      this.notice = r.removedModels ? `Personal model removed (and ${r.removedPredictions} personal curve(s)); annotations are kept.` : 'There was no personal model to remove.';
      // Overlay and map fall back to the base model.
      await this.showPersonal(false);
      await this.#refreshViews(profileId);
    } catch (e) {
      this.error = msg(e, 'Resetting the personal model');
    }
    await this.load(profileId);
  }

  /** Restores the model removed by the last reset (possible until the next run). */
  async undoReset(): Promise<void> {
    const profileId = this.profileId;
    if (profileId === null) return;
    this.error = null;
    try {
      const r = await this.#client.call('personalize:undoReset', { profileId });
      this.notice = `Personal model restored; ${r.requeued.length} track curve(s) are being recomputed with it.`;
      await this.#refreshViews(profileId);
    } catch (e) {
      this.error = msg(e, 'Restoring the personal model');
    }
    await this.load(profileId);
  }

  /** True when the Listen overlay and the Mood map both show this profile's personal predictions. */
  get personalShown(): boolean {
    const pid = this.profileId;
    return pid !== null && getPlayer().profileId === pid && getMood().profileId === pid;
  }

  /** The base/personal switch: sets the profile of the Listen overlay and the Mood map. */
  async showPersonal(personal: boolean): Promise<void> {
    const pid = personal ? this.profileId : null;
    const player = getPlayer();
    const mood = getMood();
    if (player.profiles.length === 0) await player.loadProfiles();
    await Promise.all([
      player.profileId === pid ? Promise.resolve() : player.setProfile(pid),
      // Only reload the map when it was loaded (the Mood view loads it when opened).
      mood.profileId === pid ? Promise.resolve() : mood.points ? mood.setProfile(pid) : Promise.resolve(void (mood.profileId = pid)),
    ]);
  }

  /** After a run/reset: profile lists (hasPersonalModel) and the personal layers shown. */
  async #refreshViews(profileId: number): Promise<void> {
    const player = getPlayer();
    await player.loadProfiles();
    if (player.profileId === profileId) await player.setProfile(profileId);
    const mood = getMood();
    if (mood.profileId === profileId && mood.points) await mood.load();
  }
}

function msg(e: unknown, what: string): string {
  return `${what} failed: ${e instanceof Error ? e.message : String(e)}`;
}

let singleton: PersonalizeState | null = null;

export function getPersonalize(): PersonalizeState {
  return (singleton ??= new PersonalizeState(getClient()));
}
