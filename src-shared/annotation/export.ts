/**
 * Export formats and their parsers (an export re-imports exactly):
 * - long CSV: one row per resolved sample: `profile,track,session,time,valence,arousal,button`;
 * - DEAM-style wide CSV at 2 Hz: one row per session and dimension:
 *   `profile,track,session,dimension,sample_0ms,sample_500ms,...` (DEAM names its columns
 *   `sample_15000ms`...; empty cell = empty bin);
 * - JSON with `schemaVersion` and `modelVersion`: everything needed to restore a session exactly
 *   (all layers' raw samples, punch-in history, metadata), plus its 2 Hz bins for convenience.
 * Numbers are written with `String(x)`, the shortest text that parses back to the same double.
 */
import { z } from 'zod';
import { AppError } from '../ipc/envelope';
import { binSamples } from './binning';
import { BIN_SEC, EXPORT_SCHEMA_VERSION } from './constants';
import { parseCsv, writeCsv } from './csv';
import { resolveLayers } from './layers';
import { AudioTimeSchema, SessionMetaSchema, SessionStateSchema, type Sample } from './types';

export const LONG_CSV_HEADER = ['profile', 'track', 'session', 'time', 'valence', 'arousal', 'button'] as const;

/** One row of the long CSV. */
export interface LongRow {
  profile: string;
  track: number;
  session: number;
  time: number;
  valence: number;
  arousal: number;
  button: number;
}

export function writeLongCsv(rows: readonly LongRow[]): string {
  return writeCsv([LONG_CSV_HEADER, ...rows.map((r) => [r.profile, r.track, r.session, r.time, r.valence, r.arousal, r.button])]);
}

function num(cell: string | undefined, what: string, line: number, opts: { int?: boolean; min?: number; max?: number } = {}): number {
  const s = (cell ?? '').trim();
  const x = s === '' ? NaN : Number(s);
  if (!Number.isFinite(x) || (opts.int && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max)) {
    const range = opts.min !== undefined ? ` in [${opts.min}, ${opts.max}]` : '';
    throw new AppError('VALIDATION_FAILED', `CSV line ${line}: expected ${opts.int ? 'an integer' : 'a number'}${range} for ${what}, got ${JSON.stringify(s.slice(0, 40))}`);
  }
  return x;
}

