/**
 * Browse by mood in headless Chromium against the real browser mode: imported generated tracks
 * with SEEDED predictions (written through PredictionsRepo, as analysis writes them; the real
 * analysis journey is listen.e2e.ts), so every point's place on the plane is known. The map
 * shows every analysed track; a region selection becomes a saved playlist whose exported M3U
 * (a real download) lists exactly those files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionsRepo } from '../../src-main/db/predictions.repo';
import type { OpenedStudio } from '../../src-main/services/studio-types';
import { tone, writeWav } from '../fixtures/audio';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;
/** name -> mean (valence, arousal) seeded for it. */
const PLACES: Record<string, [number, number]> = {
  'Happy one': [0.6, 0.5],
  'Happy two': [0.3, 0.8],
  'Happy three': [0.9, 0.1],
  'Sad one': [-0.6, -0.5],
  'Angry one': [-0.7, 0.7],
  'Calm one': [0.5, -0.6],
};
const paths: Record<string, string> = {};

async function call(channel: string, input: unknown): Promise<any> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-mood-'));
  let f = 300;
  for (const name of Object.keys(PLACES)) paths[name] = writeWav(path.join(music, `${name}.wav`), [tone((f += 37), 1, 22_050)], 22_050);
  s = await startStudio('pdmer-e2e-mood-');
  b = await launchBrowser();
  const report = await call('library:import', { paths: [music] });
  expect(report.imported).toHaveLength(6);
  const page = await call('library:listTracks', { limit: 100 });
  const repo = new PredictionsRepo((s.studio as OpenedStudio).services.db);
  for (const t of page.tracks) {
    const [v, a] = PLACES[t.title ?? path.basename(t.path, '.wav')]!;
    // A short curve whose mean is exactly the seeded point.
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

describe('mood map in the browser mode (seeded predictions)', () => {
  it('shows every analysed track on the WebGL map', async () => {
    const page = b.page;
    await page.goto(s.server.url);
    await page.getByRole('button', { name: 'Mood map' }).click();
    await page.getByRole('heading', { name: 'Browse by mood' }).waitFor();
    await page.locator('[data-testid="mood-count"][data-count="6"]').waitFor();
    // The plot rendered with 6 points over its scattergl traces.
    await page.locator('[data-testid="mood-map"] .main-svg').first().waitFor();
    // A string expression: the node tsconfig has no DOM types (the code runs in the page).
    const plotted = await page.evaluate<number>(`(() => {
      const gd = document.querySelector('[data-testid="mood-map"]');
      return gd.data.filter((t) => t.type === 'scattergl').reduce((n, t) => n + t.x.length, 0);
    })()`);
    expect(plotted).toBe(6);
    await screenshot(page, 'mood-map');
  });

  it('a region selection becomes a playlist whose exported M3U lists exactly those files', async () => {
    const page = b.page;
    const form = page.getByRole('form', { name: 'Select a mood region' });
    await form.getByLabel('Valence from').fill('0');
    await form.getByLabel('to').first().fill('1');
    await form.getByLabel('Arousal from').fill('0');
    await form.getByLabel('to').nth(1).fill('1');
    await page.getByRole('button', { name: 'Select region' }).click();
    const sel = page.locator('[data-testid="mood-selection"][data-count="3"]');
    await sel.waitFor();
    const titles = await page.getByRole('table', { name: 'Selected tracks' }).locator('tbody tr td:first-child').allTextContents();
    expect(titles.sort()).toEqual(['Happy one', 'Happy three', 'Happy two']);

    await page.getByTestId('playlist-name').fill('Happy region');
    await page.getByTestId('save-playlist').click();
    await page.getByRole('textbox', { name: 'Name of playlist Happy region' }).waitFor();
    await screenshot(page, 'mood-selection-playlist');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Happy region as M3U' }).click()]);
    expect(download.suggestedFilename()).toBe('Happy region.m3u');
    const file = await download.path();
    const m3u = fs.readFileSync(file!, 'utf8');
    expect(m3u.startsWith('#EXTM3U\n')).toBe(true);
    const listed = m3u.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(listed.sort()).toEqual([paths['Happy one'], paths['Happy three'], paths['Happy two']].map((p) => fs.realpathSync(p!)).sort());
    expect(m3u).toMatch(/#EXTINF:1,Happy (one|two|three)/);
    expect(b.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it('"near this point" selects the neighbours within the radius', async () => {
    const page = b.page;
    const form = page.getByRole('form', { name: 'Select tracks near a point' });
    await form.getByLabel('Valence').fill('-0.6');
    await form.getByLabel('Arousal').fill('-0.5');
    await form.getByLabel('Radius').fill('0.2');
    await page.getByRole('button', { name: 'Find tracks near this point' }).click();
    await page.locator('[data-testid="mood-selection"][data-count="1"]').waitFor();
    expect(await page.getByRole('table', { name: 'Selected tracks' }).locator('tbody td:first-child').allTextContents()).toEqual(['Sad one']);
  });

  it('a lasso drawn with the mouse selects the tracks inside it', async () => {
    const page = b.page;
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Lasso', exact: true }).click();
    const corners: [number, number][] = [
      [0.05, 0.05],
      [1.0, 0.05],
      [1.0, 1.0],
      [0.05, 1.0],
    ];
    // Data -> page pixels through plotly's own axis mapping (string: no DOM types in node tsconfig).
    const px = await page.evaluate<[number, number][]>(`(() => {
      const gd = document.querySelector('[data-testid="mood-map"]');
      const fl = gd._fullLayout;
      const r = gd.getBoundingClientRect();
      return ${JSON.stringify(corners)}.map(([v, a]) => [r.left + fl.xaxis._offset + fl.xaxis.l2p(v), r.top + fl.yaxis._offset + fl.yaxis.l2p(a)]);
    })()`);
    await page.mouse.move(px[0]![0], px[0]![1]);
    await page.mouse.down();
    for (const [x, y] of [...px.slice(1), px[0]!]) await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    const sel = page.locator('[data-testid="mood-selection"][data-count="3"]');
    await sel.waitFor();
    expect(await sel.getByRole('heading').textContent()).toMatch(/lasso/);
    const titles = await page.getByRole('table', { name: 'Selected tracks' }).locator('tbody td:first-child').allTextContents();
    expect(titles.sort()).toEqual(['Happy one', 'Happy three', 'Happy two']);
    await screenshot(page, 'mood-lasso');
  });

  it('plans a mood path between two points', async () => {
    const page = b.page;
    const form = page.getByRole('form', { name: 'Mood path' });
    await form.getByLabel('From valence').fill('-0.6');
    await form.getByLabel('From arousal').fill('-0.5');
    await form.getByLabel('To valence').fill('0.6');
    await form.getByLabel('To arousal').fill('0.5');
    await form.getByLabel('Tracks').fill('3');
    await page.getByRole('button', { name: 'Plan mood path' }).click();
    await page.locator('[data-testid="mood-selection"][data-count="3"]').filter({ hasText: 'mood path' }).waitFor();
    const titles = await page.getByRole('table', { name: 'Selected tracks' }).locator('tbody td:first-child').allTextContents();
    // Starts at the track nearest the start point, ends in the happy quadrant, no repeats.
    expect(titles[0]).toBe('Sad one');
    expect(titles[2]).toMatch(/^Happy /);
    expect(new Set(titles).size).toBe(3);
  });

  it('hovering a point names the track and clicking it plays it', async () => {
    const page = b.page;
    const [[x, y]] = await page.evaluate<[number, number][]>(`(() => {
      const gd = document.querySelector('[data-testid="mood-map"]');
      const fl = gd._fullLayout;
      const r = gd.getBoundingClientRect();
      return [[r.left + fl.xaxis._offset + fl.xaxis.l2p(-0.6), r.top + fl.yaxis._offset + fl.yaxis.l2p(-0.5)]];
    })()`);
    await page.mouse.move(x! + 2, y! + 2);
    await page.mouse.move(x!, y!, { steps: 3 });
    await page.getByTestId('mood-tooltip').filter({ hasText: 'Sad one' }).waitFor();
    await page.mouse.click(x!, y!);
    await page.getByRole('region', { name: 'Now playing' }).filter({ hasText: 'Sad one' }).waitFor();
  });

  it('follows the dark theme (plot text from the theme, controls still named)', async () => {
    const page = b.page;
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    await expect
      .poll(() =>
        page.evaluate<string>(`(() => document.querySelector('[data-testid="mood-map"]')._fullLayout.font.color)()`),
      )
      .toBe('#e5e7eb');
    await page.getByRole('button', { name: 'Select region' }).waitFor();
    await screenshot(page, 'mood-map-dark');
    await page.getByRole('button', { name: 'Listen', exact: true }).click();
    await page.getByRole('slider', { name: 'Seek' }).waitFor();
    await page.getByRole('slider', { name: 'Volume' }).waitFor();
    await screenshot(page, 'listen-dark');
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
  });
});
