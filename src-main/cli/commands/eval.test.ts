import { describe, expect, it } from 'vitest';
import { relative } from './eval';

describe('pdmer eval report wording', () => {
  it('says lower or higher, never a negative "lower"', () => {
    expect(relative(0.9, 1)).toBe('10.0 % lower');
    expect(relative(0.2560, 0.2218)).toBe('15.4 % higher');
    expect(relative(1, 1)).toBe('0.0 % lower');
  });
});
