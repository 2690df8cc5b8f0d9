/**
 * Speed measurements of the audio pipeline, for scripts/bench-audio.ts and the project bench
 * (scripts/bench.ts may import `benchAudio`). Speeds are multiples of real time on ONE core,
 * computed from this process's CPU time (process.cpuUsage), so other load on the machine slows
 * the wall clock but not the figure (much). Not a test: nothing here asserts a time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeatureConfig } from '../../src-shared/audio/feature-config';
import { decodeToMono } from './decode';
import { localFeatures } from './features/logmel';
import { extractFeatureChunks, extractFeatures } from './index';
import { resample } from './resample';
import { wavHeader } from './wav-header';

/** Figures for one configuration. */
export interface AudioBenchResult {
  config: string;
  sourceRate: number;
  seconds: number;
  /** x real time (CPU) of each stage on its own. */
  decodeWav: number;
  resample: number;
  local: number;
  /** Extra cost of the global descriptors inside extractFeatures (with minus without). */
  globalOnly: number;
  /** decode + resample + local + global in one streamed pass (extractFeatures). */
  extractAll: number;
  /** CPU seconds until extractFeatureChunks yielded the first 60 steps (30 s) of features. */
  firstChunkCpuSec: number;
}

function cpuSec(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Best (least CPU) of `reps` runs: the machine is shared, the minimum is the least disturbed. */
async function timed<T>(fn: () => Promise<T> | T, reps = 3): Promise<[T, number]> {
  let best = Number.POSITIVE_INFINITY, r: T | undefined;
  for (let i = 0; i < reps; i++) {
    const t0 = cpuSec();
    r = await fn();
    best = Math.min(best, cpuSec() - t0);
  }
  return [r as T, best];
}

/** Writes a synthetic stereo 16-bit WAV: chords changing every 2 s, a pulse, some noise. */
export function writeBenchWav(file: string, seconds: number, sr: number): void {
  const n = Math.round(seconds * sr);
  const fd = fs.openSync(file, 'w');
  const header = wavHeader(n, sr, 2);
  fs.writeSync(fd, header);
  const block = 1 << 16;
  const buf = Buffer.alloc(block * 4);
  let seed = 12345;
  const chords = [[60, 64, 67], [57, 60, 64], [53, 57, 60], [55, 59, 62]];
  for (let start = 0; start < n; start += block) {
    const m = Math.min(block, n - start);
    for (let i = 0; i < m; i++) {
      const t = (start + i) / sr;
      const ch = chords[Math.floor(t / 2) % chords.length];
      let v = 0;
      for (const note of ch) v += 0.12 * Math.sin(2 * Math.PI * 440 * 2 ** ((note - 69) / 12) * t);
      const beat = t % 0.5;
      seed = (seed * 1103515245 + 12345) >>> 0;
      v += (beat < 0.05 ? 0.4 * Math.exp(-beat * 60) : 0.02) * ((seed / 4294967296) * 2 - 1);
      const s = Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
      buf.writeInt16LE(s, i * 4);
      buf.writeInt16LE(s, i * 4 + 2);
    }
    fs.writeSync(fd, buf, 0, m * 4);
  }
  fs.closeSync(fd);
}

/**
 * Measures each stage on `seconds` of synthetic audio at `sourceRate` (default 44.1 kHz WAV).
 * @param cfgs configurations to measure (e.g. [PAPER_FEATURES, COMPACT_FEATURES])
 */
export async function benchAudio(cfgs: FeatureConfig[], seconds = 120, sourceRate = 44100): Promise<AudioBenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audio-'));
  const file = path.join(dir, 'bench.wav');
  try {
    writeBenchWav(file, seconds, sourceRate);
    const out: AudioBenchResult[] = [];
    // warm-up (JIT) on a short slice
    for (const cfg of cfgs) {
      const d = await decodeToMono(file, { sampleRate: cfg.sampleRate });
      localFeatures(d.pcm.subarray(0, cfg.sampleRate * 5), cfg);
    }
    for (const cfg of cfgs) {
      const [raw, tDec] = await timed(() => decodeToMono(file, { sampleRate: sourceRate }));
      const [pcm, tRes] = await timed(() => resample(raw.pcm, sourceRate, cfg.sampleRate));
      const [, tLocal] = await timed(() => localFeatures(pcm, cfg));
      const [, tAll] = await timed(() => extractFeatures(file, cfg));
      const [, tNoGlobal] = await timed(() => extractFeatures(file, { ...cfg, global: { ...cfg.global, kind: 'none', dim: 0 } }));
      const t0 = cpuSec();
      let first = Number.NaN;
      for await (const c of extractFeatureChunks(file, cfg, { chunkSteps: 60 })) {
        if (Number.isNaN(first)) first = cpuSec() - t0;
        if (c.final) break;
      }
      const x = (t: number) => (t > 0 ? seconds / t : Number.POSITIVE_INFINITY);
      out.push({
        config: cfg.name,
        sourceRate,
        seconds,
        decodeWav: x(tDec),
        resample: cfg.sampleRate === sourceRate ? Number.POSITIVE_INFINITY : x(tRes),
        local: x(tLocal),
        globalOnly: x(tAll - tNoGlobal),
        extractAll: x(tAll),
        firstChunkCpuSec: first,
      });
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
