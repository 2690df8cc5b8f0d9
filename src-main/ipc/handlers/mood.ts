/** Mood-map channels: thin, the service does the work. */
import type { MOOD_CHANNELS } from '../../../src-shared/ipc/channels/mood';
import type { MoodService } from '../../services/mood.service';
import type { Handlers } from '../dispatch';

type MoodChannel = (typeof MOOD_CHANNELS)[number];

/** The part of ServiceDeps these handlers use. */
export interface MoodHandlerDeps {
  mood?: MoodService;
}

function need(deps: MoodHandlerDeps): MoodService {
  if (!deps.mood) throw new Error('The mood service is not installed (SERVICE_INSTALLERS)');
  return deps.mood;
}

export function moodHandlers(deps: MoodHandlerDeps): Pick<Handlers, MoodChannel> {
  return {
    'mood:points': async ({ scope }) => need(deps).points(scope),
    'mood:region': async ({ region, scope, limit }) => need(deps).region(region, scope, limit),
    'mood:polygon': async ({ vertices, scope, limit }) => need(deps).polygon(vertices, scope, limit),
    'mood:near': async ({ valence, arousal, radius, scope, limit }) => need(deps).near(valence, arousal, radius, scope, limit),
    'mood:nearest': async ({ valence, arousal, k, excludeTrackIds, scope }) => need(deps).nearest(valence, arousal, k, scope, excludeTrackIds),
    'mood:path': async ({ from, to, length, smoothness, scope }) => need(deps).path(from, to, { length, smoothness, scope }),
  };
}
