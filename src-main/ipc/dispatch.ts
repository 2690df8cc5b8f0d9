/**
 * Transport-agnostic dispatcher: (channel, raw payload) -> Envelope. The ONLY place that
 * converts thrown errors into `{ ok: false, error }` envelopes (B10). Electron, WebSocket and
 * memory transports all call the function this returns.
 */
import { z } from 'zod';
import { contract, type Output, type ParsedInput } from '../../src-shared/ipc/contract';
import { isChannel, type Channel } from '../../src-shared/ipc/channels';
import { AppError, err, ok, type Envelope } from '../../src-shared/ipc/envelope';
import { log } from '../log';

/** Who is calling; handlers use it for per-transport behaviour (e.g. native dialogs). */
export interface CallCtx {
  transport: 'electron' | 'websocket' | 'memory' | 'cli';
}

/** One handler per channel: a missing or extra handler is a compile error. */
export type Handlers = { [C in Channel]: (input: ParsedInput<C>, ctx: CallCtx) => Promise<Output<C>> };

export type Dispatcher = (channel: string, raw: unknown, ctx: CallCtx) => Promise<Envelope<unknown>>;

export interface DispatcherOptions {
  /** Parse handler results against the output schema (development and tests) to catch drift. */
  checkOutputs?: boolean;
}

/** Largest JSON payload accepted from a renderer, in characters (before schema validation). */
export const MAX_PAYLOAD_CHARS = 8 * 1024 * 1024;

export function createDispatcher(handlers: Handlers, opts: DispatcherOptions = {}): Dispatcher {
  const checkOutputs = opts.checkOutputs ?? process.env.NODE_ENV !== 'production';
  return async (channel, raw, ctx) => {
    if (!isChannel(channel)) {
      return err('UNKNOWN_CHANNEL', `Unknown channel ${JSON.stringify(String(channel).slice(0, 100))}`);
    }
    const def = contract[channel];
    const parsed = def.input.safeParse(raw === undefined ? {} : raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
      const first = issues[0];
      return err(
        'VALIDATION_FAILED',
        `Invalid input for ${channel}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'rejected'}`,
        { issues: issues.slice(0, 20) },
      );
    }
    try {
      const handler = handlers[channel] as (input: unknown, ctx: CallCtx) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      if (checkOutputs) {
        const out = (def.output as z.ZodType).safeParse(value);
        if (!out.success) {
          log.error(`handler for ${channel} returned a value that breaks its contract`, out.error.issues.slice(0, 5));
          return err('INTERNAL', `Handler for ${channel} returned an invalid result`);
        }
        return ok(out.data);
      }
      return ok(value);
    } catch (e) {
      if (e instanceof AppError) return err(e.code, e.message, e.details);
      const error = e instanceof Error ? e : new Error(String(e));
      log.error(`handler for ${channel} failed`, error.stack ?? error.message);
      return err('INTERNAL', error.message);
    }
  };
}
