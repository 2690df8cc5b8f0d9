/**
 * The library list filtered by mood region in headless Chromium against the real browser mode:
 * imported generated tracks with SEEDED predictions (through PredictionsRepo, as analysis writes
 * them; see mood.e2e.ts), so each track's mean valence/arousal is known. A quadrant quick pick
 * and a custom range list exactly the tracks inside; the filter survives search and sort, a bad
 * range is refused with a message, and removing the chip restores the full list.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionsRepo } from '../../src-main/db/predictions.repo';
import type { OpenedStudio } from '../../src-main/services/studio-types';
import { tone, writeWav } from '../fixtures/audio';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';
import { LibraryPage } from './pages/library-page';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;
/** name -> mean (valence, arousal) seeded for it; null = not analysed. */
const PLACES: Record<string, [number, number] | null> = {
  'Happy one': [0.6, 0.5],
  'Happy two': [0.3, 0.8],
  'Sad one': [-0.6, -0.5],
  'Angry one': [-0.7, 0.7],
  'Calm one': [0.5, -0.6],
  'Not analysed': null,
};
const ALL = Object.keys(PLACES).sort((a, b) => a.localeCompare(b));

async function call(channel: string, input: unknown): Promise<any> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-libmood-'));
  let f = 300;
  for (const name of Object.keys(PLACES)) writeWav(path.join(music, `${name}.wav`), [tone((f += 37), 1, 22_050)], 22_050);
  s = await startStudio('pdmer-e2e-libmood-');
  b = await launchBrowser();
  const report = await call('library:import', { paths: [music] });
  expect(report.imported).toHaveLength(ALL.length);
  const page = await call('library:listTracks', { limit: 100 });
  const repo = new PredictionsRepo((s.studio as OpenedStudio).services.db);
  for (const t of page.tracks) {
    const place = PLACES[t.title ?? path.basename(t.path, '.wav')];
    if (place === undefined) throw new Error(`unexpected track ${t.title} ${t.path}`);
    if (!place) continue;
    const [v, a] = place;
    repo.upsert({
      trackId: t.id,
      contentHash: t.contentHash,
      modelVersion: 'seeded-e2e',
      featureHash: 'seeded',
      profileId: null,
      valence: new Float32Array([v - 0.05, v + 0.05]),
      arousal: new Float32Array([a + 0.05, a - 0.05]),
      complete: true,
    });
  }
});

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('library mood filter in the browser mode (seeded predictions)', () => {
  it('a quadrant quick pick lists exactly the tracks in that quadrant, with a text chip', async () => {
    const lib = new LibraryPage(b.page);
    await lib.open(s.server.url);
    await lib.sortBy('Title');
    await lib.waitForTitles(ALL);

    const picker = b.page.getByRole('combobox', { name: 'Mood filter' });
    await picker.selectOption({ label: 'Happy/excited (+V +A)' });
    await lib.waitForTitles(['Happy one', 'Happy two']);
    await expect(b.page.getByTestId('mood-chip').textContent()).resolves.toContain('Mood: Happy/excited (+V +A)');

    await picker.selectOption({ label: 'Sad/depressed (−V −A)' });
    await lib.waitForTitles(['Sad one']);
    await picker.selectOption({ label: 'Angry/tense (−V +A)' });
    await lib.waitForTitles(['Angry one']);
    await screenshot(b.page, 'library-mood-filter-quadrant');
  });

  it('a custom range filters, survives search and sort, refuses a bad range, and clears', async () => {
    const lib = new LibraryPage(b.page);
    const picker = b.page.getByRole('combobox', { name: 'Mood filter' });
    await picker.selectOption({ label: 'Custom range…' });
    const form = b.page.getByRole('form', { name: 'Custom mood range' });
    await form.getByRole('spinbutton', { name: 'Valence from' }).fill('0.4');
    await form.getByRole('spinbutton', { name: 'Valence to' }).fill('1');
    await form.getByRole('spinbutton', { name: 'Arousal from' }).fill('-1');
    await form.getByRole('spinbutton', { name: 'Arousal to' }).fill('0.6');
    await form.getByRole('button', { name: 'Apply mood range' }).click();
    // (0.6, 0.5) and (0.5, -0.6) are inside; Happy two has valence 0.3, Angry arousal 0.7.
    await lib.waitForTitles(['Calm one', 'Happy one']);
    await expect(b.page.getByTestId('mood-chip').textContent()).resolves.toContain('valence 0.4 to 1, arousal −1 to 0.6');

    await lib.search.fill('calm');
    await lib.waitForTitles(['Calm one']);
    await lib.search.fill('');
    await lib.waitForTitles(['Calm one', 'Happy one']);
    await lib.sortBy('Title');
    await lib.waitForTitles(['Happy one', 'Calm one']);
    await lib.sortBy('Title');

    // Out of range: refused with a message naming the field and the value; the list is unchanged.
    await picker.selectOption({ label: 'Custom range…' });
    await form.getByRole('spinbutton', { name: 'Valence from' }).fill('2');
    await form.getByRole('button', { name: 'Apply mood range' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toMatch(/Valence from must be between -1 and 1, got 2/);
    await lib.waitForTitles(['Calm one', 'Happy one']);
    await form.getByRole('button', { name: 'Cancel' }).click();
    await screenshot(b.page, 'library-mood-filter-custom');

    // Removing the chip (keyboard) restores the full list.
    const remove = b.page.getByRole('button', { name: /^Remove mood filter/ });
    await remove.focus();
    await b.page.keyboard.press('Enter');
    await lib.waitForTitles(ALL);
    await expect(b.page.getByTestId('mood-chip').count()).resolves.toBe(0);
    await expect(picker.inputValue()).resolves.toBe('any');
  });

  it("the Mood map's region selection offers 'Show in library', which filters the list by that region", async () => {
    const page = b.page;
    const lib = new LibraryPage(page);
    await page.getByRole('button', { name: 'Mood map', exact: true }).click();
    const form = page.getByRole('form', { name: 'Select a mood region' });
    await form.getByLabel('Valence from').fill('-1');
    await form.getByLabel('to').first().fill('0');
    await form.getByLabel('Arousal from').fill('-1');
    await form.getByLabel('to').nth(1).fill('1');
    await page.getByRole('button', { name: 'Select region' }).click();
    await page.locator('[data-testid="mood-selection"][data-count="2"]').waitFor();
    await page.getByRole('button', { name: 'Show in library' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await lib.waitForTitles(['Angry one', 'Sad one']);
    await expect(page.getByTestId('mood-chip').textContent()).resolves.toContain('Mood: valence −1 to 0, arousal −1 to 1');
    await page.getByRole('button', { name: /^Remove mood filter/ }).click();
    await lib.waitForTitles(ALL);
  });
});

