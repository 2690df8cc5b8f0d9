/**
 * Issue 6 journeys in headless Chromium against the real browser mode: annotate a generated
 * track with the keyboard, the mouse and a fake gamepad (navigator.getGamepads overridden in
 * the page); check the stored sample rate and timestamps against the audio clock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chirp, writeWav } from '../fixtures/audio';
import type { SessionDetail } from '../../src-shared/ipc/contract/annotation';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';


const TRACK_SEC = 6;
let s: StudioFixture;
let b: BrowserFixture;
let music: string;
let trackId: number;
const profiles: Record<string, number> = {};

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value as T;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-annot-music-'));
  writeWav(path.join(music, 'Sweep.wav'), [chirp(220, 880, TRACK_SEC, 22_050, 0.3)], 22_050);
  s = await startStudio('pdmer-e2e-annot-');
  const rep = await call<{ imported: { id: number }[] }>('library:import', { paths: [music] });
  trackId = rep.imported[0]!.id;
  for (const name of ['Keys', 'Mouse', 'Pad']) profiles[name] = (await call<{ id: number }>('profiles:create', { name })).id;
  b = await launchBrowser();
  // Fake gamepad: the page reads navigator.getGamepads() in its sampling loop.
  await b.context.addInitScript(() => {
    const w = window as unknown as { __pad: { x: number; y: number; a: boolean; on: boolean } };
    w.__pad = { x: 0, y: 0, a: false, on: false };
    navigator.getGamepads = () => {
      const p = w.__pad;
      if (!p.on) return [null, null, null, null];
      return [
        {
          id: 'Fake pad', index: 0, connected: true, mapping: 'standard', timestamp: performance.now(),
          axes: [p.x, p.y, 0, 0],
          buttons: Array.from({ length: 16 }, (_, i) => ({ pressed: i === 0 && p.a, touched: false, value: i === 0 && p.a ? 1 : 0 })),
          hapticActuators: [], vibrationActuator: null,
        } as unknown as Gamepad,
        null, null, null,
      ];
    };
  });
}, 120_000);

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

async function openAnnotate(page: Page, profile: string): Promise<void> {
  await page.goto('about:blank'); // a real reload: a hash-only goto would keep the previous test's page state
  await page.goto(`${s.server.url}#/annotate`);
  await page.getByTestId('annotation-pad').waitFor();
  await page.getByTestId('profile-select').selectOption(String(profiles[profile]));
  await page.getByTestId('track-select').selectOption(String(trackId));
}

async function startAndWaitRecording(page: Page): Promise<void> {
  await page.getByTestId('start-recording').click();
  await page.waitForSelector('[data-testid="recorder-phase"][data-phase="countdown"]');
  await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
}

async function waitDone(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="recorder-phase"][data-phase="done"]', { timeout: 30_000 });
}

async function latestSession(profile: string): Promise<SessionDetail> {
  const list = await call<{ id: number }[]>('annotation:list', { profileId: profiles[profile] });
  expect(list.length).toBeGreaterThan(0);
  return call<SessionDetail>('annotation:get', { sessionId: list[0]!.id });
}

/** Stored rate and timestamps agree with the audio clock of a track played from 0 to its end. */
function checkClock(d: SessionDetail): void {
  const ts = d.samples.map((x) => x.t);
  expect(d.session.sampleRateHz).toBe(30);
  // AudioContext.outputLatency was recorded (Chromium reports it; 0 only if no output device).
  expect(typeof d.session.outputLatencySec).toBe('number');
  expect(d.session.state).toBe('complete');
  // Timestamps come from the media clock: within the track, non-decreasing in seq order.
  const bySeq = [...d.samples].sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < bySeq.length; i++) expect(bySeq[i]!.t).toBeGreaterThanOrEqual(bySeq[i - 1]!.t);
  expect(Math.min(...ts)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...ts)).toBeLessThanOrEqual(TRACK_SEC + 0.05);
  // The whole track was covered: started within 0.5 s, ended within 0.5 s of the end.
  expect(Math.min(...ts)).toBeLessThan(0.5);
  expect(Math.max(...ts)).toBeGreaterThan(TRACK_SEC - 0.5);
  // Effective rate on the audio clock: samples per second of audio, 30 Hz +- 15 %.
  const rate = (ts.length - 1) / (Math.max(...ts) - Math.min(...ts));
  expect(rate).toBeGreaterThan(25.5);
  expect(rate).toBeLessThan(34.5);
  // Median step ~ 1/30 s.
  const steps = bySeq.slice(1).map((x, i) => x.t - bySeq[i]!.t).sort((a, c) => a - c);
  console.log(`[annotate] ${d.session.inputDevice}: ${ts.length} samples, first t ${Math.min(...ts).toFixed(3)} s, last t ${Math.max(...ts).toFixed(3)} s, effective ${rate.toFixed(2)} Hz on the audio clock, median step ${(steps[Math.floor(steps.length / 2)]! * 1000).toFixed(1)} ms, max step ${(steps[steps.length - 1]! * 1000).toFixed(1)} ms, outputLatency ${d.session.outputLatencySec}`);
  expect(steps[Math.floor(steps.length / 2)]!).toBeGreaterThan(0.6 / 30);
  expect(steps[Math.floor(steps.length / 2)]!).toBeLessThan(1.6 / 30);
  // 2 Hz bins: ceil(6 / 0.5) = 12, every one filled.
  expect(d.bins.valence.length).toBe(TRACK_SEC * 2);
  expect(d.bins.counts.every((c) => c > 0)).toBe(true);
  expect(d.session.completeness.ok).toBe(true);
}

