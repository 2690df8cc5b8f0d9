import { describe, expect, it } from 'vitest';
import { binCount, binSamples } from './binning';
import { checkCompleteness } from './completeness';

const s = (t: number, valence: number, arousal = 0, buttons = 0) => ({ t, valence, arousal, buttons });

describe('binSamples (DEAM 2 Hz: mean per 0.5 s bin)', () => {
  it('averages the samples of each half-open bin [k/2, (k+1)/2)', () => {
    const b = binSamples([s(0, 0.2, -0.2), s(0.25, 0.4, -0.4), s(0.5, 1, 0.5), s(0.9, 0, 0.5), s(1.0, -1, -1)], { durationSec: 1.5 });
    expect(b.binSec).toBe(0.5);
    expect(b.valence).toEqual([expect.closeTo(0.3, 15), 0.5, -1]);
    expect(b.arousal).toEqual([expect.closeTo(-0.3, 15), 0.5, -1]);
    expect(b.counts).toEqual([2, 2, 1]);
  });

  it('leaves empty bins null (no interpolation) and ORs buttons per bin', () => {
    const b = binSamples([s(0.1, 0.5, 0, 1), s(0.2, 0.5, 0, 0), s(1.6, -0.5, 0, 2)], { durationSec: 2 });
    expect(b.valence).toEqual([0.5, null, null, -0.5]);
    expect(b.buttons).toEqual([1, 0, 0, 2]);
  });

  it('drops pre-roll (t < 0) and samples past the last bin of a known duration; last bin may be partial', () => {
    const b = binSamples([s(-0.1, 1), s(10.1, 0.5), s(10.2, 0.7), s(10.6, -1)], { durationSec: 10.2 });
    expect(b.valence.length).toBe(21); // ceil(10.2 / 0.5)
    expect(b.valence[20]).toBeCloseTo(0.6, 15);
    expect(b.valence[0]).toBeNull();
  });

  it('without a duration, runs to the bin of the last sample', () => {
    expect(binSamples([s(0.1, 0), s(2.49, 0)]).valence.length).toBe(5);
    expect(binSamples([]).valence.length).toBe(0);
  });

  it('counts bins tolerantly at exact multiples', () => {
    expect(binCount(10)).toBe(20);
    expect(binCount(10.0000000001)).toBe(20);
    expect(binCount(10.01)).toBe(21);
  });

  it('30 Hz samples over 4 s give 15 samples per bin', () => {
    const xs = Array.from({ length: 120 }, (_, i) => s(i / 30, Math.sin(i / 10)));
    const b = binSamples(xs, { durationSec: 4 });
    expect(b.counts).toEqual(new Array(8).fill(15));
  });
});

describe('checkCompleteness', () => {
  const run = (from: number, to: number, hz = 30) => Array.from({ length: Math.round((to - from) * hz) + 1 }, (_, i) => from + i / hz);

  it('a full trace is ok', () => {
    const c = checkCompleteness(run(0.1, 29.5), { durationSec: 30 });
    expect(c).toMatchObject({ lateStart: false, gaps: [], earlyStop: false, ok: true });
  });

  it('flags a late start (> 2 s), gaps (> 1 s) and an early stop (> 2 s before the end)', () => {
    const c = checkCompleteness([...run(2.5, 10), ...run(11.2, 20)], { durationSec: 30 });
    expect(c.lateStart).toBe(true);
    expect(c.gaps).toEqual([{ from: 10, to: 11.2 }]);
    expect(c.earlyStop).toBe(true);
    expect(c.ok).toBe(false);
  });

  it('thresholds are strict: exactly 2 s late / 1 s gap is not flagged', () => {
    const c = checkCompleteness([2, 3, 4], { durationSec: 6 });
    expect(c).toMatchObject({ lateStart: false, gaps: [], earlyStop: false });
  });

  it('unknown duration: earlyStop is null; no samples: not ok', () => {
    expect(checkCompleteness([0, 0.5]).earlyStop).toBeNull();
    expect(checkCompleteness([]).ok).toBe(false);
  });
});
