import { describe, expect, it } from 'vitest';
import { accuracy, averageCurveMetrics, ccc, macroF1, parseQuadrant, pearson, quadrantMetrics, quadrantOf, rmse } from './metrics';

describe('curve metrics (hand-computed)', () => {
  // pred = [1,2,3], target = [2,2,5]
  // rmse = sqrt((1+0+4)/3) = sqrt(5/3)
  // means 2 and 3; dx = [-1,0,1], dy = [-1,-1,2]; sxy = 1+0+2 = 3; sxx = 2; syy = 1+1+4 = 6
  // pearson = 3 / sqrt(12) = 0.8660254
  // ccc = 2*(3/3) / (2/3 + 6/3 + 1) = 2 / (11/3) = 6/11
  const p = [1, 2, 3];
  const t = [2, 2, 5];
  it('rmse', () => expect(rmse(p, t)).toBeCloseTo(Math.sqrt(5 / 3), 10));
  it('pearson', () => expect(pearson(p, t)).toBeCloseTo(3 / Math.sqrt(12), 7));
  it('ccc', () => expect(ccc(p, t)).toBeCloseTo(6 / 11, 10));
  it('ccc penalises an offset that pearson ignores', () => {
    expect(pearson([1, 2, 3], [11, 12, 13])).toBeCloseTo(1, 6);
    // cov = 2/3, var = 2/3 each, (mean diff)^2 = 100 -> 2*(2/3)/(4/3 + 100)
    expect(ccc([1, 2, 3], [11, 12, 13])).toBeCloseTo((4 / 3) / (4 / 3 + 100), 10);
  });
  it('a flat prediction has pearson 0 (eps) rather than NaN', () => {
    expect(pearson([0.3, 0.3, 0.3], [1, 2, 3])).toBe(0);
  });
  it('rejects mismatched lengths', () => {
    expect(() => rmse([1], [1, 2])).toThrow(/equal lengths, got 1 and 2/);
  });
  it('averages per song', () => {
    const m = averageCurveMetrics([
      { rmse: 1, pearson: 0.5, ccc: 0.2 },
      { rmse: 3, pearson: -0.5, ccc: 0.4 },
    ]);
    expect(m).toEqual({ rmse: 2, pearson: 0, ccc: expect.closeTo(0.3, 10), songs: 2 });
  });
});

describe('classification metrics (hand-computed)', () => {
  it('quadrant mapping follows Russell: Q1 +V+A, Q2 -V+A, Q3 -V-A, Q4 +V-A', () => {
    expect(quadrantOf(0.5, 0.5)).toBe(1);
    expect(quadrantOf(-0.5, 0.5)).toBe(2);
    expect(quadrantOf(-0.5, -0.5)).toBe(3);
    expect(quadrantOf(0.5, -0.5)).toBe(4);
    expect(parseQuadrant('Q3')).toBe(3);
    expect(() => parseQuadrant('Q5')).toThrow(/Q1..Q4, got "Q5"/);
  });
  it('accuracy and macro-F1', () => {
    const truth = [1, 1, 2, 2, 3, 4];
    const pred = [1, 2, 2, 2, 3, 3];
    expect(accuracy(pred, truth)).toBeCloseTo(4 / 6, 10);
    // class1: tp1 fp0 fn1 -> 2/3; class2: tp2 fp1 fn0 -> 4/5; class3: tp1 fp1 fn0 -> 2/3; class4: tp0 fn1 -> 0
    expect(macroF1(pred, truth, [1, 2, 3, 4])).toBeCloseTo((2 / 3 + 4 / 5 + 2 / 3 + 0) / 4, 10);
  });
  it('quadrantMetrics on clip means', () => {
    const m = quadrantMetrics(
      [
        { valence: 0.2, arousal: 0.3 }, // Q1 (true Q1)
        { valence: 0.2, arousal: -0.3 }, // Q4 (true Q1): V right, A wrong
        { valence: -0.2, arousal: -0.3 }, // Q3 (true Q3)
        { valence: -0.1, arousal: 0.4 }, // Q2 (true Q4): both wrong
      ],
      [1, 1, 3, 4],
    );
    expect(m.accuracy).toBeCloseTo(0.5, 10);
    expect(m.valenceSignAccuracy).toBeCloseTo(0.75, 10);
    expect(m.arousalSignAccuracy).toBeCloseTo(0.5, 10);
    expect(m.confusion[0]).toEqual([1, 0, 0, 1]);
    // F1: Q1 tp1 fn1 -> 2/3; Q2 fp1 -> 0; Q3 tp1 -> 1; Q4 fn1 fp1 -> 0
    expect(m.macroF1).toBeCloseTo((2 / 3 + 0 + 1 + 0) / 4, 10);
  });
});
