/**
 * In-process transport for integration tests (VS Code's QueueProtocol idea): calls go through
 * the real dispatcher (validation, handlers, envelopes) and payloads are structured-cloned both
 * ways, as a real transport would copy them.
 */
import type { Channel, EventName } from '../../src-shared/ipc/channels';
import type { EventPayload, Input, Output } from '../../src-shared/ipc/contract';
import type { Envelope, ErrorInfo } from '../../src-shared/ipc/envelope';
import type { CallCtx, Dispatcher } from './dispatch';
import type { EventBus } from './events';

/** Thrown by `call` when the envelope is an error; carries the code and details. */
export class MemoryIpcError extends Error {
  readonly code: ErrorInfo['code'];
  readonly details?: unknown;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'MemoryIpcError';
    this.code = info.code;
    this.details = info.details;
  }
}

export interface MemoryTransport {
  /** Raw call: any channel name and payload (for invalid-payload tests); resolves with the envelope. */
  invoke(channel: string, payload: unknown): Promise<Envelope<unknown>>;
  /** Typed call: unwraps the envelope, throws MemoryIpcError on `ok: false`. */
  call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>;
  /** Subscribes to one push event. @returns unsubscribe */
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): () => void;
  /** Drops every subscription. */
  close(): void;
}

export function createMemoryTransport(studio: { dispatch: Dispatcher; bus: EventBus }, ctx: CallCtx = { transport: 'memory' }): MemoryTransport {
  const unsubs = new Set<() => void>();
  const invoke = async (channel: string, payload: unknown) => structuredClone(await studio.dispatch(channel, structuredClone(payload), ctx));
  return {
    invoke,
    async call(channel, input) {
      const env = await invoke(channel, input);
      if (!env.ok) throw new MemoryIpcError(env.error);
      return env.value as never;
    },
    on(event, cb) {
      const unsub = studio.bus.subscribe((name, payload) => {
        if ((name as string) === event) cb(structuredClone(payload) as never);
      });
      unsubs.add(unsub);
      return () => {
        unsub();
        unsubs.delete(unsub);
      };
    },
    close() {
      for (const u of unsubs) u();
      unsubs.clear();
    },
  };
}
