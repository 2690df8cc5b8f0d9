/**
 * Issue 6 export/import and reliability in headless Chromium against the real browser mode:
 * annotate a track, export JSON from the page (a real download), import it through the page
 * into ANOTHER library holding the same audio, and find the session restored exactly; then the
 * Review view shows ICC / alpha / CCC equal to the hand-computed example.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone, writeWav } from '../fixtures/audio';
import type { SessionDetail } from '../../src-shared/ipc/contract/annotation';
import { parseJsonExport } from '../../src-shared/annotation/export';
import type { SessionSummary } from '../../src-shared/annotation/types';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';


let a: StudioFixture;
let c: StudioFixture;
let b: BrowserFixture;
let music: string;

async function call<T>(s: StudioFixture, channel: string, input: unknown): Promise<T> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value as T;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-io-music-'));
  writeWav(path.join(music, 'Four.wav'), [tone(440, 4, 22_050, 0.3)], 22_050);
  writeWav(path.join(music, 'Two.wav'), [tone(660, 2, 22_050, 0.3)], 22_050);
  a = await startStudio('pdmer-e2e-io-a-');
  c = await startStudio('pdmer-e2e-io-c-');
  await call(a, 'library:import', { paths: [music] });
  await call(c, 'library:import', { paths: [music] });
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await c?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('export and re-import through the page', () => {
  it('a JSON export downloaded from library A re-imports exactly into library B', async () => {
    const page = b.page;
    const prof = await call<{ id: number }>(a, 'profiles:create', { name: 'Exporter' });
    const tracks = await call<{ tracks: { id: number; title: string }[] }>(a, 'library:listTracks', {});
    const four = tracks.tracks.find((t) => t.title === 'Four')!;
    await page.goto(`${a.server.url}#/annotate`);
    await page.getByTestId('annotation-pad').waitFor();
    await page.getByTestId('profile-select').selectOption(String(prof.id));
    await page.getByTestId('track-select').selectOption(String(four.id));
    await page.getByTestId('start-recording').click();
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
    await page.getByTestId('annotation-pad').focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('KeyA');
    await page.keyboard.press('KeyM'); // a moment marker
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="done"]', { timeout: 20_000 });

    // Re-record [2 s, end] through the UI (punch-in), then undo and redo it.
    const row = page.locator('[data-testid="session-row"]').first();
    await row.getByRole('button', { name: 'Re-record segment' }).click();
    await page.getByTestId('punch-from').fill('2');
    await page.getByRole('button', { name: 'Start re-recording' }).click();
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
    await page.getByTestId('annotation-pad').focus();
    for (let i = 0; i < 16; i++) await page.keyboard.press('KeyD'); // starts where the trace was (-0.40) -> +0.40
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="done"]', { timeout: 20_000 });
    const sid = Number(await row.getAttribute('data-session-id'));
    const punched = await call<SessionDetail>(a, 'annotation:get', { sessionId: sid });
    expect(punched.session.layers).toEqual([expect.objectContaining({ layer: 1, tStart: 2, state: 'active' })]);
    expect(punched.session.layers[0]!.tEnd).toBeGreaterThan(3.5);
    expect(punched.bins.valence[3]).toBeCloseTo(-0.4, 9); // [1.5, 2) s, before the punch-in: the original take
    expect(punched.bins.valence[7]).toBeCloseTo(0.4, 9); // [3.5, 4) s: the re-recorded take
    await row.getByRole('button', { name: 'Undo re-record' }).click();
    await page.waitForFunction(() => document.querySelector<HTMLButtonElement>('[data-testid="session-row"] button:nth-of-type(3)')?.disabled === false);
    expect((await call<SessionDetail>(a, 'annotation:get', { sessionId: sid })).bins.valence[7]).toBeCloseTo(-0.4, 9); // original take again
    await row.getByRole('button', { name: 'Redo re-record' }).click();
    await page.waitForFunction(() => document.querySelector<HTMLButtonElement>('[data-testid="session-row"] button:nth-of-type(2)')?.disabled === false);
    expect((await call<SessionDetail>(a, 'annotation:get', { sessionId: sid })).bins.valence[7]).toBeCloseTo(0.4, 9);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const file = path.join(os.tmpdir(), `pdmer-e2e-export-${process.pid}.json`);
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    const doc = parseJsonExport(text);
    expect(doc.schemaVersion).toBe(1);
    expect('modelVersion' in doc).toBe(true);
    expect(doc.sessions.length).toBe(1);

    // Import into library C through its page (file input).
    await page.goto(`${c.server.url}#/annotate`);
    await page.getByTestId('annotation-pad').waitFor();
    await page.getByTestId('import-file').setInputFiles(file);
    await page.waitForSelector('[data-testid="annotation-status"]:has-text("Imported 1 session")');
    fs.rmSync(file, { force: true });

    const srcList = await call<SessionSummary[]>(a, 'annotation:list', {});
    const dstList = await call<SessionSummary[]>(c, 'annotation:list', {});
    expect(dstList.length).toBe(1);
    const src = await call<SessionDetail>(a, 'annotation:get', { sessionId: srcList[0]!.id });
    const dst = await call<SessionDetail>(c, 'annotation:get', { sessionId: dstList[0]!.id });
    expect(dst.samples).toEqual(src.samples);
    expect(dst.bins).toEqual(src.bins);
    expect(dst.samples.some((x) => (x.buttons & 1) === 1)).toBe(true);
    const pick = (s: SessionSummary) => ({ uid: s.uid, profileName: s.profileName, state: s.state, sampleRateHz: s.sampleRateHz, outputLatencySec: s.outputLatencySec, inputDevice: s.inputDevice, startedAt: s.startedAt, endedAt: s.endedAt, layers: s.layers, sampleCount: s.sampleCount });
    expect(pick(dst.session)).toEqual(pick(src.session));
    // Importing the same file again is a no-op.
    await page.getByTestId('import-file').setInputFiles({ name: 'again.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForSelector('[data-testid="annotation-status"]:has-text("Imported 0 session(s), skipped 1")');
    expect((await call<SessionSummary[]>(c, 'annotation:list', {})).length).toBe(1);
  });
});

describe('reliability in the Review view', () => {
  it('shows the hand-computed ICC(A,1) 56/83, ICC(C,1) 14/17, alpha 17/28 and mean CCC 239/385', async () => {
    // Three raters x four 0.5 s bins (values / 10), as in src-shared/annotation/reliability.test.ts.
    const HAND = [
      [1, 2, 3],
      [2, 4, 3],
      [4, 5, 6],
      [5, 5, 8],
    ];
    const tracks = await call<{ tracks: { id: number; title: string }[] }>(c, 'library:listTracks', {});
    const two = tracks.tracks.find((t) => t.title === 'Two')!;
    for (let j = 0; j < 3; j++) {
      const p = await call<{ id: number }>(c, 'profiles:create', { name: `Rater ${j + 1}` });
      const s = await call<{ id: number }>(c, 'annotation:start', { profileId: p.id, trackId: two.id, sampleRateHz: 30 });
      for (let k = 0; k < 4; k++) {
        const samples = Array.from({ length: 15 }, (_, i) => ({ seq: k * 15 + i, t: (k * 15 + i) / 30, valence: HAND[k]![j]! / 10, arousal: HAND[k]![j]! / 10 }));
        await call(c, 'annotation:append', { sessionId: s.id, samples });
      }
      await call(c, 'annotation:finish', { sessionId: s.id });
    }
    // A base-model prediction for the overlay (untrained weights are fine: it is drawn, not judged).
    await call(c, 'model:analyze', { trackIds: [two.id], priority: 'play' });
    for (let i = 0; i < 600; i++) {
      const curve = await call<{ status: string }>(c, 'model:getCurve', { trackId: two.id });
      if (curve.status === 'complete') break;
      if (curve.status === 'failed') throw new Error('analysis failed');
      await new Promise((r) => setTimeout(r, 100));
    }
    const page = b.page;
    await page.goto(`${c.server.url}#/review`);
    await page.getByTestId('review-track').selectOption(String(two.id));
    await page.getByTestId('rel-track').waitFor();
    await page.getByTestId('trace-chart-valence').waitFor();
    expect(await page.getByTestId('sd-band').count()).toBe(2);
    await page.getByTestId('trace-model').first().waitFor();
    expect(await page.getByTestId('trace-model').count()).toBe(2);
    expect(await page.getByText('Model prediction').count()).toBeGreaterThan(0);
    const val = async (dim: string, key: string) => Number(await page.getByTestId(`rel-track-${dim}-${key}`).getAttribute('data-value'));
    for (const dim of ['valence', 'arousal']) {
      expect(await val(dim, 'iccAgreement')).toBeCloseTo(56 / 83, 9);
      expect(await val(dim, 'iccConsistency')).toBeCloseTo(14 / 17, 9);
      expect(await val(dim, 'alpha')).toBeCloseTo(17 / 28, 9);
      expect(await val(dim, 'meanCcc')).toBeCloseTo(239 / 385, 9);
    }
    expect(await page.getByTestId('rel-track-valence-iccAgreement').textContent()).toBe((56 / 83).toFixed(3));
    expect(await page.getByTestId('rel-library-valence-alpha').getAttribute('data-value')).not.toBe('');
    // Click to seek: clicking the middle of the chart moves the audio to ~1 s of the 2 s track.
    const chart = page.getByTestId('trace-chart-valence');
    const box = (await chart.boundingBox())!;
    await page.mouse.click(box.x + 30 / 800 * box.width + (box.width * (765 / 800)) / 2, box.y + box.height / 2);
    const t = await page.evaluate(() => document.querySelector('audio')!.currentTime);
    expect(t).toBeGreaterThan(0.8);
    expect(t).toBeLessThan(1.2);
    await screenshot(page, 'review-reliability');

    // Personalize panel: the profile's sessions with exclude toggles and the Run button (personalize.e2e.ts runs it).
    await page.goto('about:blank');
    await page.goto(`${c.server.url}#/personalize`);
    const table = page.getByTestId('personalize-sessions');
    await table.waitFor();
    await page.getByTestId('personalize-run').waitFor();
    expect(await page.getByTestId('personal-model-status').textContent()).toMatch(/none yet/);
  });
});
