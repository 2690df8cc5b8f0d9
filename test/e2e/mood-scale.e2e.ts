/**
 * The mood map at library scale: 100,000 synthetic tracks with SEEDED predictions (no audio:
 * the same seeder as the 100k integration tests and the bench) in the real browser mode. The
 * WebGL map must plot every analysed point and still answer a region selection. Timings are
 * printed for information only (speed is benchmarked by `npm run bench`, never asserted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMoodLibrary } from '../../src-main/services/mood-bench';
import type { OpenedStudio } from '../../src-main/services/studio-types';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';

let s: StudioFixture;
let b: BrowserFixture;
let analysed = 0;

beforeAll(async () => {
  s = await startStudio('pdmer-e2e-mood-scale-');
  const lib = seedMoodLibrary((s.studio as OpenedStudio).services.db, { tracks: 100_000, seed: 5 });
  analysed = lib.tracks.filter((t) => t.base).length;
  b = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('mood map with 100,000 seeded tracks', () => {
  it('plots every analysed track and selects a region', async () => {
    const page = b.page;
    const t0 = Date.now();
    await page.goto(`${s.server.url}#/mood`);
    await page.locator(`[data-testid="mood-count"][data-count="${analysed}"]`).waitFor({ timeout: 120_000 });
    await expect
      .poll(
        () =>
          page.evaluate<number>(`(() => {
            const gd = document.querySelector('[data-testid="mood-map"]');
            return (gd.data ?? []).filter((t) => t.type === 'scattergl').reduce((n, t) => n + t.x.length, 0);
          })()`),
        { timeout: 120_000 },
      )
      .toBe(analysed);
    process.stderr.write(`mood-scale: ${analysed} points on the map ${Date.now() - t0} ms after navigation (information only)\n`);
    const form = page.getByRole('form', { name: 'Select a mood region' });
    await form.getByLabel('Valence from').fill('0.4');
    await form.getByLabel('to').first().fill('0.6');
    await form.getByLabel('Arousal from').fill('0.4');
    await form.getByLabel('to').nth(1).fill('0.6');
    await page.getByRole('button', { name: 'Select region' }).click();
    const sel = page.getByTestId('mood-selection');
    await sel.waitFor();
    expect(Number(await sel.getAttribute('data-count'))).toBeGreaterThan(1_000);
    await screenshot(page, 'mood-map-100k');
  });
});
