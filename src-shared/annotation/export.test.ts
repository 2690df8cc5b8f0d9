import { describe, expect, it } from 'vitest';
import { parseCsv, writeCsv } from './csv';
import {
  EXPORT_KIND,
  fromColumns,
  groupLongRows,
  longRows,
  parseJsonExport,
  parseLongCsv,
  parseWideCsv,
  sessionBins,
  splitExport,
  toColumns,
  wideRows,
  writeJsonExport,
  writeLongCsv,
  writeWideCsv,
  type ExportDocument,
  type ExportedSession,
} from './export';
import { mulberry32 } from './rng';
import type { Sample } from './types';

function session(uid: string, id: number, profile: string, seed: number, n = 200): ExportedSession {
  const rand = mulberry32(seed);
  const samples: Sample[] = [];
  for (let i = 0; i < n; i++) {
    // Awkward doubles on purpose: they must survive text round trips bit-exactly.
    samples.push({ seq: i, t: i / 30 + rand() * 1e-3, valence: Math.tanh(rand() * 4 - 2), arousal: rand() * 2 - 1, buttons: i % 37 === 0 ? 1 : 0, layer: 0 });
  }
  // A punch-in layer over [2, 3] s.
  for (let i = 0; i < 30; i++) samples.push({ seq: n + i, t: 2 + i / 30, valence: -0.1 - i / 1000, arousal: 1 / 3, buttons: 0, layer: 1 });
  return {
    uid,
    sourceId: id,
    profile: { name: profile },
    track: { id: 7, contentHash: 'abc', path: '/music/a "quoted", file.wav', title: 'Tïtle, with comma', artist: null, durationSec: 7 },
    studyId: null,
    participantId: null,
    state: 'complete',
    sampleRateHz: 30,
    outputLatencySec: 0.0123,
    inputDevice: 'mouse',
    excluded: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:07.000Z',
    meta: { layers: [{ layer: 1, tStart: 2, tEnd: 3, state: 'active' }] },
    samples: toColumns(samples),
  };

}

describe('CSV primitives', () => {
  it('quotes and unquotes commas, quotes, newlines and padding', () => {
    const rows = [['a,b', 'say "hi"', 'line\nbreak', ' padded ', ''], ['1', '2', '3', '4', '5']];
    expect(parseCsv(writeCsv(rows))).toEqual(rows);
    expect(parseCsv('x,y\r\n1,2\r\n')).toEqual([['x', 'y'], ['1', '2']]);
    expect(() => parseCsv('"open')).toThrow(/Unterminated/);
  });
});

describe('exports re-import exactly', () => {
  const sessions = [session('u1', 11, 'Ann, the rater', 1), session('u2', 12, 'Bob "B"', 2)];
  const doc: ExportDocument = { kind: EXPORT_KIND, schemaVersion: 1, modelVersion: 'emotion-v1', exportedAt: '2026-01-02T00:00:00.000Z', sessions };

  it('JSON: parse(write(doc)) deep-equals doc, samples bit-exact', () => {
    const back = parseJsonExport(writeJsonExport(doc));
    expect(back).toEqual(doc);
    expect(fromColumns(back.sessions[0].samples)).toEqual(fromColumns(sessions[0].samples));
  });

  it('long CSV: rows survive bit-exactly, grouped per session, punch-in resolved', () => {
    const rows = longRows(sessions);
    // 200 base samples, ~30 of them in [2, 3] s replaced by 30 punch-in samples.
    const inPunch = fromColumns(sessions[0].samples).filter((s) => s.layer === 0 && s.t >= 2 && s.t <= 3).length;
    expect(rows.filter((r) => r.session === 11).length).toBe(200 - inPunch + 30);
    const text = writeLongCsv(rows);
    expect(text.split('\n')[0]).toBe('profile,track,session,time,valence,arousal,button');
    const back = parseLongCsv(text);
    expect(back).toEqual(rows);
    expect([...groupLongRows(back).keys()]).toEqual([11, 12]);
  });

  it('wide 2 Hz CSV: DEAM column names, bins survive exactly', () => {
    const rows = wideRows(sessions);
    const text = writeWideCsv(rows);
    expect(text.split('\n')[0].split(',').slice(0, 7)).toEqual(['profile', 'track', 'session', 'dimension', 'sample_0ms', 'sample_500ms', 'sample_1000ms']);
    const back = parseWideCsv(text);
    expect(back.binSec).toBe(0.5);
    expect(back.rows).toEqual(rows.map((r) => ({ ...r, values: trimNulls(r.values) })));
    expect(rows[0].values).toEqual(sessionBins(sessions[0]).valence);
    expect(rows[0].values.length).toBe(14); // 7 s track
  });

  it('splits a big export into self-contained parts by whole sessions', () => {
    const many = [1, 2, 3, 4, 5].map((k) => session(`u${k}`, 20 + k, `P${k}`, k));
    const big: ExportDocument = { ...doc, sessions: many };
    const text = writeJsonExport(big);
    const limit = Math.ceil(text.length / 2.5);
    const parts = splitExport(text, limit);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(limit);
    expect(parts.flatMap((p) => parseJsonExport(p).sessions)).toEqual(many);
    const csv = writeLongCsv(longRows(many));
    const csvParts = splitExport(csv, Math.ceil(csv.length / 2));
    expect(csvParts.length).toBeGreaterThanOrEqual(2);
    expect(csvParts.flatMap((p) => parseLongCsv(p))).toEqual(parseLongCsv(csv));
    expect(splitExport(csv, csv.length)).toEqual([csv]);
    expect(() => splitExport(text, 1000)).toThrow(/alone is \d+ characters/);
  });

  it('rejects malformed input with messages naming what was expected', () => {
    expect(() => parseJsonExport('{')).toThrow(/unparsable/);
    expect(() => parseJsonExport(JSON.stringify({ kind: 'other' }))).toThrow(/kind/);
    expect(() => parseJsonExport(JSON.stringify({ ...doc, schemaVersion: 99 }))).toThrow(/schemaVersion 1\.\.1, got 99/);
    const bad = structuredClone(doc);
    bad.sessions[0].samples.t.pop();
    expect(() => parseJsonExport(JSON.stringify(bad))).toThrow(/same length/);
    expect(() => parseLongCsv('a,b\n')).toThrow(/Expected long CSV header/);
    expect(() => parseLongCsv('profile,track,session,time,valence,arousal,button\nA,1,1,0.5,2,0,0\n')).toThrow(/line 2.*valence/);
    expect(() => parseWideCsv('profile,track,session,dimension,sample_0ms\nA,1,1,mood,0\n')).toThrow(/dimension/);
  });
});

function trimNulls(v: (number | null)[]) {
  const out = v.slice();
  while (out.length && out[out.length - 1] === null) out.pop();
  return out;
}
