/**
 * Writes seeded, UNTRAINED weights for a configuration, marked `trained: false` in the manifest,
 * so the app can run end to end before real weights exist (the UI and README say so).
 *   node --import tsx src-main/model/make-untrained-weights.ts [compact|paper] [outDir] [seed]
 * Default: compact -> resources/models/dsaml-compact-v0 (seed 0). Deterministic: the same seed
 * gives byte-identical weights.bin (only createdAt in the manifest is fixed too).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBackend } from './backend';
import { CONFIGS, type ConfigName } from './config';
import { saveWeights, type WeightsManifest } from './io';
import { disposeParams, initParams } from './params';


/** Generates and saves untrained weights; returns the manifest. */
export async function makeUntrainedWeights(configName: ConfigName, outDir: string, seed = 0): Promise<WeightsManifest> {
  await ensureBackend('cpu');
  const config = CONFIGS[configName];
  const params = initParams(config, seed);
  try {
    return await saveWeights(outDir, params, config, {
      name: path.basename(outDir),
      version: `0.0.0-untrained.${seed}`,
      trained: false,
      trainedBy: `make-untrained-weights.ts (seed ${seed}, PyTorch-default init)`,
      createdAt: '2026-01-01T00:00:00.000Z',
      notes: 'UNTRAINED: seeded random initialisation. Predictions are not meaningful until trained weights replace these (see src-main/model/README.md).',
    });
  } finally {
    disposeParams(params);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [cfg = 'compact', out, seed = '0'] = process.argv.slice(2);
  const dir = out ?? path.join('resources', 'models', `dsaml-${cfg}-v0`);
  const m = await makeUntrainedWeights(cfg as ConfigName, dir, Number(seed));
  console.log(`wrote ${dir}: ${m.paramCount} trainable parameters, trained=${m.trained}`);
}
