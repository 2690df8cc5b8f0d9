import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, punchIn, punchOut, redo, resolveLayers, undo } from './layers';
import type { PunchLayer } from './types';

const base = Array.from({ length: 11 }, (_, i) => ({ t: i, layer: 0, v: 0 }));
const take = (layer: number, from: number, to: number, v: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ t: from + i, layer, v }));
const values = (xs: { t: number; v: number }[]) => xs.map((x) => `${x.t}:${x.v}`).join(' ');

describe('punch-in layers', () => {
  it('a punch-in replaces its range; undo restores the original; redo brings it back', () => {
    let h: PunchLayer[] = [];
    const p = punchIn(h, 3);
    expect(p.layer).toBe(1);
    h = punchOut(p.layers, 1, 5);
    const all = [...base, ...take(1, 3, 5, 1)];
    expect(values(resolveLayers(all, h))).toBe('0:0 1:0 2:0 3:1 4:1 5:1 6:0 7:0 8:0 9:0 10:0');
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(values(resolveLayers(all, h))).toBe(values(base));
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(values(resolveLayers(all, h))).toBe('0:0 1:0 2:0 3:1 4:1 5:1 6:0 7:0 8:0 9:0 10:0');
  });

  it('newer layers win where they overlap older ones', () => {
    let h = punchOut(punchIn([], 2).layers, 1, 6);
    const p2 = punchIn(h, 5);
    h = punchOut(p2.layers, 2, 8);
    const all = [...base, ...take(1, 2, 6, 1), ...take(2, 5, 8, 2)];
    expect(values(resolveLayers(all, h))).toBe('0:0 1:0 2:1 3:1 4:1 5:2 6:2 7:2 8:2 9:0 10:0');
    h = undo(h);
    expect(values(resolveLayers(all, h))).toBe('0:0 1:0 2:1 3:1 4:1 5:1 6:1 7:0 8:0 9:0 10:0');
  });

  it('a new punch-in after undo abandons the redo branch but keeps its record', () => {
    let h = punchOut(punchIn([], 2).layers, 1, 4);
    h = undo(h);
    const p = punchIn(h, 6);
    expect(p.layer).toBe(2);
    expect(p.layers.find((l) => l.layer === 1)!.state).toBe('abandoned');
    expect(canRedo(p.layers)).toBe(false);
  });

  it('an unfinished punch-in (crash) covers up to its last sample', () => {
    const h = punchIn([], 3).layers;
    const all = [...base, ...take(1, 3, 4, 1)];
    expect(values(resolveLayers(all, h))).toBe('0:0 1:0 2:0 3:1 4:1 5:0 6:0 7:0 8:0 9:0 10:0');
  });

  it('refuses impossible operations with a message', () => {
    expect(() => undo([])).toThrow(/Nothing to undo/);
    expect(() => redo([])).toThrow(/Nothing to redo/);
    expect(() => punchOut([], 1, 2)).toThrow(/existing punch-in layer/);
    expect(() => punchOut(punchIn([], 5).layers, 1, 4)).toThrow(/>= 5/);
  });
});
