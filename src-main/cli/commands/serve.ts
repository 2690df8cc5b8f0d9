/** `pdmer serve`: the browser mode (HTTP + WebSocket on 127.0.0.1 by default). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Studio } from '../../services/studio-types';
import { intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { withStudio } from '../session';

interface StartServer {
  (opts: { studio: Studio; port: number; host: string; open: boolean; staticDir: string }): Promise<{ url: string; close(): Promise<void> }>;
}

export const DEFAULT_PORT = 5_747;

/** The renderer build served by the browser mode (`npm run build:web` writes it). */
export function defaultStaticDir(): string {
  return process.env.PDMER_STATIC_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../out/renderer');
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the studio to a web browser (browser mode)',
  usage: [
    'Usage: pdmer serve [--port N] [--host H] [--no-open] [--data-dir DIR]',
    '',
    'Serves the studio on http://127.0.0.1:N and prints one line: "Studio ready at <url>".',
    'The URL carries a random per-start token; every route except /healthz needs it.',
    '',
    'Options:',
    `  --port N         TCP port (default ${DEFAULT_PORT}; 0 picks a free one)`,
    '  --host H         interface to listen on (default 127.0.0.1; other hosts expose the studio to your network)',
    '  --no-open        do not open the system browser',
    '  --data-dir DIR   library location',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'no-open': { type: 'boolean' },
      open: { type: 'boolean' },
    });
    const port = intFlag('port', values.port, DEFAULT_PORT, 0, 65_535);
    const host = values.host ?? '127.0.0.1';
    // Loaded lazily: the server module is large and only `serve` needs it.
    const serverModule = '../../server/index';
    let startServer: StartServer;
    try {
      ({ startServer } = (await import(/* @vite-ignore */ serverModule)) as { startServer: StartServer });
    } catch (e) {
      io.stderr(`pdmer serve: the browser-mode server is not available in this build (${(e as Error).message})\n`);
      return 1;
    }
    return withStudio(values['data-dir'], io, async (studio) => {
      const server = await startServer({ studio, port, host, open: !values['no-open'], staticDir: defaultStaticDir() });
      io.stdout(`Studio ready at ${server.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      return 0;
    });
  },
};
