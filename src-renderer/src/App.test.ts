import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { err, ok } from '../../src-shared/ipc/envelope';
import App from './App.svelte';
import { createClient, setClient } from './lib/ipc';
import { memoryTransport } from './lib/ipc/transports/memory';
import { nav } from './lib/state/nav.svelte';
import { matchesShortcut, VIEWS } from './lib/views/registry';

const target = () => document.body.appendChild(document.createElement('div'));
let app: ReturnType<typeof mount> | null = null;
afterEach(() => {
  if (app) unmount(app);
  app = null;
  document.body.innerHTML = '';
});

describe('App shell', () => {
  it('renders one navigation button per registered view and the library view by default', async () => {
    setClient(
      createClient(
        memoryTransport({ dispatch: async (c) => (c === 'library:listTracks' ? ok({ tracks: [], total: 0 }) : err('UNKNOWN_CHANNEL', c)) }),
      ),
    );
    app = mount(App, { target: target() });
    flushSync();
    const navEl = document.querySelector('nav[aria-label="Views"]')!;
    expect([...navEl.querySelectorAll('button')].map((b) => b.textContent?.trim())).toEqual(VIEWS.map((v) => v.label));
    expect(navEl.querySelector('[aria-current="page"]')?.textContent?.trim()).toBe('Library');
    expect(document.querySelector('main')?.getAttribute('aria-label')).toBe('Library');
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
    expect(document.body.textContent).toContain('No tracks yet');
    expect(document.querySelector('input[type="search"]')?.getAttribute('aria-label')).toBe('Search library');
  });

  it('ignores navigation to unknown views and parses hash params', () => {
    nav.setViews(['library', 'listen']);
    nav.go('nope');
    expect(nav.current).toBe('library');
    nav.fromHash('#/listen?track=12');
    expect([nav.current, nav.params]).toEqual(['listen', { track: '12' }]);
    nav.fromHash('#/evil<script>');
    expect(nav.current).toBe('listen');
    nav.setViews(VIEWS.map((v) => v.id));
    nav.go('library');
  });
});

describe('matchesShortcut', () => {
  const k = (key: string, mods: Partial<Record<'altKey' | 'ctrlKey' | 'shiftKey' | 'metaKey', boolean>> = {}, code = '') => ({
    key,
    code,
    altKey: false,
    ctrlKey: false,
    shiftKey: false,
    metaKey: false,
    ...mods,
  });
  it('matches modifiers exactly and falls back to the physical key', () => {
    expect(matchesShortcut(k('1', { altKey: true }), 'Alt+1')).toBe(true);
    expect(matchesShortcut(k('1'), 'Alt+1')).toBe(false);
    expect(matchesShortcut(k('1', { altKey: true, shiftKey: true }), 'Alt+1')).toBe(false);
    expect(matchesShortcut(k('¡', { altKey: true }, 'Digit1'), 'Alt+1')).toBe(true);
    expect(matchesShortcut(k('L', { ctrlKey: true, shiftKey: true }), 'Ctrl+Shift+L')).toBe(true);
  });
});
