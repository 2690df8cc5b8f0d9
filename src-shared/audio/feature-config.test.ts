import { describe, expect, it } from 'vitest';
import { COMPACT_FEATURES, PAPER_FEATURES, canonicalJson, featureConfigHash, validateFeatureConfig } from './feature-config';
import { sha256Hex } from './sha256';

describe('sha256', () => {
  it('matches the FIPS 180-4 vectors and digests from node:crypto (padding edges, UTF-8)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    // expected values computed once with node:crypto (this file also type-checks in the renderer project, without node types)
    expect(sha256Hex('x'.repeat(55))).toBe('d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072');
    expect(sha256Hex('y'.repeat(56))).toBe('4877e564e5e36e367c7c8d59670774becd3350610b6df4c399c9fa9b66da5813');
    expect(sha256Hex('z'.repeat(64))).toBe('72996563049cc84daa2c3f31fd5c3d10770e69d6ebbb8da5b6d76db303dbae43');
    expect(sha256Hex('é—🎵'.repeat(40))).toBe('1b104b5dd46dac86458e3df7f29e6595a97333610d643d387dda1494046e4623');
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

  it('pins the shipped hashes: a change here invalidates cached features and shipped weights (resources/models/*/manifest.json)', () => {
    expect(featureConfigHash(COMPACT_FEATURES)).toBe('a486ae3a21e220e1bd390836ce9649d260e6dbac68ee40e94994e94888f97d02');
    expect(featureConfigHash(PAPER_FEATURES)).toBe('92aba506496994d466aff205da770ae756b67e7ae4a6104b169707220eaef34d');
  });
});
