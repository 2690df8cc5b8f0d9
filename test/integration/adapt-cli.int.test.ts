/**
 * `pdmer adapt --profile NAME` on a real temp library: a generated track, two annotation sessions
 * of one profile (recorded through the real annotation service), adaptation of the shipped compact
 * weights, the held-out report, storage in personal_models, the removal of stale personal curves,
 * and --reset.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { dbPathFor } from '../../src-main/services/paths';
import { openStudio } from '../../src-main/services/studio';
import { defaultWeightsDir } from '../../src-main/model/engine';
import { readManifest } from '../../src-main/model/io';
import { chirp, writeWav } from '../fixtures/audio';
import { useTmpDir } from '../helpers/tmp-db';

const WEIGHTS = path.resolve(__dirname, '../../resources/models/dsaml-compact-v1');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('pdmer adapt', () => {
  const t = useTmpDir('pdmer-adapt-cli-');

  it('adapts from a profile’s sessions, reports held-out error, stores and resets personal weights', async () => {
    const music = path.join(t.dir, 'music');
    writeWav(path.join(music, 'Sweep.wav'), [chirp(200, 2000, 12, 22_050, 0.3)], 22_050);
    const lib = path.join(t.dir, 'lib');
    expect((await run(['import', music, '--data-dir', lib])).code).toBe(0);
    const studio = await openStudio({ dataDir: lib, mode: 'memory' });
    try {
      const d = async (c: string, i: unknown) => {
        const e = await studio.dispatch(c, i, { transport: 'memory' });
        if (!e.ok) throw new Error(e.error.message);
        return e.value as { id: number; tracks?: { id: number }[] };
      };
      const trackId = (await d('library:listTracks', {})).tracks![0]!.id;
      const p = await d('profiles:create', { name: 'Ada' });
      // Ada always hears this sweep as calm and bright: arousal about -0.6, valence about 0.7.
      for (let k = 0; k < 2; k++) {
        const s = await d('annotation:start', { profileId: p.id, trackId, sampleRateHz: 30 });
        const samples = Array.from({ length: 345 }, (_, i) => ({ seq: i, t: i / 30, valence: 0.7 + 0.02 * Math.sin(i / 20 + k), arousal: -0.6 + 0.02 * Math.cos(i / 27) }));
        for (let b = 0; b < samples.length; b += 15) await d('annotation:append', { sessionId: s.id, samples: samples.slice(b, b + 15) }); // <= 500 ms per batch
        await d('annotation:finish', { sessionId: s.id });
      }
    } finally {
      await studio.close();
    }
    const r = await run(['adapt', '--profile', 'ada', '--weights', WEIGHTS, '--data-dir', lib, '--json', '--backend', 'cpu', '--lr', '0.05']);
    expect(r.err).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as { stored: boolean; sessions: number; heldOutSteps: number; before: { rmse: number }; after: { rmse: number } };
    expect(rep.stored).toBe(true);
    expect(rep.sessions).toBe(2);
    expect(rep.heldOutSteps).toBeGreaterThan(0);
    expect(rep.after.rmse).toBeLessThan(rep.before.rmse);
    const db = new Database(dbPathFor(lib), { readonly: true });
    try {
      const row = db.prepare('SELECT model_version, summary FROM personal_models').get() as { model_version: string; summary: string };
      // Personal weights are keyed by the shipped base model's version.
      expect(row.model_version).toBe((await readManifest(defaultWeightsDir())).version);
      expect(JSON.parse(row.summary).sessionIds).toHaveLength(2);
    } finally {
      db.close();
    }
    // A personal curve made with these weights is stale once Ada adapts again: adapt drops it (as the studio does).
    const personalCurves = () => {
      const d = new Database(dbPathFor(lib), { readonly: true });
      try {
        return (d.prepare('SELECT count(*) AS n FROM predictions WHERE profile_id IS NOT NULL').get() as { n: number }).n;
      } finally {
        d.close();
      }
    };
    const trackId = (() => {
      const d = new Database(dbPathFor(lib), { readonly: true });
      try {
        return (d.prepare('SELECT id FROM tracks').get() as { id: number }).id;
      } finally {
        d.close();
      }
    })();
    expect((await run(['analyze', String(trackId), '--profile', 'Ada', '--weights', WEIGHTS, '--data-dir', lib, '--backend', 'cpu', '--json'])).code).toBe(0);
    expect(personalCurves()).toBe(1);
    const again = await run(['adapt', '--profile', 'Ada', '--weights', WEIGHTS, '--data-dir', lib, '--backend', 'cpu', '--lr', '0.05']);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`pdmer analyze ${trackId} --profile "Ada"`);
    expect(personalCurves()).toBe(0);
    expect((await run(['analyze', String(trackId), '--profile', 'Ada', '--weights', WEIGHTS, '--data-dir', lib, '--backend', 'cpu', '--json'])).code).toBe(0);
    expect(personalCurves()).toBe(1);
    const reset = await run(['adapt', '--profile', 'Ada', '--weights', WEIGHTS, '--data-dir', lib, '--reset']);
    expect(reset.code).toBe(0);
    expect(reset.err).toContain('removed 1 personal model(s) and 1 personal curve(s)');
    expect(personalCurves()).toBe(0);
    const db2 = new Database(dbPathFor(lib), { readonly: true });
    try {
      expect((db2.prepare('SELECT count(*) AS n FROM personal_models').get() as { n: number }).n).toBe(0);
    } finally {
      db2.close();
    }
    expect((await run(['adapt', '--profile', 'Nobody', '--weights', WEIGHTS, '--data-dir', lib])).code).not.toBe(0);
  }, 120_000);
});
