/**
 * Network-only benchmark (no decode/features): whole-song prediction speed, time to the first
 * 30 s of curve, per-window cost, and one-shot adaptation time, on random features.
 * Used by scripts/bench.ts (H5) and runnable alone:
 *   node --import tsx src-main/model/bench-model.ts [compact|paper] [wasm|cpu|auto] [seconds]
 */
import { pathToFileURL } from 'node:url';
import { CONFIGS, type ConfigName, type ModelConfig } from './config';
import * as tf from '@tensorflow/tfjs-core';
import { EmotionModel, type AdaptScope, type ModelFeatures } from './engine';
import { attentionMaps, sequenceForward, stepEmbeddings } from './network';
import { disposeParams, initParams } from './params';
import type { BackendChoice } from './backend';

/** Figures from `benchModel` (milliseconds unless stated). */
export interface ModelBench {
  config: string;
  backend: string;
  songSeconds: number;
  steps: number;
  /** Whole-song predict, wall clock (median of `repeats`). */
  predictMs: number;
  /** Same, process CPU time (user + system): robust when other processes load the machine. */
  predictCpuMs: number;
  /** Song seconds per wall second for the network alone (wall clock). */
  realtimeFactor: number;
  /** Time until the first 60 steps (30 s) of curve were final. */
  first30sMs: number;
  /** Embedding (CNN + fusion) CPU time per step (chunks of 64 steps). */
  embedMsPerStep: number;
  /** Sequence part (transformer + BiLSTM) CPU time per 60-step window, in batches of 16. */
  windowMs: number;
  /** 16 inner SGD steps on one 60-step clip, per adaptation scope (null when skipped). */
  adapt16Ms: Record<AdaptScope, number> | null;
  /** Same, process CPU time. */
  adapt16CpuMs: Record<AdaptScope, number> | null;
  paramCount: number;
}

function randomFeatures(c: ModelConfig, steps: number): ModelFeatures {
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 8; // log-mel-like range
  return {
    local: { data: new Float32Array(steps * c.input.framesPerStep * c.input.mels).map(rnd), steps, frames: c.input.framesPerStep, mels: c.input.mels },
    global: { data: new Float32Array(steps * c.input.globalDim).map(() => rnd() / 8), steps, dim: c.input.globalDim },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the benchmark; creates and disposes its own model. */
export async function benchModel(opts: {
  config?: ConfigName | ModelConfig;
  backend?: BackendChoice;
  songSeconds?: number;
  repeats?: number;
  adapt?: boolean;
}): Promise<ModelBench> {
  const config = typeof opts.config === 'object' ? opts.config : CONFIGS[opts.config ?? 'compact'];
  const model = await EmotionModel.create({ config, backend: opts.backend ?? 'auto' });
  try {
    const songSeconds = opts.songSeconds ?? 240;
    const steps = Math.floor(songSeconds / config.input.stepSeconds);
    const f = randomFeatures(config, steps);
    await model.predict(f); // warm-up at full size
    const times: number[] = [];
    const cpus: number[] = [];
    const firsts: number[] = [];
    for (let r = 0; r < (opts.repeats ?? 3); r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let first = NaN;
      await model.predict(f, {
        onPartial: (p) => {
          if (Number.isNaN(first) && p.steps >= Math.min(steps, 60)) first = performance.now() - t0;
        },
      });
      times.push(performance.now() - t0);
      const dc = process.cpuUsage(c0);
      cpus.push((dc.user + dc.system) / 1000);
      firsts.push(first);
    }
    const predictMs = median(times);
    // Split, measured directly on the network functions (CPU time; weights do not affect speed).
    const cpuOf = async (f: () => Promise<void>, n: number): Promise<number> => {
      await f();
      const u = process.cpuUsage();
      for (let i = 0; i < n; i++) await f();
      const d = process.cpuUsage(u);
      return (d.user + d.system) / 1000 / n;
    };
    const p = initParams(config, 0);
    const chunk = Math.min(64, steps);
    const lt = tf.tensor3d(f.local.data.subarray(0, chunk * config.input.framesPerStep * config.input.mels), [chunk, config.input.framesPerStep, config.input.mels]);
    const gt = tf.tensor2d(f.global!.data.subarray(0, chunk * config.input.globalDim), [chunk, config.input.globalDim]);
    const embedMsPerStep =
      (await cpuOf(async () => {
        const e = stepEmbeddings(p, config, lt, gt);
        await e.z.data();
        e.z.dispose();
      }, 2)) / chunk;
    const zb = tf.randomNormal([16, Math.min(60, steps), config.hidden]) as tf.Tensor3D;
    const windowMs =
      (await cpuOf(async () => {
        const r = sequenceForward(p, config, zb);
        await r.output.data();
        tf.dispose([r.output, ...attentionMaps(r)]);
      }, 2)) / 16;
    tf.dispose([lt, gt, zb]);
    disposeParams(p);
    let adapt16Ms: Record<AdaptScope, number> | null = null;
    let adapt16CpuMs: Record<AdaptScope, number> | null = null;
    if (opts.adapt !== false) {
      const clip = randomFeatures(config, 60);
      const sup = { features: clip, arousal: new Float32Array(60).map((_, i) => Math.sin(i / 5) * 0.5), valence: new Float32Array(60).map((_, i) => Math.cos(i / 7) * 0.5) };
      adapt16Ms = { all: NaN, 'no-cnn': NaN, predictor: NaN };
      adapt16CpuMs = { all: NaN, 'no-cnn': NaN, predictor: NaN };
      for (const scope of ['predictor', 'no-cnn', 'all'] as const) {
        (await model.adapt(sup, { steps: 2, scope })).dispose(); // warm-up
        const t2 = performance.now();
        const c2 = process.cpuUsage();
        const pw = await model.adapt(sup, { steps: 16, scope });
        adapt16Ms[scope] = performance.now() - t2;
        const dc = process.cpuUsage(c2);
        adapt16CpuMs[scope] = (dc.user + dc.system) / 1000;
        pw.dispose();
      }
    }
    return {
      config: config.name,
      backend: model.backend,
      songSeconds,
      steps,
      predictMs,
      predictCpuMs: median(cpus),
      realtimeFactor: songSeconds / (predictMs / 1000),
      first30sMs: median(firsts),
      embedMsPerStep,
      windowMs,
      adapt16Ms,
      adapt16CpuMs,
      paramCount: model.info.paramCount,
    };
  } finally {
    model.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [cfg = 'compact', backend = 'wasm', secs = '240'] = process.argv.slice(2);
  const r = await benchModel({
    config: cfg as ConfigName,
    backend: backend as BackendChoice,
    songSeconds: Number(secs),
    repeats: Number(process.env.BENCH_REPEATS ?? 3),
    adapt: cfg === 'compact' || process.env.BENCH_ADAPT === '1',
  });
  console.log(JSON.stringify(r, null, 2));
}
