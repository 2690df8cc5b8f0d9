/**
 * The explicit parameter map of the DSAML network: names, shapes, seeded initialisation, counts.
 *
 * Names mirror the PyTorch state_dict of Littleor/Personalized-DMER (models/PDMER.py) so a reader
 * can map one to the other, with two deliberate layout differences:
 * - Linear layers store `kernel` as [in, out] (PyTorch `weight` is [out, in]): x @ kernel needs no
 *   transposed matMul, which is ~11x slower on the wasm backend (STYLE.md B13).
 * - Conv layers store `kernel` as [kh, kw, in, out] so im2col patches multiply it directly.
 * The BiLSTM keeps PyTorch's gate order (i, f, g, o) and its two bias vectors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cnnShapes, type ModelConfig } from './config';
import { fnv1a32, mulberry32 } from '../../src-shared/random';

/** A parameter set: base weights, fast (adapted) weights, or gradients. Keys are names below. */
export type ParamMap = Record<string, tf.Tensor | tf.Variable>;

/** How a parameter is initialised (PyTorch defaults for each module type). */
export type InitKind =
  | { kind: 'uniform'; bound: number } // U(-bound, bound): Linear/Conv (kaiming_uniform a=sqrt(5)), LSTM
  | { kind: 'normal'; std: number } // nn.Embedding: N(0, 1)
  | { kind: 'const'; value: number }; // BN/LN gamma 1, beta 0, running stats

/** One row of the shape table. `trainable: false` marks BatchNorm running statistics. */
export interface ParamSpec {
  shape: number[];
  trainable: boolean;
  init: InitKind;
}

/** Prefixes of the network's modules (reference names). */
export const P = {
  cnn: 'spectrogram_feature_extractor',
  fusion: 'fusion_model',
  encoder: 'multi_scale_attention.encoder.layer',
  lstm: 'sequence_predict_model.bilstm',
  head: 'sequence_predict_model.layers',
} as const;

function linear(table: Record<string, ParamSpec>, name: string, fanIn: number, fanOut: number): void {
  const bound = 1 / Math.sqrt(fanIn);
  table[`${name}.kernel`] = { shape: [fanIn, fanOut], trainable: true, init: { kind: 'uniform', bound } };
  table[`${name}.bias`] = { shape: [fanOut], trainable: true, init: { kind: 'uniform', bound } };
}

function conv(table: Record<string, ParamSpec>, name: string, kh: number, kw: number, cin: number, cout: number): void {
  const bound = 1 / Math.sqrt(cin * kh * kw);
  table[`${name}.kernel`] = { shape: [kh, kw, cin, cout], trainable: true, init: { kind: 'uniform', bound } };
  table[`${name}.bias`] = { shape: [cout], trainable: true, init: { kind: 'uniform', bound } };
}

function norm(table: Record<string, ParamSpec>, name: string, n: number, running: boolean): void {
  table[`${name}.gamma`] = { shape: [n], trainable: true, init: { kind: 'const', value: 1 } };
  table[`${name}.beta`] = { shape: [n], trainable: true, init: { kind: 'const', value: 0 } };
  if (running) {
    table[`${name}.running_mean`] = { shape: [n], trainable: false, init: { kind: 'const', value: 0 } };
    table[`${name}.running_var`] = { shape: [n], trainable: false, init: { kind: 'const', value: 1 } };
  }
}

/**
 * The complete shape table for a configuration (no tensors are created).
 * @returns name -> {shape, trainable, init}, in a stable order.
 */
