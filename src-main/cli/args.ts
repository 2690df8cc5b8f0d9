/** Argument parsing shared by `pdmer` commands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Command } from './command';

/** A bad command line: main prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/**
 * Parses `argv` with the command's options plus `--data-dir` and `--help`.
 * @throws UsageError on unknown flags, missing values or stray positionals
 */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  opts: { positionals?: boolean } = {},
): ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: opts.positionals ?? false, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Parses a non-negative integer flag. @throws UsageError */
export function intFlag(name: string, value: string | undefined, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} expects an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `pdmer --help` text. */
export function globalUsage(commands: readonly Command[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  return [
    'Usage: pdmer <command> [options]',
    '',
    'Music Emotion Studio command line: manage the library, analyse tracks, serve the studio.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options (every command):',
    '  --data-dir DIR   library location (default: $PDMER_DATA_DIR, else the OS data folder)',
    '  -h, --help       help for pdmer or for one command (pdmer <command> --help)',
    '  --version        print the version',
    '',
  ].join('\n');
}
