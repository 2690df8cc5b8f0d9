/**
 * The Ok/Err envelope every IPC call resolves with (never a throw across the boundary:
 * Electron strips everything but `message` from errors thrown through `ipcMain.handle`,
 * see VS Code's note on electron/electron#24427).
 */

/** Every error code the main process may return. Renderer state classes map them to messages. */
export const APP_ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNKNOWN_CHANNEL',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'CANCELLED',
  'AUDIO_DECODE_FAILED',
  'UNSUPPORTED_FORMAT',
  'AUDIO_TOO_SHORT',
  'MODEL_NOT_READY',
  'MODEL_SHAPE_MISMATCH',
  'DB_CORRUPT',
  'DB_FROM_FUTURE',
  'IO_FAILED',
  'INTERNAL',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export interface ErrorInfo {
  code: AppErrorCode;
  message: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Domain error: thrown by services, converted to an envelope by the dispatcher only. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly details?: unknown;
  constructor(code: AppErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function err(code: AppErrorCode, message: string, details?: unknown): Envelope<never> {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

export function isAppErrorCode(x: unknown): x is AppErrorCode {
  return typeof x === 'string' && (APP_ERROR_CODES as readonly string[]).includes(x);
}
