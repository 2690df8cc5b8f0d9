/** `pdmer eval --suite deam|pmemo|fourq|emopia|vgmidi-personal`: metrics with baselines, markdown + JSON. */
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { ensureBackend, parseBackendChoice } from '../../model/backend';
import { fromPlain } from '../../model/meta/trainer';
import { disposeParams } from '../../model/params';
import { loadBaseModel } from '../../learning/base-model';
import { loadCheckpoint } from '../../learning/checkpoint';
import { datasetDirs, featureConfig, floatFlag, gitCommit } from '../../learning/cli-common';
import { loadDeam } from '../../learning/datasets/deam';
import { loadPmemo } from '../../learning/datasets/pmemo';
import { evalCurves, evalQuadrant, type CurveRow, type QuadrantRow } from '../../learning/evaluate';
import { HEAD_META_PRESET, ceilingMethods, consensusCurves, personalCases, personalMethods, pieceBodies, scorePersonal, type MetaTrainMeta, type PersonalRow } from '../../learning/personal';
import { buildPool } from '../../learning/pool';
import type { ModelState } from '../../model/meta/trainer';
import { UsageError, intFlag, parseCommandArgs } from '../args';
import type { Command } from '../command';

const SUITES = ['deam', 'pmemo', 'fourq', 'emopia', 'vgmidi-personal'] as const;
type Suite = (typeof SUITES)[number];

const USAGE = `Usage: pdmer eval --suite ${SUITES.join('|')} --data DIR [options]

Scores the model and the baselines on the suite's TEST split, printing a markdown table (or JSON)
with the data paths, splits, seeds and the git commit.

Options:
  --suite NAME         ${SUITES.join(' | ')}
  --data DIR           folder holding the suite's dataset (e.g. ../shared/data) or the dataset folder itself
  --weights DIR        model weights (manifest.json + weights.bin) | --checkpoint FILE (pdmer train checkpoint)
  --maml FILE          vgmidi-personal: head checkpoint of pdmer meta-train (annotator tasks)
  --maml-random FILE   vgmidi-personal: head checkpoint of pdmer meta-train --tasks random
  --first-k SEC        vgmidi-personal: support length of the first-K protocol (default 30)
  --inner-steps N / --inner-lr X / --loss mse|dmer   adaptation settings (default: the meta checkpoint's, else the CPU preset)
  --max-cases N        vgmidi-personal: at most N cases per protocol (default all)
  --people test|val    vgmidi-personal: which held-out people to score (default test; val is for tuning)
  --seed N             split seed (must match training; default 1)
  --json               print JSON instead of markdown
  --out FILE           also write the JSON report to FILE
  --config NAME        compact | paper (default compact)
  --backend B          auto | wasm | cpu (default wasm)`;

