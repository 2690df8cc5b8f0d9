/**
 * DEAM (Aljanaki, Yang & Soleymani, PLOS ONE 2017) in its official layout:
 * - `annotations/annotations averaged per song/dynamic (per second annotations)/{arousal,valence}.csv`
 *   wide: `song_id, sample_15000ms, sample_15500ms, ...` (2 Hz, [-1, 1], empty cells after a song ends);
 * - optional per-rater curves
 *   `annotations/annotations per each rater/dynamic (per second annotations)/{arousal,valence}/<song_id>.csv`
 *   (one row per rater: `WorkerId, sample_15000ms, ...`);
 * - optional audio `MEMD_audio/<song_id>.mp3`.
 * Official split (as in the DSAML reference): ids <= 2000 train (45 s clips), 2001-2058 test (full
 * songs). Our validation set is carved out of the train ids by a seeded hash, never from test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { parseCsv } from './csv';
import { existingOrNull, hashSplit, num, readRequired } from './common';
import type { DynamicSong, RaterCurve, Split } from './types';

export const DEAM_AVERAGED_DIR = 'annotations/annotations averaged per song/dynamic (per second annotations)';
export const DEAM_RATER_DIR = 'annotations/annotations per each rater/dynamic (per second annotations)';
export const DEAM_AUDIO_DIR = 'MEMD_audio';
/** Last id of the official training set. */
export const DEAM_TRAIN_MAX_ID = 2000;

/** Parses `sample_15000ms` style headers to seconds. @throws AppError VALIDATION_FAILED */
function sampleSec(h: string, file: string): number {
  const m = /^sample_(\d+)ms$/.exec(h.trim());
  if (!m) throw new AppError('VALIDATION_FAILED', `DEAM ${file}: expected sample_<ms>ms columns, got "${h}"`);
  return Number(m[1]) / 1000;
}

/** Reads a wide DEAM table keyed by its first column; trailing empty cells are dropped. */
function readWide(text: string, file: string, keyCol: string): { startSec: number; stepSec: number; rows: Map<string, Float32Array> } {
  const all = parseCsv(text);
  if (all.length === 0) throw new AppError('VALIDATION_FAILED', `DEAM ${file}: empty file`);
  const header = all[0].map((h) => h.trim());
  if (header[0] !== keyCol) throw new AppError('VALIDATION_FAILED', `DEAM ${file}: expected first column "${keyCol}", got "${header[0]}"`);
  const secs = header.slice(1).filter((h) => h !== '').map((h) => sampleSec(h, file));
  const startSec = secs[0];
  const stepSec = secs.length > 1 ? +(secs[1] - secs[0]).toFixed(3) : 0.5;
  const rows = new Map<string, Float32Array>();
  for (const r of all.slice(1)) {
    const vals = r.slice(1, 1 + secs.length).map(num);
    let n = vals.length;
    while (n > 0 && Number.isNaN(vals[n - 1])) n--;
    rows.set(r[0].trim(), Float32Array.from(vals.slice(0, n)));
  }
  return { startSec, stepSec, rows };
}

export interface DeamOptions {
  /** seed of the validation split carved from the train ids */
  seed?: number;
  /** fraction of train ids used for validation (default 0.1) */
  valFraction?: number;
}

/**
 * Loads DEAM's averaged dynamic annotations (and audio paths when `MEMD_audio/` exists).
 * @throws AppError NOT_FOUND / VALIDATION_FAILED naming the file and what was expected
 */
export function loadDeam(root: string, opts: DeamOptions = {}): DynamicSong[] {
  const a = readWide(readRequired(root, `${DEAM_AVERAGED_DIR}/arousal.csv`, 'DEAM'), 'arousal.csv', 'song_id');
  const v = readWide(readRequired(root, `${DEAM_AVERAGED_DIR}/valence.csv`, 'DEAM'), 'valence.csv', 'song_id');
  const out: DynamicSong[] = [];
  for (const [id, ar] of a.rows) {
    const va = v.rows.get(id);
    if (!va) continue;
    const n = Math.min(ar.length, va.length);
    if (n === 0) continue;
    const split: Split =
      Number(id) > DEAM_TRAIN_MAX_ID ? 'test' : hashSplit(id, opts.seed ?? 0, { val: opts.valFraction ?? 0.1, test: 0 });
    out.push({
      dataset: 'deam',
      id,
      audioPath: existingOrNull(path.join(root, DEAM_AUDIO_DIR, `${id}.mp3`)),
      startSec: a.startSec,
      stepSec: a.stepSec,
      arousal: ar.slice(0, n),
      valence: va.slice(0, n),
      split,
    });
  }
  return out.sort((x, y) => Number(x.id) - Number(y.id));
}

/**
 * Loads DEAM per-rater dynamic curves (`WorkerId` rows). Returns [] when the per-rater folder is
 * absent (it is not part of the label-only download).
 */
export function loadDeamRaters(root: string): RaterCurve[] {
  const dirA = path.join(root, DEAM_RATER_DIR, 'arousal');
  const dirV = path.join(root, DEAM_RATER_DIR, 'valence');
  if (!fs.existsSync(dirA) || !fs.existsSync(dirV)) return [];
  const out: RaterCurve[] = [];
  for (const f of fs.readdirSync(dirA).filter((x) => x.endsWith('.csv')).sort()) {
    const pv = path.join(dirV, f);
    if (!fs.existsSync(pv)) continue;
    const songId = f.replace(/\.csv$/, '');
    const a = readWide(fs.readFileSync(path.join(dirA, f), 'utf8'), `arousal/${f}`, 'WorkerId');
    const v = readWide(fs.readFileSync(pv, 'utf8'), `valence/${f}`, 'WorkerId');
    for (const [worker, ar] of a.rows) {
      const va = v.rows.get(worker);
      if (!va) continue;
      const n = Math.min(ar.length, va.length);
      if (n === 0) continue;
      out.push({ dataset: 'deam', songId, person: worker, startSec: a.startSec, stepSec: a.stepSec, arousal: ar.slice(0, n), valence: va.slice(0, n) });
    }
  }
  return out;
}
