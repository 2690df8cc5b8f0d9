/** `pdmer import <paths...> [--json]`: imports files and folders, reports each file's outcome. */
import { randomUUID } from 'node:crypto';
import type { ImportReport } from '../../../src-shared/domain/track';
import { UsageError, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { withStudio } from '../session';

export const importCommand: Command = {
  name: 'import',
  summary: 'import audio files and folders (recursive) into the library',
  usage: [
    'Usage: pdmer import <paths...> [--json] [--data-dir DIR]',
    '',
    'Imports files and folders (recursively). Formats: mp3, flac, ogg/vorbis, opus, wav, m4a/aac.',
    'Reports every file: imported, duplicate (same content already in the library) or skipped',
    'with one reason. Progress goes to stderr when it is a terminal; Ctrl-C cancels (exit 130).',
    '',
    'Options:',
    '  --json           print the report as JSON on stdout',
    '  --data-dir DIR   library location',
    '',
    'Exit status: 0 when the run completed (skipped files are reported, not errors),',
    '1 when the library cannot be opened, 2 on a usage error, 130 when cancelled.',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, { positionals: true });
    if (positionals.length === 0) throw new UsageError('Expected at least one file or folder to import');
    return withStudio(values['data-dir'], io, async (studio) => {
      const jobId = randomUUID();
      const tty = Boolean(process.stderr.isTTY);
      const unsub = studio.bus.subscribe((name, payload) => {
        if (!tty || name !== 'job:onProgress') return;
        const p = payload as { jobId: string; done: number; total: number | null; message?: string };
        if (p.jobId !== jobId) return;
        const count = p.total === null ? '' : `[${p.done}/${p.total}] `;
        io.stderr(`\r\x1b[2K${count}${(p.message ?? '').slice(0, 70)}`);
      });
      let interrupted = false;
      const onSigint = () => {
        interrupted = true;
        studio.services.jobs.cancel(jobId);
      };
      process.on('SIGINT', onSigint);
      let env;
      try {
        env = await studio.dispatch('library:import', { paths: positionals, jobId }, { transport: 'cli' });
      } finally {
        process.off('SIGINT', onSigint);
        unsub();
        if (tty) io.stderr('\r\x1b[2K');
      }
      if (!env.ok) {
        io.stderr(`pdmer import: ${env.error.message}\n`);
        return env.error.code === 'VALIDATION_FAILED' ? 2 : 1;
      }
      const report = env.value as ImportReport;
      if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else io.stdout(formatReport(report));
      return interrupted || report.cancelled ? 130 : 0;
    });
  },
};

/** Human-readable report: one line per file, then a summary. */
export function formatReport(r: ImportReport): string {
  const lines: string[] = [];
  for (const x of r.imported) lines.push(`imported   #${x.id}  ${x.path}`);
  for (const x of r.duplicates) lines.push(`duplicate  ${x.path}  (same content as #${x.existingId} ${x.existingPath})`);
  for (const x of r.skipped) lines.push(`skipped    ${x.path}  [${x.code}] ${x.reason}`);
  lines.push(
    `${r.imported.length} imported, ${r.duplicates.length} duplicate${r.duplicates.length === 1 ? '' : 's'}, ${r.skipped.length} skipped${r.cancelled ? ' (cancelled)' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
