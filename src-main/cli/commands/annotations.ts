/**
 * `pdmer annotations <list|export|import|reliability>`: the annotation studio from the command
 * line (researchers on headless machines): list sessions with their completeness flags, export
 * JSON / long CSV / DEAM-style wide 2 Hz CSV, import an export back, and print inter-rater
 * reliability per track and over the library. Goes through the same IPC contract as the UI.
 */
import fs from 'node:fs';
import { splitExport } from '../../../src-shared/annotation/export';
import type { SessionSummary } from '../../../src-shared/annotation/types';
import type { ImportResult, ReliabilityReport } from '../../../src-shared/ipc/contract/annotation';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { CliIO, Command } from '../command';
import { withStudio } from '../session';
import type { OpenedStudio } from '../../services/studio-types';

const FORMATS = ['json', 'csv-long', 'csv-wide'] as const;

async function call<T>(studio: OpenedStudio, io: CliIO, channel: string, input: unknown): Promise<{ ok: true; value: T } | { ok: false; code: number }> {
  const env = await studio.dispatch(channel, input, { transport: 'cli' });
  if (env.ok) return { ok: true, value: env.value as T };
  io.stderr(`pdmer annotations: ${env.error.message}\n`);
  return { ok: false, code: env.error.code === 'VALIDATION_FAILED' ? 2 : 1 };
}

const f3 = (x: number | null) => (x === null ? '   n/a' : x.toFixed(3).padStart(6));

