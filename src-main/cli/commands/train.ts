/** `pdmer train`: non-personalized DMER training of the base network (see learning/train-dmer.ts). */
import path from 'node:path';
import { ensureBackend, parseBackendChoice } from '../../model/backend';
import { fromPlain } from '../../model/meta/trainer';
import { saveWeights } from '../../model/io';
import { loadCheckpoint } from '../../learning/checkpoint';
import { datasetDirs, featureConfig, floatFlag, gitCommit, runDir } from '../../learning/cli-common';
import { buildPool } from '../../learning/pool';
import { modelConfigFor, trainDmer, type TrainMeta } from '../../learning/train-dmer';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';
import { disposeParams } from '../../model/params';
import type { ModelConfig } from '../../model/config';

const USAGE = `Usage: pdmer train --data DIR [options]

Trains the base (non-personalized) network on a mixture of label kinds: 4Q/EMOPIA clip quadrants
and VGMIDI per-piece consensus curves (train people only). Progress on stderr; resumable.

Options:
  --data DIR            folder holding fourq/, vgmidi/, emopia/ (or give --fourq/--vgmidi/--emopia DIR)
  --sets LIST           comma list of fourq,vgmidi,emopia (default fourq,vgmidi)
  --config NAME         compact | paper (network + features; default compact)
  --out DIR             run directory (default ~/.cache/pdmer/runs/dmer-seed<S>)
  --iterations N        mini-batch steps (default 600)
  --batch N             windows per batch (default 4)
  --lr X                Adam learning rate (default 5e-4; the reference uses 5e-5 with 2000+ steps)
  --mix Q:V             sampling weights quadrant:vgmidi (default 1:1)
  --attn-weight X       weight of the diagonal attention loss (default 1; 0 = ablation)
  --scales S            both | local | global: attention scales of the shared encoder (default both;
                        local / global = the single-scale ablations)
  --global-input G      descriptors | none: the global branch's input (default descriptors;
                        none = the no-global-encoder ablation, zeros instead of the descriptor)
  --clip-norm X         global gradient-norm clip (default 5)
  --eval-every N        validation + checkpoint interval (default 50)
  --max-minutes M       stop after M minutes (checkpointed; resume later) (default 600)
  --resume              continue from <out>/last.ckpt
  --seed N              seed of init, batches, dropout and splits (default 1)
  --limit N             use at most N items per set (smoke runs)
  --export DIR          write the best checkpoint as app weights (manifest.json + weights.bin)
  --name NAME           model name for --export (default: the export folder name)
  --backend B           auto | wasm | cpu (default wasm)`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the base emotion model (DMER) from datasets',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      fourq: { type: 'string' },
      vgmidi: { type: 'string' },
      emopia: { type: 'string' },
      sets: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      iterations: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      mix: { type: 'string' },
      'attn-weight': { type: 'string' },
      scales: { type: 'string' },
      'global-input': { type: 'string' },
      'clip-norm': { type: 'string' },
      'eval-every': { type: 'string' },
      'max-minutes': { type: 'string' },
      resume: { type: 'boolean' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      export: { type: 'string' },
      name: { type: 'string' },
      backend: { type: 'string' },
    });
    const log = (s: string) => io.stderr(`${s}\n`);
    const dirs = datasetDirs(values);
    const sets = (values.sets ?? 'fourq,vgmidi').split(',').map((s) => s.trim()) as ('fourq' | 'vgmidi' | 'emopia')[];
    for (const s of sets) {
      if (!['fourq', 'vgmidi', 'emopia'].includes(s)) throw new UsageError(`--sets: unknown set ${JSON.stringify(s)} (fourq, vgmidi, emopia)`);
      if (!dirs[s]) throw new UsageError(`--sets includes ${s} but no folder was found: pass --data DIR containing ${s}/ or --${s} DIR`);
    }
    const mixParts = (values.mix ?? '1:1').split(':').map(Number);
    if (mixParts.length !== 2 || mixParts.some((x) => !(x >= 0))) throw new UsageError(`--mix expects Q:V weights, got ${JSON.stringify(values.mix)}`);
    const seed = intFlag('seed', values.seed, 1);
    const feat = featureConfig(values.config);
    const scales = values.scales ?? 'both';
    if (scales !== 'both' && scales !== 'local' && scales !== 'global') throw new UsageError(`--scales expects both, local or global, got ${JSON.stringify(values.scales)}`);
    const base = modelConfigFor(values.config === 'paper' ? 'paper' : 'compact', feat);
    const globalIn = values['global-input'] ?? 'descriptors';
    if (globalIn !== 'descriptors' && globalIn !== 'none') throw new UsageError(`--global-input expects descriptors or none, got ${JSON.stringify(values['global-input'])}`);
    // The method's manifests carry neither field; only the ablations do.
    const cfg: ModelConfig = { ...base, ...(scales === 'both' ? {} : { scales: scales as 'local' | 'global' }), ...(globalIn === 'none' ? { globalInput: 'none' as const } : {}) };
    const backend = await ensureBackend(parseBackendChoice(values.backend ?? 'wasm'));
    const out = path.resolve(values.out ?? runDir('dmer', seed));
    log(`train: backend ${backend}, config ${cfg.name}, out ${out}, data ${JSON.stringify(dirs)}, commit ${gitCommit()}`);
    const pool = await buildPool(feat, { seed, sets, dirs, limit: values.limit ? intFlag('limit', values.limit, 0, 1) : undefined, onProgress: log });
    log(
      `train: pool: ${pool.quadrant.length} quadrant clips (train ${pool.quadrant.filter((q) => q.clip.split === 'train').length}, val ${pool.quadrant.filter((q) => q.clip.split === 'val').length}, test ${pool.quadrant.filter((q) => q.clip.split === 'test').length}); ` +
        `${pool.pieces.size} VGMIDI pieces, ${pool.curves.length} curves, people train/val/test ${['train', 'val', 'test'].map((s) => [...pool.peopleSplit.values()].filter((x) => x === s).length).join('/')}`,
    );
    const meta = await trainDmer(
      pool,
      cfg,
      {
        out,
        iterations: intFlag('iterations', values.iterations, 600, 1),
        batch: intFlag('batch', values.batch, 4, 1, 256),
        lr: floatFlag('lr', values.lr, 5e-4),
        seed,
        evalEvery: intFlag('eval-every', values['eval-every'], 50, 1),
        mix: { quadrant: mixParts[0], vgmidi: mixParts[1] },
        attnWeight: floatFlag('attn-weight', values['attn-weight'], 1),
        clipNorm: floatFlag('clip-norm', values['clip-norm'], 5),
        maxMinutes: floatFlag('max-minutes', values['max-minutes'], 600),
        resume: Boolean(values.resume),
      },
      log,
    );
    log(`train: done at iteration ${meta.iteration}; best ${JSON.stringify(meta.best)}`);
    if (values.export) {
      const dir = path.resolve(values.export);
      const ck = loadCheckpoint<TrainMeta>(path.join(out, 'best.ckpt'));
      const params = fromPlain(ck.groups.params);
      try {
        await saveWeights(dir, params, cfg, {
          name: values.name ?? path.basename(dir),
          version: `0.1.0+it${ck.meta.iteration}`,
          trained: true,
          trainedBy: `pdmer train (commit ${gitCommit()}, seed ${seed}, sets ${sets.join(',')}, iteration ${ck.meta.iteration})`,
          notes: `validation ${JSON.stringify(ck.meta.best?.val ?? null)}`,
        });
      } finally {
        disposeParams(params);
      }
      log(`train: exported best checkpoint (iteration ${ck.meta.iteration}) to ${dir}`);
    }
    io.stdout(`${JSON.stringify({ out, iteration: meta.iteration, best: meta.best }, null, 2)}\n`);
    return 0;
  },
};
