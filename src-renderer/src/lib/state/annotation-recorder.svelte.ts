/**
 * The recording engine behind the Annotate view (B9 rune class; the view never calls the
 * client directly).
 *
 * - Samples at a FIXED rate (default 30 Hz, setInterval), each stamped with the audio element's
 *   own clock (`HTMLMediaElement.currentTime`, read inside the sampling tick; never
 *   `timeupdate` events, which fire at only ~4 Hz).
 * - `AudioContext.outputLatency` is recorded at start (null when the browser does not report it).
 * - Batches are flushed every 250 ms (<= 500 ms, issue 6). A failed batch stays queued and is
 *   re-sent (the main process deduplicates by seq); a session the main process marked
 *   interrupted (restart) is resumed automatically and the queue re-sent.
 * - 3-second countdown before recording and after every pause; Space toggles pause; losing
 *   focus/visibility pauses with a visible notice (browsers stop gamepad input then).
 * - Gamepad: polled in the same tick through `navigator.getGamepads()`; the round stick is
 *   mapped onto the square pad; button 0 marks a moment (bit 0 of `buttons`).
 */
import type { PadLabels, Sample, SessionSummary } from '../../../../src-shared/annotation/types';
import { BUTTON_MOMENT } from '../../../../src-shared/annotation/constants';
import { IpcError, type Client } from '../ipc/client';
import { stickToPad, type PadPoint } from '../components/annotate/pad-math';

export type RecorderPhase = 'idle' | 'countdown' | 'recording' | 'paused' | 'finishing' | 'done';
export type InputDevice = 'mouse' | 'touch' | 'keyboard' | 'gamepad' | 'mixed';

export interface RecorderOptions {
  rateHz?: number;
  flushMs?: number;
  countdownSec?: number;
}

export interface StartOptions {
  profileId: number;
  trackId: number;
  audio: HTMLMediaElement;
  labels?: PadLabels;
  studyId?: string;
  participantId?: string;
  /** Called when the take ends (track ended or stop()). */
  onDone?: (s: SessionSummary | null) => void;
}

export class Recorder {
  phase = $state<RecorderPhase>('idle');
  countdown = $state(0);
  point = $state.raw<PadPoint>({ v: 0, a: 0 });
  /** Visible notice (why recording paused); null when none. */
  notice = $state<string | null>(null);
  error = $state<string | null>(null);
  session = $state.raw<SessionSummary | null>(null);
  /** Samples acknowledged by the main process / waiting to be sent. */
  sent = $state(0);
  queued = $state(0);
  /** Punch-in layer being recorded (0 = the main take). */
  layer = $state(0);
  gamepadConnected = $state(false);
  /** Recent positions for the fading trail (renderer-local, wall-clock ms). */
  trail = $state.raw<{ v: number; a: number; at: number }[]>([]);

  readonly rateHz: number;
  readonly flushMs: number;
  readonly countdownSec: number;

  #client: Client;
  #audio: HTMLMediaElement | null = null;
  #seq = 0;
  #queue: Sample[] = [];
  #inflight = false;
  #tickTimer: ReturnType<typeof setInterval> | null = null;
  #flushTimer: ReturnType<typeof setInterval> | null = null;
  #countTimer: ReturnType<typeof setInterval> | null = null;
  #devices = new Set<InputDevice>();
  #momentHeld = false;
  #momentPulse = false;
  #onDone: ((s: SessionSummary | null) => void) | undefined;
  #onEnded = () => void this.stop();

  constructor(client: Client, opts: RecorderOptions = {}) {
    this.#client = client;
    this.rateHz = opts.rateHz ?? 30;
    this.flushMs = Math.min(500, opts.flushMs ?? 250);
    this.countdownSec = opts.countdownSec ?? 3;
  }

  get active(): boolean {
    return this.phase === 'countdown' || this.phase === 'recording' || this.phase === 'paused';
  }

