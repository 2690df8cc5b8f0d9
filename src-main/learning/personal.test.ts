import { describe, expect, it } from 'vitest';
import type { VgmidiCurve } from './datasets/types';
import { ceilingMethods, consensusCurves, personalCases, scorePersonal, type PieceBodies } from './personal';
import type { Pool } from './pool';

const BIN_SEC = 2; // 4 steps of 0.5 s per bin
const BINS = 30; // 60 s pieces

function shape(piece: number, b: number): [number, number] {
  return [0.5 * Math.sin((b + piece) / 4), 0.4 * Math.cos((b - piece) / 5)];
}

function curve(person: string, piece: number, offset: [number, number], bins = BINS): VgmidiCurve {
  const a = new Float32Array(bins);
  const v = new Float32Array(bins);
  for (let b = 0; b < bins; b++) {
    const [sa, sv] = shape(piece, b);
    a[b] = sa + offset[0];
    v[b] = sv + offset[1];
  }
  return { id: `${person}:piece${piece}`, pieceKey: `piece${piece}`, person, arousal: a, valence: v, binSec: BIN_SEC, musicianship: null };
}

function fixture(): { pool: Pool; bodies: PieceBodies } {
  const curves = [
    curve('train-a', 0, [0.1, -0.2]),
    curve('train-b', 0, [-0.1, 0.2]),
    curve('train-a', 1, [0.2, 0.1]),
    curve('train-b', 1, [-0.2, -0.1]),
    curve('test-x', 0, [0.3, -0.25]),
    curve('test-x', 1, [-0.3, 0.15]),
  ];
  const steps = (BINS * BIN_SEC) / 0.5;
  const body = { data: Float32Array.from({ length: steps * 3 }, (_, i) => i), steps, dim: 3 };
  const pool = {
    curves,
    peopleSplit: new Map([
      ['train-a', 'train'],
      ['train-b', 'train'],
      ['test-x', 'test'],
    ]),
    trainMean: { arousal: 0, valence: 0 },
  } as unknown as Pool;
  return { pool, bodies: new Map([['piece0', body], ['piece1', body]]) };
}

describe('personal evaluation cases and oracle ceilings', () => {
  it('builds first-K and cross-piece cases with the bins and pieces they cover', () => {
    const { pool, bodies } = fixture();
    const cases = personalCases(pool, bodies, 'test', 30);
    const firstK = cases.filter((c) => c.protocol === 'first-k');
    const cross = cases.filter((c) => c.protocol === 'cross-piece');
    expect(firstK).toHaveLength(2);
    expect(cross).toHaveLength(2);
    expect(firstK[0].support.bins).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(firstK[0].query.bins).toEqual(Array.from({ length: 15 }, (_, i) => 15 + i));
    expect(firstK[0].support.steps).toBe(60);
    expect(cross[0].pieces).toEqual(['piece0', 'piece1']);
    expect(cross[1].pieces).toEqual(['piece1', 'piece0']);
    expect(personalCases(pool, bodies, 'train', 30).every((c) => c.person.startsWith('train'))).toBe(true);
  });

  it('averages ragged curves per bin into a consensus', () => {
    const con = consensusCurves([curve('a', 0, [0.2, 0], 10), curve('b', 0, [0, 0.2], 6)]).get('piece0')!;
    expect(con.arousal).toHaveLength(10);
    expect(Array.from(con.n)).toEqual([2, 2, 2, 2, 2, 2, 1, 1, 1, 1]);
    expect(con.arousal[3]).toBeCloseTo(shape(0, 3)[0] + 0.1, 5);
    expect(con.valence[8]).toBeCloseTo(shape(0, 8)[1], 5);
  });

  it('scores the oracle ceilings: exact for a person who is the consensus plus an offset', () => {
    const { pool, bodies } = fixture();
    const cases = personalCases(pool, bodies, 'test', 30);
    const train = pool.curves.filter((c) => pool.peopleSplit.get(c.person) === 'train');
    const rows = scorePersonal(ceilingMethods(consensusCurves(train), pool.trainMean), cases);
    const get = (protocol: string, prefix: string) => rows.find((r) => r.protocol === protocol && r.method.startsWith(prefix))!;
    // the consensus alone misses by the person's offset (A 0.3 on both pieces; V 0.25 and 0.15)
    expect(get('first-k', 'ceiling: consensus of').rmseA).toBeCloseTo(0.3, 4);
    expect(get('first-k', 'ceiling: consensus of').rmseV).toBeCloseTo(0.2, 4);
    expect(get('first-k', 'ceiling: consensus + person offset').rmse).toBeCloseTo(0, 5);
    expect(get('first-k', 'ceiling: last support value').rmse).toBeCloseTo(0, 5);
    // across pieces the person's offset changes sign, so carrying it over doubles the error
    expect(get('cross-piece', 'ceiling: consensus + person offset').rmseA).toBeCloseTo(0.6, 4);
    expect(get('cross-piece', 'ceiling: consensus of').rmseA).toBeCloseTo(0.3, 4);
  });
});
