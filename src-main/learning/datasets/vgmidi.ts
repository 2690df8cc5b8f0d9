/**
 * VGMIDI (Ferreira & Whitehead, ISMIR 2019): `annotations/vgmidi_raw_{1,2}.json` with pieces and
 * per-person binned curves, and `midi/<piece midi>`.
 *
 * ## Reconstructing people
 * The raw files have no annotator id. The annotation tool gave every participant exactly 2 pieces,
 * and a participant's two curves share identical tutorial answers (`ex1_*`, `ex2_*`) and
 * demographics (age, gender, country, musicianship). We group curves of one raw file by that
 * signature:
 * - a group of 2 curves on different pieces is one person (`r1:p<hash>`);
 * - a group of 1 is a person with one curve (usable for within-piece personalization only);
 * - larger groups (signature collisions, a handful) are split into one pseudo-person per curve and
 *   flagged `ambiguous`, so no task mixes different people.
 * Curve values are in [-1, 1], one per "measure" (a uniform bin of duration / measures seconds).
 */
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { hash32, readRequired } from './common';
import type { VgmidiCurve, VgmidiPiece } from './types';

export const VGMIDI_FILES = ['annotations/vgmidi_raw_1.json', 'annotations/vgmidi_raw_2.json'];

interface RawAnnotation {
  valence?: number[];
  arousal?: number[];
  age?: string;
  gender?: string;
  country?: string;
  musicianship?: number | string;
  ex1_valence?: string;
  ex1_arousal?: string;
  ex1_description?: string;
  ex2_valence?: string;
  ex2_arousal?: string;
}
interface RawFile {
  pieces: Record<string, { name: string; midi: string; duration: number; measures: number }>;
  annotations: Record<string, RawAnnotation>;
}

/** The identity signature of a curve (tutorial answers + demographics). */
export function personSignature(a: RawAnnotation): string {
  return JSON.stringify([a.ex1_valence, a.ex1_arousal, a.ex1_description, a.ex2_valence, a.ex2_arousal, a.age, a.gender, a.country, a.musicianship].map((x) => (x === undefined ? null : String(x))));
}

export interface VgmidiData {
  pieces: Map<string, VgmidiPiece>;
  curves: VgmidiCurve[];
  /** counts of the reconstruction (people with 2 curves, with 1, ambiguous curves) */
  people: { pairs: number; singles: number; ambiguousCurves: number };
}

/**
 * Loads VGMIDI pieces and per-person curves from the raw JSON files present under `root`
 * (at least `vgmidi_raw_1.json`; `_2` is optional).
 * @throws AppError NOT_FOUND / VALIDATION_FAILED naming the file
 */
export function loadVgmidi(root: string): VgmidiData {
  const pieces = new Map<string, VgmidiPiece>();
  const curves: VgmidiCurve[] = [];
  const stats = { pairs: 0, singles: 0, ambiguousCurves: 0 };
  VGMIDI_FILES.forEach((rel, fi) => {
    let text: string;
    try {
      text = readRequired(root, rel, 'VGMIDI');
    } catch (e) {
      if (fi > 0) return; // the second round is optional
      throw e;
    }
    let raw: RawFile;
    try {
      raw = JSON.parse(text) as RawFile;
    } catch (e) {
      throw new AppError('VALIDATION_FAILED', `VGMIDI ${rel}: expected JSON, got a parse error (${(e as Error).message})`);
    }
    if (!raw.pieces || !raw.annotations) throw new AppError('VALIDATION_FAILED', `VGMIDI ${rel}: expected top-level "pieces" and "annotations"`);
    const round = `r${fi + 1}`;
    for (const [k, p] of Object.entries(raw.pieces)) {
      const measures = Number(p.measures);
      const duration = Number(p.duration);
      if (!(measures > 0 && duration > 0)) continue;
      pieces.set(`${round}:${k}`, {
        key: `${round}:${k}`,
        name: p.name,
        midiPath: path.join(root, 'midi', p.midi),
        duration,
        measures,
        binSec: duration / measures,
      });
    }
    const groups = new Map<string, string[]>();
    for (const [k, a] of Object.entries(raw.annotations)) {
      const sig = personSignature(a);
      const g = groups.get(sig);
      if (g) g.push(k);
      else groups.set(sig, [k]);
    }
    for (const [sig, keys] of groups) {
      const pieceOf = (k: string): string => `${round}:${k.slice(0, k.lastIndexOf('_'))}`;
      const distinct = new Set(keys.map(pieceOf)).size === keys.length;
      const ok = keys.length <= 2 && distinct;
      if (ok && keys.length === 2) stats.pairs++;
      else if (ok) stats.singles++;
      else stats.ambiguousCurves += keys.length;
      for (const k of keys) {
        const a = raw.annotations[k];
        const pk = pieceOf(k);
        const piece = pieces.get(pk);
        if (!piece || !Array.isArray(a.valence) || !Array.isArray(a.arousal)) continue;
        const n = Math.min(a.valence.length, a.arousal.length, piece.measures);
        if (n === 0) continue;
        const person = ok ? `${round}:p${hash32(sig).toString(16)}` : `${round}:amb:${k}`;
        curves.push({
          id: `${round}:${k}`,
          pieceKey: pk,
          person,
          arousal: Float32Array.from(a.arousal.slice(0, n)),
          valence: Float32Array.from(a.valence.slice(0, n)),
          binSec: piece.binSec,
          musicianship: a.musicianship === undefined ? null : Number(a.musicianship),
        });
      }
    }
  });
  return { pieces, curves, people: stats };
}
