/**
 * Which view is shown, mirrored into `location.hash` (`#/library`, `#/listen?track=3`) so a
 * reload keeps the place. Views read `nav.params`; anything can call `nav.go('listen', {track: '3'})`.
 */
export class NavState {
  current = $state('library');
  params = $state.raw<Record<string, string>>({});

  #known: string[] = [];

  /** Called once by App with the registry's view ids. */
  setViews(ids: string[]): void {
    this.#known = ids;
  }

  private known(): string[] {
    return this.#known;
  }

  go(id: string, params: Record<string, string> = {}): void {
    if (!this.known().includes(id)) return;
    this.current = id;
    this.params = params;
    if (typeof location !== 'undefined') {
      const q = new URLSearchParams(params).toString();
      const hash = `#/${id}${q ? `?${q}` : ''}`;
      if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
    }
  }

  /** Reads `location.hash` (on start and on hashchange). */
  fromHash(hash: string): void {
    const m = /^#\/([\w-]+)(?:\?(.*))?$/.exec(hash);
    if (!m || !this.known().includes(m[1]!)) return;
    this.current = m[1]!;
    this.params = Object.fromEntries(new URLSearchParams(m[2] ?? ''));
  }
}

/** App-wide navigation singleton (import it from views: `import { nav } from '../state/nav.svelte'`). */
export const nav = new NavState();
