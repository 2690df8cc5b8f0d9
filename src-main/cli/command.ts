/** One `pdmer` sub-command. Each lives in `commands/<name>.ts` and is listed in `commands/index.ts`. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export interface Command {
  name: string;
  /** One line for `pdmer --help`. */
  summary: string;
  /** Usage text for `pdmer <name> --help`. */
  usage: string;
  /** @returns the process exit code (0 ok, 1 failure, 2 usage error). */
  run(argv: string[], io: CliIO): Promise<number>;
}
