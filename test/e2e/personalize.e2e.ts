/**
 * Issue 4/6 Personalize panel in headless Chromium against the real browser mode: a profile with
 * two seeded annotation sessions (a synthetic person: offset curves), Run (by keyboard) shows
 * the progress bar, then the held-out error before/after; the personal model switch sets the
 * Listen overlay and Mood map profile; Reset asks for confirmation and removes the model; Undo reset restores it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src-shared/annotation/types';
import { chirp, tone, writeWav } from '../fixtures/audio';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;
let profileId: number;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await s.studio.dispatch(channel as never, input as never, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value as T;
}

/** A 30 Hz session over `seconds`: arousal high, valence low (far from the untrained base). */
async function seedSession(trackId: number, seconds: number): Promise<number> {
  const sess = await call<{ id: number }>('annotation:start', { profileId, trackId, sampleRateHz: 30, inputDevice: 'keyboard' });
  const n = Math.floor(seconds * 30) - 2;
  const all: Sample[] = Array.from({ length: n }, (_, i) => ({ seq: i, t: i / 30, arousal: 0.55 + 0.1 * Math.sin(i / 40), valence: -0.45, buttons: 0, layer: 0 }));
  for (let i = 0; i < n; i += 15) await call('annotation:append', { sessionId: sess.id, samples: all.slice(i, i + 15) });
  await call('annotation:finish', { sessionId: sess.id, inputDevice: 'keyboard' });
  return sess.id;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-pers-music-'));
  writeWav(path.join(music, 'Rise.wav'), [chirp(200, 1_500, 24, 22_050)], 22_050);
  writeWav(path.join(music, 'Hum.wav'), [tone(330, 20, 22_050, 0.3)], 22_050);
  s = await startStudio('pdmer-e2e-pers-');
  await call('library:import', { paths: [music] });
  profileId = (await call<{ id: number }>('profiles:create', { name: 'Eve' })).id;
  const tracks = (await call<{ tracks: { id: number; title: string; durationSec: number }[] }>('library:listTracks', {})).tracks;
  for (const t of tracks) await seedSession(t.id, t.durationSec);
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('Personalize panel', () => {
  it('runs personalization with progress, shows before/after, switches the model, resets after confirmation', async () => {
    const page = b.page;
    await page.goto(`${s.server.url}#/personalize`);
    await page.getByTestId('personalize-sessions').waitFor();
    await expect.poll(() => page.getByTestId('personalize-sessions').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('personal-model-status').textContent()).toMatch(/none yet/);
    expect(await page.getByTestId('show-personal').isDisabled()).toBe(true);

    // Run from the keyboard; the progress bar appears while the job runs.
    const run = page.getByTestId('personalize-run');
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('personalize-progress').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('progressbar', { name: 'Personalization progress' }).count()).toBe(1);
    await page.getByTestId('personalize-report').waitFor({ timeout: 90_000 });
    const before = Number(await page.getByTestId('rmse-before').textContent());
    const after = Number(await page.getByTestId('rmse-after').textContent());
    console.log(`personalize e2e: held-out RMSE before ${before} after ${after}`);
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(before);
    await expect.poll(async () => (await page.getByTestId('personal-model-status').textContent()) ?? '').toMatch(/present .*from 2 session/);
    const row = await call<{ hasPersonalModel: boolean }>('personalize:status', { profileId });
    expect(row.hasPersonalModel).toBe(true);
    await screenshot(page, 'personalize-report');

    // The switch: overlay and map now use Eve's personal predictions.
    await page.getByTestId('show-personal').check();
    await expect.poll(() => page.getByTestId('show-personal').isChecked()).toBe(true);
    const firstTrack = (await call<{ tracks: { id: number }[] }>('library:listTracks', {})).tracks[0]!.id;
    await page.goto(`${s.server.url}#/listen?track=${firstTrack}`);
    const prof = page.getByLabel('Profile for personal curves and annotation traces');
    await expect.poll(() => prof.inputValue()).toBe(String(profileId));
    // The overlay draws the personal curve (recomputed with the new model) beside the base one.
    await expect.poll(() => page.getByRole('list', { name: 'Legend' }).getByText('valence (personal)').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await screenshot(page, 'personalize-listen-personal');
    await page.goto(`${s.server.url}#/personalize`);

    // Reset asks first; "Keep it" keeps the model, confirming removes it.
    await page.getByTestId('personalize-reset').click();
    await page.getByRole('alertdialog').waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect((await call<{ hasPersonalModel: boolean }>('personalize:status', { profileId })).hasPersonalModel).toBe(true);
    await page.getByTestId('personalize-reset').click();
    await page.getByRole('button', { name: 'Remove personal model' }).click();
    await expect.poll(async () => (await page.getByTestId('personal-model-status').textContent()) ?? '').toMatch(/none yet/);
    expect((await call<{ hasPersonalModel: boolean }>('personalize:status', { profileId })).hasPersonalModel).toBe(false);
    expect(await page.getByTestId('personalize-report').count()).toBe(0);

    // Undo the reset: the same model (and its report) is back.
    await page.getByTestId('personalize-undo-reset').click();
    await expect.poll(async () => (await page.getByTestId('personal-model-status').textContent()) ?? '').toMatch(/present .*from 2 session/);
    await page.getByTestId('personalize-report').waitFor();
    expect(Number(await page.getByTestId('rmse-after').textContent())).toBe(after);
    expect((await call<{ hasPersonalModel: boolean; canUndoReset: boolean }>('personalize:status', { profileId })).canUndoReset).toBe(false);
  });
});
