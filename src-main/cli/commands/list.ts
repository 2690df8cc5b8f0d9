/** `pdmer list [--json]`: prints the library's tracks. */
import type { TrackPage } from '../../../src-shared/domain/track';
import { TrackSortSchema } from '../../../src-shared/domain/track';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { withStudio } from '../session';

export const listCommand: Command = {
  name: 'list',
  summary: 'list the tracks in the library',
  usage: [
    'Usage: pdmer list [--json] [--search TEXT] [--sort KEY] [--desc] [--limit N] [--offset N] [--data-dir DIR]',
    '',
    'Options:',
    '  --json           print {tracks, total} as JSON on stdout',
    '  --search TEXT    substring of title, artist, album or path',
    `  --sort KEY       ${TrackSortSchema.options.join(' | ')} (default added)`,
    '  --desc           descending order',
    '  --limit N        at most N tracks (1..5000, default 500)',
    '  --offset N       skip the first N tracks',
    '  --data-dir DIR   library location',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      json: { type: 'boolean' },
      search: { type: 'string' },
      sort: { type: 'string' },
      desc: { type: 'boolean' },
      limit: { type: 'string' },
      offset: { type: 'string' },
    });
    const sort = TrackSortSchema.safeParse(values.sort ?? 'added');
    if (!sort.success) throw new UsageError(`--sort expects one of ${TrackSortSchema.options.join(', ')}, got ${JSON.stringify(values.sort)}`);
    const input = {
      search: values.search,
      sort: sort.data,
      descending: Boolean(values.desc),
      limit: intFlag('limit', values.limit, 500, 1, 5_000),
      offset: intFlag('offset', values.offset, 0),
    };
    return withStudio(values['data-dir'], io, async (studio) => {
      const env = await studio.dispatch('library:listTracks', input, { transport: 'cli' });
      if (!env.ok) {
        io.stderr(`pdmer list: ${env.error.message}\n`);
        return env.error.code === 'VALIDATION_FAILED' ? 2 : 1;
      }
      const page = env.value as TrackPage;
      if (values.json) {
        io.stdout(`${JSON.stringify(page, null, 2)}\n`);
        return 0;
      }
      for (const t of page.tracks) {
        const dur = t.durationSec === null ? '--:--' : `${Math.floor(t.durationSec / 60)}:${String(Math.round(t.durationSec % 60)).padStart(2, '0')}`;
        const mood = t.meanValence === null ? '' : `  V${t.meanValence.toFixed(2)} A${(t.meanArousal ?? 0).toFixed(2)}`;
        const status = t.status === 'ok' ? '' : `  [${t.status}${t.error ? `: ${t.error}` : ''}]`;
        io.stdout(`#${t.id}\t${t.title ?? '(untitled)'}\t${t.artist ?? ''}\t${dur}\t${t.format}${mood}${status}\t${t.path}\n`);
      }
      io.stdout(`${page.tracks.length} of ${page.total} track${page.total === 1 ? '' : 's'}\n`);
      return 0;
    });
  },
};
