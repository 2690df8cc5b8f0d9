/** Handlers for the annotation studio and study mode. Thin: the service does the work. */
import type { ANNOTATION_CHANNELS } from '../../../src-shared/ipc/channels/annotation';
import { AppError } from '../../../src-shared/ipc/envelope';
import type { AnnotationService } from '../../services/annotation.service';
import type { Handlers } from '../dispatch';

type AnnotationChannel = (typeof ANNOTATION_CHANNELS)[number];

/** The part of ServiceDeps these handlers use (`annotation` is installed by `installAnnotation`). */
export interface AnnotationHandlerDeps {
  annotation?: AnnotationService;
}

export function annotationHandlers(deps: AnnotationHandlerDeps): Pick<Handlers, AnnotationChannel> {
  const s = (): AnnotationService => {
    if (!deps.annotation) throw new AppError('INTERNAL', 'The annotation service is not installed in this studio');
    return deps.annotation;
  };
  return {
    'annotation:start': async (input) => s().start(input),
    'annotation:append': async (input) => s().append(input),
    'annotation:finish': async ({ sessionId, inputDevice, outputLatencySec }) => s().finish(sessionId, inputDevice, outputLatencySec ?? null),
    'annotation:list': async (input) => s().list(input),
    'annotation:get': async ({ sessionId }) => s().get(sessionId),
    'annotation:resume': async ({ sessionId }) => s().resume(sessionId),
    'annotation:discard': async ({ sessionId }) => s().discard(sessionId),
    'annotation:restore': async ({ sessionId }) => s().restore(sessionId),
    'annotation:purge': async ({ sessionId }) => ({ purged: s().purge(sessionId) }),
    'annotation:setExcluded': async ({ sessionId, excluded }) => s().setExcluded(sessionId, excluded),
    'annotation:punchIn': async ({ sessionId, tStart }) => s().punchIn(sessionId, tStart),
    'annotation:punchOut': async ({ sessionId, layer, tEnd }) => s().punchOut(sessionId, layer, tEnd),
    'annotation:undo': async ({ sessionId }) => s().undo(sessionId),
    'annotation:redo': async ({ sessionId }) => s().redo(sessionId),
    'annotation:trackTraces': async ({ trackId, profileIds }) => s().trackTraces(trackId, profileIds),
    'annotation:reliability': async (input) => s().reliability(input),
    'annotation:export': async (input) => s().export(input),
    'annotation:import': async ({ text, format }) => s().import(text, format),
    'study:create': async (input) => s().createStudy(input),
    'study:update': async (input) => s().updateStudy(input),
    'study:list': async () => s().listStudies(),
    'study:get': async ({ id }) => s().getStudy(id),
    'study:delete': async ({ id }) => ({ deleted: s().deleteStudy(id) }),
    'study:enrol': async ({ studyId, participantId }) => s().enrol(studyId, participantId),
    'study:advance': async (input) => s().advance(input),
    'study:results': async ({ studyId }) => s().results(studyId),
  };
}
