import { describe, expect, it } from 'vitest';
import { EMPTY_CURVE, mergeChunk, valueAt } from './player.svelte';

describe('curve streaming helpers', () => {
  it('merges chunks in order and out of order, leaving holes as NaN', () => {
    let c = mergeChunk(EMPTY_CURVE, { fromStep: 0, valence: [0.1, 0.2], arousal: [-0.1, -0.2], complete: false, totalSteps: 6 });
    expect(c.valence).toEqual([0.1, 0.2]);
    expect(c.status).toBe('analyzing');
    c = mergeChunk(c, { fromStep: 4, valence: [0.5, 0.6], arousal: [0.5, 0.6], complete: false, totalSteps: 6 });
    expect(c.valence.length).toBe(6);
    expect(Number.isNaN(c.valence[2])).toBe(true);
    c = mergeChunk(c, { fromStep: 2, valence: [0.3, 0.4], arousal: [0.3, 0.4], complete: true, totalSteps: 6 });
    expect(c.valence).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(c.complete).toBe(true);
    expect(c.status).toBe('complete');
  });

  it('valueAt picks the 0.5 s step containing t and null where nothing is predicted', () => {
    const c = mergeChunk(EMPTY_CURVE, { fromStep: 0, valence: [0.1, 0.2, Number.NaN], arousal: [0, 0.5, 0], complete: false, totalSteps: null });
    expect(valueAt(c, 0)).toEqual({ valence: 0.1, arousal: 0 });
    expect(valueAt(c, 0.75)).toEqual({ valence: 0.2, arousal: 0.5 });
    expect(valueAt(c, 1.2)).toBeNull();
    expect(valueAt(c, 99)).toBeNull();
    expect(valueAt(c, -1)).toBeNull();
  });
});
