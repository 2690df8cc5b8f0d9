/**
 * The one IPC contract: every channel's input/output schema and every push event's payload
 * schema, keyed by name. The dispatcher, the Electron transport, the WebSocket transport, the
 * memory transport and the renderer client are all typed from this object, so a channel missing
 * on either side is a compile error (the `satisfies` clauses below and the mapped `Handlers`).
 */
import type { z } from 'zod';
import type { Channel, EventName } from './channels';
import { appContract, appEvents } from './contract/app';
import { libraryContract, libraryEvents } from './contract/library';
import { modelContract, modelEvents } from './contract/model';
import { moodContract, moodEvents } from './contract/mood';
import { playlistsContract, playlistsEvents } from './contract/playlists';
import { annotationContract, annotationEvents } from './contract/annotation';
import { personalizeContract, personalizeEvents } from './contract/personalize';
import type { ProcedureDef } from './contract/types';

export type { ProcedureDef } from './contract/types';

export const contract = {
  ...appContract,
  ...libraryContract,
  ...modelContract,
  ...moodContract,
  ...playlistsContract,
  ...annotationContract,
  ...personalizeContract,
} satisfies { [C in Channel]: ProcedureDef };

export const events = {
  ...appEvents,
  ...libraryEvents,
  ...modelEvents,
  ...moodEvents,
  ...playlistsEvents,
  ...annotationEvents,
  ...personalizeEvents,
} satisfies { [E in EventName]: z.ZodType };

export type Contract = typeof contract;
/** What a caller passes (defaults not yet applied). */
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
/** What a handler receives (after validation and defaults). */
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = z.output<Contract[C]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
