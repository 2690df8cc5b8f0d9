import { describe, expect, it } from 'vitest';
import { balancedLatinSquare, participantOrder, seededShuffle } from './study-order';

function checkWilliams(rows: number[][], n: number) {
  // Each row a permutation; each stimulus once per position; each ordered pair (a then b) equally often.
  for (const r of rows) expect([...r].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
  for (let pos = 0; pos < n; pos++) {
    const col = rows.map((r) => r[pos]);
    const counts = new Array(n).fill(0);
    for (const x of col) counts[x]++;
    expect(new Set(counts).size).toBe(1);
  }
  const follow = new Map<string, number>();
  for (const r of rows) for (let i = 1; i < n; i++) follow.set(`${r[i - 1]}>${r[i]}`, (follow.get(`${r[i - 1]}>${r[i]}`) ?? 0) + 1);
  expect(follow.size).toBe(n * (n - 1));
  expect(new Set(follow.values()).size).toBe(1);
}

describe('study orders', () => {
  it('balanced Latin square for even n: n rows, carry-over balanced', () => {
    const sq = balancedLatinSquare(4);
    expect(sq).toEqual([
      [0, 1, 3, 2],
      [1, 2, 0, 3],
      [2, 3, 1, 0],
      [3, 0, 2, 1],
    ]);
    checkWilliams(sq, 4);
    checkWilliams(balancedLatinSquare(6), 6);
  });

  it('odd n: 2n rows (square + mirror), carry-over balanced', () => {
    const sq = balancedLatinSquare(5);
    expect(sq.length).toBe(10);
    checkWilliams(sq, 5);
  });

  it('seeded shuffle is a reproducible permutation that depends on the seed', () => {
    const items = [...Array(10).keys()];
    const a = seededShuffle(items, 42);
    expect(seededShuffle(items, 42)).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(seededShuffle(items, 43)).not.toEqual(a);
    expect(items).toEqual([...Array(10).keys()]);
  });

  it('participantOrder: fixed keeps order, latin cycles rows, random differs per participant', () => {
    const items = ['a', 'b', 'c', 'd'];
    expect(participantOrder(items, 'fixed', { seed: 1, participantId: 'P1', participantIndex: 0 })).toEqual(items);
    expect(participantOrder(items, 'latin', { seed: 1, participantId: 'P2', participantIndex: 1 })).toEqual(['b', 'c', 'a', 'd']);
    expect(participantOrder(items, 'latin', { seed: 1, participantId: 'P5', participantIndex: 4 })).toEqual(['a', 'b', 'd', 'c']); // row 4 mod 4 = row 0
    const r1 = participantOrder(items, 'random', { seed: 7, participantId: 'P1', participantIndex: 0 });
    expect(participantOrder(items, 'random', { seed: 7, participantId: 'P1', participantIndex: 9 })).toEqual(r1);
    const all = ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => participantOrder(items, 'random', { seed: 7, participantId: p, participantIndex: 0 }).join(''));
    expect(new Set(all).size).toBeGreaterThan(1);
  });
});
