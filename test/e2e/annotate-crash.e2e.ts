/**
 * Issue 6 "nothing is lost": record in headless Chromium against a real `pdmer serve` PROCESS,
 * SIGKILL it mid-session, restart it, and find every sample older than 500 ms (relative to the
 * audio clock at the kill) in the library; the session shows as interrupted and can be resumed.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chirp, writeWav } from '../fixtures/audio';
import { launchBrowser, REPO, screenshot, type BrowserFixture } from './helpers/studio';


const BIN = path.join(REPO, 'bin', 'pdmer.mjs');
let dataDir: string;
let music: string;
let b: BrowserFixture;
let server: ChildProcess | null = null;

function serve(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PDMER_LOG_LEVEL: 'warn' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Studio ready at (\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.on('exit', (code) => reject(new Error(`pdmer serve exited with ${code}: ${err.slice(-2000)}`)));
  });
}

function kill(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.on('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

interface Row {
  seq: number;
  t: number;
}
function readSession(): { state: string; sampleRate: number; rows: Row[]; id: number } {
  const db = new Database(path.join(dataDir, 'library.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const s = db.prepare(`SELECT id, state, sample_rate_hz FROM annotation_sessions ORDER BY id DESC LIMIT 1`).get() as { id: number; state: string; sample_rate_hz: number };
    const rows = db.prepare(`SELECT seq, t_audio AS t FROM annotation_samples WHERE session_id = ? ORDER BY seq`).all(s.id) as Row[];
    return { id: s.id, state: s.state, sampleRate: s.sample_rate_hz, rows };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-crash-'));
  music = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-e2e-crash-music-'));
  writeWav(path.join(music, 'Long sweep.wav'), [chirp(200, 1200, 30, 22_050, 0.3)], 22_050);
  execFileSync(process.execPath, [BIN, 'import', music, '--data-dir', dataDir], { stdio: 'pipe', env: { ...process.env, PDMER_LOG_LEVEL: 'warn' } });
  b = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await b?.close();
  if (server) await kill(server);
  for (const d of [dataDir, music]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

describe('annotation survives a killed server', () => {
  it('every sample older than 500 ms at the kill is in the library; the session is interrupted and resumable', async () => {
    const first = await serve();
    server = first.proc;
    const page = b.page;
    await page.goto(`${first.url}#/annotate`);
    await page.getByTestId('annotation-pad').waitFor();
    await page.getByTestId('new-profile').fill('Crash tester');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForFunction(() => (document.querySelector<HTMLSelectElement>('[data-testid="profile-select"]'))?.selectedOptions[0]?.textContent === 'Crash tester');
    await page.waitForFunction(() => (document.querySelector<HTMLSelectElement>('[data-testid="track-select"]'))?.options.length === 1);
    await page.getByTestId('start-recording').click();
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
    const pad = page.getByTestId('annotation-pad');
    await pad.focus();
    // Record until at least 2.5 s of audio have passed, moving the cursor meanwhile.
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
    await page.waitForFunction(() => (document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')?.currentTime ?? 0) > 2.5);
    const tKill = await page.evaluate(() => document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')!.currentTime);
    await kill(first.proc);
    server = null;

    // Before any restart: the file already holds everything flushed.
    const dead = readSession();
    expect(dead.state).toBe('recording');
    expect(dead.sampleRate).toBe(30);
    const check = (rows: Row[]) => {
      expect(rows.length).toBeGreaterThan(0);
      // Contiguous seqs from 0: no batch lost in the middle.
      expect(rows.map((r) => r.seq)).toEqual([...Array(rows.length).keys()]);
      // Samples started at the beginning and reach at least 500 ms before the kill ...
      expect(rows[0]!.t).toBeLessThan(0.5);
      expect(rows[rows.length - 1]!.t).toBeGreaterThanOrEqual(tKill - 0.5);
      // ... with no hole: consecutive samples < 0.2 s apart on the audio clock (30 Hz = 0.033 s).
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.t - rows[i - 1]!.t).toBeLessThan(0.2);
    };
    check(dead.rows);
    console.log(`[annotate-crash] audio t at kill ${tKill.toFixed(3)} s; stored ${dead.rows.length} samples up to t = ${dead.rows[dead.rows.length - 1]!.t.toFixed(3)} s`);

    // Restart: the session is marked interrupted with every sample kept.
    const second = await serve();
    server = second.proc;
    const after = readSession();
    expect(after.state).toBe('interrupted');
    expect(after.rows).toEqual(dead.rows);

    // The page shows it as interrupted and offers Resume; resuming records more.
    await page.goto(`${second.url}#/annotate`);
    const row = page.locator(`[data-testid="session-row"][data-session-id="${after.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('interrupted');
    expect(await row.textContent()).toMatch(/interrupted/);
    // A banner offers to resume or discard it.
    const banner = page.getByTestId('interrupted-banner');
    expect(await banner.textContent()).toContain(`#${after.id}`);
    expect(await banner.getByRole('button', { name: `Discard #${after.id} (can be restored)` }).count()).toBe(1);
    await screenshot(page, 'annotate-after-crash');
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="recording"]', { timeout: 10_000 });
    const resumedFrom = after.rows[after.rows.length - 1]!.t;
    await page.waitForFunction((t0) => (document.querySelector<HTMLAudioElement>('[data-testid="annotate-audio"]')?.currentTime ?? 0) > t0 + 1, resumedFrom);
    await page.getByTestId('stop-recording').click();
    await page.waitForSelector('[data-testid="recorder-phase"][data-phase="done"]', { timeout: 10_000 });
    const done = readSession();
    expect(done.state).toBe('complete');
    expect(done.rows.length).toBeGreaterThan(after.rows.length + 20);
    expect(done.rows.slice(0, after.rows.length)).toEqual(after.rows);
    // The resumed part continues on the audio clock from where the written part stopped.
    expect(done.rows[after.rows.length]!.t).toBeGreaterThanOrEqual(resumedFrom - 0.05);
    expect(done.rows[after.rows.length]!.t).toBeLessThan(resumedFrom + 0.5);
  });
});
