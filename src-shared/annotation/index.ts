/** Annotation domain: pure logic shared by main and renderer (no node:, no DOM). */
export * from './constants';
export * from './types';
export * from './binning';
export * from './completeness';
export * from './layers';
export * from './reliability';
export * from './csv';
export * from './export';
export * from './study-order';
export * from './rng';
