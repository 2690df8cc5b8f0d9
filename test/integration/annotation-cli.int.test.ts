/**
 * `pdmer annotations` on real temp libraries: list with completeness flags, reliability against
 * the hand-computed example, export JSON to a file and import it into another library exactly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { openStudio } from '../../src-main/services/studio';
import { tone, writeWav } from '../fixtures/audio';
import { useTmpDir } from '../helpers/tmp-db';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('pdmer annotations', () => {
  const t = useTmpDir('pdmer-annot-cli-');

  it('lists, prints reliability, exports and re-imports', async () => {
    const music = path.join(t.dir, 'music');
    writeWav(path.join(music, 'Two.wav'), [tone(440, 2, 22_050, 0.3)], 22_050);
    const A = path.join(t.dir, 'A');
    const B = path.join(t.dir, 'B');
    expect((await run(['import', music, '--data-dir', A])).code).toBe(0);
    expect((await run(['import', music, '--data-dir', B])).code).toBe(0);

    const HAND = [
      [1, 2, 3],
      [2, 4, 3],
      [4, 5, 6],
      [5, 5, 8],
    ];
    const studio = await openStudio({ dataDir: A, mode: 'memory' });
    try {
      const d = async (c: string, i: unknown) => {
        const e = await studio.dispatch(c, i, { transport: 'memory' });
        if (!e.ok) throw new Error(e.error.message);
        return e.value as { id: number; tracks?: { id: number }[] };
      };
      const trackId = (await d('library:listTracks', {})).tracks![0]!.id;
      for (let j = 0; j < 3; j++) {
        const p = await d('profiles:create', { name: `R${j + 1}` });
        const s = await d('annotation:start', { profileId: p.id, trackId, sampleRateHz: 30 });
        const samples = Array.from({ length: 60 }, (_, i) => ({ seq: i, t: i / 30, valence: HAND[Math.floor(i / 15)]![j]! / 10, arousal: 0.1 * j }));
        await d('annotation:append', { sessionId: s.id, samples });
        await d('annotation:finish', { sessionId: s.id });
      }
    } finally {
      await studio.close();
    }

    const list = await run(['annotations', 'list', '--data-dir', A]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/3 sessions/);
    expect(list.out).toMatch(/R1\tTwo\tcomplete\t60 samples @ 30 Hz\tcomplete/);

    const rel = await run(['annotations', 'reliability', '--data-dir', A]);
    expect(rel.code).toBe(0);
    // ICC(A,1) = 56/83 = 0.675, ICC(C,1) = 14/17 = 0.824, alpha = 17/28 = 0.607, mean CCC = 239/385 = 0.621
    expect(rel.out).toMatch(/valence\t\s*0\.675\t\s*0\.824\t\s*0\.607\t\s*0\.621/);
    const relJson = JSON.parse((await run(['annotations', 'reliability', '--json', '--data-dir', A])).out);
    expect(relJson.tracks[0].valence.iccAgreement).toBeCloseTo(56 / 83, 12);

    const file = path.join(t.dir, 'export.json');
    const exp = await run(['annotations', 'export', '--format', 'json', '--out', file, '--data-dir', A]);
    expect(exp.code).toBe(0);
    expect(exp.err).toMatch(/wrote 3 session/);
    const imp = await run(['annotations', 'import', file, '--data-dir', B]);
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/imported 3 session\(s\), skipped 0, created profiles R1, R2, R3/);
    const again = await run(['annotations', 'import', file, '--data-dir', B]);
    expect(again.out).toMatch(/imported 0 session\(s\), skipped 3/);
    const wideA = (await run(['annotations', 'export', '--format', 'csv-wide', '--data-dir', A])).out;
    const wideB = (await run(['annotations', 'export', '--format', 'csv-wide', '--data-dir', B])).out;
    const noIds = (s: string) => s.split('\n').map((l) => l.split(',').filter((_, i) => i !== 2).join(','));
    expect(noIds(wideB)).toEqual(noIds(wideA));
    expect(wideA.split('\n')[0]).toBe('profile,track,session,dimension,sample_0ms,sample_500ms,sample_1000ms,sample_1500ms');

    expect((await run(['annotations', 'export', '--format', 'xml', '--data-dir', A])).code).toBe(2);
    expect((await run(['annotations', 'nope', '--data-dir', A])).code).toBe(2);
    fs.writeFileSync(path.join(t.dir, 'bad.json'), '{"kind":"music-emotion-studio/annotations","schemaVersion":7}');
    const bad = await run(['annotations', 'import', path.join(t.dir, 'bad.json'), '--data-dir', B]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/schemaVersion 1\.\.1, got 7/);
  });
});