  /** Starts the input loop (gamepad polling, trail) without recording: practice and preview. */
  startInput(): void {
    if (this.#tickTimer) return;
    this.#tickTimer = setInterval(() => this.#tick(), 1000 / this.rateHz);
  }

  /** Creates a session and records the track from its start after the countdown. */
  async start(o: StartOptions): Promise<void> {
    if (this.active) throw new Error('A take is already running');
    this.error = null;
    this.#devices.clear();
    this.#bindAudio(o.audio);
    this.#onDone = o.onDone;
    const session = await this.#client.call('annotation:start', {
      profileId: o.profileId,
      trackId: o.trackId,
      sampleRateHz: this.rateHz,
      outputLatencySec: outputLatency(),
      inputDevice: 'mouse',
      labels: o.labels,
      studyId: o.studyId,
      participantId: o.participantId,
    });
    this.session = session;
    this.#seq = session.nextSeq;
    this.layer = 0;
    this.sent = 0;
    o.audio.currentTime = 0;
    this.#beginCountdown();
  }

  /** Continues an interrupted session from its last sample. */
  async resumeSession(sessionId: number, audio: HTMLMediaElement, onDone?: (s: SessionSummary | null) => void): Promise<void> {
    if (this.active) throw new Error('A take is already running');
    this.#bindAudio(audio);
    this.#onDone = onDone;
    const s = await this.#client.call('annotation:resume', { sessionId });
    this.session = s;
    this.#seq = s.nextSeq;
    this.layer = 0;
    this.sent = s.sampleCount;
    audio.currentTime = s.completeness.lastT ?? 0;
    this.#beginCountdown();
  }

  /** Re-records from `tStart` as a new punch-in layer until stop(). */
  async punchIn(sessionId: number, tStart: number, audio: HTMLMediaElement, onDone?: (s: SessionSummary | null) => void): Promise<void> {
    if (this.active) throw new Error('A take is already running');
    this.#bindAudio(audio);
    this.#onDone = onDone;
    const r = await this.#client.call('annotation:punchIn', { sessionId, tStart });
    this.session = r.session;
    this.#seq = r.nextSeq;
    this.layer = r.layer;
    audio.currentTime = tStart;
    this.#beginCountdown();
  }

  /** Moves the cursor (mouse, touch, keyboard); device is recorded with the session summary. */
  setPoint(p: PadPoint, device: InputDevice): void {
    this.point = p;
    this.#devices.add(device);
  }

  /** Momentary "moment" marker (chills...): set for the next sample, or held while `down`. */
  markMoment(down = true): void {
    if (down) this.#momentPulse = true;
    this.#momentHeld = down;
  }

  togglePause(): void {
    if (this.phase === 'recording' || this.phase === 'countdown') this.pause('Paused. Press Space or Resume to continue after a 3-second countdown.');
    else if (this.phase === 'paused') this.resume();
  }

  pause(notice: string): void {
    if (this.phase !== 'recording' && this.phase !== 'countdown') return;
    this.#clearCountdown();
    this.#audio?.pause();
    this.phase = 'paused';
    this.notice = notice;
    void this.#flush();
  }

  resume(): void {
    if (this.phase !== 'paused') return;
    this.notice = null;
    this.#beginCountdown();
  }

  /** Ends the take: flushes every queued sample, then finishes the session (or the punch-in). */
  async stop(): Promise<void> {
    if (!this.session || this.phase === 'finishing' || this.phase === 'done' || this.phase === 'idle') return;
    this.#clearCountdown();
    this.phase = 'finishing';
    this.#audio?.pause();
    let result: SessionSummary | null = null;
    try {
      for (let i = 0; i < 20 && this.#queue.length > 0; i++) await this.#flush();
      if (this.#queue.length > 0) throw new Error(`${this.#queue.length} samples could not be sent; the session stays interrupted and can be resumed`);
      const t = this.#audio?.currentTime ?? 0;
      result = this.layer > 0
        ? await this.#client.call('annotation:punchOut', { sessionId: this.session.id, layer: this.layer, tEnd: Math.max(t, this.session.layers.find((l) => l.layer === this.layer)?.tStart ?? 0) })
        : await this.#client.call('annotation:finish', { sessionId: this.session.id, inputDevice: this.device, outputLatencySec: outputLatency() });
      this.session = result;
    } catch (e) {
      this.error = message(e);
    } finally {
      this.phase = 'done';
      this.#unbindAudio();
      this.#onDone?.(result);
    }
  }

  /** Stops timers (view teardown). Queued samples get one last flush attempt. */
  dispose(): void {
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    this.#tickTimer = null;
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#flushTimer = null;
    this.#clearCountdown();
    void this.#flush();
    this.#unbindAudio();
  }

  /** Device name stored with the session, from the inputs used. */
  get device(): InputDevice {
    return this.#devices.size === 1 ? [...this.#devices][0]! : this.#devices.size === 0 ? 'mouse' : 'mixed';
  }

  #bindAudio(audio: HTMLMediaElement): void {
    this.#unbindAudio();
    this.#audio = audio;
    audio.addEventListener('ended', this.#onEnded);
    this.startInput();
    if (!this.#flushTimer) this.#flushTimer = setInterval(() => void this.#flush(), this.flushMs);
  }

  #unbindAudio(): void {
    this.#audio?.removeEventListener('ended', this.#onEnded);
  }

  #beginCountdown(): void {
    this.#lastSentAt = Date.now(); // start/resume/punch-in just talked to the main process
    this.#clearCountdown();
    this.phase = 'countdown';
    this.countdown = this.countdownSec;
    if (this.countdownSec <= 0) return void this.#go();
    this.#countTimer = setInterval(() => {
      this.countdown -= 1;
      if (this.countdown <= 0) {
        this.#clearCountdown();
        this.#go();
      }
    }, 1000);
  }

  #go(): void {
    const a = this.#audio;
    if (!a) return;
    this.phase = 'recording';
    a.play().catch((e: unknown) => {
      this.pause(`Playback could not start (${message(e)}). Press Resume to try again.`);
    });
  }

  #clearCountdown(): void {
    if (this.#countTimer) clearInterval(this.#countTimer);
    this.#countTimer = null;
  }

  #tick(): void {
    this.#pollGamepad();
    const now = performance.now();
    const p = this.point;
    const last = this.trail[this.trail.length - 1];
    if (!last || last.v !== p.v || last.a !== p.a || now - last.at > 100) this.trail = [...this.trail.filter((x) => now - x.at < 2_000), { ...p, at: now }];
    const a = this.#audio;
    if (this.phase !== 'recording' || !a || a.paused || a.ended || !this.session) return;
    let buttons = 0;
    if (this.#momentHeld || this.#momentPulse) buttons |= BUTTON_MOMENT;
    this.#momentPulse = false;
    this.#queue.push({ seq: this.#seq++, t: a.currentTime, valence: p.v, arousal: p.a, buttons, layer: this.layer });
    this.queued = this.#queue.length;
  }

  #gamepadMoment = false;
  #stickActive = false;
  #pollGamepad(): void {
    const pads = typeof navigator !== 'undefined' && typeof navigator.getGamepads === 'function' ? navigator.getGamepads() : [];
    const pad = [...(pads ?? [])].find((g) => g && g.connected);
    this.gamepadConnected = !!pad;
    if (!pad) return;
    const x = pad.axes[0] ?? 0;
    const y = pad.axes[1] ?? 0;
    const q = stickToPad(x, y);
    // The stick is absolute (DARMA-like): its position IS the pad position while it is deflected;
    // releasing it returns the cursor to the centre. A resting stick leaves mouse/keyboard in control.
    if (q.v !== 0 || q.a !== 0) {
      this.point = q;
      this.#devices.add('gamepad');
      this.#stickActive = true;
    } else if (this.#stickActive) {
      this.point = q;
      this.#stickActive = false;
    }
    const pressed = !!pad.buttons[0]?.pressed;
    if (pressed && !this.#gamepadMoment) this.#momentPulse = true;
    this.#momentHeld = pressed || (this.#momentHeld && !this.#gamepadMoment);
    this.#gamepadMoment = pressed;
  }

  #lastSentAt = 0;
  async #flush(): Promise<void> {
    if (this.#inflight || !this.session) return;
    // While paused or counting down nothing is sampled; an empty batch every 5 s keeps the main
    // process's writer lease, so a long pause is not mistaken for a dead renderer.
    const heartbeat = this.#queue.length === 0 && (this.phase === 'paused' || this.phase === 'countdown') && Date.now() - this.#lastSentAt > 5_000;
    if (this.#queue.length === 0 && !heartbeat) return;
    this.#inflight = true;
    const batch = this.#queue.slice(0, 240);
    try {
      await this.#client.call('annotation:append', { sessionId: this.session.id, samples: batch });
      this.#lastSentAt = Date.now();
      this.#queue.splice(0, batch.length);
      this.sent += batch.length;
      this.error = null;
    } catch (e) {
      if (e instanceof IpcError && e.code === 'CONFLICT' && /interrupted/.test(e.message)) {
        // The main process restarted (or judged us silent): reopen and re-send; seq dedupes.
        try {
          this.session = await this.#client.call('annotation:resume', { sessionId: this.session.id });
        } catch (e2) {
          this.error = `Could not resume the session: ${message(e2)}`;
        }
      } else this.error = `Samples not yet saved (will retry): ${message(e)}`;
    } finally {
      this.#inflight = false;
      this.queued = this.#queue.length;
    }
  }
}

let ctx: AudioContext | null = null;
/**
 * AudioContext.outputLatency in seconds (null where unsupported). A context reports 0 until it
 * runs, so the first call starts it (inside the Start click's user activation); the recorder
 * re-reads it at the end of the take and sends it with `finish` when the start value was 0/null.
 */
function outputLatency(): number | null {
  try {
    ctx ??= typeof AudioContext === 'function' ? new AudioContext() : null;
    if (ctx && ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const l = ctx?.outputLatency;
    return typeof l === 'number' && Number.isFinite(l) && l >= 0 && l <= 10 ? l : null;
  } catch {
    return null; // best effort: latency is informative, recording works without it
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
