/** Page object for the library view (roles and accessible names only, as a screen reader sees it). */
import type { Locator, Page } from 'playwright-core';

export class LibraryPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('heading', { name: 'Library' }).waitFor();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Tracks' });
  }

  /** Data rows (the header row excluded). */
  get rows(): Locator {
    return this.table.locator('tbody tr');
  }

  get search(): Locator {
    return this.page.getByRole('searchbox', { name: 'Search library' });
  }

  get importErrors(): Locator {
    return this.page.getByRole('region', { name: 'Import errors' });
  }

  get summary(): Locator {
    return this.page.getByRole('status').filter({ hasText: 'Imported' });
  }

  /** Browser mode: type paths into the path field and import them. */
  async importPaths(paths: string[]): Promise<void> {
    const field = this.page.getByRole('textbox', { name: /Files or folders/ });
    if (!(await field.isVisible())) await this.page.getByRole('button', { name: 'Import from path…' }).click();
    await field.fill(paths.join('\n'));
    await this.page.getByRole('button', { name: 'Import paths' }).click();
    await this.summary.waitFor();
  }

  /** Browser mode: upload files through the file input (same code path as drag-and-drop). */
  async uploadFiles(files: string[]): Promise<void> {
    await this.page.getByLabel('Upload audio files').setInputFiles(files);
    await this.summary.waitFor();
  }

  /**
   * Drops files on the library view as a user dragging them from the desktop would (a synthetic
   * DataTransfer in the page, so the renderer's real dragover/drop handlers run).
   */
  async dropFiles(files: { name: string; base64: string }[]): Promise<void> {
    const dt = await this.page.evaluateHandle<unknown>(`(() => {
      const dt = new DataTransfer();
      for (const f of ${JSON.stringify(files)}) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'audio/wav' }));
      }
      return dt;
    })()`);
    const zone = this.page.getByRole('region', { name: 'Library' });
    await zone.dispatchEvent('dragover', { dataTransfer: dt });
    await zone.dispatchEvent('drop', { dataTransfer: dt });
    await this.summary.waitFor();
  }

  async titles(): Promise<string[]> {
    return this.rows.locator('td.title > span:first-child').allTextContents();
  }

  async sortBy(column: string): Promise<void> {
    await this.page.getByRole('button', { name: `Sort by ${column}` }).click();
  }

  /** Waits until the table shows exactly these titles, in this order (debounced search, async sort). */
  async waitForTitles(expected: string[], timeoutMs = 15_000): Promise<void> {
    await this.#until(async () => JSON.stringify(await this.titles()) === JSON.stringify(expected), () => `titles ${JSON.stringify(expected)}`, timeoutMs);
  }

  /** Waits until the table shows exactly `n` rows. */
  async waitForRowCount(n: number, timeoutMs = 15_000): Promise<void> {
    await this.#until(async () => (await this.rows.count()) === n, () => `${n} rows`, timeoutMs);
  }

  /** Polls a condition on the page (app-state signals, no fixed sleeps). */
  async #until(cond: () => Promise<boolean>, what: () => string, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await cond()) return;
      if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}; table shows ${JSON.stringify(await this.titles())}`);
      await this.page.waitForTimeout(50);
    }
  }
}
