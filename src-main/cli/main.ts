/**
 * `pdmer` entry point (bin/pdmer.mjs runs this under tsx). Parses global flags, dispatches to
 * a command from commands/index.ts, and maps errors to exit codes: 0 ok, 1 failure, 2 usage.
 */
import { APP_VERSION } from '../ipc/handlers/app';
import { UsageError, globalUsage } from './args';
import type { CliIO, Command } from './command';
import { COMMANDS } from './commands/index';

const stdio: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

/** @returns the exit code */
export async function main(argv: string[], io: CliIO = stdio, commands: readonly Command[] = COMMANDS): Promise<number> {
  // Global flags may come before the command; --data-dir is forwarded to it.
  const forwarded: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.stdout(globalUsage(commands));
      return 0;
    }
    if (a === '--version' || a === '-v') {
      io.stdout(`${APP_VERSION}\n`);
      return 0;
    }
    if (a === '--data-dir') {
      if (argv[i + 1] === undefined) return usageError(io, commands, "Option '--data-dir' needs a directory");
      forwarded.push(a, argv[++i]!);
      continue;
    }
    if (a.startsWith('--data-dir=')) {
      forwarded.push(a);
      continue;
    }
    if (a.startsWith('-')) return usageError(io, commands, `Unknown option '${a}' before the command`);
    break;
  }
  const name = argv[i];
  if (name === undefined) return usageError(io, commands, 'Missing command');
  if (name === 'help') {
    const target = commands.find((c) => c.name === argv[i + 1]);
    io.stdout(target ? withNewline(target.usage) : globalUsage(commands));
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) return usageError(io, commands, `Unknown command '${name}'`);
  const rest = [...argv.slice(i + 1), ...forwarded];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(withNewline(cmd.usage));
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`pdmer ${cmd.name}: ${e.message}\n\n${withNewline(cmd.usage)}`);
      return 2;
    }
    io.stderr(`pdmer ${cmd.name}: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.PDMER_DEBUG && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return 1;
  }
}

function usageError(io: CliIO, commands: readonly Command[], message: string): number {
  io.stderr(`pdmer: ${message}\n\n${globalUsage(commands)}`);
  return 2;
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
