import { describe, expect, it } from 'vitest';
import { OCTANTS, octantOf } from './circumplex';

describe('octantOf', () => {
  it('names each octant at its own angle and the centre neutral', () => {
    for (const o of OCTANTS) {
      const r = (o.angle * Math.PI) / 180;
      expect(octantOf(0.8 * Math.cos(r), 0.8 * Math.sin(r))).toBe(o.label);
    }
    expect(octantOf(0.05, -0.05)).toBe('neutral');
    expect(octantOf(0.9, 0.2)).toBe('pleased');
    expect(octantOf(-0.5, -0.6)).toBe('depressed');
  });
});