/** @throws AppError VALIDATION_FAILED naming the line and column that is wrong */
export function parseLongCsv(text: string): LongRow[] {
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim().toLowerCase());
  if (!header || LONG_CSV_HEADER.some((h, i) => header[i] !== h)) {
    throw new AppError('VALIDATION_FAILED', `Expected long CSV header "${LONG_CSV_HEADER.join(',')}", got "${(rows[0] ?? []).join(',').slice(0, 200)}"`);
  }
  return rows.slice(1).map((r, i) => {
    const line = i + 2;
    const profile = r[0] ?? '';
    if (profile.trim() === '') throw new AppError('VALIDATION_FAILED', `CSV line ${line}: expected a profile name, got an empty cell`);
    return {
      profile,
      track: num(r[1], 'track', line, { int: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
      session: num(r[2], 'session', line, { int: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
      time: num(r[3], 'time', line, { min: 0, max: 86_400 }),
      valence: num(r[4], 'valence', line, { min: -1, max: 1 }),
      arousal: num(r[5], 'arousal', line, { min: -1, max: 1 }),
      button: num(r[6], 'button', line, { int: true, min: 0, max: 0xffff }),
    };
  });
}

/** One row of the wide 2 Hz CSV. */
export interface WideRow {
  profile: string;
  track: number;
  session: number;
  dimension: 'valence' | 'arousal';
  values: (number | null)[];
}

/** Column name of bin k: `sample_{k * 500}ms` (DEAM's naming). */
export function wideColumnName(k: number, binSec = BIN_SEC): string {
  return `sample_${Math.round(k * binSec * 1000)}ms`;
}

export function writeWideCsv(rows: readonly WideRow[], binSec = BIN_SEC): string {
  const width = rows.reduce((m, r) => Math.max(m, r.values.length), 0);
  const header = ['profile', 'track', 'session', 'dimension', ...Array.from({ length: width }, (_, k) => wideColumnName(k, binSec))];
  return writeCsv([header, ...rows.map((r) => [r.profile, r.track, r.session, r.dimension, ...Array.from({ length: width }, (_, k) => r.values[k] ?? null)])]);
}

/**
 * Parses a wide CSV back; trailing empty cells are trimmed (a row is as long as its last bin).
 * @throws AppError VALIDATION_FAILED on a bad header or cell
 */
export function parseWideCsv(text: string): { binSec: number; rows: WideRow[] } {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const fixed = ['profile', 'track', 'session', 'dimension'];
  if (fixed.some((h, i) => header[i]?.trim().toLowerCase() !== h)) {
    throw new AppError('VALIDATION_FAILED', `Expected wide CSV header starting "${fixed.join(',')}", got "${header.join(',').slice(0, 200)}"`);
  }
  const times = header.slice(4).map((h, k) => {
    const m = /^sample_(\d+)ms$/.exec(h.trim());
    if (!m) throw new AppError('VALIDATION_FAILED', `Expected column ${k + 5} named sample_<ms>ms, got ${JSON.stringify(h)}`);
    return Number(m[1]);
  });
  const binSec = times.length >= 2 ? (times[1] - times[0]) / 1000 : BIN_SEC;
  times.forEach((ms, k) => {
    if (Math.abs(ms - k * binSec * 1000) > 1e-6) throw new AppError('VALIDATION_FAILED', `Expected column ${k + 5} to be ${wideColumnName(k, binSec)}, got sample_${ms}ms`);
  });
  return {
    binSec,
    rows: rows.slice(1).map((r, i) => {
      const line = i + 2;
      const dimension = r[3]?.trim();
      if (dimension !== 'valence' && dimension !== 'arousal') throw new AppError('VALIDATION_FAILED', `CSV line ${line}: expected dimension valence or arousal, got ${JSON.stringify(dimension)}`);
      const values = r.slice(4).map((c, k) => (c.trim() === '' ? null : num(c, wideColumnName(k, binSec), line, { min: -1, max: 1 })));
      while (values.length > 0 && values[values.length - 1] === null) values.pop();
      return {
        profile: r[0] ?? '',
        track: num(r[1], 'track', line, { int: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
        session: num(r[2], 'session', line, { int: true, min: 1, max: Number.MAX_SAFE_INTEGER }),
        dimension,
        values,
      };
    }),
  };
}

/** Samples in columnar form (compact JSON). */
export const SampleColumnsSchema = z
  .object({
    seq: z.array(z.number().int().min(0)),
    t: z.array(AudioTimeSchema),
    valence: z.array(z.number().min(-1).max(1)),
    arousal: z.array(z.number().min(-1).max(1)),
    buttons: z.array(z.number().int().min(0).max(0xffff)),
    layer: z.array(z.number().int().min(0)),
  })
  .refine((c) => [c.t, c.valence, c.arousal, c.buttons, c.layer].every((a) => a.length === c.seq.length), {
    message: 'Expected every sample column (seq, t, valence, arousal, buttons, layer) to have the same length',
  })
  .refine((c) => new Set(c.seq).size === c.seq.length, { message: 'Expected unique seq numbers within a session' });
export type SampleColumns = z.infer<typeof SampleColumnsSchema>;

export const ExportedSessionSchema = z.object({
  uid: z.string().min(1).max(100),
  /** Session id in the exporting library (informational; import assigns a new one). */
  sourceId: z.number().int().positive(),
  profile: z.object({ name: z.string().min(1).max(100) }),
  track: z.object({
    id: z.number().int().positive(),
    contentHash: z.string().max(200),
    path: z.string().max(4096),
    title: z.string().max(1000).nullable(),
    artist: z.string().max(1000).nullable(),
    durationSec: z.number().nullable(),
  }),
  studyId: z.string().max(200).nullable(),
  participantId: z.string().max(200).nullable(),
  state: SessionStateSchema,
  sampleRateHz: z.number().positive(),
  outputLatencySec: z.number().nullable(),
  inputDevice: z.string().max(32).nullable(),
  excluded: z.boolean(),
  startedAt: z.string().max(64),
  endedAt: z.string().max(64).nullable(),
  meta: SessionMetaSchema,
  samples: SampleColumnsSchema,
  /** Derived 2 Hz bins of the resolved trace (ignored on import: recomputed from samples). */
  bins: z.object({ binSec: z.number(), valence: z.array(z.number().nullable()), arousal: z.array(z.number().nullable()) }).optional(),
});
export type ExportedSession = z.infer<typeof ExportedSessionSchema>;

export const EXPORT_KIND = 'music-emotion-studio/annotations';

export const ExportDocumentSchema = z.object({
  kind: z.literal(EXPORT_KIND),
  schemaVersion: z.number().int(),
  /** Version of the base model whose predictions the sessions were compared to (null when none). */
  modelVersion: z.string().nullable(),
  exportedAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }).optional(),
  sessions: z.array(ExportedSessionSchema),
});
export type ExportDocument = z.infer<typeof ExportDocumentSchema>;

export function toColumns(samples: readonly Sample[]): SampleColumns {
  return {
    seq: samples.map((s) => s.seq),
    t: samples.map((s) => s.t),
    valence: samples.map((s) => s.valence),
    arousal: samples.map((s) => s.arousal),
    buttons: samples.map((s) => s.buttons),
    layer: samples.map((s) => s.layer),
  };
}

export function fromColumns(c: SampleColumns): Sample[] {
  return c.seq.map((seq, i) => ({ seq, t: c.t[i], valence: c.valence[i], arousal: c.arousal[i], buttons: c.buttons[i], layer: c.layer[i] }));
}

/** Derived bins of an exported session's resolved trace. */
export function sessionBins(s: Pick<ExportedSession, 'samples' | 'meta' | 'track'>): NonNullable<ExportedSession['bins']> {
  const resolved = resolveLayers(fromColumns(s.samples), s.meta.layers);
  const b = binSamples(resolved, { durationSec: s.track.durationSec });
  return { binSec: b.binSec, valence: b.valence, arousal: b.arousal };
}

/** Serialises an export document (validated first so a bad one never leaves the app). */
export function writeJsonExport(doc: ExportDocument): string {
  return JSON.stringify(ExportDocumentSchema.parse(doc));
}

/**
 * Parses a JSON export.
 * @throws AppError VALIDATION_FAILED for malformed JSON, the wrong kind, a newer schemaVersion or bad fields
 */
export function parseJsonExport(text: string): ExportDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `Expected a JSON annotation export, got unparsable text (${(e as Error).message})`);
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (kind !== EXPORT_KIND) throw new AppError('VALIDATION_FAILED', `Expected an export of kind "${EXPORT_KIND}", got ${JSON.stringify(kind)}`);
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version !== 'number' || version > EXPORT_SCHEMA_VERSION || version < 1) {
    throw new AppError('VALIDATION_FAILED', `Expected export schemaVersion 1..${EXPORT_SCHEMA_VERSION}, got ${JSON.stringify(version)}`);
  }
  const parsed = ExportDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AppError('VALIDATION_FAILED', `Invalid annotation export at ${i.path.join('.') || '(root)'}: ${i.message}`, { issues: parsed.error.issues.slice(0, 20) });
  }
  return parsed.data;
}

