/**
 * Critical journey of issue 2 in headless Chromium against the real browser mode: import a
 * folder of generated tracks plus a broken file, see them listed, search, sort, see the
 * per-file error; upload (drag-and-drop path); token and media rules over plain HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chirp, encodeWav, tone, writeWav } from '../fixtures/audio';
import { launchBrowser, screenshot, startStudio, type BrowserFixture, type StudioFixture } from './helpers/studio';
import { LibraryPage } from './pages/library-page';

let s: StudioFixture;
let b: BrowserFixture;
let music: string;
const NAMES = ['Alpha tone', 'Bravo chirp', 'Charlie tone', 'Délta ünïcode'];

beforeAll(async () => {
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-music-'));
  writeWav(path.join(music, `${NAMES[0]}.wav`), [tone(440, 1.5, 22_050)], 22_050);
  writeWav(path.join(music, `${NAMES[1]}.wav`), [chirp(200, 2000, 2.5, 22_050)], 22_050);
  writeWav(path.join(music, 'sub', `${NAMES[2]}.wav`), [tone(330, 1, 22_050), tone(331, 1, 22_050)], 22_050);
  writeWav(path.join(music, 'sub', `${NAMES[3]}.wav`), [tone(550, 2, 22_050)], 22_050);
  fs.writeFileSync(path.join(music, 'broken.wav'), 'RIFF\x10\x00\x00\x00WAVEthis is not audio');
  s = await startStudio();
  b = await launchBrowser();
});

afterAll(async () => {
  await b?.close();
  await s?.close();
  if (music) fs.rmSync(music, { recursive: true, force: true });
});

describe('library in the browser mode', () => {
  it('imports a folder, lists every good track and shows the broken file as a per-file error', async () => {
    const lib = new LibraryPage(b.page);
    await lib.open(s.server.url);
    await b.page.getByText('No tracks yet').waitFor();
    await lib.importPaths([music]);

    await lib.waitForRowCount(4);
    expect((await lib.titles()).sort()).toEqual([...NAMES].sort());
    await expect(lib.summary.textContent()).resolves.toMatch(/Imported 4, duplicates 0, skipped 1/);
    const errors = await lib.importErrors.textContent();
    expect(errors).toContain('broken.wav');
    expect(errors).toMatch(/1 file could not be imported/);
    await screenshot(b.page, 'library-after-import');
  });

  it('filters by search and clears back to everything', async () => {
    const lib = new LibraryPage(b.page);
    await lib.search.fill('chirp');
    await lib.waitForTitles(['Bravo chirp']);
    await lib.search.fill('ünï');
    await lib.waitForTitles(['Délta ünïcode']);
    await lib.search.fill('no such thing at all');
    await lib.waitForRowCount(0);
    await lib.search.fill('');
    await lib.waitForRowCount(4);
  });

  it('sorts by a column header and flips direction on a second click', async () => {
    const lib = new LibraryPage(b.page);
    await lib.sortBy('Title');
    await lib.waitForTitles(['Alpha tone', 'Bravo chirp', 'Charlie tone', 'Délta ünïcode']);
    expect(await b.page.locator('th[aria-sort="ascending"]').textContent()).toContain('Title');
    await lib.sortBy('Title');
    await lib.waitForTitles(['Délta ünïcode', 'Charlie tone', 'Bravo chirp', 'Alpha tone']);
    expect(await b.page.locator('th[aria-sort="descending"]').textContent()).toContain('Title');
    // Durations: Charlie 1 s < Alpha 1.5 s < Délta 2 s < Bravo 2.5 s.
    await lib.sortBy('Duration');
    await lib.waitForTitles(['Charlie tone', 'Alpha tone', 'Délta ünïcode', 'Bravo chirp']);
  });

  it('uploads dropped files (browser mode has no real paths) and reports broken ones', async () => {
    const lib = new LibraryPage(b.page);
    const extra = path.join(music, 'upload', 'Echo upload.wav');
    writeWav(extra, [tone(660, 1, 22_050)], 22_050);
    const junk = path.join(music, 'upload', 'notes.txt');
    fs.writeFileSync(junk, 'plain text, not audio');
    await lib.uploadFiles([extra, junk]);
    await lib.waitForRowCount(5);
    expect(await lib.titles()).toContain('Echo upload');
    await expect(lib.summary.textContent()).resolves.toMatch(/Imported 1, duplicates 0, skipped 1/);
    expect(await lib.importErrors.textContent()).toContain('notes.txt');
    expect(fs.readdirSync(path.join(s.dataDir, 'imports'))).toEqual(['Echo upload.wav']);
    await screenshot(b.page, 'library-after-upload');
  });

  it('imports files dropped on the view and names duplicates', async () => {
    const lib = new LibraryPage(b.page);
    const foxtrot = encodeWav([tone(770, 1.2, 22_050)], 22_050).toString('base64');
    const again = fs.readFileSync(path.join(music, `${NAMES[0]}.wav`)).toString('base64');
    await lib.dropFiles([
      { name: 'Foxtrot dropped.wav', base64: foxtrot },
      { name: 'copy of alpha.wav', base64: again },
    ]);
    await lib.waitForRowCount(6);
    expect(await lib.titles()).toContain('Foxtrot dropped');
    await expect(lib.summary.textContent()).resolves.toMatch(/Imported 1, duplicates 1, skipped 0/);
    // The duplicate's bytes are not kept in the data dir.
    expect(fs.readdirSync(path.join(s.dataDir, 'imports')).sort()).toEqual(['Echo upload.wav', 'Foxtrot dropped.wav']);
  });

  it('shows a progress bar for a long import and cancels it, keeping what was imported', async () => {
    const lib = new LibraryPage(b.page);
    const many = path.join(music, 'many');
    for (let i = 0; i < 1000; i++) writeWav(path.join(many, `many ${String(i).padStart(4, '0')}.wav`), [tone(200 + i, 0.2, 8_000)], 8_000);
    const field = b.page.getByRole('textbox', { name: /Files or folders/ });
    await field.fill(many);
    await b.page.getByRole('button', { name: 'Import paths' }).click();
    const bar = b.page.getByRole('progressbar', { name: 'Import progress' });
    await bar.waitFor();
    // The bar reflects the server's job:onProgress events (a total appears once files are counted).
    await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    expect(Number(await bar.getAttribute('aria-valuemax'))).toBe(1000);
    await screenshot(b.page, 'library-importing');
    await b.page.getByRole('button', { name: 'Cancel import' }).click();
    await lib.summary.waitFor();
    const text = (await lib.summary.textContent()) ?? '';
    expect(text).toMatch(/\(cancelled\)/);
    const imported = Number(/Imported (\d+)/.exec(text)![1]);
    expect(imported).toBeLessThan(1000);
    await bar.waitFor({ state: 'detached' });
    const page = await s.studio.dispatch('library:listTracks', { search: 'many' }, { transport: 'memory' });
    expect(page.ok && (page.value as { total: number }).total).toBe(imported);
  });

  it('works in the dark theme and keeps the per-file errors keyboard reachable', async () => {
    await b.page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await b.page.locator('html').getAttribute('data-theme')).toBe('dark');
    // Leave an error on screen to dismiss by keyboard.
    await new LibraryPage(b.page).importPaths([path.join(music, 'broken.wav')]);
    await b.page.getByRole('button', { name: 'Dismiss errors' }).focus();
    await b.page.keyboard.press('Enter');
    await b.page.getByRole('region', { name: 'Import errors' }).waitFor({ state: 'detached' });
    await screenshot(b.page, 'library-dark');
    expect(b.errors).toEqual([]);
  });
});

describe('browser-mode HTTP rules against the real services', () => {
  it('requires the token everywhere except /healthz', async () => {
    expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.origin}/`)).status).toBe(401);
    expect((await fetch(`${s.origin}/media/track/1`)).status).toBe(401);
    expect((await fetch(`${s.origin}/?token=${'x'.repeat(32)}`)).status).toBe(401);
    const page = await fetch(s.server.url);
    expect(page.status, await page.clone().text()).toBe(200);
  });

  it('serves library audio with Range and refuses ids and paths outside the library', async () => {
    const h = { 'x-studio-token': s.server.token };
    const page = await s.studio.dispatch('library:listTracks', { search: 'Alpha' }, { transport: 'memory' });
    if (!page.ok) throw new Error(page.error.message);
    const track = (page.value as { tracks: { id: number; path: string }[] }).tracks[0]!;
    const size = fs.statSync(track.path).size;

    const r = await fetch(`${s.origin}/media/track/${track.id}`, { headers: { ...h, range: 'bytes=0-43' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-type')).toMatch(/^audio\/(wav|x-wav|wave|vnd\.wave)/);
    expect(r.headers.get('content-range')).toBe(`bytes 0-43/${size}`);
    const head = Buffer.from(await r.arrayBuffer());
    expect(head.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(head.length).toBe(44);

    expect((await fetch(`${s.origin}/media/track/${track.id}`, { headers: { ...h, range: `bytes=${size}-` } })).status).toBe(416);
    expect((await fetch(`${s.origin}/media/track/999999`, { headers: h })).status).toBe(404);
    for (const p of [`/media/track/${encodeURIComponent(track.path)}`, '/media/track/..%2F..%2Fetc%2Fpasswd', '/../../etc/passwd', `/${encodeURIComponent(s.studio.dbPath)}`]) {
      const res = await fetch(`${s.origin}${p}`, { headers: h });
      expect([400, 404], p).toContain(res.status);
    }
  });

  it('plays a library track through the page with the session cookie (no token in the media URL)', async () => {
    // A string expression: this file is typechecked without the DOM lib.
    const ok = await b.page.evaluate<string>(`new Promise((resolve) => {
      const a = new Audio('/media/track/1');
      a.onloadedmetadata = () => resolve('duration ' + a.duration.toFixed(1));
      a.onerror = () => resolve('error ' + (a.error && a.error.code));
    })`);
    expect(ok).toMatch(/^duration \d/);
  });
});
