/** Opens a Studio for one CLI command and always closes it. */
import { AppError } from '../../src-shared/ipc/envelope';
import { resolveDataDir } from '../services/paths';
import { openStudio } from '../services/studio';
import type { OpenedStudio } from '../services/studio-types';
import type { CliIO } from './command';

/**
 * Runs `fn` with a studio on `--data-dir` (or PDMER_DATA_DIR / the OS default).
 * Database errors (corrupt, from the future) print their message and return exit code 1.
 */
export async function withStudio(dataDirFlag: string | undefined, io: CliIO, fn: (studio: OpenedStudio) => Promise<number>): Promise<number> {
  let studio: OpenedStudio;
  try {
    studio = await openStudio({ dataDir: resolveDataDir({ explicit: dataDirFlag }), mode: 'cli' });
  } catch (e) {
    if (e instanceof AppError) {
      io.stderr(`pdmer: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  try {
    return await fn(studio);
  } finally {
    await studio.close();
  }
}
