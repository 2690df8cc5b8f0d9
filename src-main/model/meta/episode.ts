/**
 * Task (episode) construction for personalized meta-learning. Pure TS, no tensors.
 *
 * Annotator tasks (DSAML, /work/shared/DSAML.md): a task is one person; its support set is 1 of
 * their items (song/clip with their own curve) and the query set is other items of the SAME person.
 * The reference drops annotators with <= 15 songs; VGMIDI gives every participant exactly 2 pieces,
 * so the minimum here is a parameter (default 2: 1 support + 1 query). People whose curves are
 * nearly flat (mean |x - mean| < 0.01 on both dimensions, reference threshold) are dropped.
 *
 * Random tasks (the paper's "without annotator tasks" ablation): support and query are drawn at
 * random from the whole pool, ignoring who annotated them.
 */

import { mulberry32 } from '../../../src-shared/random';

/** One annotated item of one person. `curves` are only used to detect flat annotators. */
export interface PersonalItem {
  person: string;
  id: string;
  arousal: ArrayLike<number>;
  valence: ArrayLike<number>;
}

/** A task: support and query items (same person for annotator tasks). */
export interface Task<I> {
  person: string;
  support: I[];
  query: I[];
}

/** Reference flatness threshold on mean |x - mean|. */
export const FLAT_THRESHOLD = 0.01;

/** Mean absolute deviation from the mean. */
export function meanAbsDeviation(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= x.length;
  let d = 0;
  for (let i = 0; i < x.length; i++) d += Math.abs(x[i] - m);
  return d / x.length;
}

/** True when both dimensions of every item of a person are nearly flat. */
export function isFlatPerson(items: PersonalItem[], threshold = FLAT_THRESHOLD): boolean {
  return items.every((it) => meanAbsDeviation(it.arousal) < threshold && meanAbsDeviation(it.valence) < threshold);
}

/** Groups items by person. */
export function groupByPerson<I extends { person: string }>(items: I[]): Map<string, I[]> {
  const m = new Map<string, I[]>();
  for (const it of items) {
    const g = m.get(it.person);
    if (g) g.push(it);
    else m.set(it.person, [it]);
  }
  return m;
}

/** Filter options for eligible annotators. */
export interface EligibleOptions {
  /** keep people with at least this many items (default 2) */
  minItems?: number;
  flatThreshold?: number;
}

/** People usable for annotator tasks, with the reason counts of those dropped. */
export function eligiblePeople<I extends PersonalItem>(
  items: I[],
  opts: EligibleOptions = {},
): { people: Map<string, I[]>; dropped: { tooFew: number; flat: number } } {
  const minItems = opts.minItems ?? 2;
  const people = new Map<string, I[]>();
  const dropped = { tooFew: 0, flat: 0 };
  for (const [p, its] of groupByPerson(items)) {
    if (its.length < minItems) dropped.tooFew++;
    else if (isFlatPerson(its, opts.flatThreshold)) dropped.flat++;
    else people.set(p, its);
  }
  return { people, dropped };
}

/** A seeded uniform generator in [0, 1) (mulberry32, src-shared/random.ts). */
export { mulberry32 };

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Sampling options for a meta-batch. */
export interface SampleOptions {
  /** support items per task (default 1) */
  support?: number;
  /** query items per task (default: all the person's other items, at most 15 as in the reference) */
  query?: number;
}

/**
 * Samples `n` annotator tasks from distinct people (with replacement across meta-batches).
 * Each task: `support` of the person's items and up to `query` of their OTHER items.
 */
export function sampleAnnotatorTasks<I extends { person: string }>(
  people: Map<string, I[]>,
  n: number,
  rand: () => number,
  opts: SampleOptions = {},
): Task<I>[] {
  const ns = opts.support ?? 1;
  const nq = opts.query ?? 15;
  const names = shuffled([...people.keys()], rand).slice(0, n);
  return names.map((person) => {
    const its = shuffled(people.get(person)!, rand);
    return { person, support: its.slice(0, ns), query: its.slice(ns, ns + nq) };
  });
}

/**
 * The ablation: `n` tasks whose support and query items are drawn at random from the whole pool
 * (any annotators). Same sizes as the annotator tasks so the two differ only in who annotated.
 */
export function sampleRandomTasks<I extends { person: string }>(
  people: Map<string, I[]>,
  n: number,
  rand: () => number,
  opts: SampleOptions = {},
): Task<I>[] {
  const ns = opts.support ?? 1;
  const nqMax = opts.query ?? 15;
  const pool = [...people.values()].flat();
  const sizes = sampleAnnotatorTasks(people, n, rand, opts).map((t) => Math.min(nqMax, t.query.length));
  return sizes.map((nq) => {
    const pick = shuffled(pool, rand).slice(0, ns + nq);
    return { person: '(random)', support: pick.slice(0, ns), query: pick.slice(ns) };
  });
}

/**
 * Splits people into disjoint train/validation/test sets, deterministically from a seed
 * (people are never shared between sets, so personal evaluation is on unseen people).
 */
export function splitPeople(people: string[], fractions: { val: number; test: number }, seed: number): { train: string[]; val: string[]; test: string[] } {
  const s = shuffled([...people].sort(), mulberry32(seed));
  const nTest = Math.round(s.length * fractions.test);
  const nVal = Math.round(s.length * fractions.val);
  return { test: s.slice(0, nTest), val: s.slice(nTest, nTest + nVal), train: s.slice(nTest + nVal) };
}
