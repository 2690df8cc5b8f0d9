/**
 * Plain data records produced by the dataset loaders (no tensors, no audio decoding). Each loader
 * reads one dataset's official layout from a directory given on the command line.
 */
import type { Quadrant } from '../metrics';

/** Which split an item belongs to. */
export type Split = 'train' | 'val' | 'test';

/** A 2 Hz curve (DEAM/PMEmo): values per 0.5 s step starting at `startSec` of the audio. */
export interface DynamicSong {
  dataset: 'deam' | 'pmemo';
  id: string;
  /** audio file path if present on disk, else null (label-only downloads) */
  audioPath: string | null;
  startSec: number;
  stepSec: number;
  arousal: Float32Array;
  valence: Float32Array;
  split: Split;
}

/** One rater's 2 Hz curve of one song (DEAM per-rater files). */
export interface RaterCurve {
  dataset: 'deam';
  songId: string;
  person: string;
  startSec: number;
  stepSec: number;
  arousal: Float32Array;
  valence: Float32Array;
}

/** A clip with a quadrant label (4Q audio, EMOPIA MIDI). */
export interface QuadrantClip {
  dataset: 'fourq' | 'emopia';
  id: string;
  /** audio (4Q) or MIDI (EMOPIA) path */
  path: string;
  kind: 'audio' | 'midi';
  quadrant: Quadrant;
  split: Split;
  /** grouping key that must not straddle splits (artist for 4Q, YouTube song id for EMOPIA) */
  group: string;
}

/** A VGMIDI piece (MIDI + metadata). Keys are unique across the two raw files (`r1:piece0`). */
export interface VgmidiPiece {
  key: string;
  name: string;
  midiPath: string;
  duration: number;
  measures: number;
  /** seconds per label bin (duration / measures) */
  binSec: number;
}

/** One person's binned curve on one VGMIDI piece. */
export interface VgmidiCurve {
  /** annotation key made unique (`r1:piece0_3`) */
  id: string;
  pieceKey: string;
  /** reconstructed participant id (see vgmidi.ts) */
  person: string;
  arousal: Float32Array;
  valence: Float32Array;
  binSec: number;
  musicianship: number | null;
}
