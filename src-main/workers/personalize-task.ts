/**
 * Personalization inside a worker thread (a separate instance of analysis.worker.ts that is never
 * `init`ed, so analysis keeps its own thread): loads the base model, computes (cached) features of
 * the annotated tracks, runs H6's `personalize()` (src-main/learning/personalize.ts: held-out
 * report + head adapted on all labelled steps) and posts the serialized personal head back.
 * Cancellation = the service terminates this worker.
 */
import { featureConfigHash } from '../../src-shared/audio/feature-config';
import { FEATURE_CONFIGS } from '../audio/index';
import { loadBaseModel } from '../learning/base-model';
import { cachedFeatures, type ClipFeatures } from '../learning/feature-cache';
import { personalize, type PersonalExample } from '../learning/personalize';
import { ensureBackend, parseBackendChoice } from '../model/backend';
import { DEFAULT_MODEL_NAME, defaultWeightsDir } from '../model/engine';
import { readManifest, serializeParams } from '../model/io';
import { fromPlain } from '../model/meta/trainer';
import { disposeParams } from '../model/params';
import { serializeError, type FromWorker, type PersonalizeRequest } from './protocol';

export async function runPersonalize(req: PersonalizeRequest, post: (msg: FromWorker, transfer?: ArrayBuffer[]) => void): Promise<void> {
  try {
    const total = req.sessions.length + 2;
    post({ type: 'personalizeProgress', done: 0, total, message: 'loading the base model' });
    const feat = req.config === 'paper' ? FEATURE_CONFIGS.paper : FEATURE_CONFIGS.compact;
    await ensureBackend(parseBackendChoice(req.backend ?? 'auto'));
    // Same default as the analysis pipeline (workers/pipeline.ts): the shipped weights of the config.
    const weightsDir = req.weightsDir ?? defaultWeightsDir(req.config === 'paper' ? 'dsaml-paper-v0' : DEFAULT_MODEL_NAME);
    const manifest = await readManifest(weightsDir);
    const { model } = await loadBaseModel({ weights: weightsDir }, feat);
    try {
      const byPath = new Map<string, ClipFeatures>();
      const examples: PersonalExample[] = [];
      for (const [i, s] of req.sessions.entries()) {
        post({ type: 'personalizeProgress', done: 1 + i, total, message: `features of session ${s.sessionId} (${i + 1} of ${req.sessions.length})` });
        let f = byPath.get(s.path);
        if (!f) {
          f = await cachedFeatures(s.path, feat, req.cacheDir);
          byPath.set(s.path, f);
        }
        examples.push({ id: `session ${s.sessionId}`, features: f, arousal: s.arousal, valence: s.valence });
      }
      post({ type: 'personalizeProgress', done: 1 + req.sessions.length, total, message: 'adapting the model' });
      const { head, report } = await personalize(model, examples, { steps: req.steps, lr: req.lr, holdoutFraction: req.holdoutFraction });
      const params = fromPlain(head);
      try {
        const blob = await serializeParams(params, model.config);
        const weights = blob.data.buffer.slice(blob.data.byteOffset, blob.data.byteOffset + blob.data.byteLength) as ArrayBuffer;
        post(
          {
            type: 'personalizeDone',
            result: {
              modelVersion: manifest.version,
              featureHash: model.config.input.featureConfigHash ?? featureConfigHash(feat),
              weights,
              manifest: JSON.stringify(blob.manifest),
              report: { sessions: report.sessions, adaptSteps: report.adaptSteps, heldOutSteps: report.heldOutSteps, before: report.before, after: report.after },
            },
          },
          [weights],
        );
      } finally {
        disposeParams(params);
      }
    } finally {
      model.dispose();
    }
  } catch (e) {
    post({ type: 'personalizeFailed', error: serializeError(e) });
  }
}
