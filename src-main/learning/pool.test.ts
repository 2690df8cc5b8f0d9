import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../model/meta/episode';
import { decodeFeatures, encodeFeatures, type ClipFeatures } from './feature-cache';
import { binnedWindow, quadrantWindow, sliceWindow, wholePiecePooling } from './pool';
import { binMeans } from './train-dmer';

function feats(steps: number): ClipFeatures {
  const frames = 2;
  const mels = 3;
  const globalDim = 2;
  return {
    steps,
    frames,
    mels,
    globalDim,
    local: Float32Array.from({ length: steps * frames * mels }, (_, i) => Math.floor(i / (frames * mels))), // value = step index
    global: Float32Array.from({ length: steps * globalDim }, (_, i) => 100 + Math.floor(i / globalDim)),
  };
}

describe('data pool helpers', () => {
  it('feature cache format round-trips', () => {
    const f = feats(5);
    const g = decodeFeatures(encodeFeatures(f));
    expect(g.steps).toBe(5);
    expect(Array.from(g.local)).toEqual(Array.from(f.local));
    expect(Array.from(g.global)).toEqual(Array.from(f.global));
    expect(() => decodeFeatures(Buffer.from('nope'))).toThrow(/PDF1/);
  });

  it('sliceWindow copies steps and repeats edges for short clips', () => {
    const w = sliceWindow(feats(3), 1, 4);
    expect(Array.from(w.global)).toEqual([101, 101, 102, 102, 102, 102, 102, 102]);
    expect(w.local[0]).toBe(1);
    expect(w.local[3 * 6]).toBe(2);
  });

  it('quadrantWindow labels signs (arousal, valence) from the quadrant', () => {
    const s = quadrantWindow({ clip: { dataset: 'fourq', id: 'x', path: '', kind: 'audio', quadrant: 2, split: 'train', group: 'g' }, feats: feats(10) }, 4, mulberry32(1));
    expect(s.label).toEqual({ kind: 'quadrant', signs: [1, -1] });
    expect(s.steps).toBe(4);
  });

  it('binnedWindow pools the window steps into the curve bins present in the window', () => {
    // 2 s bins = 4 steps per bin; 8 bins; window of 6 steps
    const a = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const v = Float32Array.from([0, -1, -2, -3, -4, -5, -6, -7]);
    const s = binnedWindow(feats(40), 2, a, v, 6, mulberry32(3));
    if (s.label.kind !== 'binned') throw new Error('expected binned');
    const start = s.local[0]; // step index of the first window step
    const firstBin = Math.floor(((start + 0.5) * 0.5) / 2);
    expect(s.label.target[0]).toBe(firstBin);
    expect(s.label.target[1]).toBe(-firstBin);
    const rows = s.label.nb;
    let sumMask = 0;
    for (let r = 0; r < rows; r++) {
      const row = s.label.pool.subarray(r * 6, (r + 1) * 6);
      const tot = row.reduce((x, y) => x + y, 0);
      if (s.label.mask[r]) expect(tot).toBeCloseTo(1, 6);
      else expect(tot).toBe(0);
      sumMask += s.label.mask[r];
    }
    expect(sumMask).toBeGreaterThanOrEqual(2);
  });

  it('wholePiecePooling and binMeans agree on bin membership', () => {
    const { pool, covered } = wholePiecePooling(9, 1, 5); // 2 steps per bin, 4.5 s -> bins 0..4 (bin 4 has one step)
    expect(covered).toEqual([true, true, true, true, true]);
    expect(Array.from(pool.subarray(4 * 9, 5 * 9))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(binMeans(Float32Array.from([0, 2, 4, 6, 8, 10, 12, 14, 16]), 1, 6))).toEqual([1, 5, 9, 13, 16]);
  });
});
