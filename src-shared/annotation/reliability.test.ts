import { describe, expect, it } from 'vitest';
import { ccc, icc, krippendorffAlphaInterval, meanPairwiseCcc, reliability, toRatings } from './reliability';

/*
 * Hand-computed example: n = 4 bins (rows) x k = 3 raters (A, B, C).
 *        A  B  C   row mean
 *   r1   1  2  3   2
 *   r2   2  4  3   3
 *   r3   4  5  6   5
 *   r4   5  5  8   6
 * col mean 3  4  5, grand mean 4.
 * SSR = k * sum (row mean - 4)^2 = 3 * (4 + 1 + 1 + 4) = 30       MSR = 30 / 3 = 10
 * SSC = n * sum (col mean - 4)^2 = 4 * (1 + 0 + 1) = 8            MSC = 8 / 2 = 4
 * SST = sum (x - 4)^2 = 14 + 5 + 5 + 18 = 42
 * SSE = 42 - 30 - 8 = 4                                             MSE = 4 / (3 * 2) = 2/3
 * ICC(C,1) = (10 - 2/3) / (10 + 2 * 2/3) = (28/3) / (34/3) = 14/17
 * ICC(A,1) = (28/3) / (34/3 + (3/4)(4 - 2/3)) = (28/3) / (83/6) = 56/83
 * Krippendorff interval, N = 12 values:
 *   Do = (1/N) sum_u (1/(m-1)) sum_{i != j} (vi - vj)^2: per row the unordered pair sums are
 *   6, 6, 6, 18 -> ordered x2, / (m-1 = 2) -> 6, 6, 6, 18 -> Do = 36 / 12 = 3
 *   De = (2 N sum v^2 - 2 (sum v)^2) / (N (N-1)) = (2*12*234 - 2*48^2) / 132 = 1008/132 = 84/11
 *   alpha = 1 - 3 / (84/11) = 1 - 33/84 = 17/28
 * CCC (population moments): means 3, 4, 5; variances 2.5, 1.5, 4.5; covariances AB 1.75, AC 3.25, BC 2
 *   AB = 3.5 / (2.5 + 1.5 + 1) = 0.7; AC = 6.5 / (2.5 + 4.5 + 4) = 13/22; BC = 4 / (1.5 + 4.5 + 1) = 4/7
 *   mean = (7/10 + 13/22 + 4/7) / 3 = 239/385
 */
const HAND = [
  [1, 2, 3],
  [2, 4, 3],
  [4, 5, 6],
  [5, 5, 8],
];

describe('reliability against the hand-computed example', () => {
  it('ICC(A,1) = 56/83 and ICC(C,1) = 14/17', () => {
    const r = icc(HAND);
    expect(r.n).toBe(4);
    expect(r.k).toBe(3);
    expect(r.consistency).toBeCloseTo(14 / 17, 12);
    expect(r.agreement).toBeCloseTo(56 / 83, 12);
  });

  it("Krippendorff's alpha (interval) = 17/28", () => {
    expect(krippendorffAlphaInterval(HAND)).toBeCloseTo(17 / 28, 12);
  });

  it('pairwise CCC 0.7, 13/22, 4/7 and their mean 239/385', () => {
    const m = meanPairwiseCcc(HAND);
    expect(m.pairs.map((p) => p.ccc)).toEqual([expect.closeTo(0.7, 12), expect.closeTo(13 / 22, 12), expect.closeTo(4 / 7, 12)]);
    expect(m.mean).toBeCloseTo(239 / 385, 12);
  });

  it('is invariant to the affine rescaling used in the e2e example (x / 10)', () => {
    const scaled = HAND.map((r) => r.map((x) => x / 10));
    const r = reliability(scaled);
    expect(r.iccAgreement).toBeCloseTo(56 / 83, 10);
    expect(r.iccConsistency).toBeCloseTo(14 / 17, 10);
    expect(r.alpha).toBeCloseTo(17 / 28, 10);
    expect(r.meanCcc).toBeCloseTo(239 / 385, 10);
  });
});

describe('edge cases', () => {
  it('perfect agreement gives 1 everywhere', () => {
    const same = [[0.1, 0.1], [0.5, 0.5], [-0.3, -0.3]];
    const r = reliability(same);
    expect(r.iccAgreement).toBeCloseTo(1, 12);
    expect(r.iccConsistency).toBeCloseTo(1, 12);
    expect(r.alpha).toBeCloseTo(1, 12);
    expect(r.meanCcc).toBeCloseTo(1, 12);
  });

  it('a constant offset lowers agreement but not consistency', () => {
    const off = [[0, 0.2], [0.5, 0.7], [-0.3, -0.1], [0.1, 0.3]];
    const r = icc(off);
    expect(r.consistency).toBeCloseTo(1, 12);
    expect(r.agreement!).toBeLessThan(0.95);
  });

  it('no variance or too little data yields null, never NaN', () => {
    expect(icc([[1, 1], [1, 1]]).agreement).toBeNull();
    expect(icc([[1, 2]]).agreement).toBeNull();
    expect(krippendorffAlphaInterval([[1, 1], [1, 1]])).toBeNull();
    expect(ccc([1, 1, 1], [1, 1, 1]).value).toBeNull();
    expect(reliability([]).meanCcc).toBeNull();
  });

  it('ICC uses complete cases; alpha uses every pairable value', () => {
    const withGap = [...HAND, [null, 3, 9]];
    expect(icc(withGap).n).toBe(4);
    expect(icc(withGap).consistency).toBeCloseTo(14 / 17, 12);
    // Adding a unit with values (3, 9) changes alpha (it is pairable) ...
    expect(krippendorffAlphaInterval(withGap)).not.toBeCloseTo(17 / 28, 3);
    // ... but a unit with a single value does not (it is not pairable).
    expect(krippendorffAlphaInterval([...HAND, [null, null, 9]])).toBeCloseTo(17 / 28, 12);
  });

  it('lag tolerance finds a rater one bin late', () => {
    const x = [0, 1, 0, -1, 0, 1, 0, -1, 0, 1];
    const y = [null, ...x.slice(0, -1)]; // y[i] = x[i - 1]
    const strict = meanPairwiseCcc(toRatings([x, y]), 0);
    const tolerant = meanPairwiseCcc(toRatings([x, y]), 2);
    expect(strict.mean!).toBeLessThan(0.2);
    expect(tolerant.mean).toBeCloseTo(1, 12);
    expect(tolerant.pairs[0].lag).toBe(1);
  });

  it('toRatings pads shorter raters with null', () => {
    expect(toRatings([[1, 2, 3], [4]])).toEqual([[1, 4], [2, null], [3, null]]);
  });
});
