/** Handlers for personalization (thin: PersonalizationService does the work). */
import type { PERSONALIZE_CHANNELS } from '../../../src-shared/ipc/channels/personalize';
import { AppError } from '../../../src-shared/ipc/envelope';
import type { PersonalizationService } from '../../services/personalization.service';
import type { Handlers } from '../dispatch';

type PersonalizeChannel = (typeof PERSONALIZE_CHANNELS)[number];

export interface PersonalizeHandlerDeps {
  personalization?: PersonalizationService;
}

export function personalizeHandlers(deps: PersonalizeHandlerDeps): Pick<Handlers, PersonalizeChannel> {
  const s = (): PersonalizationService => {
    if (!deps.personalization) throw new AppError('INTERNAL', 'The personalization service is not installed in this studio');
    return deps.personalization;
  };
  return {
    'personalize:run': async ({ profileId, jobId }) => s().run(profileId, jobId),
    'personalize:status': async ({ profileId }) => s().status(profileId),
    'personalize:reset': async ({ profileId }) => s().reset(profileId),
    'personalize:undoReset': async ({ profileId }) => s().undoReset(profileId),
  };
}
