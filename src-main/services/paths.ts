/**
 * Where the studio keeps its data. Precedence: an explicit directory (Electron passes its
 * `userData`; the CLI passes `--data-dir`) > `PDMER_DATA_DIR` > the OS convention:
 *   Linux   $XDG_DATA_HOME/music-emotion-studio (default ~/.local/share/music-emotion-studio)
 *   macOS   ~/Library/Application Support/music-emotion-studio
 *   Windows %APPDATA%\music-emotion-studio (default ~\AppData\Roaming\music-emotion-studio)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../src-shared/ipc/envelope';

export const APP_DIR_NAME = 'music-emotion-studio';
export const DB_FILE_NAME = 'library.sqlite';

export interface DataDirInputs {
  /** `--data-dir` or Electron's userData. */
  explicit?: string | null;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** Resolves the data directory (absolute) without touching the filesystem. */
export function resolveDataDir(inputs: DataDirInputs = {}): string {
  const env = inputs.env ?? process.env;
  const platform = inputs.platform ?? process.platform;
  const home = inputs.home ?? os.homedir();
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  if (inputs.explicit) return path.resolve(inputs.explicit);
  if (env.PDMER_DATA_DIR) return path.resolve(env.PDMER_DATA_DIR);
  if (platform === 'darwin') return pathApi.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return pathApi.join(env.APPDATA || pathApi.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  const xdg = env.XDG_DATA_HOME && pathApi.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : pathApi.join(home, '.local', 'share');
  return pathApi.join(xdg, APP_DIR_NAME);
}

/**
 * Creates the data directory if needed.
 * @throws AppError IO_FAILED when it cannot be created or is not a directory
 */
export function ensureDataDir(dir: string): string {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new AppError('IO_FAILED', `Cannot create the data directory ${dir}: ${(e as Error).message}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new AppError('IO_FAILED', `Expected a directory for data, got a file: ${dir}`);
  return dir;
}

export function dbPathFor(dataDir: string): string {
  return path.join(dataDir, DB_FILE_NAME);
}

/** Cache directory for derived data (features etc.), inside the data dir. */
export function cacheDirFor(dataDir: string): string {
  return path.join(dataDir, 'cache');
}
