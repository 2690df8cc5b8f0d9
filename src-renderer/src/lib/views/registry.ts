/**
 * THE extension point of the shell (App.svelte): every top-level view is one entry here.
 * To add a view, import its component and add ONE line to VIEWS, e.g.
 *   { id: 'listen', label: 'Listen', component: Listen, shortcut: 'Alt+2' },
 * Views get no props; they read app state from src/lib/state/* and `nav.params`
 * (e.g. `nav.go('listen', { track: '12' })` from another view; `nav` lives in state/nav.svelte.ts).
 *
 * TRACK_COLUMNS adds columns to the library table (e.g. a sparkline or mean V/A cell, a play
 * button): the cell component receives `{ track }`.
 * DOCK components render in a persistent bar under every view (e.g. a mini player).
 */
import type { Component } from 'svelte';
import type { Track } from '../../../../src-shared/domain/track';
import Library from './Library.svelte';
import Listen from './Listen.svelte';
import Mood from './Mood.svelte';
import MoodCell from '../components/mood/MoodCell.svelte';
import PlayCell from '../components/player/PlayCell.svelte';
import MiniPlayer from '../components/player/MiniPlayer.svelte';
import BackgroundAnalysis from '../components/mood/BackgroundAnalysis.svelte';
import Annotate from './Annotate.svelte';
import Review from './Review.svelte';
import Study from './Study.svelte';
import Personalize from './Personalize.svelte';

export interface ViewDef {
  /** URL-safe id, used in `#/<id>` and `nav.go(id)`. */
  id: string;
  /** Visible name in the navigation (also the accessible name of its tab). */
  label: string;
  component: Component;
  /** Keyboard shortcut such as 'Alt+1' (modifiers: Alt, Ctrl, Shift, Meta). */
  shortcut?: string;
}

export interface TrackColumnDef {
  id: string;
  /** Column header text (also its accessible name). */
  label: string;
  cell: Component<{ track: Track }>;
}

export const VIEWS: ViewDef[] = [
  { id: 'library', label: 'Library', component: Library, shortcut: 'Alt+1' },
  { id: 'listen', label: 'Listen', component: Listen, shortcut: 'Alt+2' },
  { id: 'mood', label: 'Mood map', component: Mood, shortcut: 'Alt+3' },
  { id: 'annotate', label: 'Annotate', component: Annotate, shortcut: 'Alt+5' },
  { id: 'review', label: 'Review', component: Review, shortcut: 'Alt+6' },
  { id: 'study', label: 'Study', component: Study, shortcut: 'Alt+7' },
  { id: 'personalize', label: 'Personalize', component: Personalize, shortcut: 'Alt+8' },
];

export const TRACK_COLUMNS: TrackColumnDef[] = [
  { id: 'play', label: 'Play', cell: PlayCell },
  { id: 'mood', label: 'Emotion (V, A)', cell: MoodCell },
];

export const DOCK: Component[] = [MiniPlayer, BackgroundAnalysis];


/** True when a keyboard event matches a shortcut string such as 'Alt+1' or 'Ctrl+Shift+L'. */
export function matchesShortcut(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'shiftKey' | 'metaKey' | 'code'>, shortcut: string): boolean {
  const parts = shortcut.split('+').map((p) => p.trim().toLowerCase());
  const key = parts.pop() ?? '';
  const want = { alt: parts.includes('alt'), ctrl: parts.includes('ctrl'), shift: parts.includes('shift'), meta: parts.includes('meta') };
  if (e.altKey !== want.alt || e.ctrlKey !== want.ctrl || e.shiftKey !== want.shift || e.metaKey !== want.meta) return false;
  // With Alt held some layouts change e.key (e.g. macOS Option+1 = '¡'): fall back to e.code.
  const code = e.code.toLowerCase();
  return e.key.toLowerCase() === key || code === `digit${key}` || code === `key${key}`;
}
