/**
 * E2E fixture: the REAL browser mode (openStudio on a temp data dir + startServer on a free
 * port, serving out/renderer) and Debian Chromium through playwright-core (never downloaded).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../../src-main/server/index';
import { openStudio } from '../../../src-main/services/studio';
import type { Studio } from '../../../src-main/services/studio-types';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_DIR = path.join(REPO, 'out', 'renderer');
export const ARTIFACTS = path.join(REPO, 'test-artifacts');
export const CHROMIUM = process.env.PDMER_CHROMIUM ?? '/usr/bin/chromium';

export interface StudioFixture {
  dataDir: string;
  studio: Studio;
  server: RunningServer;
  /** Base URL without the token, e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Stops server and studio; removes the data dir unless `keepData` (restart tests). */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface StartStudioOptions {
  prefix?: string;
  /** Reuse a data dir (e.g. a restart after a simulated crash); default a fresh temp dir. */
  dataDir?: string;
  /** Fixed token and port so an open page can reconnect after a restart. */
  token?: string;
  port?: number;
}

/** Opens a studio on a temp data dir and serves it like `pdmer serve --no-open`. */
export async function startStudio(opts: StartStudioOptions | string = {}): Promise<StudioFixture> {
  const o: StartStudioOptions = typeof opts === 'string' ? { prefix: opts } : opts;
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`E2E needs the renderer build in ${RENDERER_DIR}: run \`npm run build:web\` first (npm test does).`);
  }
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), o.prefix ?? 'pdmer-e2e-'));
  // Serve a snapshot of the build: a concurrent `npm run build:web` empties out/renderer.
  const staticDir = path.join(dataDir, '.renderer-snapshot');
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.cpSync(RENDERER_DIR, staticDir, { recursive: true });
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) throw new Error(`out/renderer was being rebuilt while the test copied it; rerun`);
  const studio = await openStudio({ dataDir, mode: 'browser' });
  const server = await startServer({ studio, port: o.port ?? 0, host: '127.0.0.1', open: false, staticDir, token: o.token });
  return {
    dataDir,
    studio,
    server,
    origin: `http://127.0.0.1:${server.port}`,
    async close(c) {
      await server.close();
      await studio.close();
      if (!c?.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserFixture {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far (tests assert none are unexpected). */
  errors: string[];
  close(): Promise<void>;
}

/** Headless Debian Chromium with a fresh profile and the flags our machines need (B13). */
export async function launchBrowser(): Promise<BrowserFixture> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`E2E needs Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does)`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot into test-artifacts/ (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