export function paramSpecs(c: ModelConfig): Record<string, ParamSpec> {
  const t: Record<string, ParamSpec> = {};
  const D = c.hidden;
  const [c1, c2] = c.cnnChannels;
  // 1. Local CNN adapter (SpectrogramFeatureExtractor).
  conv(t, `${P.cnn}.feature_extractor.0.conv`, 3, 1, 1, c1);
  norm(t, `${P.cnn}.feature_extractor.0.bn`, c1, true);
  conv(t, `${P.cnn}.feature_extractor.1.conv`, 3, 3, c1, c2);
  norm(t, `${P.cnn}.feature_extractor.1.bn`, c2, true);
  conv(t, `${P.cnn}.conv1x1`, 1, 1, c2, 1);
  // 2./3. Fusion: local projection 476 -> D, global projection G -> D (ours: the reference feeds
  // 1024-d ImageBind directly), fusion Linear D -> D.
  linear(t, `${P.fusion}.spectrogram_feature_project`, cnnShapes(c.input).flat, D);
  linear(t, `${P.fusion}.global_project`, c.input.globalDim, D);
  linear(t, `${P.fusion}.fusion_project`, D, D);
  // 4. One transformer encoder (BLIP-2 Q-Former layer without cross-attention), relative_key.
  const dh = D / c.heads;
  for (let i = 0; i < c.layers; i++) {
    const L = `${P.encoder}.${i}`;
    linear(t, `${L}.attention.attention.query`, D, D);
    linear(t, `${L}.attention.attention.key`, D, D);
    linear(t, `${L}.attention.attention.value`, D, D);
    t[`${L}.attention.attention.distance_embedding`] = {
      shape: [2 * c.maxPositions - 1, dh],
      trainable: true,
      init: { kind: 'normal', std: 1 },
    };
    linear(t, `${L}.attention.output.dense`, D, D);
    norm(t, `${L}.attention.output.LayerNorm`, D, false);
    linear(t, `${L}.intermediate.dense`, D, c.ffn);
    linear(t, `${L}.output.dense`, c.ffn, D);
    norm(t, `${L}.output.LayerNorm`, D, false);
  }
  // 5. BiLSTM predictor + head.
  const H = c.lstmHidden;
  const lb = 1 / Math.sqrt(H);
  for (const dir of ['forward', 'backward']) {
    const L = `${P.lstm}.${dir}`;
    t[`${L}.kernel`] = { shape: [D, 4 * H], trainable: true, init: { kind: 'uniform', bound: lb } };
    t[`${L}.recurrent_kernel`] = { shape: [H, 4 * H], trainable: true, init: { kind: 'uniform', bound: lb } };
    t[`${L}.bias_ih`] = { shape: [4 * H], trainable: true, init: { kind: 'uniform', bound: lb } };
    t[`${L}.bias_hh`] = { shape: [4 * H], trainable: true, init: { kind: 'uniform', bound: lb } };
  }
  linear(t, `${P.head}.0`, 2 * H, c.headHidden);
  linear(t, `${P.head}.2`, c.headHidden, 2);
  return t;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Parameter counts from the shape table (no tensors): total trainable and per module group. */
export function countParams(c: ModelConfig): {
  trainable: number;
  nonTrainable: number;
  groups: { cnn: number; globalProjection: number; fusion: number; encoder: number; bilstm: number; head: number };
} {
  const groups = { cnn: 0, globalProjection: 0, fusion: 0, encoder: 0, bilstm: 0, head: 0 };
  let trainable = 0;
  let nonTrainable = 0;
  for (const [name, s] of Object.entries(paramSpecs(c))) {
    const n = sizeOf(s.shape);
    if (!s.trainable) {
      nonTrainable += n;
      continue;
    }
    trainable += n;
    if (name.startsWith(P.cnn)) groups.cnn += n;
    else if (name.startsWith(`${P.fusion}.global_project`)) groups.globalProjection += n;
    else if (name.startsWith(P.fusion)) groups.fusion += n;
    else if (name.startsWith(P.encoder)) groups.encoder += n;
    else if (name.startsWith(P.lstm)) groups.bilstm += n;
    else groups.head += n;
  }
  return { trainable, nonTrainable, groups };
}

// ---------------------------------------------------------------------------------------------
// Seeded initialisation (deterministic across backends: numbers are drawn in JS, not by tfjs).


/** mulberry32 PRNG (src-shared/random.ts), re-exported for model code. */
export { mulberry32 };

/** Fills a Float32Array for one parameter spec, seeded by (seed, name) so names don't shift each other. */
export function initValues(spec: ParamSpec, seed: number, name: string): Float32Array {
  const n = sizeOf(spec.shape);
  const out = new Float32Array(n);
  const init = spec.init;
  if (init.kind === 'const') {
    out.fill(init.value);
    return out;
  }
  const rnd = mulberry32((fnv1a32(name) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0);
  if (init.kind === 'uniform') {
    for (let i = 0; i < n; i++) out[i] = (rnd() * 2 - 1) * init.bound;
  } else {
    for (let i = 0; i < n; i += 2) {
      const u1 = Math.max(rnd(), 1e-12);
      const u2 = rnd();
      const r = Math.sqrt(-2 * Math.log(u1)) * init.std;
      out[i] = r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
  }
  return out;
}

/**
 * Creates freshly initialised parameters (PyTorch default init per module type), seeded.
 * @returns a new ParamMap of plain tensors, owned by the caller (`disposeParams` when done).
 */
export function initParams(c: ModelConfig, seed = 0): ParamMap {
  const out: ParamMap = {};
  for (const [name, spec] of Object.entries(paramSpecs(c))) {
    out[name] = tf.tensor(initValues(spec, seed, name), spec.shape, 'float32');
  }
  return out;
}

/** Names of the trainable parameters of a config (BatchNorm running stats excluded), stable order. */
export function trainableNames(c: ModelConfig): string[] {
  return Object.entries(paramSpecs(c))
    .filter(([, s]) => s.trainable)
    .map(([n]) => n);
}

/** True when `name` is a BatchNorm running statistic (never receives gradients). */
export function isRunningStat(name: string): boolean {
  return name.endsWith('.running_mean') || name.endsWith('.running_var');
}

/** Disposes every tensor of a ParamMap (idempotent on already-disposed tensors). */
export function disposeParams(p: ParamMap | null | undefined): void {
  if (!p) return;
  for (const t of Object.values(p)) if (!t.isDisposed) t.dispose();
}

/**
 * Deep copy of a ParamMap as plain tensors (e.g. base weights -> fast weights).
 * @returns new tensors owned by the caller.
 */
export function cloneParams(p: ParamMap): ParamMap {
  const out: ParamMap = {};
  for (const [k, v] of Object.entries(p)) out[k] = tf.clone(v);
  return out;
}

/**
 * Wraps every parameter in a `tf.Variable` (for `tf.variableGrads`/optimizers). Running stats are
 * non-trainable variables. The input map is not disposed.
 * @returns new variables owned by the caller.
 */
export function toVariables(p: ParamMap, prefix = 'dsaml'): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const [k, v] of Object.entries(p)) out[k] = tf.variable(v, !isRunningStat(k), `${prefix}/${k}/${nextVarId++}`);
  return out;
}
let nextVarId = 0;

/**
 * Checks that `p` has exactly the parameters and shapes of config `c`.
 * @returns a list of problems ("<name>: expected [..], got [..]"); empty when valid.
 */
export function checkParamShapes(p: Record<string, { shape: readonly number[] }>, c: ModelConfig): string[] {
  const problems: string[] = [];
  const specs = paramSpecs(c);
  for (const [name, s] of Object.entries(specs)) {
    const t = p[name];
    if (!t) problems.push(`${name}: expected [${s.shape.join(', ')}], got missing`);
    else if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      problems.push(`${name}: expected [${s.shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
  }
  for (const name of Object.keys(p)) if (!specs[name]) problems.push(`${name}: unexpected parameter`);
  return problems;
}
