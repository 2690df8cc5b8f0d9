/**
 * Personalization on VGMIDI people: body features per piece, support/query items per person,
 * annotator-task FOMAML of the predictor head (`pdmer meta-train`) and the personal evaluation
 * protocols with baselines (`pdmer eval --suite vgmidi-personal`).
 *
 * Protocols (per held-out person):
 * - `first-k`: support = the bins of the first K seconds of their curve on a piece, query = the
 *   rest of the same curve (pieces shorter than K + 10 s are skipped);
 * - `cross-piece`: support = their whole curve on one piece, query = their curve on their other
 *   piece (both directions).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '../model/config';
import { AdamState } from '../model/meta/adam';
import { eligiblePeople, groupByPerson, mulberry32, sampleAnnotatorTasks, sampleRandomTasks, shuffled } from '../model/meta/episode';
import { META_REFERENCE, type MetaConfig } from '../model/meta/fomaml';
import {
  adaptHeadAndPredict,
  fromPlain,
  metaStepHead,
  predictHeadBins,
  randomHead,
  toPlain,
  type AdaptLoss,
  type BodyItem,
  type ModelState,
} from '../model/meta/trainer';
import { disposeParams } from '../model/params';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { Split, VgmidiCurve } from './datasets/types';
import { ccc, mean, pearson, rmse } from './metrics';
import { cacheRoot } from './datasets/render';
import type { Pool } from './pool';

/** Body features of every piece (computed once with the base params). */
export type PieceBodies = Map<string, { data: Float32Array; steps: number; dim: number }>;

/**
 * Computes body features of all pieces of the pool. With `cacheKey` (e.g. the base checkpoint's
 * path, size and mtime) they are cached under ~/.cache/pdmer/body/, since meta-training (both task
 * kinds) and evaluation all need the same features of the same base model.
 */
export function pieceBodies(model: ModelState, pool: Pool, log?: (s: string) => void, cacheKey?: string): PieceBodies {
  const file = cacheKey ? path.join(cacheRoot(), 'body', `${crypto.createHash('sha256').update(cacheKey).digest('hex').slice(0, 24)}.bin`) : null;
  if (file && fs.existsSync(file)) {
    const cached = readBodies(file);
    if ([...pool.pieces.keys()].every((k) => cached.has(k))) {
      log?.(`personal: body features from cache ${file}`);
      return cached;
    }
  }
  const out = computeBodies(model, pool, log);
  if (file) writeBodies(file, out);
  return out;
}

