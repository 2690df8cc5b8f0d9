/** Handlers for the model domain (analysis, curves, background analysis). Thin: the service does the work. */
import type { MODEL_CHANNELS } from '../../../src-shared/ipc/channels/model';
import { AppError } from '../../../src-shared/ipc/envelope';
import type { AnalysisService } from '../../services/analysis.service';
import type { Handlers } from '../dispatch';

type ModelChannel = (typeof MODEL_CHANNELS)[number];

/** The part of ServiceDeps these handlers use (`analysis` is installed by `installAnalysis`). */
export interface ModelHandlerDeps {
  analysis?: AnalysisService;
}

export function modelHandlers(deps: ModelHandlerDeps): Pick<Handlers, ModelChannel> {
  const a = (): AnalysisService => {
    if (!deps.analysis) throw new AppError('MODEL_NOT_READY', 'The analysis service is not installed in this studio');
    return deps.analysis;
  };
  return {
    'model:analyze': (input) => a().analyze(input.trackIds, input.priority, input.profileId),
    'model:analyzeLibrary': async () => ({ queued: await a().analyzeLibrary() }),
    'model:cancel': async (input) => ({ cancelled: a().cancel(input.trackIds) }),
    'model:getCurve': (input) => a().getCurve(input.trackId, input.profileId, input.analyze),
    'model:getSummaries': (input) => a().getSummaries(input.trackIds, input.profileId, input.points),
    'model:backgroundStatus': async () => a().backgroundStatus(),
    'model:setBackgroundPaused': async (input) => a().setBackgroundPaused(input.paused),
    'model:info': async () => a().info(),
  };
}
