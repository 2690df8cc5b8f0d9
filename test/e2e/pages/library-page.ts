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

  async titles(): Promise<string[]> {
    return this.rows.locator('td.title > span:first-child').allTextContents();
  }

  async sortBy(column: string): Promise<void> {
    await this.page.getByRole('button', { name: `Sort by ${column}` }).click();
  }

  /** Waits until the table shows exactly these titles, in this order (debounced search, async sort). */
  async waitForTitles(expected: string[]): Promise<void> {
    await this.page.waitForFunction(
      (want) =>
        JSON.stringify([...document.querySelectorAll('table[aria-label="Tracks"] tbody tr td.title > span:first-child')].map((e) => e.textContent)) ===
        JSON.stringify(want),
      expected,
    );
  }

  /** Waits until the table shows exactly `n` rows. */
  async waitForRowCount(n: number): Promise<void> {
    await this.page.waitForFunction(
      (expected) => document.querySelectorAll('table[aria-label="Tracks"] tbody tr').length === expected,
      n,
    );
  }
}