function writeBodies(file: string, b: PieceBodies): void {
  const index = [...b.entries()].map(([k, v]) => ({ k, steps: v.steps, dim: v.dim, n: v.data.length }));
  const head = Buffer.from(JSON.stringify(index));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.${process.pid}.part`;
  fs.writeFileSync(part, Buffer.concat([len, head, ...[...b.values()].map((v) => Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength))]));
  fs.renameSync(part, file);
}

function readBodies(file: string): PieceBodies {
  const buf = fs.readFileSync(file);
  const hl = buf.readUInt32LE(0);
  const index = JSON.parse(buf.toString('utf8', 4, 4 + hl)) as { k: string; steps: number; dim: number; n: number }[];
  const out: PieceBodies = new Map();
  let off = 4 + hl;
  for (const e of index) {
    out.set(e.k, { data: new Float32Array(new Uint8Array(buf.subarray(off, off + e.n * 4)).buffer), steps: e.steps, dim: e.dim });
    off += e.n * 4;
  }
  return out;
}

function computeBodies(model: ModelState, pool: Pool, log?: (s: string) => void): PieceBodies {
  const out: PieceBodies = new Map();
  let i = 0;
  for (const [k, e] of pool.pieces) {
    const b = model.bodyFeatures(e.feats);
    out.set(k, { data: b.data, steps: e.feats.steps, dim: b.dim });
    if (++i % 40 === 0) log?.(`personal: body features ${i}/${pool.pieces.size}`);
  }
  return out;
}

/**
 * A BodyItem for bins [b0, b1) of a curve: only the 2 Hz steps whose centre falls in those bins,
 * a row-normalised pooling per bin, and the person's (A, V) per bin. Bins without steps (audio
 * shorter than the labels) are dropped. Returns null when no bin has steps.
 */
export function curveItem(body: { data: Float32Array; steps: number; dim: number }, curve: VgmidiCurve, b0: number, b1: number): BinnedItem | null {
  const binOf = (t: number) => Math.floor(((t + 0.5) * 0.5) / curve.binSec);
  let s0 = -1;
  let s1 = -1;
  for (let t = 0; t < body.steps; t++) {
    const b = binOf(t);
    if (b >= b0 && b < b1) {
      if (s0 < 0) s0 = t;
      s1 = t + 1;
    }
  }
  if (s0 < 0) return null;
  const steps = s1 - s0;
  const bins: number[] = [];
  for (let b = b0; b < b1; b++) if (b < curve.arousal.length) bins.push(b);
  const rows = bins.filter((b) => {
    for (let t = s0; t < s1; t++) if (binOf(t) === b) return true;
    return false;
  });
  if (rows.length === 0) return null;
  const pool = new Float32Array(rows.length * steps);
  const target = new Float32Array(rows.length * 2);
  rows.forEach((b, r) => {
    let n = 0;
    for (let t = s0; t < s1; t++) if (binOf(t) === b) n++;
    for (let t = s0; t < s1; t++) if (binOf(t) === b) pool[r * steps + (t - s0)] = 1 / n;
    target[r * 2] = curve.arousal[b];
    target[r * 2 + 1] = curve.valence[b];
  });
  return { features: body.data.subarray(s0 * body.dim, s1 * body.dim), steps, dim: body.dim, pool, nb: rows.length, target, bins: rows };
}

/** A BodyItem that remembers which bins of its curve its rows are. */
export interface BinnedItem extends BodyItem {
  bins: number[];
}

/** A support/query case of one person. */
export interface PersonalCase {
  person: string;
  protocol: 'first-k' | 'cross-piece';
  support: BinnedItem;
  query: BinnedItem;
  /** ids of the curves involved */
  ids: string[];
  /** piece keys of the support and of the query curve */
  pieces: [string, string];
}

/** Builds the evaluation (or training) cases of the people in `split`. */
export function personalCases(pool: Pool, bodies: PieceBodies, split: Split, firstKSec: number): PersonalCase[] {
  const curves = pool.curves.filter((c) => pool.peopleSplit.get(c.person) === split && bodies.has(c.pieceKey));
  const out: PersonalCase[] = [];
  for (const [person, cs] of groupByPerson(curves)) {
    for (const c of cs) {
      const kb = Math.round(firstKSec / c.binSec);
      if (c.arousal.length * c.binSec < firstKSec + 10) continue;
      const s = curveItem(bodies.get(c.pieceKey)!, c, 0, kb);
      const q = curveItem(bodies.get(c.pieceKey)!, c, kb, c.arousal.length);
      if (s && q) out.push({ person, protocol: 'first-k', support: s, query: q, ids: [c.id], pieces: [c.pieceKey, c.pieceKey] });
    }
    if (cs.length === 2) {
      for (const [a, b] of [
        [cs[0], cs[1]],
        [cs[1], cs[0]],
      ]) {
        const s = curveItem(bodies.get(a.pieceKey)!, a, 0, a.arousal.length);
        const q = curveItem(bodies.get(b.pieceKey)!, b, 0, b.arousal.length);
        if (s && q) out.push({ person, protocol: 'cross-piece', support: s, query: q, ids: [a.id, b.id], pieces: [a.pieceKey, b.pieceKey] });
      }
    }
  }
  return out;
}

/** Per-bin mean (A, V) of one piece over a group of people; `n[b]` = curves that reach bin b. */
export interface Consensus {
  arousal: Float32Array;
  valence: Float32Array;
  n: Int32Array;
}

/**
 * The consensus curve of every piece over `curves` (the eval passes the TRAIN people's curves: what
 * the base model is trained towards). A perfect non-personalized model could at best predict this,
 * so methods built on it are oracle ceilings of what a better base model could add, not baselines.
 */
export function consensusCurves(curves: VgmidiCurve[]): Map<string, Consensus> {
  const by = new Map<string, VgmidiCurve[]>();
  for (const c of curves) {
    const list = by.get(c.pieceKey);
    if (list) list.push(c);
    else by.set(c.pieceKey, [c]);
  }
  const out = new Map<string, Consensus>();
  for (const [key, cs] of by) {
    const len = Math.max(...cs.map((c) => c.arousal.length));
    const con: Consensus = { arousal: new Float32Array(len), valence: new Float32Array(len), n: new Int32Array(len) };
    for (const c of cs) {
      for (let b = 0; b < c.arousal.length; b++) {
        con.arousal[b] += c.arousal[b];
        con.valence[b] += c.valence[b];
        con.n[b]++;
      }
    }
    for (let b = 0; b < len; b++) {
      con.arousal[b] /= con.n[b];
      con.valence[b] /= con.n[b];
    }
    out.set(key, con);
  }
  return out;
}

/** Consensus (A, V) at bin b: the last bin reached when b is past the end; null when the piece has none. */
function consensusAt(con: Consensus | undefined, b: number): [number, number] | null {
  if (!con || con.arousal.length === 0) return null;
  const i = Math.min(b, con.arousal.length - 1);
  return [con.arousal[i], con.valence[i]];
}

/**
 * Oracle ceilings for the personal evaluation, from the consensus of other people on the same
 * piece: the consensus itself, consensus + the person's offset on the support, and the consensus's
 * change anchored at the person's last support value (the best a better base model could do with
 * the "last value + predicted change" rule). Pieces without consensus fall back to `fallback`.
 */
export function ceilingMethods(consensus: Map<string, Consensus>, fallback: { arousal: number; valence: number }): Record<string, PersonalMethod> {
  const at = (piece: string, b: number): [number, number] => consensusAt(consensus.get(piece), b) ?? [fallback.arousal, fallback.valence];
  const curve = (c: PersonalCase, da: number, dv: number) => {
    const out = new Float32Array(c.query.nb * 2);
    c.query.bins.forEach((b, r) => {
      const [a, v] = at(c.pieces[1], b);
      out[2 * r] = a + da;
      out[2 * r + 1] = v + dv;
    });
    return out;
  };
  return {
    'ceiling: consensus of training people (oracle)': (c) => curve(c, 0, 0),
    'ceiling: consensus + person offset (oracle)': (c) => {
      let da = 0;
      let dv = 0;
      c.support.bins.forEach((b, r) => {
        const [a, v] = at(c.pieces[0], b);
        da += c.support.target[2 * r] - a;
        dv += c.support.target[2 * r + 1] - v;
      });
      return curve(c, da / c.support.nb, dv / c.support.nb);
    },
    'ceiling: last support value + consensus change (oracle)': (c) => {
      const last = c.support.nb - 1;
      const [a, v] = at(c.pieces[0], c.support.bins[last]);
      return curve(c, c.support.target[2 * last] - a, c.support.target[2 * last + 1] - v);
    },
  };
}

/** Head meta-training settings (CPU preset on body features; see trainer.ts). */
export interface MetaTrainOptions {
  out: string;
  tasks: 'annotator' | 'random';
  meta: MetaConfig;
  loss: AdaptLoss;
  seed: number;
  evalEvery: number;
  firstKSec: number;
  resume: boolean;
}

/**
 * Head CPU preset: the reference's 16 inner steps; inner lr 1e-2 with gradient-norm clip 5
 * (larger steps overfit a one-curve support, measured in trainer.test.ts); 8 tasks per
 * meta-batch; outer Adam 1e-3 (only ~8k head parameters move); 400 meta-iterations.
 */
export const HEAD_META_PRESET: MetaConfig = Object.freeze({
  innerSteps: 16,
  innerLr: 1e-2,
  outerLr: 1e-3,
  tasksPerBatch: 8,
  iterations: 400,
  innerClipNorm: 5,
});

/** Mean query RMSE (A and V averaged) after adapting `head` on each case's support. */
export function adaptedRmse(head: Record<string, import('@tensorflow/tfjs-core').Tensor>, cases: PersonalCase[], m: MetaConfig, loss: AdaptLoss): number {
  const errs = cases.map((c) => {
    const r = adaptHeadAndPredict(head, c.support, [c.query], { steps: m.innerSteps, lr: m.innerLr, loss, clipNorm: m.innerClipNorm ?? undefined });
    return binRmse(r.preds[0], c.query.target);
  });
  return mean(errs);
}

/** RMSE of interleaved (A,V) bins, averaged over the two dimensions. */
export function binRmse(pred: Float32Array, target: Float32Array): number {
  const [pa, pv] = deinterleave(pred);
  const [ta, tv] = deinterleave(target);
  return (rmse(pa, ta) + rmse(pv, tv)) / 2;
}

function deinterleave(x: Float32Array): [Float32Array, Float32Array] {
  const n = x.length / 2;
  const a = new Float32Array(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x[2 * i];
    v[i] = x[2 * i + 1];
  }
  return [a, v];
}

export interface MetaTrainMeta {
  kind: 'meta-head';
  tasks: 'annotator' | 'random';
  iteration: number;
  options: MetaTrainOptions;
  best: { iteration: number; valRmse: number } | null;
  history: { iteration: number; queryAfter: number; valRmse?: number }[];
  people: { train: number; dropped: { tooFew: number; flat: number } };
  [k: string]: unknown;
}

/**
 * FOMAML of the head over person tasks built from TRAIN people (annotator tasks) or at random
 * across them (ablation). Each task is one of the person's cases (first-k or cross-piece).
 * Selection on VAL people's adapted RMSE. Checkpoints: `<out>/last.ckpt`, `<out>/best.ckpt`.
 */
export function metaTrainHead(model: ModelState, pool: Pool, bodies: PieceBodies, o: MetaTrainOptions, log: (s: string) => void): MetaTrainMeta {
  fs.mkdirSync(o.out, { recursive: true });
  const lastPath = path.join(o.out, 'last.ckpt');
  const trainCases = personalCases(pool, bodies, 'train', o.firstKSec);
  const valCases = shuffled(personalCases(pool, bodies, 'val', o.firstKSec), mulberry32(o.seed)).slice(0, 200);
  // Eligibility as in the reference: drop people whose curves are all nearly flat.
  const trainCurves = pool.curves.filter((c) => pool.peopleSplit.get(c.person) === 'train');
  const { people: okPeople, dropped } = eligiblePeople(
    trainCurves.map((c) => ({ person: c.person, id: c.id, arousal: c.arousal, valence: c.valence })),
    { minItems: 1 },
  );
  const casesByPerson = new Map<string, PersonalCase[]>();
  for (const c of trainCases) if (okPeople.has(c.person)) (casesByPerson.get(c.person) ?? casesByPerson.set(c.person, []).get(c.person)!).push(c);
  log(`meta-train: ${casesByPerson.size} train people with tasks (dropped ${JSON.stringify(dropped)}), ${trainCases.length} train cases, ${valCases.length} val cases`);
  let head = model.headParams();
  let adam = new AdamState();
  let meta: MetaTrainMeta = {
    kind: 'meta-head',
    tasks: o.tasks,
    iteration: 0,
    options: o,
    best: null,
    history: [],
    people: { train: casesByPerson.size, dropped },
  };
  if (o.resume && fs.existsSync(lastPath)) {
    const ck = loadCheckpoint<MetaTrainMeta>(lastPath);
    disposeParams(head);
    adam.dispose();
    head = fromPlain(ck.groups.head);
    adam = AdamState.fromArrays(Number(ck.meta.adamT ?? 0), ck.groups.adamM ?? {}, ck.groups.adamV ?? {});
    meta = ck.meta;
    log(`meta-train: resumed at iteration ${meta.iteration}`);
  }
  const save = async (file: string) => {
    saveCheckpoint(file, { meta: { ...meta, adamT: adam.t }, groups: { head: await toPlain(head), adamM: await toPlain(adam.m), adamV: await toPlain(adam.v) } });
  };
  // Synchronous loop; checkpoints are written with sync reads of small head tensors.
  const saveSync = (file: string) => {
    const plain = (p: Record<string, import('@tensorflow/tfjs-core').Tensor>) =>
      Object.fromEntries(Object.entries(p).map(([k, t]) => [k, { shape: t.shape.slice(), data: t.dataSync() as Float32Array }]));
    saveCheckpoint(file, { meta: { ...meta, adamT: adam.t }, groups: { head: plain(head), adamM: plain(adam.m), adamV: plain(adam.v) } });
  };
  void save;
  const t0 = Date.now();
  try {
    if (meta.iteration === 0) {
      const v0 = adaptedRmse(head, valCases, o.meta, o.loss);
      log(`meta-train: val RMSE after adaptation from the base head (iteration 0): ${v0.toFixed(4)}`);
      meta.best = { iteration: 0, valRmse: v0 };
      meta.history.push({ iteration: 0, queryAfter: NaN, valRmse: v0 });
      saveSync(path.join(o.out, 'best.ckpt'));
    }
    let recent: number[] = [];
    while (meta.iteration < o.meta.iterations) {
      const rand = mulberry32((o.seed * 7919 + meta.iteration) >>> 0);
      const sample = o.tasks === 'annotator' ? sampleAnnotatorTasks : sampleRandomTasks;
      // Tasks over the person's cases: one case = (support, query) of that person.
      const picked = sample(casesByPerson as unknown as Map<string, { person: string }[]>, o.meta.tasksPerBatch, rand, { support: 1, query: 1 }) as unknown as {
        support: PersonalCase[];
        query: PersonalCase[];
      }[];
      const tasks = picked.map((t) =>
        o.tasks === 'annotator'
          ? // annotator task: a case's own support and query (same person)
            { support: t.support[0].support, query: [t.support[0].query] }
          : // random task: support of one case, query of another (usually another person)
            { support: t.support[0].support, query: [(t.query[0] ?? t.support[0]).query] },
      );
      const r = metaStepHead(head, tasks, adam, o.meta, o.loss);
      disposeParams(head);
      head = r.params;
      recent.push(r.result.queryLossAfter);
      meta.iteration++;
      if (meta.iteration % 20 === 0) log(`meta-train[${o.tasks}]: it ${meta.iteration}/${o.meta.iterations} query loss after adaptation ${mean(recent).toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
      if (meta.iteration % o.evalEvery === 0 || meta.iteration === o.meta.iterations) {
        const v = adaptedRmse(head, valCases, o.meta, o.loss);
        meta.history.push({ iteration: meta.iteration, queryAfter: mean(recent), valRmse: v });
        recent = [];
        log(`meta-train[${o.tasks}]: val RMSE after adaptation ${v.toFixed(4)} at ${meta.iteration}`);
        if (!meta.best || v < meta.best.valRmse) {
          meta.best = { iteration: meta.iteration, valRmse: v };
          saveSync(path.join(o.out, 'best.ckpt'));
        }
        saveSync(lastPath);
      }
    }
    return meta;
  } finally {
    disposeParams(head);
    adam.dispose();
  }
}

