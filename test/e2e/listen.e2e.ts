/**
 * Listening studio in headless Chromium against the real browser mode with REAL analysis:
 * import generated tracks, press Play on an unanalysed one, the curve streams in and completes,
 * the playhead follows the audio, the overlay holds the track's points and the V/A dot moves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chirp, tone, writeWav } from '../fixtures/audio';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;

async function call(channel: string, input: unknown): Promise<any> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-listen-'));
  // 12 s: a rising chirp then a low tone, so the predicted curve is not flat.
  const a = chirp(100, 4000, 8, 22_050);
  const t = tone(80, 4, 22_050, 0.2);
  const both = new Float32Array(a.length + t.length);
  both.set(a);
  both.set(t, a.length);
  writeWav(path.join(music, 'Sweep.wav'), [both], 22_050);
  writeWav(path.join(music, 'Steady.wav'), [tone(440, 6, 22_050)], 22_050);
  s = await startStudio('pdmer-e2e-listen-');
  b = await launchBrowser();
  const report = await call('library:import', { paths: [music] });
  expect(report.imported).toHaveLength(2);
}, 180_000);

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('listen view with live analysis', () => {
  it('playing an unanalysed track analyses it, fills the overlay and moves the playhead and V/A dot', async () => {
    const page = b.page;
    await page.goto(s.server.url);
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.getByRole('button', { name: 'Play Sweep' }).click();
    await page.getByTestId('listen-title').filter({ hasText: 'Sweep' }).waitFor();

    // The curve completes (streamed chunks then the final one): 12 s at 2 Hz.
    await page.getByTestId('curve-status').filter({ hasText: 'complete' }).waitFor({ timeout: 150_000 });
    const points = Number(await page.getByTestId('listen-overlay').getAttribute('data-points'));
    expect(points).toBeGreaterThanOrEqual(22);
    expect(points).toBeLessThanOrEqual(26);
    // The plotly overlay holds the track's points (valence and arousal traces of the base model).
    await expect
      .poll(() =>
        // A string expression: the node tsconfig has no DOM types (the code runs in the page).
        page.evaluate<number[]>(`(() => {
          const gd = document.querySelector('[data-testid="emotion-plot"]');
          return (gd.data ?? []).filter((t) => t.name.endsWith('(base)')).map((t) => t.y.filter((v) => Number.isFinite(v)).length);
        })()`),
      )
      .toEqual([points, points]);

    // Playhead follows the audio (restart from 0 so the whole curve passes under it).
    await page.getByRole('slider', { name: 'Seek' }).focus();
    await page.keyboard.press('Home');
    if ((await page.getByTestId('play-pause').getAttribute('aria-label')) === 'Play') await page.getByTestId('play-pause').click();
    const t0 = Number(await page.getByTestId('playhead').getAttribute('data-time'));
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const dot = page.getByTestId('va-dot');
      const v = await dot.getAttribute('data-valence');
      const a = await dot.getAttribute('data-arousal');
      if (v && a) seen.add(`${v},${a}`);
      await page.waitForTimeout(250);
    }
    const t1 = Number(await page.getByTestId('playhead').getAttribute('data-time'));
    expect(t1).toBeGreaterThan(t0 + 1);
    expect(seen.size).toBeGreaterThan(1);
    await screenshot(page, 'listen-playing');
  });

  it('space pauses, arrows seek', async () => {
    const page = b.page;
    await page.getByRole('combobox', { name: 'Choose a library track' }).selectOption({ label: 'Sweep' });
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await expect.poll(async () => Number(await page.getByTestId('playhead').getAttribute('data-time'))).toBeGreaterThan(0.3);
    // Keys act outside form fields: move focus to the page, then Space pauses.
    await page.getByTestId('listen-title').click();
    await page.keyboard.press(' ');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    const before = Number(await page.getByTestId('playhead').getAttribute('data-time'));
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(async () => Number(await page.getByTestId('playhead').getAttribute('data-time')))
      .toBeGreaterThan(before + 4);
  });

  it('library rows show the analysed track\'s sparkline and mean (V, A)', async () => {
    const page = b.page;
    await page.getByRole('button', { name: 'Library', exact: true }).click();
    const row = page.getByRole('table', { name: 'Tracks' }).locator('tbody tr').filter({ hasText: 'Sweep' });
    const cell = row.getByTestId('mood-cell');
    await expect.poll(() => cell.textContent()).toMatch(/\(-?\d\.\d\d, -?\d\.\d\d\)/);
    await cell.getByRole('img', { name: /Emotion curve of Sweep/ }).waitFor();
    await expect(page.getByRole('table', { name: 'Tracks' }).locator('tbody tr').filter({ hasText: 'Steady' }).getByTestId('mood-cell').textContent()).resolves.toContain(
      'not analysed',
    );
    await screenshot(page, 'library-with-emotion-column');
  });

  it('background analysis of the rest of the library, then the mood map shows every analysed track', async () => {
    const page = b.page;
    const strip = page.getByRole('region', { name: 'Background analysis' });
    await strip.getByText('1 analysed, 1 not yet').waitFor();
    await strip.getByRole('button', { name: 'Analyse the library' }).click();
    // Progress shows while it runs, then the strip hides when nothing is left to analyse.
    await strip.waitFor({ state: 'detached', timeout: 150_000 });
    await page.getByRole('button', { name: 'Mood map' }).click();
    await page.locator('[data-testid="mood-count"][data-count="2"]').waitFor();
    await screenshot(page, 'mood-map-real-analysis');
  });
});
