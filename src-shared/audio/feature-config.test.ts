import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMPACT_FEATURES, PAPER_FEATURES, canonicalJson, featureConfigHash, validateFeatureConfig } from './feature-config';
import { sha256Hex } from './sha256';

describe('sha256', () => {
  it('matches the FIPS 180-4 vectors and node:crypto', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    for (const s of ['x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é—🎵'.repeat(40), canonicalJson(PAPER_FEATURES)]) {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });
});

describe('feature configs', () => {
  it('paper and compact are internally consistent', () => {
    expect(validateFeatureConfig(PAPER_FEATURES)).toEqual([]);
    expect(validateFeatureConfig(COMPACT_FEATURES)).toEqual([]);
    expect(COMPACT_FEATURES.framesPerStep).toBe(51);
  });

  it('reports inconsistencies as expected/got', () => {
    const bad = { ...PAPER_FEATURES, framesPerStep: 50 };
    expect(validateFeatureConfig(bad).join()).toContain('expected framesPerStep = 1 + floor(22050/441) = 51, got 50');
  });

  it('hash is stable across key order, ignores the name, changes with any parameter', () => {
    const h = featureConfigHash(PAPER_FEATURES);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(PAPER_FEATURES).reverse()) as typeof PAPER_FEATURES;
    expect(featureConfigHash(reordered)).toBe(h);
    expect(featureConfigHash({ ...PAPER_FEATURES, name: 'renamed' })).toBe(h);
    expect(featureConfigHash({ ...PAPER_FEATURES, nMels: 64 })).not.toBe(h);
    expect(featureConfigHash({ ...PAPER_FEATURES, global: { ...PAPER_FEATURES.global, windowSec: 20 } })).not.toBe(h);
    expect(featureConfigHash(COMPACT_FEATURES)).not.toBe(h);
  });
});
