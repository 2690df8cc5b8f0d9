/**
 * `pdmer analyze` as users run it (child process through bin/pdmer.mjs, tsx, the real worker and
 * shipped compact model) on generated WAVs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chirp, writeWav } from '../fixtures/audio';
import { useTmpDir } from '../helpers/tmp-db';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'pdmer.mjs');
const t = useTmpDir('pdmer-analyze-');

function pdmer(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: t.dir,
    encoding: 'utf8',
    env: { ...process.env, PDMER_DATA_DIR: '', NODE_ENV: 'test', PDMER_BACKEND: 'wasm' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface AnalyzeJson {
  track: string;
  trackId: number | null;
  cached: boolean;
  stepSeconds: number;
  arousal: number[];
  valence: number[];
  model: { name: string; version: string; trained: boolean; backend: string; featureHash: string };
}

describe('pdmer analyze', () => {
  it('--json on a file outside any library: one value per 0.5 s, finite, model described, no database written', () => {
    const wav = writeWav(path.join(t.dir, 'in', 'c.wav'), [chirp(200, 2_000, 40, 22_050)], 22_050);
    const data = path.join(t.dir, 'nodata');
    const r = pdmer(['analyze', wav, '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as AnalyzeJson;
    expect(out.track).toBe(wav);
    expect(out.trackId).toBeNull();
    expect(out.stepSeconds).toBe(0.5);
    expect(out.arousal).toHaveLength(80);
    expect(out.valence).toHaveLength(80);
    expect([...out.arousal, ...out.valence].every(Number.isFinite)).toBe(true);
    expect(out.model).toMatchObject({ name: 'dsaml-compact-v1', trained: true });
    expect(out.model.featureHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.stderr).not.toMatch(/untrained/);
    expect(fs.existsSync(data)).toBe(false);

    const csv = pdmer(['analyze', wav, '--csv', '--data-dir', data]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('time,arousal,valence');
    expect(lines).toHaveLength(81);
    expect(lines[2]).toMatch(/^0\.5,-?\d\.\d{4},-?\d\.\d{4}$/);
    expect(Number(lines[80]!.split(',')[1])).toBeCloseTo(out.arousal[79]!, 3);
  });

  it('analyses library tracks by id, caches them, and rejects bad input with usage errors', () => {
    const data = path.join(t.dir, 'data');
    const wav = writeWav(path.join(t.dir, 'lib', 'd.wav'), [chirp(300, 900, 20, 22_050)], 22_050);
    expect(pdmer(['import', wav, '--data-dir', data]).code).toBe(0);
    const first = pdmer(['analyze', '1', '--json', '--data-dir', data]);
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as AnalyzeJson;
    expect(a.trackId).toBe(1);
    expect(a.cached).toBe(false);
    expect(a.arousal).toHaveLength(40);
    // The same file by path is the library track: a cache hit with the same curve.
    const second = pdmer(['analyze', wav, '--json', '--data-dir', data]);
    expect(second.code, second.stderr).toBe(0);
    const b = JSON.parse(second.stdout) as AnalyzeJson;
    expect(b.cached).toBe(true);
    expect(b.arousal).toEqual(a.arousal);

    expect(pdmer(['analyze', '--data-dir', data]).code).toBe(2);
    expect(pdmer(['analyze', wav, '--config', 'huge', '--data-dir', data]).code).toBe(2);
    const missing = pdmer(['analyze', '42', '--json', '--data-dir', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND: Expected a library track id, got 42/);
  });
});
