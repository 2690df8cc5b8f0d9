/**
 * PMEmo 2019 (Zhang et al., ICMR 2018): `annotations/dynamic_annotations.csv` in long format
 * (`musicId, frameTime, Arousal(mean), Valence(mean)`; 2 Hz from 15.5 s; values in [0, 1]) and the
 * chorus audio `chorus/<musicId>.mp3`. PMEmo has no official train/test split: we use a seeded hash
 * split by song (default 80/10/10) and report the seed.
 */
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { parseCsvObjects } from './csv';
import { existingOrNull, hashSplit, num, readRequired } from './common';
import type { DynamicSong } from './types';

export const PMEMO_DYNAMIC = 'annotations/dynamic_annotations.csv';

export interface PmemoOptions {
  seed?: number;
  val?: number;
  test?: number;
  /** map [0,1] labels to [-1,1] (2x - 1) so they share DEAM's range (default false: native) */
  rescale?: boolean;
}

/**
 * Loads PMEmo dynamic annotations.
 * @throws AppError NOT_FOUND / VALIDATION_FAILED naming the file and the expected columns
 */
export function loadPmemo(root: string, opts: PmemoOptions = {}): DynamicSong[] {
  const { header, rows } = parseCsvObjects(readRequired(root, PMEMO_DYNAMIC, 'PMEmo'));
  for (const col of ['musicId', 'frameTime', 'Arousal(mean)', 'Valence(mean)']) {
    if (!header.includes(col)) {
      throw new AppError('VALIDATION_FAILED', `PMEmo ${PMEMO_DYNAMIC}: expected column "${col}", got [${header.join(', ')}]`);
    }
  }
  const bySong = new Map<string, { t: number; a: number; v: number }[]>();
  for (const r of rows) {
    const list = bySong.get(r.musicId) ?? [];
    list.push({ t: num(r.frameTime), a: num(r['Arousal(mean)']), v: num(r['Valence(mean)']) });
    bySong.set(r.musicId, list);
  }
  const f = (x: number): number => (opts.rescale ? 2 * x - 1 : x);
  const out: DynamicSong[] = [];
  for (const [id, list] of bySong) {
    list.sort((x, y) => x.t - y.t);
    const ok = list.filter((p) => Number.isFinite(p.a) && Number.isFinite(p.v));
    if (ok.length === 0) continue;
    out.push({
      dataset: 'pmemo',
      id,
      audioPath: existingOrNull(path.join(root, 'chorus', `${id}.mp3`)),
      startSec: ok[0].t,
      stepSec: ok.length > 1 ? +(ok[1].t - ok[0].t).toFixed(3) : 0.5,
      arousal: Float32Array.from(ok.map((p) => f(p.a))),
      valence: Float32Array.from(ok.map((p) => f(p.v))),
      split: hashSplit(id, opts.seed ?? 0, { val: opts.val ?? 0.1, test: opts.test ?? 0.1 }),
    });
  }
  return out.sort((x, y) => Number(x.id) - Number(y.id));
}
