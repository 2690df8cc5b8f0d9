/** Deterministic randomness for study orders (never Math.random: orders must be reproducible). */
export { mulberry32, fnv1a32 as hashSeed } from '../random';
