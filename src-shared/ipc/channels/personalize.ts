/** Personalization channels (zero dependencies: the preload imports this). */
export const PERSONALIZE_CHANNELS = ['personalize:run', 'personalize:status', 'personalize:reset', 'personalize:undoReset'] as const;
export const PERSONALIZE_EVENTS = ['personalize:onChanged'] as const;
