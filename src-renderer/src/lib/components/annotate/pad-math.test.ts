import { describe, expect, it } from 'vitest';
import { LABEL_PRESETS, octantOf, pointerToPad, stepPoint, stickToPad, valueText } from './pad-math';

describe('pad math', () => {
  it('keyboard: arrows and WASD step 0.05, Shift 0.01, clamped to the square', () => {
    expect(stepPoint({ v: 0, a: 0 }, 'ArrowRight', false)).toEqual({ v: 0.05, a: 0 });
    expect(stepPoint({ v: 0, a: 0 }, 'KeyW', true)).toEqual({ v: 0, a: 0.01 });
    expect(stepPoint({ v: 0.98, a: -0.99 }, 'KeyD', false)).toEqual({ v: 1, a: -0.99 });
    expect(stepPoint({ v: 0, a: -0.98 }, 'ArrowDown', false)).toEqual({ v: 0, a: -1 });
    expect(stepPoint({ v: 0, a: 0 }, 'KeyQ', false)).toBeNull();
    let p = { v: 0, a: 0 };
    for (let i = 0; i < 7; i++) p = stepPoint(p, 'ArrowLeft', false)!;
    expect(p.v).toBe(-0.35);
  });

  it('gamepad: disc edge reaches the square corners; dead zone; y inverted', () => {
    const c = stickToPad(Math.SQRT1_2, -Math.SQRT1_2);
    expect(c.v).toBeCloseTo(1, 6);
    expect(c.a).toBeCloseTo(1, 6);
    expect(stickToPad(1, 0)).toEqual({ v: 1, a: expect.closeTo(0, 12) });
    expect(stickToPad(0, 1).a).toBeCloseTo(-1, 12);
    expect(stickToPad(0.05, 0.03)).toEqual({ v: 0, a: 0 });
    const mid = stickToPad(0.5, 0);
    expect(mid.v).toBeCloseTo(0.5, 6);
    // Overshooting hardware (|r| > 1) is normalised.
    const o = stickToPad(1, -1);
    expect(o.v).toBeCloseTo(1, 6);
    expect(o.a).toBeCloseTo(1, 6);
  });

  it('pointer: corners of the rect are the corners of the pad', () => {
    const r = { left: 10, top: 20, width: 200, height: 100 };
    expect(pointerToPad(10, 20, r)).toEqual({ v: -1, a: 1 });
    expect(pointerToPad(210, 120, r)).toEqual({ v: 1, a: -1 });
    expect(pointerToPad(110, 70, r)).toEqual({ v: 0, a: 0 });
    expect(pointerToPad(500, 500, r)).toEqual({ v: 1, a: -1 });
  });

  it('announces numbers and the octant word', () => {
    const aff = LABEL_PRESETS[0];
    expect(octantOf({ v: 0.5, a: 0.5 })).toBe(1);
    expect(octantOf({ v: -0.5, a: -0.01 })).toBe(4);
    expect(valueText({ v: 0.5, a: 0.5 }, aff)).toBe('Valence +0.50, arousal +0.50 (Excited)');
    expect(valueText({ v: 0, a: 0 }, aff)).toBe('Valence +0.00, arousal +0.00 (neutral)');
    expect(valueText({ v: -0.25, a: -0.6 }, LABEL_PRESETS[2])).toBe('Valence −0.25, arousal −0.60');
  });
});
