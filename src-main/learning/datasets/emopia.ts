/**
 * EMOPIA (Hung et al., ISMIR 2021; CC BY-NC-SA 4.0): piano MIDI clips `midi/Q<k>_<youtubeId>_<seg>.mid`
 * (the quadrant is in the file name) and the official clip-level splits `splits/{train,val,test}.csv`
 * (`fname,label`) from the EMOPIA classification repository. Clips missing from the split files are
 * left out (they are not part of the official protocol).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { parseQuadrant } from '../metrics';
import { parseCsvObjects } from './csv';
import { readRequired } from './common';
import type { QuadrantClip, Split } from './types';

const NAME_RE = /^Q([1-4])_(.+)_(\d+)$/;

/** Parses `Q3_abc_DEF_0` into quadrant, song id and segment. @throws AppError VALIDATION_FAILED */
export function parseEmopiaName(fname: string): { quadrant: 1 | 2 | 3 | 4; song: string; segment: number } {
  const base = fname.replace(/\.midi?$/i, '');
  const m = NAME_RE.exec(base);
  if (!m) throw new AppError('VALIDATION_FAILED', `EMOPIA: expected a clip name like Q1_<youtubeId>_<seg>, got "${fname}"`);
  return { quadrant: parseQuadrant(m[1]), song: m[2], segment: Number(m[3]) };
}

/**
 * Loads EMOPIA clips of the official splits.
 * @throws AppError NOT_FOUND / VALIDATION_FAILED (also when a split's label disagrees with the file name)
 */
export function loadEmopia(root: string): QuadrantClip[] {
  const out: QuadrantClip[] = [];
  for (const split of ['train', 'val', 'test'] as Split[]) {
    const { header, rows } = parseCsvObjects(readRequired(root, `splits/${split}.csv`, 'EMOPIA'));
    if (!header.includes('fname')) throw new AppError('VALIDATION_FAILED', `EMOPIA splits/${split}.csv: expected a fname column, got [${header.join(', ')}]`);
    for (const r of rows) {
      const info = parseEmopiaName(r.fname);
      if (r.label && parseQuadrant(r.label) !== info.quadrant) {
        throw new AppError('VALIDATION_FAILED', `EMOPIA splits/${split}.csv: ${r.fname} is labelled ${r.label} but its name says Q${info.quadrant}`);
      }
      const p = path.join(root, 'midi', `${r.fname.replace(/\.midi?$/i, '')}.mid`);
      if (!fs.existsSync(p)) continue;
      out.push({ dataset: 'emopia', id: r.fname, path: p, kind: 'midi', quadrant: info.quadrant, split, group: info.song });
    }
  }
  return out;
}