describe('annotate in the browser mode', () => {
  it('keyboard: arrows move the cursor (Shift = fine), every sample stored with the audio clock; custom labels', async () => {
    const page = b.page;
    await openAnnotate(page, 'Keys');
    // Custom labels: rename the +valence octant; the pad shows it and the session stores it.
    await page.getByTestId('labels-select').selectOption('custom');
    await page.getByLabel('Octant +valence (0°)').fill('Joyful');
    await page.locator('[data-testid="annotation-pad"] .oct', { hasText: 'Joyful' }).waitFor();
    await startAndWaitRecording(page);
    const pad = page.getByTestId('annotation-pad');
    await pad.focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight'); // +0.50 valence
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowUp'); // +0.03 arousal
    await page.keyboard.press('KeyW'); // +0.05 -> 0.08
    await expect(pad.getAttribute('aria-valuetext')).resolves.toBe('Valence +0.50, arousal +0.08 (Joyful)');
    await waitDone(page);
    const d = await latestSession('Keys');
    checkClock(d);
    expect(d.session.inputDevice).toBe('keyboard');
    expect(d.session.meta.labels).toMatchObject({ preset: 'custom', valence: ['Unpleasant', 'Pleasant'] });
    expect(d.session.meta.labels!.octants[0]).toBe('Joyful');
    const last = d.samples[d.samples.length - 1]!;
    expect(last.valence).toBeCloseTo(0.5, 9);
    expect(last.arousal).toBeCloseTo(0.08, 9);
    await screenshot(page, 'annotate-keyboard');
  });

  it('mouse: the cursor follows the pointer over the pad', async () => {
    const page = b.page;
    await openAnnotate(page, 'Mouse');
    const box = (await page.getByTestId('annotation-pad').boundingBox())!;
    await startAndWaitRecording(page);
    // Move to (valence -0.5, arousal +0.5): x = 25 %, y = 25 %.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25, { steps: 5 });
    await waitDone(page);
    const d = await latestSession('Mouse');
    checkClock(d);
    expect(d.session.inputDevice).toBe('mouse');
    const last = d.samples[d.samples.length - 1]!;
    expect(last.valence).toBeCloseTo(-0.5, 1);
    expect(last.arousal).toBeCloseTo(0.5, 1);
  });

  it('touch: a finger dragged on the pad moves the cursor (pointer events from CDP touch input)', async () => {
    const page = b.page;
    await openAnnotate(page, 'Mouse');
    const box = (await page.getByTestId('annotation-pad').boundingBox())!;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
    await startAndWaitRecording(page);
    // Drag from the centre to (valence +0.6, arousal -0.2): x = 80 %, y = 60 %.
    const at = (fx: number, fy: number) => [{ x: box.x + box.width * fx, y: box.y + box.height * fy }];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0.5, 0.5) });
    for (let k = 1; k <= 5; k++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(0.5 + 0.06 * k, 0.5 + 0.02 * k) });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await waitDone(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
    await cdp.detach();
    const d = await latestSession('Mouse');
    checkClock(d);
    expect(d.session.inputDevice).toBe('touch');
    const last = d.samples[d.samples.length - 1]!;
    expect(last.valence).toBeCloseTo(0.6, 1);
    expect(last.arousal).toBeCloseTo(-0.2, 1);
  });

  it('gamepad: the round stick reaches the square corner; button A marks moments', async () => {
    const page = b.page;
    await openAnnotate(page, 'Pad');
    await page.evaluate(() => {
      (window as unknown as { __pad: { on: boolean } }).__pad.on = true;
    });
    await page.waitForSelector('text=gamepad connected');
    await startAndWaitRecording(page);
    await page.evaluate(() => {
      const p = (window as unknown as { __pad: { x: number; y: number; a: boolean } }).__pad;
      p.x = Math.SQRT1_2; // up-right on the stick's circle
      p.y = -Math.SQRT1_2;
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="annotation-pad"]')?.getAttribute('data-valence') !== '0');
    await page.evaluate(() => {
      (window as unknown as { __pad: { a: boolean } }).__pad.a = true;
    });
    await page.waitForTimeout(300); // hold the button across several 33 ms ticks (not an assertion on speed)
    await page.evaluate(() => {
      (window as unknown as { __pad: { a: boolean } }).__pad.a = false;
    });
    await waitDone(page);
    const d = await latestSession('Pad');
    checkClock(d);
    expect(d.session.inputDevice).toBe('gamepad');
    const last = d.samples[d.samples.length - 1]!;
    expect(last.valence).toBeCloseTo(1, 5);
    expect(last.arousal).toBeCloseTo(1, 5);
    const marked = d.samples.filter((x) => (x.buttons & 1) === 1);
    expect(marked.length).toBeGreaterThan(0);
    expect(d.bins.buttons.some((x) => (x & 1) === 1)).toBe(true);
    expect(b.errors).toEqual([]);
  });

  it('losing focus pauses with a visible notice; Space resumes after the countdown; no audio time is skipped', async () => {
    const page = b.page;
    await openAnnotate(page, 'Keys'); // a fresh page: the fake gamepad is disconnected again
    await startAndWaitRecording(page);
    await page.getByTestId('annotation-pad').focus();
    await page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')?.currentTime ?? 0) > 1);
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="paused"]');
    expect(await page.getByTestId('pause-notice').textContent()).toMatch(/lost focus/);
    expect(await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')!.paused)).toBe(true);
    const pausedAt = await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')!.currentTime);
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="countdown"]');
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
    await waitDone(page);
    const d = await latestSession('Keys');
    checkClock(d);
    const bySeq = [...d.samples].sort((x, y) => x.seq - y.seq);
    const maxStep = Math.max(...bySeq.slice(1).map((x, i) => x.t - bySeq[i]!.t));
    expect(maxStep).toBeLessThan(0.2); // the media clock paused with the recording
    expect(bySeq.some((x) => Math.abs(x.t - pausedAt) < 0.1)).toBe(true);
  });
});
