/**
 * In-process transport for tests: hands calls to a dispatcher function (e.g. a Studio's
 * `dispatch` in a node test, or a fake in a dom test) and events from a subscribe function.
 * The renderer cannot import src-main, so the test wires these two functions in.
 */
import type { Channel, EventName } from '../../../../../src-shared/ipc/channels';
import type { Envelope } from '../../../../../src-shared/ipc/envelope';
import type { Transport } from '../client';

export interface MemoryTransportDeps {
  dispatch(channel: string, payload: unknown): Promise<Envelope<unknown>>;
  /** Registers a listener for every event; returns an unsubscribe function. */
  subscribe?(listener: (event: string, payload: unknown) => void): () => void;
}

export function memoryTransport(deps: MemoryTransportDeps): Transport & { emit(event: EventName, payload: unknown): void } {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const deliver = (event: string, payload: unknown) => {
    // structuredClone: the renderer must never share object identity with the main side.
    for (const cb of listeners.get(event) ?? []) cb(structuredClone(payload));
  };
  deps.subscribe?.(deliver);
  return {
    kind: 'memory',
    async invoke(channel: Channel, payload: unknown) {
      return structuredClone(await deps.dispatch(channel, structuredClone(payload)));
    },
    on(event: EventName, cb: (payload: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
      return () => set.delete(cb);
    },
    emit: deliver,
  };
}
