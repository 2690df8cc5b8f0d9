/** Model / analysis channels (zero dependencies: the preload imports this). */
export const MODEL_CHANNELS = [
  'model:analyze',
  'model:analyzeLibrary',
  'model:cancel',
  'model:getCurve',
  'model:getSummaries',
  'model:backgroundStatus',
  'model:setBackgroundPaused',
  'model:info',
] as const;
export const MODEL_EVENTS = ['model:onCurve', 'model:onBackground'] as const;