/** One method's predictions for the personal evaluation. */
export type PersonalMethod = (c: PersonalCase) => Float32Array;

/** Per-method summary over cases of one protocol. */
export interface PersonalRow {
  method: string;
  protocol: string;
  cases: number;
  rmse: number;
  rmseA: number;
  rmseV: number;
  pccA: number;
  pccV: number;
  cccA: number;
  cccV: number;
}

/** Scores methods on cases. */
export function scorePersonal(methods: Record<string, PersonalMethod>, cases: PersonalCase[], log?: (s: string) => void): PersonalRow[] {
  const rows: PersonalRow[] = [];
  for (const protocol of ['first-k', 'cross-piece'] as const) {
    const cs = cases.filter((c) => c.protocol === protocol);
    if (!cs.length) continue;
    for (const [name, fn] of Object.entries(methods)) {
      const acc = { ra: [] as number[], rv: [] as number[], pa: [] as number[], pv: [] as number[], ca: [] as number[], cv: [] as number[] };
      for (const c of cs) {
        const [pa, pv] = deinterleave(fn(c));
        const [ta, tv] = deinterleave(c.query.target);
        acc.ra.push(rmse(pa, ta));
        acc.rv.push(rmse(pv, tv));
        acc.pa.push(pearson(pa, ta));
        acc.pv.push(pearson(pv, tv));
        acc.ca.push(ccc(pa, ta));
        acc.cv.push(ccc(pv, tv));
      }
      const row: PersonalRow = {
        method: name,
        protocol,
        cases: cs.length,
        rmse: (mean(acc.ra) + mean(acc.rv)) / 2,
        rmseA: mean(acc.ra),
        rmseV: mean(acc.rv),
        pccA: mean(acc.pa),
        pccV: mean(acc.pv),
        cccA: mean(acc.ca),
        cccV: mean(acc.cv),
      };
      rows.push(row);
      log?.(`eval: ${protocol} ${name}: RMSE ${row.rmse.toFixed(4)}`);
    }
  }
  return rows;
}

