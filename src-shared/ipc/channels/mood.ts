/** Mood-map channels (zero dependencies: the preload imports this). */
export const MOOD_CHANNELS = [
  'mood:points',
  'mood:region',
  'mood:polygon',
  'mood:near',
  'mood:nearest',
  'mood:path',
] as const;
export const MOOD_EVENTS = [] as const;
