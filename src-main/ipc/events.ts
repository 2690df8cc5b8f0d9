/**
 * Main-process push-event bus. Services emit typed events; each transport subscribes and
 * forwards them (Electron: webContents.send; browser mode: every authenticated socket).
 */
import { events, type EventPayload } from '../../src-shared/ipc/contract';
import type { EventName } from '../../src-shared/ipc/channels';
import { log } from '../log';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export class EventBus {
  #listeners = new Set<EventListener>();

  /** Validates the payload against the contract and delivers it to every subscriber. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const parsed = events[name].safeParse(payload);
    if (!parsed.success) {
      log.error(`event ${name} payload breaks its contract`, parsed.error.issues.slice(0, 5));
      return;
    }
    for (const l of this.#listeners) {
      try {
        l(name, parsed.data as EventPayload<E>);
      } catch (e) {
        log.error(`event listener for ${name} failed`, e);
      }
    }
  }

  /** @returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
