import { describe, expect, it } from 'vitest';
import { COMPACT_CONFIG, PAPER_CONFIG, cnnShapes, validateConfig, withInput } from './config';
import { checkParamShapes, countParams, paramSpecs } from './params';

describe('parameter table', () => {
  it('reproduces the reference CNN sizes (51 x 128 -> 476)', () => {
    expect(cnnShapes({ framesPerStep: 51, mels: 128 })).toEqual({ conv1: [53, 130], pool1: [27, 66], pool2: [14, 34], flat: 476 });
  });

  it('paper config: about 29.7M trainable parameters, groups as in DSAML.md (shapes only)', () => {
    const { trainable, groups } = countParams(PAPER_CONFIG);
    // Reference breakdown: encoder 25.4M, fusion 1.54M, BiLSTM 2.63M, head 0.13M.
    expect(groups.encoder / 25.4e6).toBeCloseTo(1, 2);
    expect(groups.fusion / 1.54e6).toBeCloseTo(1, 2);
    expect(groups.bilstm / 2.63e6).toBeCloseTo(1, 2);
    expect(groups.head / 0.13e6).toBeCloseTo(1, 1);
    expect(groups.cnn).toBe(32 + 16 + 1168 + 32 + 17);
    // Reference-comparable part (everything but our global projection) matches 29.69M closely.
    expect(trainable - groups.globalProjection).toBe(29_692_723);
    expect(Math.abs(trainable / 29.7e6 - 1)).toBeLessThan(0.02);
  });

  it('paper config stays within 2 % for a global descriptor of up to 512 values', () => {
    const { trainable } = countParams(withInput(PAPER_CONFIG, { globalDim: 512 }));
    expect(Math.abs(trainable / 29.7e6 - 1)).toBeLessThan(0.02);
  });

  it('compact config is valid and much smaller', () => {
    validateConfig(COMPACT_CONFIG);
    validateConfig(PAPER_CONFIG);
    expect(countParams(COMPACT_CONFIG).trainable).toBeLessThan(1e6);
  });

  it('shape check names expected and actual shapes', () => {
    const specs = paramSpecs(COMPACT_CONFIG);
    const fake: Record<string, { shape: number[] }> = {};
    for (const [k, v] of Object.entries(specs)) fake[k] = { shape: [...v.shape] };
    expect(checkParamShapes(fake, COMPACT_CONFIG)).toEqual([]);
    const name = 'fusion_model.fusion_project.kernel';
    fake[name] = { shape: [128, 64] };
    delete fake['sequence_predict_model.layers.2.bias'];
    expect(checkParamShapes(fake, COMPACT_CONFIG)).toEqual([
      `${name}: expected [128, 128], got [128, 64]`,
      'sequence_predict_model.layers.2.bias: expected [2], got missing',
    ]);
  });

  it('rejects inconsistent configs', () => {
    expect(() => validateConfig({ ...COMPACT_CONFIG, heads: 3 })).toThrow(/divisible/);
    expect(() => validateConfig({ ...COMPACT_CONFIG, windowSteps: 100 })).toThrow(/maxPositions/);
  });
});