function fmt(x: number | undefined, pct = false): string {
  if (x === undefined || Number.isNaN(x)) return '–';
  return pct ? `${(100 * x).toFixed(1)} %` : x.toFixed(4);
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate the model and baselines on a benchmark suite',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      suite: { type: 'string' },
      data: { type: 'string' },
      fourq: { type: 'string' },
      vgmidi: { type: 'string' },
      emopia: { type: 'string' },
      deam: { type: 'string' },
      pmemo: { type: 'string' },
      weights: { type: 'string' },
      checkpoint: { type: 'string' },
      maml: { type: 'string' },
      'maml-random': { type: 'string' },
      'first-k': { type: 'string' },
      'inner-steps': { type: 'string' },
      'inner-lr': { type: 'string' },
      loss: { type: 'string' },
      'max-cases': { type: 'string' },
      people: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
      config: { type: 'string' },
      backend: { type: 'string' },
    });
    const suite = values.suite as Suite;
    if (!SUITES.includes(suite)) throw new UsageError(`--suite expects one of ${SUITES.join(', ')}, got ${JSON.stringify(values.suite)}`);
    if (!values.data && !values[suite === 'vgmidi-personal' ? 'vgmidi' : suite]) throw new UsageError('--data DIR is required');
    const people = values.people ?? 'test';
    if (people !== 'test' && people !== 'val') throw new UsageError(`--people expects test or val, got ${JSON.stringify(people)}`);
    const log = (s: string) => io.stderr(`${s}\n`);
    const seed = intFlag('seed', values.seed, 1);
    const feat = featureConfig(values.config);
    let dirs = datasetDirs(values);
    const key = suite === 'vgmidi-personal' ? 'vgmidi' : suite;
    // --data may point at the dataset folder itself.
    if (!dirs[key] && values.data) dirs = { ...dirs, [key]: path.resolve(values.data) };
    const backend = await ensureBackend(parseBackendChoice(values.backend ?? 'wasm'));
    const hasModel = Boolean(values.weights || values.checkpoint);
    let model: ModelState | null = null;
    let origin = 'none (baselines only)';
    let cacheKey: string | undefined;
    if (hasModel) ({ model, origin, cacheKey } = await loadBaseModel({ weights: values.weights, checkpoint: values.checkpoint }, feat));
    const report: Record<string, unknown> = {
      suite,
      data: dirs[key],
      model: origin,
      seed,
      commit: gitCommit(),
      backend,
      date: new Date().toISOString(),
    };
    const md: string[] = [`# pdmer eval: ${suite}`, '', `- data: ${dirs[key]}`, `- model: ${origin}`, `- seed: ${seed}; commit ${report.commit}; backend ${backend}`];
    try {
      if (suite === 'fourq' || suite === 'emopia') {
        const pool = await buildPool(feat, { seed, sets: [suite], dirs, onProgress: log });
        const n = (s: string) => pool.quadrant.filter((q) => q.clip.split === s).length;
        report.split =
          suite === 'fourq'
            ? { kind: 'seeded hash by artist (70/10/20)', train: n('train'), val: n('val'), test: n('test') }
            : { kind: 'official EMOPIA clip splits', train: n('train'), val: n('val'), test: n('test') };
        const rows = evalQuadrant(model, pool, suite, log);
        report.rows = rows;
        md.push(`- split: ${JSON.stringify(report.split)}`, '', '| method | n | accuracy | macro-F1 | valence sign acc. | arousal sign acc. |', '| --- | --- | --- | --- | --- | --- |');
        for (const r of rows as QuadrantRow[]) md.push(`| ${r.method} | ${r.n} | ${fmt(r.accuracy, true)} | ${fmt(r.macroF1, true)} | ${fmt(r.valenceSignAccuracy, true)} | ${fmt(r.arousalSignAccuracy, true)} |`);
        if (suite === 'fourq') md.push('', 'Published anchor (Panda et al. 2018, 10-fold CV on 900 clips, hand-crafted features + SVM): 76.4 % F1.');
        const best = (rows as QuadrantRow[]).find((r) => r.method.startsWith('model'));
        if (best) md.push('', `Confusion (rows true Q1..Q4, columns predicted): ${JSON.stringify(best.confusion)}`);
      } else if (suite === 'deam' || suite === 'pmemo') {
        const dir = dirs[suite];
        if (!dir) throw new UsageError(`no ${suite}/ folder under --data`);
        const songs = suite === 'deam' ? loadDeam(dir, { seed }) : loadPmemo(dir, { seed });
        const n = (s: string) => songs.filter((x) => x.split === s).length;
        report.split = { kind: suite === 'deam' ? 'official (ids <= 2000 train, 2001-2058 test); val hashed from train' : 'seeded hash by song (80/10/10)', train: n('train'), val: n('val'), test: n('test'), withAudio: songs.filter((s) => s.audioPath).length };
        const rows = await evalCurves(model, songs, feat, log);
        report.rows = rows;
        md.push(`- split: ${JSON.stringify(report.split)}`, '', '| method | songs | RMSE A | r A | CCC A | RMSE V | r V | CCC V |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
        for (const r of rows as CurveRow[])
          md.push(`| ${r.method} | ${r.songs} | ${fmt(r.arousal.rmse)} | ${fmt(r.arousal.pearson)} | ${fmt(r.arousal.ccc)} | ${fmt(r.valence.rmse)} | ${fmt(r.valence.pearson)} | ${fmt(r.valence.ccc)} |`);
        if (!songs.some((s) => s.audioPath)) md.push('', 'No audio in this folder (label files only): only label baselines are scored.');
      } else {
        if (!model) throw new UsageError('vgmidi-personal needs --weights or --checkpoint');
        const pool = await buildPool(feat, { seed, sets: ['vgmidi'], dirs, onProgress: log });
        const bodies = pieceBodies(model, pool, log, cacheKey);
        const firstK = floatFlag('first-k', values['first-k'], 30);
        let cases = personalCases(pool, bodies, people, firstK);
        const maxCases = values['max-cases'] ? intFlag('max-cases', values['max-cases'], 0, 1) : 0;
        if (maxCases) cases = [...cases.filter((c) => c.protocol === 'first-k').slice(0, maxCases), ...cases.filter((c) => c.protocol === 'cross-piece').slice(0, maxCases)];
        const heads: Record<string, Record<string, tf.Tensor>> = {};
        let inner = { steps: HEAD_META_PRESET.innerSteps, lr: HEAD_META_PRESET.innerLr, loss: 'mse' as 'mse' | 'dmer', clipNorm: HEAD_META_PRESET.innerClipNorm ?? undefined };
        for (const [flag, name] of [
          ['maml', 'MAML, annotator tasks (ours)'],
          ['maml-random', 'MAML, random tasks (ablation)'],
        ] as const) {
          const file = values[flag];
          if (!file) continue;
          const ck = loadCheckpoint<MetaTrainMeta>(file);
          heads[name] = fromPlain(ck.groups.head);
          const m = ck.meta.options.meta;
          inner = { steps: m.innerSteps, lr: m.innerLr, loss: ck.meta.options.loss, clipNorm: m.innerClipNorm ?? undefined };
        }
        inner = {
          ...inner,
          steps: intFlag('inner-steps', values['inner-steps'], inner.steps, 1),
          lr: floatFlag('inner-lr', values['inner-lr'], inner.lr),
          loss: (values.loss as 'mse' | 'dmer' | undefined) ?? inner.loss,
        };
        const base = model.headParams();
        try {
          report.split = {
            kind: 'VGMIDI people (reconstructed) split 70/10/20 by seed; pieces shared; base model trained on train-people consensus only',
            people,
            [people === 'test' ? 'testPeople' : 'valPeople']: new Set(cases.map((c) => c.person)).size,
            cases: { 'first-k': cases.filter((c) => c.protocol === 'first-k').length, 'cross-piece': cases.filter((c) => c.protocol === 'cross-piece').length },
            firstKSec: firstK,
          };
          report.adaptation = inner;
          const trainCurves = pool.curves.filter((c) => pool.peopleSplit.get(c.person) === 'train');
          const methods = { ...personalMethods(model.config, base, heads, pool.trainMean, inner, seed), ...ceilingMethods(consensusCurves(trainCurves), pool.trainMean) };
          const rows = scorePersonal(methods, cases, log);
          report.rows = rows;
          md.push(`- split: ${JSON.stringify(report.split)}`, `- adaptation: ${JSON.stringify(inner)} (head only, body frozen; see src-main/learning/personal.ts)`);
          for (const protocol of ['first-k', 'cross-piece']) {
            const rs = (rows as PersonalRow[]).filter((r) => r.protocol === protocol);
            if (!rs.length) continue;
            md.push('', `## ${protocol === 'first-k' ? `support = first ${firstK} s, query = rest of the same curve` : 'support = one piece, query = the person’s other piece'} (${rs[0].cases} cases)`, '');
            md.push('| method | RMSE (mean A,V) | RMSE A | RMSE V | r A | r V | CCC A | CCC V |', '| --- | --- | --- | --- | --- | --- | --- | --- |');
            for (const r of rs) md.push(`| ${r.method} | ${fmt(r.rmse)} | ${fmt(r.rmseA)} | ${fmt(r.rmseV)} | ${fmt(r.pccA)} | ${fmt(r.pccV)} | ${fmt(r.cccA)} | ${fmt(r.cccV)} |`);
            const baselines = rs.filter((r) => ['global mean', 'last support value held', 'support mean held', 'model + person offset', 'non-personalized model'].includes(r.method));
            const bestBase = baselines.reduce((a, b) => (b.rmse < a.rmse ? b : a));
            const ours = rs.find((r) => r.method.startsWith('MAML, annotator'));
            if (ours) md.push('', `Best personal baseline: ${bestBase.method} (${fmt(bestBase.rmse)}); MAML (annotator) is ${relative(ours.rmse, bestBase.rmse)} (target: >= 10 % lower).`);
            const ceiling = rs.filter((r) => r.method.startsWith('ceiling:')).reduce<PersonalRow | null>((a, b) => (!a || b.rmse < a.rmse ? b : a), null);
            if (ceiling)
              md.push(
                '',
                `Best oracle ceiling (uses the consensus of ${new Set(trainCurves.map((c) => c.person)).size} training people on the same piece, which no model has): ${ceiling.method} (${fmt(ceiling.rmse)}), ${relative(ceiling.rmse, bestBase.rmse)} than the best personal baseline.`,
              );
          }
        } finally {
          disposeParams(base);
          for (const h of Object.values(heads)) disposeParams(h);
        }
      }
    } finally {
      model?.dispose();
    }
    if (values.out) {
      fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
      fs.writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
    }
    io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${md.join('\n')}\n`);
    return 0;
  },
};

/** "12.3 % lower" / "4.5 % higher": an RMSE relative to a reference. */
export function relative(value: number, reference: number): string {
  const pct = 100 * (1 - value / reference);
  return pct >= 0 ? `${pct.toFixed(1)} % lower` : `${(-pct).toFixed(1)} % higher`;
}