export const annotationsCommand: Command = {
  name: 'annotations',
  summary: 'list, export, import annotation sessions; inter-rater reliability',
  usage: [
    'Usage: pdmer annotations list [--profile ID] [--track ID] [--json] [--data-dir DIR]',
    '       pdmer annotations export --format json|csv-long|csv-wide [--profile ID] [--track ID] [--study ID] [--out FILE] [--data-dir DIR]',
    '       pdmer annotations import FILE [--json] [--data-dir DIR]',
    '       pdmer annotations reliability [--track ID] [--lag N] [--json] [--data-dir DIR]',
    '',
    'export writes to --out (or stdout). JSON carries schemaVersion and modelVersion and re-imports',
    'exactly; the long CSV has one row per sample (profile,track,session,time,valence,arousal,button);',
    'the wide CSV has one row per session and dimension with 2 Hz columns sample_0ms, sample_500ms, ...',
    'reliability: ICC(A,1), ICC(C,1), Krippendorff alpha (interval), mean pairwise CCC; --lag N lets each',
    'pair of raters shift by up to N half-second steps.',
  ].join('\n'),
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'list') {
      const { values } = parseCommandArgs(rest, { profile: { type: 'string' }, track: { type: 'string' }, json: { type: 'boolean' } });
      const input = { profileId: values.profile ? intFlag('profile', values.profile, 0, 1) : undefined, trackId: values.track ? intFlag('track', values.track, 0, 1) : undefined };
      return withStudio(values['data-dir'], io, async (studio) => {
        const r = await call<SessionSummary[]>(studio, io, 'annotation:list', input);
        if (!r.ok) return r.code;
        if (values.json) {
          io.stdout(`${JSON.stringify(r.value, null, 2)}\n`);
          return 0;
        }
        for (const s of r.value) {
          const c = s.completeness;
          const flags = [c.lateStart ? 'late start' : '', c.gaps.length ? `${c.gaps.length} gap(s)` : '', c.earlyStop ? 'early stop' : ''].filter(Boolean).join(', ') || 'complete';
          io.stdout(`#${s.id}\t${s.profileName}\t${s.trackTitle ?? `track ${s.trackId}`}\t${s.state}\t${s.sampleCount} samples @ ${s.sampleRateHz} Hz\t${flags}${s.excluded ? '\texcluded' : ''}\n`);
        }
        io.stdout(`${r.value.length} session${r.value.length === 1 ? '' : 's'}\n`);
        return 0;
      });
    }
    if (sub === 'export') {
      const { values } = parseCommandArgs(rest, { format: { type: 'string' }, profile: { type: 'string' }, track: { type: 'string' }, study: { type: 'string' }, out: { type: 'string' } });
      const format = values.format as (typeof FORMATS)[number] | undefined;
      if (!format || !FORMATS.includes(format)) throw new UsageError(`--format expects one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
      const input = {
        format,
        profileId: values.profile ? intFlag('profile', values.profile, 0, 1) : undefined,
        trackId: values.track ? intFlag('track', values.track, 0, 1) : undefined,
        studyId: values.study,
      };
      return withStudio(values['data-dir'], io, async (studio) => {
        const r = await call<{ text: string; sessions: number; filename: string }>(studio, io, 'annotation:export', input);
        if (!r.ok) return r.code;
        if (values.out) {
          fs.writeFileSync(values.out, r.value.text);
          io.stderr(`wrote ${r.value.sessions} session(s) to ${values.out}\n`);
        } else io.stdout(r.value.text);
        return 0;
      });
    }
    if (sub === 'import') {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, { positionals: true });
      if (positionals.length !== 1) throw new UsageError(`import expects exactly one FILE, got ${positionals.length}`);
      let text: string;
      try {
        text = fs.readFileSync(positionals[0]!, 'utf8');
      } catch (e) {
        io.stderr(`pdmer annotations: cannot read ${positionals[0]}: ${(e as Error).message}\n`);
        return 1;
      }
      let parts: string[];
      try {
        parts = splitExport(text, 3_000_000); // each call stays within the IPC payload bound
      } catch (e) {
        io.stderr(`pdmer annotations: ${(e as Error).message}\n`);
        return 2;
      }
      return withStudio(values['data-dir'], io, async (studio) => {
        const r: { ok: true; value: ImportResult } = { ok: true, value: { imported: [], skipped: [], createdProfiles: [] } };
        for (const part of parts) {
          const one = await call<ImportResult>(studio, io, 'annotation:import', { text: part, format: 'auto' });
          if (!one.ok) return one.code;
          r.value.imported.push(...one.value.imported);
          r.value.skipped.push(...one.value.skipped);
          r.value.createdProfiles.push(...one.value.createdProfiles);
        }
        if (values.json) io.stdout(`${JSON.stringify(r.value, null, 2)}\n`);
        else {
          for (const s of r.value.skipped) io.stdout(`skipped ${s.uid ?? ''}: ${s.reason}\n`);
          io.stdout(`imported ${r.value.imported.length} session(s), skipped ${r.value.skipped.length}${r.value.createdProfiles.length ? `, created profiles ${r.value.createdProfiles.join(', ')}` : ''}\n`);
        }
        return 0;
      });
    }
    if (sub === 'reliability') {
      const { values } = parseCommandArgs(rest, { track: { type: 'string' }, lag: { type: 'string' }, json: { type: 'boolean' } });
      const input = { trackId: values.track ? intFlag('track', values.track, 0, 1) : undefined, maxLagSteps: intFlag('lag', values.lag, 0, 0, 20) };
      return withStudio(values['data-dir'], io, async (studio) => {
        const r = await call<ReliabilityReport>(studio, io, 'annotation:reliability', input);
        if (!r.ok) return r.code;
        if (values.json) {
          io.stdout(`${JSON.stringify(r.value, null, 2)}\n`);
          return 0;
        }
        io.stdout('track\traters\tbins\tdim\tICC(A,1)\tICC(C,1)\talpha\tmeanCCC\n');
        for (const t of r.value.tracks) {
          for (const dim of ['valence', 'arousal'] as const) {
            const s = t[dim];
            io.stdout(`#${t.trackId} ${t.title ?? ''}\t${t.raters.length}\t${s.n}\t${dim}\t${f3(s.iccAgreement)}\t${f3(s.iccConsistency)}\t${f3(s.alpha)}\t${f3(s.meanCcc)}\n`);
          }
        }
        const L = r.value.library;
        for (const dim of ['valence', 'arousal'] as const) {
          io.stdout(`library (${L.tracks} tracks)\t\t\t${dim}\t${f3(L[dim].iccAgreement)}\t${f3(L[dim].iccConsistency)}\t${f3(L[dim].alpha)}\t${f3(L[dim].meanCcc)}\n`);
        }
        return 0;
      });
    }
    throw new UsageError(`expected a sub-command list, export, import or reliability, got ${JSON.stringify(sub ?? '')}`);
  },
};
