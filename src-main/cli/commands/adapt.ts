/**
 * `pdmer adapt --profile NAME`: personalizes the model from the profile's own annotation sessions
 * (learning/personalize.ts), stores the personal head in `personal_models` (keyed by profile and
 * base model version; predictions.repo.ts reads it for profile predictions) and prints the error
 * before/after on held-out annotations. `--reset` deletes the profile's personal weights and curves;
 * `--exclude-session ID` / `--include-session ID` toggle a session before adapting.
 */
import { AppError } from '../../../src-shared/ipc/envelope';
import { closeDatabase, openDatabase } from '../../db/open';
import { ProfilesRepo } from '../../db/profiles.repo';
import { TracksRepo } from '../../db/tracks.repo';
import { defaultWeightsDir } from '../../model/engine';
import { ensureBackend, parseBackendChoice } from '../../model/backend';
import { serializeParams, readManifest } from '../../model/io';
import { fromPlain } from '../../model/meta/trainer';
import { disposeParams } from '../../model/params';
import { AnnotationService } from '../../services/annotation.service';
import { storePersonalModel } from '../../services/personalization.service';
import { cacheDirFor, dbPathFor, resolveDataDir } from '../../services/paths';
import { loadBaseModel } from '../../learning/base-model';
import { loadCheckpoint } from '../../learning/checkpoint';
import { featureConfig, floatFlag } from '../../learning/cli-common';
import { cachedFeatures } from '../../learning/feature-cache';
import type { MetaTrainMeta } from '../../learning/personal';
import { personalize, type PersonalExample } from '../../learning/personalize';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';

const USAGE = `Usage: pdmer adapt --profile NAME [options]

Adapts the model to one profile from its annotation sessions (complete or interrupted, not
excluded), reports the error before/after on the held-out last quarter of each session, and stores
the personal weights with the profile.

Options:
  --profile NAME          the profile (person) to personalize
  --weights DIR           base model (default: the shipped model)
  --meta FILE             meta-learned head init (pdmer meta-train best.ckpt); default: the base head
  --steps N / --lr X      inner-loop settings (default 16 / 1e-2)
  --holdout X             fraction of each session held out for the report (default 0.25)
  --exclude-session ID    exclude a session from personalization first (repeatable: comma list)
  --include-session ID    re-include a session first (comma list)
  --reset                 delete the profile's personal weights and personal curves, and exit
  --dry-run               report only; do not store
  --json                  print the report as JSON
  --data-dir DIR          library location
  --backend B             auto | wasm | cpu (default auto)`;

const ids = (s: string | undefined): number[] => (s ? s.split(',').map((x) => intFlag('session', x.trim(), 0, 1)) : []);

export const adaptCommand: Command = {
  name: 'adapt',
  summary: 'personalize the model from a profile’s annotations',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      profile: { type: 'string' },
      weights: { type: 'string' },
      meta: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      holdout: { type: 'string' },
      'exclude-session': { type: 'string' },
      'include-session': { type: 'string' },
      reset: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      config: { type: 'string' },
      backend: { type: 'string' },
    });
    if (!values.profile) throw new UsageError('--profile NAME is required');
    const dataDir = resolveDataDir({ explicit: values['data-dir'] });
    const db = openDatabase(dbPathFor(dataDir));
    try {
      const profile = new ProfilesRepo(db).list().find((p) => p.name.toLowerCase() === values.profile!.toLowerCase());
      if (!profile) throw new AppError('NOT_FOUND', `No profile named ${JSON.stringify(values.profile)} in ${dataDir}`);
      const weightsDir = values.weights ?? defaultWeightsDir();
      const manifest = await readManifest(weightsDir);
      if (values.reset) {
        // Same end state as the studio's reset: no personal weights and no personal curves left.
        const r = db.transaction(() => ({
          models: db.prepare('DELETE FROM personal_models WHERE profile_id = ?').run(profile.id).changes,
          curves: db.prepare('DELETE FROM predictions WHERE profile_id = ?').run(profile.id).changes,
        }))();
        io.stderr(`adapt: removed ${r.models} personal model(s) and ${r.curves} personal curve(s) of ${profile.name}\n`);
        return 0;
      }
      const ann = new AnnotationService(db);
      for (const id of ids(values['exclude-session'])) ann.setExcluded(id, true);
      for (const id of ids(values['include-session'])) ann.setExcluded(id, false);
      const sessions = ann.personalizationData(profile.id);
      if (sessions.length === 0) throw new AppError('NOT_FOUND', `Profile ${profile.name} has no usable annotation sessions (complete or interrupted, not excluded)`);
      const feat = featureConfig(values.config);
      await ensureBackend(parseBackendChoice(values.backend ?? 'auto'));
      const { model } = await loadBaseModel({ weights: weightsDir }, feat);
      const tracks = new TracksRepo(db);
      try {
        const examples: PersonalExample[] = [];
        for (const s of sessions) {
          const t = tracks.get(s.trackId);
          if (!t) continue;
          const f = await cachedFeatures(t.path, feat, cacheDirFor(dataDir));
          examples.push({ id: `session ${s.sessionId}`, features: f, arousal: s.arousal, valence: s.valence });
        }
        let init;
        if (values.meta) init = fromPlain(loadCheckpoint<MetaTrainMeta>(values.meta).groups.head);
        try {
          const { head, report } = await personalize(model, examples, {
            steps: intFlag('steps', values.steps, 16, 1),
            lr: floatFlag('lr', values.lr, 1e-2),
            holdoutFraction: floatFlag('holdout', values.holdout, 0.25),
            init,
          });
          let staleTrackIds: number[] = [];
          if (!values['dry-run']) {
            const params = fromPlain(head);
            try {
              const blob = await serializeParams(params, model.config);
              // The studio's storage path: upsert the weights and drop the profile's now stale curves.
              ({ staleTrackIds } = storePersonalModel(db, {
                profileId: profile.id,
                modelVersion: manifest.version,
                featureHash: model.config.input.featureConfigHash ?? '',
                weights: Buffer.from(blob.data),
                manifest: JSON.stringify(blob.manifest),
                summary: { ...report, sessionIds: sessions.map((s) => s.sessionId) },
              }));
            } finally {
              disposeParams(params);
            }
          }
          if (values.json) io.stdout(`${JSON.stringify({ profile: profile.name, modelVersion: manifest.version, stored: !values['dry-run'], staleTrackIds, ...report }, null, 2)}\n`);
          else
            io.stdout(
              `${profile.name}: ${report.sessions} session(s), adapted on ${report.adaptSteps} steps, held out ${report.heldOutSteps}\n` +
                `held-out RMSE before ${report.before.rmse.toFixed(4)} (A ${report.before.rmseA.toFixed(4)}, V ${report.before.rmseV.toFixed(4)}) -> after ${report.after.rmse.toFixed(4)} (A ${report.after.rmseA.toFixed(4)}, V ${report.after.rmseV.toFixed(4)})\n` +
                `${values['dry-run'] ? 'not stored (--dry-run)' : `stored for model ${manifest.version}`}\n` +
                (staleTrackIds.length
                  ? `removed the stale personal curves of ${staleTrackIds.length} track(s); recompute them with: pdmer analyze ${staleTrackIds.join(' ')} --profile ${JSON.stringify(profile.name)} (the studio recomputes a track's personal curve when it is played)\n`
                  : ''),
            );
          return 0;
        } finally {
          if (init) disposeParams(init);
        }
      } finally {
        model.dispose();
      }
    } finally {
      closeDatabase(db);
    }
  },
};
