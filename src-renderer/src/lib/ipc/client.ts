/**
 * The renderer's typed IPC client (B4): `call` unwraps the main process's envelope and throws a
 * typed `IpcError`; `on` subscribes to a push event. No Proxy: every call site names its
 * channel as a string literal you can grep for.
 */
import type { Channel, EventName } from '../../../../src-shared/ipc/channels';
import type { EventPayload, Input, Output } from '../../../../src-shared/ipc/contract';
import type { AppErrorCode, Envelope } from '../../../../src-shared/ipc/envelope';

export type Unsubscribe = () => void;
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** What a transport (Electron preload, WebSocket, in-memory) must provide. */
export interface Transport {
  readonly kind: 'electron' | 'websocket' | 'memory';
  /** Resolves with the main process's envelope; never rejects for application errors. */
  invoke(channel: Channel, payload: unknown): Promise<Envelope<unknown>>;
  on(event: EventName, cb: (payload: unknown) => void): Unsubscribe;
  /** Connection state changes (WebSocket only; others are always open). */
  onStatus?(cb: (s: ConnectionStatus) => void): Unsubscribe;
}

/** An error envelope surfaced as an exception in the renderer. */
export class IpcError extends Error {
  readonly code: AppErrorCode;
  readonly details?: unknown;
  readonly channel: Channel;
  constructor(channel: Channel, code: AppErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'IpcError';
    this.channel = channel;
    this.code = code;
    this.details = details;
  }
}

export interface Client {
  readonly kind: Transport['kind'];
  /**
   * @returns the channel's output
   * @throws IpcError with the envelope's code (e.g. VALIDATION_FAILED, NOT_FOUND, IO_FAILED on disconnect)
   */
  call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>;
  /** @returns an unsubscribe function */
  on<E extends EventName>(event: E, cb: (payload: EventPayload<E>) => void): Unsubscribe;
  onStatus(cb: (s: ConnectionStatus) => void): Unsubscribe;
}

export function createClient(transport: Transport): Client {
  return {
    kind: transport.kind,
    async call(channel, input) {
      let env: Envelope<unknown>;
      try {
        env = await transport.invoke(channel, input);
      } catch (e) {
        // Transports should resolve envelopes; a rejection here is a transport bug or a lost bridge.
        throw new IpcError(channel, 'IO_FAILED', `${channel} could not reach the studio: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!env || typeof env !== 'object' || typeof (env as { ok?: unknown }).ok !== 'boolean') {
        throw new IpcError(channel, 'INTERNAL', `${channel} answered with something that is not an envelope`);
      }
      if (env.ok) return env.value as Output<typeof channel>;
      throw new IpcError(channel, env.error.code, env.error.message, env.error.details);
    },
    on(event, cb) {
      return transport.on(event, cb as (p: unknown) => void);
    },
    onStatus(cb) {
      if (transport.onStatus) return transport.onStatus(cb);
      cb('open');
      return () => {};
    },
  };
}
