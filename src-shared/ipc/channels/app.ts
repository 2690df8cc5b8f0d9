/** App-level channels (zero dependencies: the preload imports this). */
export const APP_CHANNELS = ['app:info', 'job:cancel', 'job:list', 'log:renderer', 'dialog:openAudio'] as const;
export const APP_EVENTS = ['job:onProgress'] as const;
