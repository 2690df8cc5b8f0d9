/**
 * Stimulus orders for study mode: fixed, randomised with a seed (per participant), or
 * counterbalanced with a balanced Latin square (Williams 1949: every stimulus appears once in
 * every position and follows every other stimulus equally often; for an odd number of stimuli
 * the square is doubled with its mirror image, 2n rows).
 */
import { hashSeed, mulberry32 } from './rng';

export type OrderMode = 'fixed' | 'random' | 'latin';

/** Fisher-Yates shuffle with a deterministic seed. @returns a new array */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Balanced Latin square (Williams design) over indices 0..n-1.
 * @returns n rows for even n, 2n rows for odd n; each row is a permutation
 */
export function balancedLatinSquare(n: number): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Expected a positive integer number of stimuli, got ${n}`);
  // First row: 0, 1, n-1, 2, n-2, ...
  const first: number[] = [];
  for (let i = 0, lo = 1, hi = n - 1; i < n; i++) {
    if (i === 0) first.push(0);
    else if (i % 2 === 1) first.push(lo++);
    else first.push(hi--);
  }
  const rows = Array.from({ length: n }, (_, r) => first.map((x) => (x + r) % n));
  if (n % 2 === 1) for (let r = 0; r < n; r++) rows.push(rows[r].slice().reverse());
  return rows;
}

/**
 * The order participant `participantIndex` (0-based, in enrolment order) sees.
 * @param seed study seed; random orders also mix in the participant id so re-enrolling one
 *   participant reproduces their order
 */
export function participantOrder<T>(items: readonly T[], mode: OrderMode, opts: { seed: number; participantId: string; participantIndex: number }): T[] {
  if (mode === 'fixed' || items.length <= 1) return items.slice();
  if (mode === 'random') return seededShuffle(items, (opts.seed ^ hashSeed(opts.participantId)) >>> 0);
  const square = balancedLatinSquare(items.length);
  const row = square[((opts.participantIndex % square.length) + square.length) % square.length];
  return row.map((i) => items[i]);
}
