/** Minimal leveled logger for the main process (stderr, so CLI stdout stays machine-readable). */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = ORDER[(process.env.PDMER_LOG_LEVEL as Level) ?? 'info'] ?? ORDER.info;

function write(level: Level, msg: string, extra: unknown[]): void {
  if (ORDER[level] < threshold) return;
  const rest = extra.map((x) => (x instanceof Error ? (x.stack ?? x.message) : typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  process.stderr.write(`[${new Date().toISOString()}] ${level.toUpperCase()} ${msg}${rest ? ` ${rest}` : ''}\n`);
}

export const log = {
  debug: (msg: string, ...extra: unknown[]) => write('debug', msg, extra),
  info: (msg: string, ...extra: unknown[]) => write('info', msg, extra),
  warn: (msg: string, ...extra: unknown[]) => write('warn', msg, extra),
  error: (msg: string, ...extra: unknown[]) => write('error', msg, extra),
};