/** Long-CSV rows of exported sessions (resolved traces, time order). */
export function longRows(sessions: readonly ExportedSession[], idOf: (s: ExportedSession) => number = (s) => s.sourceId): LongRow[] {
  const rows: LongRow[] = [];
  for (const s of sessions) {
    for (const x of resolveLayers(fromColumns(s.samples), s.meta.layers)) {
      rows.push({ profile: s.profile.name, track: s.track.id, session: idOf(s), time: x.t, valence: x.valence, arousal: x.arousal, button: x.buttons });
    }
  }
  return rows;
}

/** Wide-CSV rows (valence then arousal per session). */
export function wideRows(sessions: readonly ExportedSession[], idOf: (s: ExportedSession) => number = (s) => s.sourceId): WideRow[] {
  const rows: WideRow[] = [];
  for (const s of sessions) {
    const b = sessionBins(s);
    rows.push({ profile: s.profile.name, track: s.track.id, session: idOf(s), dimension: 'valence', values: b.valence });
    rows.push({ profile: s.profile.name, track: s.track.id, session: idOf(s), dimension: 'arousal', values: b.arousal });
  }
  return rows;
}

/** Groups long-CSV rows by session id, keeping file order. */
export function groupLongRows(rows: readonly LongRow[]): Map<number, LongRow[]> {
  const m = new Map<number, LongRow[]>();
  for (const r of rows) {
    const g = m.get(r.session);
    if (g) {
      if (g[0].profile !== r.profile || g[0].track !== r.track) {
        throw new AppError('VALIDATION_FAILED', `Expected session ${r.session} to have one profile and track, got ${g[0].profile}/${g[0].track} and ${r.profile}/${r.track}`);
      }
      g.push(r);
    } else m.set(r.session, [r]);
  }
  return m;
}

/**
 * Splits an export (JSON or long CSV) into self-contained parts of at most `maxChars` each, by
 * whole sessions, so a big library export can be imported through an IPC channel with a bounded
 * payload. A text that already fits is returned as is.
 * @throws AppError VALIDATION_FAILED when the text is malformed or one session alone is larger than `maxChars`
 */
export function splitExport(text: string, maxChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const isJson = text.trimStart().startsWith('{');
  const parts: string[] = [];
  if (isJson) {
    const doc = parseJsonExport(text);
    let group: ExportedSession[] = [];
    const flush = () => {
      if (group.length) parts.push(writeJsonExport({ ...doc, sessions: group }));
      group = [];
    };
    for (const s of doc.sessions) {
      const alone = writeJsonExport({ ...doc, sessions: [s] }).length;
      if (alone > maxChars) throw new AppError('VALIDATION_FAILED', `Session ${s.uid} alone is ${alone} characters, more than the ${maxChars} one import accepts`);
      if (group.length && writeJsonExport({ ...doc, sessions: [...group, s] }).length > maxChars) flush();
      group.push(s);
    }
    flush();
    return parts;
  }
  const groups = groupLongRows(parseLongCsv(text));
  let rows: LongRow[] = [];
  const flush = () => {
    if (rows.length) parts.push(writeLongCsv(rows));
    rows = [];
  };
  for (const g of groups.values()) {
    const alone = writeLongCsv(g).length;
    if (alone > maxChars) throw new AppError('VALIDATION_FAILED', `Session ${g[0]!.session} alone is ${alone} characters, more than the ${maxChars} one import accepts`);
    if (rows.length && writeLongCsv(rows).length + alone > maxChars) flush();
    rows.push(...g);
  }
  flush();
  return parts;
}
