/**
 * The circumplex labels used by the V/A plane and the mood map: Russell's (1980) eight affect
 * concepts at 45° steps around the valence/arousal plane ("A circumplex model of affect",
 * J. Pers. Soc. Psychol. 39(6)), with everyday words: pleasure -> pleased, excitement ->
 * excited, arousal -> alert, distress -> stressed, misery -> sad, depression -> depressed,
 * sleepiness -> calm, contentment -> relaxed. Angles are counter-clockwise from +valence.
 * Anger sits between "alert" and "stressed" in Russell's data; we keep his eight.
 */
export interface Octant {
  label: string;
  /** Degrees counter-clockwise from +valence. */
  angle: number;
}

export const OCTANTS: readonly Octant[] = [
  { label: 'pleased', angle: 0 },
  { label: 'excited', angle: 45 },
  { label: 'alert', angle: 90 },
  { label: 'stressed', angle: 135 },
  { label: 'sad', angle: 180 },
  { label: 'depressed', angle: 225 },
  { label: 'calm', angle: 270 },
  { label: 'relaxed', angle: 315 },
];

/** Points closer than this to the centre are "neutral". */
export const NEUTRAL_RADIUS = 0.1;

/** @returns the octant label nearest to the point's angle, or 'neutral' near the centre */
export function octantOf(valence: number, arousal: number): string {
  if (Math.hypot(valence, arousal) < NEUTRAL_RADIUS) return 'neutral';
  const deg = ((Math.atan2(arousal, valence) * 180) / Math.PI + 360) % 360;
  return OCTANTS[Math.round(deg / 45) % 8].label;
}

/** Russell quadrant names, matching the map's quadrant numbering 1..4 (see contract/mood.ts). */
export const QUADRANT_NAMES: Record<1 | 2 | 3 | 4, string> = {
  1: 'happy / excited (V+ A+)',
  2: 'angry / stressed (V− A+)',
  3: 'sad / depressed (V− A−)',
  4: 'calm / relaxed (V+ A−)',
};
