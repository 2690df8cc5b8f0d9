/**
 * 4Q audio emotion dataset (Panda, Malheiro & Paiva, IEEE TAFFC 2018): `annotations.csv`
 * (`Song,Quadrant` with Q1..Q4), audio `audio/<Song>.mp3`, optional `metadata.csv` (Artist...).
 * The published protocol is 10-fold CV; we use one seeded hash split grouped by artist (so one
 * artist never straddles train and test), default 70/10/20, and report the seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { parseQuadrant } from '../metrics';
import { parseCsvObjects } from './csv';
import { hashSplit, readRequired } from './common';
import type { QuadrantClip } from './types';

export interface FourqOptions {
  seed?: number;
  val?: number;
  test?: number;
  /** keep clips whose audio file is missing (default false: skipped) */
  keepMissingAudio?: boolean;
}

/**
 * Loads 4Q clips with their quadrant and split.
 * @throws AppError NOT_FOUND / VALIDATION_FAILED naming the file and what was expected
 */
export function loadFourq(root: string, opts: FourqOptions = {}): QuadrantClip[] {
  const { header, rows } = parseCsvObjects(readRequired(root, 'annotations.csv', '4Q'));
  if (!header.includes('Song') || !header.includes('Quadrant')) {
    throw new AppError('VALIDATION_FAILED', `4Q annotations.csv: expected columns Song,Quadrant, got [${header.join(', ')}]`);
  }
  const artist = new Map<string, string>();
  const metaPath = path.join(root, 'metadata.csv');
  if (fs.existsSync(metaPath)) {
    for (const r of parseCsvObjects(fs.readFileSync(metaPath, 'utf8')).rows) if (r.Song && r.Artist) artist.set(r.Song, r.Artist.toLowerCase());
  }
  const out: QuadrantClip[] = [];
  for (const r of rows) {
    const p = path.join(root, 'audio', `${r.Song}.mp3`);
    if (!opts.keepMissingAudio && !fs.existsSync(p)) continue;
    const group = artist.get(r.Song) ?? r.Song;
    out.push({
      dataset: 'fourq',
      id: r.Song,
      path: p,
      kind: 'audio',
      quadrant: parseQuadrant(r.Quadrant),
      split: hashSplit(group, opts.seed ?? 0, { val: opts.val ?? 0.1, test: opts.test ?? 0.2 }),
      group,
    });
  }
  return out;
}
