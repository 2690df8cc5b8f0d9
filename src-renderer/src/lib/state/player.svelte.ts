/**
 * The listening studio's player (B9 rune class): one HTMLAudioElement on the library's media
 * route, a play queue with next/previous, volume, media keys (navigator.mediaSession), and the
 * emotion curves of the playing track: base model (streamed from `model:onCurve` while an
 * unanalysed track is analysed at play priority), the profile's personal model when it has
 * one, and the profile's own annotation traces.
 *
 * Per-frame values (the playhead) are read straight from `audio.currentTime` by components in
 * requestAnimationFrame; `currentTime` here is the coarse (timeupdate) copy for text.
 */
import type { Profile, Track } from '../../../../src-shared/domain/track';
import type { CurveChunk } from '../../../../src-shared/ipc/contract/model';
import type { TrackTraces } from '../../../../src-shared/ipc/contract/annotation';
import { IpcError, type Client } from '../ipc/client';
import { getClient } from '../ipc';
import { mediaUrl } from '../ipc/media';

/** Seconds between curve points (2 Hz, contract/model.ts CURVE_STEP_SEC). */
export const STEP_SEC = 0.5;

/** One curve as the overlay draws it. */
export interface CurveData {
  valence: number[];
  arousal: number[];
  complete: boolean;
  /** none | queued | analyzing | complete | failed (model:getCurve). */
  status: string;
  totalSteps: number | null;
  error: string | null;
}

export const EMPTY_CURVE: CurveData = { valence: [], arousal: [], complete: false, status: 'none', totalSteps: null, error: null };

/** Merges a streamed chunk into a curve (new arrays: curves are $state.raw). */
export function mergeChunk(c: CurveData, chunk: Pick<CurveChunk, 'fromStep' | 'valence' | 'arousal' | 'complete' | 'totalSteps'>): CurveData {
  const n = Math.max(c.valence.length, chunk.fromStep + chunk.valence.length);
  const valence = c.valence.slice();
  const arousal = c.arousal.slice();
  valence.length = n;
  arousal.length = n;
  for (let i = 0; i < chunk.valence.length; i++) {
    valence[chunk.fromStep + i] = chunk.valence[i]!;
    arousal[chunk.fromStep + i] = chunk.arousal[i]!;
  }
  // Holes (chunks out of order) stay NaN so plots break the line instead of inventing values.
  for (let i = 0; i < n; i++) {
    if (valence[i] === undefined) valence[i] = Number.NaN;
    if (arousal[i] === undefined) arousal[i] = Number.NaN;
  }
  return {
    valence,
    arousal,
    complete: chunk.complete,
    status: chunk.complete ? 'complete' : 'analyzing',
    totalSteps: chunk.totalSteps ?? c.totalSteps,
    error: null,
  };
}

/** The curve value at `t` seconds (the step containing t), or null when not yet predicted. */
export function valueAt(c: CurveData, t: number): { valence: number; arousal: number } | null {
  const i = Math.floor(t / STEP_SEC);
  if (i < 0 || i >= c.valence.length) return null;
  const v = c.valence[i]!;
  const a = c.arousal[i]!;
  return Number.isFinite(v) && Number.isFinite(a) ? { valence: v, arousal: a } : null;
}

export class PlayerState {
  track = $state.raw<Track | null>(null);
  queue = $state.raw<number[]>([]);
  index = $state(-1);
  playing = $state(false);
  currentTime = $state(0);
  duration = $state(0);
  volume = $state(0.8);
  error = $state<string | null>(null);
  base = $state.raw<CurveData>(EMPTY_CURVE);
  personal = $state.raw<CurveData | null>(null);
  traces = $state.raw<TrackTraces | null>(null);
  profiles = $state.raw<Profile[]>([]);
  /** Profile whose personal curve and annotation traces are shown (null: base only). */
  profileId = $state<number | null>(null);

  readonly #client: Client;
  #audio: HTMLAudioElement | null = null;
  #unsubs: (() => void)[] = [];
  #loadSeq = 0;

