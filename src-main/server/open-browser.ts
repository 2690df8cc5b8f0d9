/** Best-effort "open this URL in the system browser" (xdg-open / open / start). Never throws. */
import { spawn } from 'node:child_process';
import { log } from '../log';

export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [cmd, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => log.info(`Could not open a browser (${cmd} unavailable); open the URL above yourself.`));
    child.unref();
  } catch {
    log.info('Could not open a browser; open the URL above yourself.');
  }
}
