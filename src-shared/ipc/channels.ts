/**
 * Every request channel and push event name, `as const`. Zero dependencies (only the
 * per-domain name lists beside it) so the sandboxed preload can import it.
 * Names follow `domain:verb` for requests and `domain:onEvent` for pushes (VS Code's rule).
 * To add a domain: add `channels/<domain>.ts`, spread it here, add `contract/<domain>.ts`.
 */
import { APP_CHANNELS, APP_EVENTS } from './channels/app';
import { LIBRARY_CHANNELS, LIBRARY_EVENTS } from './channels/library';
import { MODEL_CHANNELS, MODEL_EVENTS } from './channels/model';
import { MOOD_CHANNELS, MOOD_EVENTS } from './channels/mood';
import { PLAYLIST_CHANNELS, PLAYLIST_EVENTS } from './channels/playlists';
import { ANNOTATION_CHANNELS, ANNOTATION_EVENTS } from './channels/annotation';
import { PERSONALIZE_CHANNELS, PERSONALIZE_EVENTS } from './channels/personalize';

export const CHANNELS = [...APP_CHANNELS, ...LIBRARY_CHANNELS, ...MODEL_CHANNELS, ...ANNOTATION_CHANNELS, ...MOOD_CHANNELS, ...PLAYLIST_CHANNELS, ...PERSONALIZE_CHANNELS] as const;
export const EVENTS = [...APP_EVENTS, ...LIBRARY_EVENTS, ...MODEL_EVENTS, ...ANNOTATION_EVENTS, ...MOOD_EVENTS, ...PLAYLIST_EVENTS, ...PERSONALIZE_EVENTS] as const;
export type Channel = (typeof CHANNELS)[number];
export type EventName = (typeof EVENTS)[number];

const channelSet: ReadonlySet<string> = new Set(CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENTS);
export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && channelSet.has(x);
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && eventSet.has(x);
}
