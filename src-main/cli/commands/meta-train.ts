/** `pdmer meta-train`: annotator-task FOMAML for one-shot personalization (see learning/personal.ts). */
import path from 'node:path';
import { ensureBackend, parseBackendChoice } from '../../model/backend';
import { loadBaseModel } from '../../learning/base-model';
import { datasetDirs, featureConfig, floatFlag, gitCommit, runDir } from '../../learning/cli-common';
import { HEAD_META_PRESET, metaTrainHead, pieceBodies } from '../../learning/personal';
import { buildPool } from '../../learning/pool';
import { META_REFERENCE } from '../../model/meta/fomaml';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';

const USAGE = `Usage: pdmer meta-train --data DIR (--weights DIR | --checkpoint FILE) [options]

First-order MAML over person tasks from VGMIDI (support and query from the SAME person: first K
seconds -> rest of the curve, or one piece -> their other piece). CPU preset: the base network is
frozen and the predictor head is meta-learned on body features computed once (exact; see
src-main/model/meta/trainer.ts). Validation people select the checkpoint; test people are untouched.

Options:
  --data DIR           folder holding vgmidi/ (or --vgmidi DIR)
  --weights DIR        base model (app weights) | --checkpoint FILE (a pdmer train checkpoint)
  --tasks KIND         annotator (default) | random (the paper's ablation)
  --preset NAME        reference (default: the paper's 16 inner steps, lr 5e-3, 16 tasks, Adam 5e-5,
                       2000 its; ~10 min here on the head) | cpu (16 steps, lr 1e-2, 8 tasks, Adam 1e-3, 400 its)
  --iterations N       override meta-iterations
  --inner-steps N      override inner steps      --inner-lr X    override inner lr
  --outer-lr X         override outer lr         --tasks-per-batch N
  --loss mse|dmer      inner/outer loss (default mse; dmer = 1 - mean(CCC, PCC, 1-RMSE) on bins)
  --first-k SEC        support length of the first-K protocol (default 30)
  --eval-every N       validation interval (default 50)
  --out DIR            run directory (default ~/.cache/pdmer/runs/meta-<tasks>-seed<S>)
  --resume             continue from <out>/last.ckpt
  --seed N             (default 1; must equal the train seed so the people split matches)
  --config NAME        compact | paper (default compact)
  --backend B          auto | wasm | cpu (default wasm)`;

export const metaTrainCommand: Command = {
  name: 'meta-train',
  summary: 'meta-learn one-shot personalization over annotator tasks (FOMAML)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      vgmidi: { type: 'string' },
      weights: { type: 'string' },
      checkpoint: { type: 'string' },
      tasks: { type: 'string' },
      preset: { type: 'string' },
      iterations: { type: 'string' },
      'inner-steps': { type: 'string' },
      'inner-lr': { type: 'string' },
      'outer-lr': { type: 'string' },
      'tasks-per-batch': { type: 'string' },
      loss: { type: 'string' },
      'first-k': { type: 'string' },
      'eval-every': { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      seed: { type: 'string' },
      config: { type: 'string' },
      backend: { type: 'string' },
    });
    const log = (s: string) => io.stderr(`${s}\n`);
    const tasks = (values.tasks ?? 'annotator') as 'annotator' | 'random';
    if (tasks !== 'annotator' && tasks !== 'random') throw new UsageError(`--tasks expects annotator or random, got ${JSON.stringify(values.tasks)}`);
    const loss = (values.loss ?? 'mse') as 'mse' | 'dmer';
    if (loss !== 'mse' && loss !== 'dmer') throw new UsageError(`--loss expects mse or dmer, got ${JSON.stringify(values.loss)}`);
    const preset = values.preset ?? 'reference';
    if (preset !== 'cpu' && preset !== 'reference') throw new UsageError(`--preset expects cpu or reference, got ${JSON.stringify(preset)}`);
    const base = preset === 'cpu' ? HEAD_META_PRESET : META_REFERENCE;
    const meta = {
      ...base,
      iterations: intFlag('iterations', values.iterations, base.iterations, 1),
      innerSteps: intFlag('inner-steps', values['inner-steps'], base.innerSteps, 1),
      innerLr: floatFlag('inner-lr', values['inner-lr'], base.innerLr),
      outerLr: floatFlag('outer-lr', values['outer-lr'], base.outerLr),
      tasksPerBatch: intFlag('tasks-per-batch', values['tasks-per-batch'], base.tasksPerBatch, 1),
    };
    const dirs = datasetDirs(values);
    if (!dirs.vgmidi) throw new UsageError('meta-train needs VGMIDI: pass --data DIR containing vgmidi/ or --vgmidi DIR');
    const seed = intFlag('seed', values.seed, 1);
    const feat = featureConfig(values.config);
    await ensureBackend(parseBackendChoice(values.backend ?? 'wasm'));
    const { model, origin, cacheKey } = await loadBaseModel({ weights: values.weights, checkpoint: values.checkpoint }, feat);
    try {
      const out = path.resolve(values.out ?? runDir(`meta-${tasks}`, seed));
      log(`meta-train: base ${origin}; tasks ${tasks}; ${JSON.stringify(meta)}; loss ${loss}; out ${out}; commit ${gitCommit()}`);
      const pool = await buildPool(feat, { seed, sets: ['vgmidi'], dirs, onProgress: log });
      const bodies = pieceBodies(model, pool, log, cacheKey);
      const res = metaTrainHead(
        model,
        pool,
        bodies,
        {
          out,
          tasks,
          meta,
          loss,
          seed,
          evalEvery: intFlag('eval-every', values['eval-every'], 50, 1),
          firstKSec: floatFlag('first-k', values['first-k'], 30),
          resume: Boolean(values.resume),
        },
        log,
      );
      io.stdout(`${JSON.stringify({ out, iteration: res.iteration, best: res.best, people: res.people }, null, 2)}\n`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};