  constructor(client: Client) {
    this.#client = client;
    this.#unsubs.push(
      client.on('model:onCurve', (chunk) => {
        const t = this.track;
        if (!t || chunk.trackId !== t.id) return;
        if (chunk.profileId === null) this.base = mergeChunk(this.base, chunk);
        else if (chunk.profileId === this.profileId) this.personal = mergeChunk(this.personal ?? EMPTY_CURVE, chunk);
      }),
    );
  }

  /** The audio element (created on first use; components read `currentTime` from it per frame). */
  get audio(): HTMLAudioElement {
    if (!this.#audio) {
      const a = new Audio();
      a.preload = 'auto';
      a.volume = this.volume;
      a.addEventListener('play', () => (this.playing = true));
      a.addEventListener('pause', () => (this.playing = false));
      a.addEventListener('timeupdate', () => (this.currentTime = a.currentTime));
      a.addEventListener('durationchange', () => (this.duration = Number.isFinite(a.duration) ? a.duration : 0));
      a.addEventListener('ended', () => void this.next());
      a.addEventListener('error', () => {
        this.error = `The audio could not be played (${a.error?.message || `media error ${a.error?.code ?? '?'}`})`;
      });
      this.#audio = a;
      this.#setupMediaSession();
    }
    return this.#audio;
  }

  get hasNext(): boolean {
    return this.index >= 0 && this.index < this.queue.length - 1;
  }

  get hasPrevious(): boolean {
    return this.index > 0;
  }

  get selectedProfile(): Profile | null {
    return this.profiles.find((p) => p.id === this.profileId) ?? null;
  }

  async loadProfiles(): Promise<void> {
    try {
      this.profiles = await this.#client.call('profiles:list', {});
    } catch (e) {
      this.error = message(e, 'Loading profiles');
    }
  }

  /** Shows `profileId`'s personal curve and traces (null: base only) for the current track. */
  async setProfile(profileId: number | null): Promise<void> {
    this.profileId = profileId;
    this.personal = null;
    this.traces = null;
    if (this.track) await this.#loadProfileLayers(this.track.id, this.#loadSeq);
  }

  /**
   * Plays a library track. `queue` (track ids, containing trackId) sets what next/previous walk.
   * An unanalysed track is queued for analysis at play priority; its curve then streams in.
   */
  async play(trackId: number, queue?: number[]): Promise<void> {
    if (queue) this.queue = queue.includes(trackId) ? queue : [trackId, ...queue];
    else if (!this.queue.includes(trackId)) this.queue = [trackId];
    this.index = this.queue.indexOf(trackId);
    await this.load(trackId, true);
  }

  /** Loads a track (and its curves) without necessarily starting playback. */
  async load(trackId: number, autoplay = false): Promise<void> {
    const seq = ++this.#loadSeq;
    this.error = null;
    this.base = EMPTY_CURVE;
    this.personal = null;
    this.traces = null;
    const a = this.audio;
    a.src = mediaUrl(trackId);
    this.currentTime = 0;
    const playing = autoplay ? a.play().catch((e: unknown) => {
      // Autoplay refusals and aborted loads (another track chosen) are not user-facing errors.
      if (!(e instanceof DOMException && (e.name === 'AbortError' || e.name === 'NotAllowedError'))) this.error = message(e, 'Playing');
    }) : Promise.resolve();
    try {
      const track = await this.#client.call('library:getTrack', { id: trackId });
      if (seq !== this.#loadSeq) return;
      this.track = track;
      this.#updateMetadata(track);
      const curve = await this.#client.call('model:getCurve', { trackId, analyze: true });
      if (seq !== this.#loadSeq) return;
      // Chunks may have arrived before the answer: keep whichever knows more.
      if (curve.valence.length >= this.base.valence.length) {
        this.base = {
          valence: curve.valence,
          arousal: curve.arousal,
          complete: curve.complete,
          status: curve.status,
          totalSteps: curve.totalSteps,
          error: curve.error,
        };
      }
      await this.#loadProfileLayers(trackId, seq);
    } catch (e) {
      if (seq === this.#loadSeq) this.error = message(e, 'Loading the track');
    }
    await playing;
  }

  async #loadProfileLayers(trackId: number, seq: number): Promise<void> {
    const pid = this.profileId;
    if (pid === null) return;
    const profile = this.selectedProfile;
    const [personal, traces] = await Promise.allSettled([
      profile?.hasPersonalModel ? this.#client.call('model:getCurve', { trackId, profileId: pid, analyze: true }) : Promise.resolve(null),
      this.#client.call('annotation:trackTraces', { trackId, profileIds: [pid] }),
    ]);
    if (seq !== this.#loadSeq || pid !== this.profileId) return;
    if (personal.status === 'fulfilled' && personal.value) {
      const c = personal.value;
      this.personal = { valence: c.valence, arousal: c.arousal, complete: c.complete, status: c.status, totalSteps: c.totalSteps, error: c.error };
    }
    if (traces.status === 'fulfilled') this.traces = traces.value.traces.length ? traces.value : null;
  }

  toggle(): void {
    const a = this.audio;
    if (!a.src && this.queue.length) {
      void this.play(this.queue[Math.max(0, this.index)]!);
      return;
    }
    if (a.paused) a.play().catch((e: unknown) => (this.error = message(e, 'Playing')));
    else a.pause();
  }

  pause(): void {
    this.#audio?.pause();
  }

  /** Seeks to `t` seconds (clamped to the track). */
  seek(t: number): void {
    const a = this.audio;
    const max = Number.isFinite(a.duration) ? a.duration : this.track?.durationSec ?? 0;
    a.currentTime = Math.max(0, Math.min(max || 0, t));
    this.currentTime = a.currentTime;
  }

  seekBy(dt: number): void {
    this.seek(this.audio.currentTime + dt);
  }

  setVolume(v: number): void {
    this.volume = Math.max(0, Math.min(1, v));
    this.audio.volume = this.volume;
  }

  async next(): Promise<void> {
    if (this.hasNext) await this.play(this.queue[this.index + 1]!);
  }

  async previous(): Promise<void> {
    // Like most players: restart the track unless it only just started.
    if (this.audio.currentTime > 3 || !this.hasPrevious) this.seek(0);
    else await this.play(this.queue[this.index - 1]!);
  }

  dispose(): void {
    for (const u of this.#unsubs.splice(0)) u();
    this.#audio?.pause();
  }

  #setupMediaSession(): void {
    const ms = typeof navigator !== 'undefined' ? navigator.mediaSession : undefined;
    if (!ms) return;
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ['play', () => this.toggle()],
      ['pause', () => this.pause()],
      ['previoustrack', () => void this.previous()],
      ['nexttrack', () => void this.next()],
      ['seekbackward', (d) => this.seekBy(-(d.seekOffset ?? 10))],
      ['seekforward', (d) => this.seekBy(d.seekOffset ?? 10)],
      ['seekto', (d) => d.seekTime !== undefined && this.seek(d.seekTime)],
    ];
    for (const [action, h] of handlers) {
      try {
        ms.setActionHandler(action, h);
      } catch {
        // best effort: older engines reject actions they do not know
      }
    }
  }

  #updateMetadata(t: Track): void {
    const ms = typeof navigator !== 'undefined' ? navigator.mediaSession : undefined;
    if (!ms || typeof MediaMetadata === 'undefined') return;
    ms.metadata = new MediaMetadata({ title: t.title ?? fileName(t.path), artist: t.artist ?? '', album: t.album ?? '' });
  }
}

export function fileName(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

function message(e: unknown, what: string): string {
  if (e instanceof IpcError) return `${what} failed: ${e.message}`;
  return `${what} failed: ${e instanceof Error ? e.message : String(e)}`;
}

let player: PlayerState | null = null;
/** The app-wide player (created on first use, so tests can `setClient()` first). */
export function getPlayer(): PlayerState {
  return (player ??= new PlayerState(getClient()));
}