/** The baselines and personalized methods of issue 4, given the heads available. */
export function personalMethods(
  cfg: ModelConfig,
  base: Record<string, import('@tensorflow/tfjs-core').Tensor>,
  heads: Record<string, Record<string, import('@tensorflow/tfjs-core').Tensor>>,
  trainMean: { arousal: number; valence: number },
  inner: { steps: number; lr: number; loss: AdaptLoss; clipNorm?: number },
  seed: number,
): Record<string, PersonalMethod> {
  const constant = (c: PersonalCase, a: number, v: number) => {
    const out = new Float32Array(c.query.nb * 2);
    for (let b = 0; b < c.query.nb; b++) {
      out[2 * b] = a;
      out[2 * b + 1] = v;
    }
    return out;
  };
  const rand = randomHead(cfg, seed + 17);
  const methods: Record<string, PersonalMethod> = {
    'global mean': (c) => constant(c, trainMean.arousal, trainMean.valence),
    'last support value held': (c) => {
      const t = c.support.target;
      return constant(c, t[t.length - 2], t[t.length - 1]);
    },
    'support mean held': (c) => {
      const [a, v] = deinterleave(c.support.target);
      return constant(c, mean(a), mean(v));
    },
    'non-personalized model': (c) => predictHeadBins(base, c.query),
    'model + person offset': (c) => {
      const sp = predictHeadBins(base, c.support);
      let da = 0;
      let dv = 0;
      for (let b = 0; b < c.support.nb; b++) {
        da += c.support.target[2 * b] - sp[2 * b];
        dv += c.support.target[2 * b + 1] - sp[2 * b + 1];
      }
      da /= c.support.nb;
      dv /= c.support.nb;
      const q = predictHeadBins(base, c.query);
      for (let b = 0; b < c.query.nb; b++) {
        q[2 * b] += da;
        q[2 * b + 1] += dv;
      }
      return q;
    },
    'fine-tune from random init': (c) => adaptHeadAndPredict(rand, c.support, [c.query], inner).preds[0],
    'fine-tune base (no meta)': (c) => adaptHeadAndPredict(base, c.support, [c.query], inner).preds[0],
  };
  for (const [name, h] of Object.entries(heads)) methods[name] = (c) => adaptHeadAndPredict(h, c.support, [c.query], inner).preds[0];
  return methods;
}

export { META_REFERENCE };
