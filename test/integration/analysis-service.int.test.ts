/**
 * AnalysisService end to end: real temp SQLite, generated WAVs, the real worker (tsx bootstrap),
 * the real audio pipeline and the compact network with seeded (untrained) weights on wasm.
 *
 * Tolerance for "streamed == one-shot": 1e-5 absolute. Chunks are predicted on slices whose
 * windows are exactly the whole song's windows (src-main/workers/pipeline.ts), so the only
 * differences are float32 batch composition effects in the backend's kernels.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurveChunk } from '../../src-shared/ipc/contract/model';
import { AppError } from '../../src-shared/ipc/envelope';
import { closeDatabase, openDatabase } from '../../src-main/db/open';
import { PredictionsRepo } from '../../src-main/db/predictions.repo';
import type { WritableDB } from '../../src-main/db/types';
import { EventBus } from '../../src-main/ipc/events';
import { extractFeatures, FEATURE_CONFIGS, featureConfigHash } from '../../src-main/audio/index';
import { CONFIGS, withInput } from '../../src-main/model/config';
import { EmotionModel } from '../../src-main/model/engine';
import { AnalysisService } from '../../src-main/services/analysis.service';
import { chirp, rng, writeWav } from '../fixtures/audio';

const SR = 22_050; // compact's rate: no resampling in the fixtures
const SEED = 3;

let dir: string;
let db: WritableDB;
let bus: EventBus;
let service: AnalysisService;
const chunks: CurveChunk[] = [];

/** Chirp + seeded noise bursts, so features vary over time. */
function music(seconds: number, seed: number): Float32Array {
  const x = chirp(110, 3_000, seconds, SR, 0.4);
  const r = rng(seed);
  for (let i = 0; i < x.length; i++) {
    const burst = Math.floor(i / (SR * 2)) % 3 === 0 ? 0.3 : 0.02;
    x[i]! += burst * (r() * 2 - 1);
  }
  return x;
}

let copies = 0;
/** Adds a library row for `file` (through a fresh hard link: paths are unique in the library). */
function addTrack(file: string, seconds: number | null, hash = path.basename(file)): number {
  const link = path.join(dir, `t${++copies}-${path.basename(file)}`);
  fs.linkSync(file, link);
  file = link;
  return Number(
    db
      .prepare("INSERT INTO tracks (path, content_hash, size_bytes, mtime_ms, format, duration_sec) VALUES (?, ?, 1, 0, 'wav', ?)")
      .run(file, hash, seconds).lastInsertRowid,
  );
}

/** Resolves when the first curve chunk of `trackId` arrives on the bus. */
function firstChunkOf(trackId: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const off = bus.subscribe((name, payload) => {
      if (name === 'model:onCurve' && (payload as CurveChunk).trackId === trackId) {
        off();
        resolve();
      }
    });
  });
}

function chunksOf(trackId: number): CurveChunk[] {
  return chunks.filter((c) => c.trackId === trackId);
}

let medium: string; // 75 s: two streamed chunks
let long: string; // 240 s: several chunks (cancel / crash / pause)
let short: string; // 0.3 s: too short for one step

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-analysis-'));
  medium = writeWav(path.join(dir, 'medium.wav'), [music(75, 1)], SR);
  long = writeWav(path.join(dir, 'long.wav'), [music(240, 2)], SR);
  short = writeWav(path.join(dir, 'short.wav'), [music(0.3, 3)], SR);
  db = openDatabase(path.join(dir, 'library.sqlite'));
  bus = new EventBus();
  bus.subscribe((name, payload) => {
    if (name === 'model:onCurve') chunks.push(payload as CurveChunk);
  });
  service = new AnalysisService({ db, bus, dataDir: dir, model: { config: 'compact', backend: 'wasm', seed: SEED } });
  await service.start();
});

