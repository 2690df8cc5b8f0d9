/**
 * Study mode journey in headless Chromium against the real browser mode: a researcher's study
 * (two stimuli, counterbalanced order, a break after each stimulus, an end link) run by a
 * participant from instructions to the end screen; results per participant.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone, writeWav } from '../fixtures/audio';
import type { Output } from '../../src-shared/ipc/contract';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const env = await s.studio.dispatch(channel, input, { transport: 'memory' });
  if (!env.ok) throw new Error(`${channel}: ${env.error.code} ${env.error.message}`);
  return env.value as T;
}

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-study-music-'));
  writeWav(path.join(music, 'Stim A.wav'), [tone(300, 2, 22_050, 0.3)], 22_050);
  writeWav(path.join(music, 'Stim B.wav'), [tone(500, 2, 22_050, 0.3)], 22_050);
  s = await startStudio('pdmer-e2e-study-');
  await call('library:import', { paths: [music] });
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('study mode', () => {
  it('a participant runs a counterbalanced study with a break and sees the end link; results per participant', async () => {
    const tracks = (await call<{ tracks: { id: number; title: string }[] }>('library:listTracks', { sort: 'title' })).tracks;
    const ids = tracks.map((t) => t.id);
    await call('study:create', {
      id: 'pilot',
      name: 'Pilot study',
      seed: 1,
      config: { stimuli: ids, order: 'latin', instructions: 'Trace the feeling of the music.', practiceTrackId: ids[0], breakEvery: 1, breakSec: 1, endLink: 'https://example.org/after' },
    });
    // P00 takes Latin-square row 0 so P01 (row 1) hears the stimuli in the other order.
    await call('study:enrol', { studyId: 'pilot', participantId: 'P00' });
    const page = b.page;
    await page.goto(`${s.server.url}#/study`);
    await page.getByRole('button', { name: 'Pilot study' }).click();
    await page.getByLabel('Participant id').fill('P01');
    await page.getByRole('button', { name: 'Start / continue participant' }).click();
    const runner = page.getByTestId('study-runner');
    await runner.waitFor();
    expect(await runner.textContent()).toContain('Trace the feeling of the music.');
    // Practice trial: the pad works, nothing is stored.
    await page.getByRole('button', { name: 'Practice first' }).click();
    await page.waitForSelector('[data-testid="study-runner"][data-phase="practice"]');
    await page.getByTestId('annotation-pad').focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByTestId('annotation-pad').getAttribute('aria-valuetext')).toMatch(/arousal \+0\.05/);
    await page.getByRole('button', { name: 'Done practising' }).click();
    await page.waitForSelector('[data-testid="study-runner"][data-phase="instructions"]');
    expect((await call<unknown[]>('annotation:list', {})).length).toBe(0);
    for (let k = 0; k < 2; k++) {
      await page.getByTestId('study-start-trial').click();
      await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
      await page.keyboard.press(k === 0 ? 'ArrowRight' : 'ArrowLeft');
      await page.waitForSelector(`[data-testid="study-runner"][data-phase="${k === 0 ? 'break' : 'end'}"]`, { timeout: 20_000 });
      if (k === 0) await page.getByRole('button', { name: 'Continue' }).click();
    }
    const link = page.getByRole('link', { name: /example\.org\/after/ });
    expect(await link.getAttribute('href')).toBe('https://example.org/after');
    await screenshot(page, 'study-end');

    const results = await call<Output<'study:results'>>('study:results', { studyId: 'pilot' });
    const p1 = results.find((r) => r.participant.participantId === 'P01')!;
    expect(p1.participant.state).toBe('finished');
    expect(p1.participant.order).toEqual([ids[1], ids[0]]);
    expect(p1.sessions.map((x) => x.trackId).sort()).toEqual([...ids].sort());
    for (const x of p1.sessions) {
      expect(x.state).toBe('complete');
      expect(x.studyId).toBe('pilot');
      expect(x.sampleCount).toBeGreaterThan(40);
    }
    expect(results.find((r) => r.participant.participantId === 'P00')!.sessions).toEqual([]);
  });
});
