/** Light / dark / system theme: CSS variables keyed on `<html data-theme>` (see app.css). */
export type ThemeMode = 'light' | 'dark' | 'system';
const KEY = 'studio.theme';

export class ThemeState {
  mode = $state<ThemeMode>('system');
  #systemDark = $state(false);
  /** The theme actually shown. */
  readonly effective = $derived<'light' | 'dark'>(this.mode === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.mode);

  constructor(private storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()) {
    const saved = this.storage?.getItem(KEY);
    if (saved === 'light' || saved === 'dark' || saved === 'system') this.mode = saved;
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    if (mq) {
      this.#systemDark = mq.matches;
      mq.addEventListener?.('change', (e) => (this.#systemDark = e.matches));
    }
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    this.storage?.setItem(KEY, mode);
  }

  /** Writes the effective theme onto the document root (called from an $effect in App). */
  apply(root: HTMLElement = document.documentElement): void {
    root.dataset.theme = this.effective;
    root.style.colorScheme = this.effective;
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const theme = new ThemeState();