afterAll(async () => {
  await service?.close();
  if (db) closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('AnalysisService', () => {
  it('analyses a track in streamed chunks, stores a complete NaN-free curve of duration / 0.5 steps, then hits the cache', async () => {
    const id = addTrack(medium, 75);
    const before = await service.workerMemory();
    const p = await service.analyzeTrack(id, 'play');
    expect(p.nSteps).toBe(150);
    expect(p.complete).toBe(true);
    expect(p.arousal.every(Number.isFinite) && p.valence.every(Number.isFinite)).toBe(true);
    // A constant curve would mean the features never reached the network.
    expect(Math.max(...p.arousal) - Math.min(...p.arousal)).toBeGreaterThan(1e-4);

    // Streamed: contiguous, in order, complete only on the last one, and equal to the stored curve.
    const cs = chunksOf(id);
    expect(cs.length).toBeGreaterThanOrEqual(2);
    expect(cs[0]!.fromStep).toBe(0);
    expect(cs[0]!.arousal.length).toBe(60); // the first 30 s come first
    let next = 0;
    for (const [i, c] of cs.entries()) {
      expect(c.fromStep).toBe(next);
      expect(c.complete).toBe(i === cs.length - 1);
      next += c.arousal.length;
    }
    expect(next).toBe(150);
    expect(cs.flatMap((c) => c.arousal)).toEqual(Array.from(p.arousal));

    // Cached: a second request does no work.
    expect(await service.analyze([id], 'play')).toEqual({ queued: [], cached: [id] });
    const curve = await service.getCurve(id);
    expect(curve.status).toBe('complete');
    expect(curve.arousal).toEqual(Array.from(p.arousal));

    // No tensors left behind in the worker between jobs.
    const after = await service.workerMemory();
    expect(after.numTensors).toBe(before.numTensors);
  });

  it('gives the same curve streamed (first, middle and final chunks) as whole-song one-shot inference (atol 1e-5)', async () => {
    const file = writeWav(path.join(dir, 'two-hundred.wav'), [music(200, 4)], SR);
    const id = addTrack(file, 200);
    const streamed = await service.analyzeTrack(id, 'play');
    expect(chunksOf(id).map((c) => [c.fromStep, c.arousal.length])).toEqual([
      [0, 60],
      [60, 240],
      [300, 100],
    ]);
    const fcfg = FEATURE_CONFIGS.compact;
    const config = withInput(CONFIGS.compact, {
      framesPerStep: fcfg.framesPerStep,
      mels: fcfg.nMels,
      globalDim: fcfg.global.dim,
      featureConfigHash: featureConfigHash(fcfg),
    });
    const model = await EmotionModel.create({ config, backend: 'wasm', seed: SEED });
    try {
      const f = await extractFeatures(file, fcfg);
      const whole = await model.predict({ local: f.local, global: f.global! });
      expect(whole.arousal.length).toBe(streamed.nSteps);
      let maxDiff = 0;
      for (let i = 0; i < whole.arousal.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(whole.arousal[i]! - streamed.arousal[i]!), Math.abs(whole.valence[i]! - streamed.valence[i]!));
      }
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      model.dispose();
    }
  });

  it('cancels a running analysis: the waiter gets CANCELLED, no partial row stays, the worker carries on', async () => {
    const id = addTrack(long, 240);
    const firstChunk = firstChunkOf(id);
    const done = service.analyzeTrack(id, 'play');
    await firstChunk;
    // The partial prefix is visible while it runs.
    const partial = await service.getCurve(id);
    expect(partial.status).toBe('analyzing');
    expect(partial.arousal.length).toBeGreaterThanOrEqual(60);
    expect(service.cancel([id])).toBe(1);
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
    const repo = new PredictionsRepo(db);
    const info = await service.ready();
    expect(repo.get({ trackId: id, modelVersion: info.version, featureHash: info.featureHash, profileId: null })).toBeNull();
    expect((await service.getCurve(id)).status).toBe('none');
    // Still usable.
    const other = addTrack(medium, 75, 'after-cancel');
    expect((await service.analyzeTrack(other)).nSteps).toBe(150);
  });

  it('lists a running analysis as a generic job and cancels it by job id (job:list / job:cancel)', async () => {
    const id = addTrack(long, 240, 'job-cancel');
    const firstChunk = firstChunkOf(id);
    const done = service.analyzeTrack(id, 'play');
    await firstChunk;
    const job = service.jobs().find((j) => j.message === `track ${id}`);
    expect(job).toMatchObject({ kind: 'analyze', state: 'running' });
    expect(job!.done).toBeGreaterThan(0);
    expect(service.cancelJob('analyze-no-such-job')).toBe(false);
    expect(service.cancelJob(job!.jobId)).toBe(true);
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(service.jobs().some((j) => j.jobId === job!.jobId)).toBe(false);
    expect(service.cancelJob(job!.jobId)).toBe(false);
    expect((await service.getCurve(id)).status).toBe('none');
  });

  it('fails (not crashes) when a track is deleted while it is analysed', async () => {
    const id = addTrack(long, 240, 'deleted');
    const firstChunk = firstChunkOf(id);
    const done = service.analyzeTrack(id, 'play');
    await firstChunk;
    db.prepare('DELETE FROM tracks WHERE id = ?').run(id);
    await expect(done).rejects.toThrow(/Could not store the curve of track/);
    const other = addTrack(medium, 75, 'after-delete');
    expect((await service.analyzeTrack(other)).nSteps).toBe(150);
  });

  it('reports bad input with clear errors and keeps running', async () => {
    const tiny = addTrack(short, 0.3);
    await expect(service.analyzeTrack(tiny)).rejects.toMatchObject({ code: 'AUDIO_TOO_SHORT' });
    const garbage = path.join(dir, 'garbage.wav');
    fs.writeFileSync(garbage, Buffer.from('definitely not audio, just text'.repeat(10)));
    const g = addTrack(garbage, null);
    const e = await service.analyzeTrack(g).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toMatch(/UNSUPPORTED_FORMAT|AUDIO_DECODE_FAILED/);
    expect((await service.getCurve(g)).status).toBe('failed');
    await expect(service.analyze([999_999])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.analyzeFile(path.join(dir, 'missing.wav'))).rejects.toBeInstanceOf(AppError);
  });

  it('pauses and resumes background analysis; a played track jumps the queue', async () => {
    service.setBackgroundPaused(true);
    const a = addTrack(medium, 75, 'bg-a');
    const b = addTrack(medium, 75, 'bg-b');
    const { queued } = await service.analyze([a, b], 'background');
    expect(queued).toEqual([a, b]);
    let s = service.backgroundStatus();
    expect(s.paused).toBe(true);
    expect(s.queued).toBe(2);
    expect(s.current).toBeNull();
    // Playing b while the background is paused analyses it at once.
    expect((await service.analyzeTrack(b, 'play')).nSteps).toBe(150);
    s = service.backgroundStatus();
    expect(s.queued).toBe(1);
    // Resume: a completes.
    const aDone = new Promise<void>((resolve) => {
      const off = bus.subscribe((name, payload) => {
        if (name === 'model:onCurve' && (payload as CurveChunk).trackId === a && (payload as CurveChunk).complete) {
          off();
          resolve();
        }
      });
    });
    service.setBackgroundPaused(false);
    await aDone;
    expect((await service.getCurve(a)).status).toBe('complete');
    expect(service.backgroundStatus().queued).toBe(0);
  });

  it('runs a profile\'s personal weights: stored under the profile, cached, invalidated by a newer personal model', async () => {
    const id = addTrack(medium, 75, 'personal');
    const base = await service.analyzeTrack(id, 'play');
    const profileId = Number(db.prepare("INSERT INTO profiles (name) VALUES ('listener')").run().lastInsertRowid);
    await expect(service.analyzeTrack(id, 'play', profileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Personal weights as the personalisation flow stores them: EmotionModel.adapt -> toBlob.
    const fcfg = FEATURE_CONFIGS.compact;
    const config = withInput(CONFIGS.compact, { framesPerStep: fcfg.framesPerStep, mels: fcfg.nMels, globalDim: fcfg.global.dim, featureConfigHash: featureConfigHash(fcfg) });
    const model = await EmotionModel.create({ config, backend: 'wasm', seed: SEED });
    const info = await service.ready();
    try {
      const f = await extractFeatures(medium, fcfg);
      const s = 60;
      const clip = {
        local: { ...f.local, data: f.local.data.subarray(0, s * f.local.frames * f.local.mels), steps: s },
        global: { ...f.global!, data: f.global!.data.subarray(0, s * f.global!.dim), steps: s },
      };
      const pw = await model.adapt({ features: clip, arousal: new Float32Array(s).fill(0.8), valence: new Float32Array(s).fill(-0.8) }, { steps: 3, lr: 0.05, seed: 1 });
      const blob = await pw.toBlob();
      pw.dispose();
      db.prepare("INSERT INTO personal_models (profile_id, model_version, feature_hash, weights, manifest, created_at) VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00.000Z')").run(
        profileId, info.version, info.featureHash, blob.data, JSON.stringify(blob.manifest),
      );
    } finally {
      model.dispose();
    }
    const personal = await service.analyzeTrack(id, 'play', profileId);
    expect(personal.profileId).toBe(profileId);
    expect(personal.nSteps).toBe(base.nSteps);
    expect(personal.arousal.every(Number.isFinite)).toBe(true);
    // Adapted towards (A 0.8, V -0.8): the personal curve moved that way.
    expect(personal.meanArousal - base.meanArousal).toBeGreaterThan(0.01);
    expect(personal.meanValence - base.meanValence).toBeLessThan(-0.01);
    expect(chunksOf(id).filter((c) => c.profileId === profileId).length).toBeGreaterThan(0);
    expect((await service.getCurve(id, profileId)).status).toBe('complete');
    expect((await service.getCurve(id, null)).arousal).toEqual(Array.from(base.arousal));
    expect(await service.analyze([id], 'play', profileId)).toEqual({ queued: [], cached: [id] });
    // A newer personal model makes the stored personal curve stale.
    db.prepare("UPDATE personal_models SET created_at = '2999-01-01T00:00:00.000Z' WHERE profile_id = ?").run(profileId);
    expect((await service.getCurve(id, profileId)).status).toBe('none');
  });

  it('survives a worker crash: the running job fails with a clear error, the worker restarts', async () => {
    const id = addTrack(long, 240, 'crash');
    const firstChunk = firstChunkOf(id);
    const done = service.analyzeTrack(id, 'play');
    await firstChunk;
    service.crashWorkerForTest(70);
    await expect(done).rejects.toThrow(/analysis worker stopped unexpectedly \(exit code 70\) while analysing track/);
    expect((await service.getCurve(id)).status).toBe('failed');
    const again = addTrack(medium, 75, 'after-crash');
    expect((await service.analyzeTrack(again)).nSteps).toBe(150);
    expect(service.info().state).toBe('ready');
  });
});

describe('AnalysisService with unusable weights', () => {
  it('reports a missing weights directory clearly and keeps answering', async () => {
    const bad = new AnalysisService({ db, bus, dataDir: dir, model: { config: 'compact', backend: 'wasm', weightsDir: path.join(dir, 'no-such-weights') } });
    try {
      const e = await bad.start().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).message).toMatch(/no-such-weights/);
      expect(bad.info()).toMatchObject({ state: 'failed', model: null });
      expect(bad.info().error).toMatch(/no-such-weights/);
      const id = addTrack(medium, 75, 'bad-weights');
      await expect(bad.getCurve(id, null, true)).rejects.toBeInstanceOf(AppError);
      expect(bad.backgroundStatus().current).toBeNull();
    } finally {
      await bad.close();
    }
  });
});
