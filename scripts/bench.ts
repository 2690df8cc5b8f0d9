/**
 * `npm run bench` (node --import tsx scripts/bench.ts [--quick] [--out FILE]): writes BENCHMARKS.md.
 *
 * Measures, on generated audio only (a synthetic track of tones, chords and noise; never
 * research data):
 * 1. per model configuration (compact, paper) x tfjs backend that loads here (tfjs-node, wasm, cpu):
 *    analysis speed as multiples of real time, split into decode, local features, global
 *    features and network; end-to-end through the real streamed pipeline; time to the first
 *    30 s of curve; peak RSS of the analysing process; one-shot adaptation (16 inner SGD steps on
 *    one 30 s support clip). Each combination runs in its own child process (clean peak RSS,
 *    one backend per process), single-threaded JS + wasm without threads = one core.
 * 2. mood-region / nearest-neighbour queries over 100,000 synthetic tracks in a temp library
 *    (H7's mood repo: the queries the mood map runs), target < 20 ms.
 * 3. time to first overlay point: a warm studio analysis worker, an unanalysed 4-minute track,
 *    from `model:getCurve {analyze: true}` to the first `model:onCurve` event, target < 1 s;
 *    plus the cold figure (worker start + model load included).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
/** Per configuration x backend child; keeps `npm run bench` near 10 minutes. */
const CHILD_TIMEOUT_MS = 150_000;
const OUT = argv.includes('--out') ? path.resolve(argv[argv.indexOf('--out') + 1]!) : path.join(ROOT, 'BENCHMARKS.md');

// ---------------------------------------------------------------------------------------------
// Synthetic audio: 44.1 kHz stereo, chord changes every 4 s, a kick-like pulse at 120 BPM, noise
// bursts; deterministic.
function synthTrack(seconds: number, sampleRate = 44_100): Float32Array[] {
  const n = Math.round(seconds * sampleRate);
  const l = new Float32Array(n);
  const r = new Float32Array(n);
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const chords = [
    [261.63, 329.63, 392.0],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 261.63],
    [196.0, 246.94, 293.66],
  ];
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const ch = chords[Math.floor(t / 4) % chords.length]!;
    let s = 0;
    for (const f of ch) s += Math.sin(2 * Math.PI * f * t) * 0.12;
    const beat = t % 0.5;
    s += Math.exp(-beat * 30) * Math.sin(2 * Math.PI * 60 * beat) * 0.4;
    const section = Math.floor(t / 30) % 2;
    s += rnd() * (section ? 0.08 : 0.02) * Math.exp(-(t % 0.25) * 12);
    l[i] = s;
    r[i] = s * 0.9 + rnd() * 0.005;
  }
  return [l, r];
}

function wavBytes(channels: Float32Array[], sampleRate: number): Buffer {
  const nCh = channels.length;
  const n = channels[0]!.length;
  const buf = Buffer.alloc(44 + n * nCh * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * nCh * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(nCh, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * nCh * 2, 28);
  buf.writeUInt16LE(nCh * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * nCh * 2, 40);
  let o = 44;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nCh; c++) {
      buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, channels[c]![i]!)) * 32767), o);
      o += 2;
    }
  }
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Child: one configuration on one backend.
interface ChildResult {
  config: string;
  backend: string;
  audioSec: number;
  decodeMs: number;
  localMs: number;
  globalMs: number;
  networkMs: number;
  e2eMs: number;
  first30Ms: number;
  adapt16Ms: number | null;
  /** True when timed over fewer steps and scaled to 16. */
  adaptExtrapolated?: boolean;
  peakRssMb: number;
  modelLoadedRssMb: number;
  paramCount: number;
  error?: string;
}

async function child(config: 'compact' | 'paper', backend: string, file: string, adapt: boolean): Promise<ChildResult> {
  const { decodeToMono, LocalFeaturizer, GlobalAccumulator, samplesPerStep, FEATURE_CONFIGS, featureConfigHash } = await import('../src-main/audio/index');
  const { CONFIGS, withInput } = await import('../src-main/model/config');
  const { EmotionModel } = await import('../src-main/model/engine');
  const { parseBackendChoice } = await import('../src-main/model/backend');
  const { openSource } = await import('../src-main/workers/pipeline');
  const fcfg = FEATURE_CONFIGS[config];
  const hash = featureConfigHash(fcfg);
  const bound = withInput(CONFIGS[config], { framesPerStep: fcfg.framesPerStep, mels: fcfg.nMels, globalDim: fcfg.global.dim, featureConfigHash: hash });
  const model = await EmotionModel.create({ config: bound, backend: parseBackendChoice(backend), seed: 0 });
  const modelLoadedRssMb = process.memoryUsage().rss / 2 ** 20;
  try {
    // Split: standalone stages on the whole track.
    let t0 = performance.now();
    const dec = await decodeToMono(file, { sampleRate: fcfg.sampleRate });
    const decodeMs = performance.now() - t0;
    // Local and global as the app computes them: one STFT pass (LocalFeaturizer) whose frames
    // feed the GlobalAccumulator; the accumulator's share is timed inside the frame callback.
    const fz = new LocalFeaturizer(fcfg);
    const acc = new GlobalAccumulator(fcfg);
    const S = samplesPerStep(fcfg);
    const steps = Math.floor(dec.pcm.length / S);
    const locData = new Float32Array(steps * fz.stepSize);
    let globalMs = 0;
    const observer = {
      onFrame(step: number, frame: number, power: Float64Array, mel: Float64Array) {
        const g0 = performance.now();
        acc.onFrame(step, frame, power, mel);
        globalMs += performance.now() - g0;
      },
    };
    t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      fz.step(dec.pcm, i * S, locData, i * fz.stepSize, i, observer);
      const g0 = performance.now();
      acc.addStepPcm(i, dec.pcm, i * S, S);
      globalMs += performance.now() - g0;
    }
    const g0 = performance.now();
    acc.finish();
    const gloData = new Float32Array(steps * acc.dim);
    acc.vectors(0, steps, gloData, 0);
    globalMs += performance.now() - g0;
    const localMs = performance.now() - t0 - globalMs;
    const loc = { data: locData, steps, frames: fz.frames, mels: fz.mels };
    const glo = { data: gloData, steps, dim: acc.dim };
    // Warm-up (kernels, wasm memory growth) on one window.
    const w = Math.min(loc.steps, model.info.windowSteps);
    await model.predict({
      local: { ...loc, data: loc.data.subarray(0, w * loc.frames * loc.mels), steps: w },
      global: { ...glo, data: glo.data.subarray(0, w * glo.dim), steps: w },
    });
    t0 = performance.now();
    await model.predict({ local: loc, global: glo });
    const networkMs = performance.now() - t0;

    // End to end through the worker's streamed pipeline (decode + features + network, chunked
    // exactly as the app does: first 30 s, then 2-minute chunks).
    const timings = { decodeMs: 0, localMs: 0, globalMs: 0, networkMs: 0 };
    t0 = performance.now();
    // As in the app: the library's duration (less the service's 2 s margin) is a lower bound on the steps.
    const minSteps = Math.floor(dec.durationSec / 0.5) - 4;
    const src = await openSource(file, fcfg, model.info.windowSteps, (l, g) => model.predict({ local: l, global: g }), undefined, timings, minSteps);
    let c = await src.next(60, timings);
    const first30Ms = performance.now() - t0;
    while (!c.final) c = await src.next(240, timings);
    const e2eMs = performance.now() - t0;
    src.dispose();

    let adapt16Ms: number | null = null;
    let adaptExtrapolated = false;
    if (adapt) {
      const s = Math.min(60, loc.steps);
      const clip = {
        local: { data: loc.data.subarray(0, s * loc.frames * loc.mels), steps: s, frames: loc.frames, mels: loc.mels },
        global: { data: glo.data.subarray(0, s * glo.dim), steps: s, dim: glo.dim },
      };
      const sup = { features: clip, arousal: new Float32Array(s).map((_, i) => Math.sin(i / 5) * 0.5), valence: new Float32Array(s).map((_, i) => Math.cos(i / 7) * 0.5) };
      (await model.adapt(sup, { steps: 1 })).dispose(); // warm-up (kernels, gradient tapes)
      // The paper network's 16 steps take minutes on CPU backends: time 2 and scale by 8 (each
      // inner step costs the same forward + backward), flagged in the table.
      const steps = config === 'paper' ? 2 : 16;
      t0 = performance.now();
      const pw = await model.adapt(sup, { steps });
      adapt16Ms = ((performance.now() - t0) * 16) / steps;
      adaptExtrapolated = steps !== 16;
      pw.dispose();
    }
    return {
      config,
      backend: model.backend,
      audioSec: dec.durationSec,
      decodeMs,
      localMs,
      globalMs,
      networkMs,
      e2eMs,
      first30Ms,
      adapt16Ms,
      adaptExtrapolated,
      peakRssMb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
      modelLoadedRssMb,
      paramCount: model.info.paramCount,
    };
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Parent.
interface MoodRow {
  name: string;
  runs: number;
  medianMs: number;
  p95Ms: number;
  meanResults: number;
}

async function moodBench(tracks: number): Promise<{ rows: MoodRow[]; seedMs: number; tracks: number; predictions: number }> {
  const { openDatabase, closeDatabase } = await import('../src-main/db/open');
  const { seedMoodLibrary, runMoodBench } = await import('../src-main/services/mood-bench');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-bench-mood-'));
  const db = openDatabase(path.join(dir, 'library.sqlite'));
  try {
    const t0 = performance.now();
    const lib = seedMoodLibrary(db, { tracks, seed: 7 });
    const seedMs = performance.now() - t0;
    db.pragma('optimize');
    const rows = runMoodBench(db, { runs: QUICK ? 20 : 50 });
    return { rows, seedMs, tracks, predictions: lib.predictions };
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface OverlayResult {
  coldReadyMs: number;
  coldFirstMs: number;
  warmFirstMs: number[];
  appRssMb: number;
  workerE2eMs: number;
  audioSec: number;
  backend: string;
  mp3FirstMs: number | null;
  /** Main-thread event-loop delay while the worker analysed the whole track (ms). */
  loopP99Ms: number;
  loopMaxMs: number;
}

async function overlayBench(wav: string, mp3: string | null, audioSec: number): Promise<OverlayResult> {
  const { openDatabase, closeDatabase } = await import('../src-main/db/open');
  const { EventBus } = await import('../src-main/ipc/events');
  const { AnalysisService } = await import('../src-main/services/analysis.service');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-bench-overlay-'));
  const db = openDatabase(path.join(dir, 'library.sqlite'));
  const bus = new EventBus();
  const firstChunk = new Map<number, (t: number) => void>();
  const completeChunk = new Map<number, (t: number) => void>();
  bus.subscribe((name, p) => {
    if (name !== 'model:onCurve') return;
    const c = p as { trackId: number; complete: boolean };
    firstChunk.get(c.trackId)?.(performance.now());
    firstChunk.delete(c.trackId);
    if (c.complete) completeChunk.get(c.trackId)?.(performance.now());
  });
  let k = 0;
  const addTrack = (file: string): number => {
    const link = path.join(dir, `t${++k}${path.extname(file)}`);
    fs.linkSync(file, link);
    return Number(
      db.prepare("INSERT INTO tracks (path, content_hash, size_bytes, mtime_ms, format, duration_sec) VALUES (?, ?, 1, 0, ?, ?)").run(link, `bench-${k}`, path.extname(file).slice(1), audioSec).lastInsertRowid,
    );
  };
  const service = new AnalysisService({ db, bus, dataDir: dir, model: { config: 'compact', backend: 'auto', seed: 0 } });
  const timeFirst = async (id: number, complete = false): Promise<{ first: number; done: number }> => {
    const first = new Promise<number>((r) => firstChunk.set(id, r));
    const done = new Promise<number>((r) => completeChunk.set(id, r));
    const t0 = performance.now();
    await service.getCurve(id, null, true);
    const f = (await first) - t0;
    const d = complete ? (await done) - t0 : NaN;
    if (!complete) service.cancel([id]);
    return { first: f, done: d };
  };
  try {
    // Cold: worker start + model load + first chunk.
    const t0 = performance.now();
    const info = await service.start();
    const coldReadyMs = performance.now() - t0;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const cold = await timeFirst(addTrack(wav), true);
    loop.disable();
    const appRssMb = process.memoryUsage().rss / 2 ** 20;
    const warmFirstMs: number[] = [];
    for (let i = 0; i < (QUICK ? 3 : 5); i++) warmFirstMs.push((await timeFirst(addTrack(wav))).first);
    const mp3FirstMs = mp3 ? (await timeFirst(addTrack(mp3))).first : null;
    return {
      coldReadyMs,
      coldFirstMs: coldReadyMs + cold.first,
      warmFirstMs,
      appRssMb,
      workerE2eMs: cold.done,
      audioSec,
      backend: info.backend,
      mp3FirstMs,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
  } finally {
    await service.close();
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmtX = (audioSec: number, ms: number) => `${(audioSec / (ms / 1000)).toFixed(0)}x`;
const fmtMs = (ms: number | null) => (ms === null ? 'n/a' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function parent(): Promise<void> {
  const started = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-bench-'));
  const trackSec = QUICK ? 60 : 240;
  const wav = path.join(tmp, 'synthetic.wav');
  fs.writeFileSync(wav, wavBytes(synthTrack(trackSec), 44_100));
  let mp3: string | null = null;
  try {
    execFileSync('lame', ['--quiet', '-b', '192', wav, path.join(tmp, 'synthetic.mp3')]);
    mp3 = path.join(tmp, 'synthetic.mp3');
  } catch {
    mp3 = null; // best effort: lame missing -> the mp3 line says n/a
  }
  // Shorter audio for the slow combinations keeps the whole bench near 10 minutes.
  const audioFor = (config: string, backend: string): number =>
    QUICK ? (backend === 'cpu' ? 20 : 60) : backend === 'cpu' ? (config === 'paper' ? 20 : 30) : config === 'paper' ? 60 : 240;
  const files = new Map<number, string>([[trackSec, wav]]);
  const fileFor = (sec: number): string => {
    if (!files.has(sec)) {
      const f = path.join(tmp, `synthetic-${sec}s.wav`);
      fs.writeFileSync(f, wavBytes(synthTrack(sec), 44_100));
      files.set(sec, f);
    }
    return files.get(sec)!;
  };

  const combos: Array<{ config: 'compact' | 'paper'; backend: string }> = [];
  for (const config of QUICK ? (['compact'] as const) : (['compact', 'paper'] as const)) {
    for (const backend of QUICK ? ['wasm'] : ['node', 'wasm', 'cpu']) combos.push({ config, backend });
  }
  const results: ChildResult[] = [];
  for (const { config, backend } of combos) {
    const file = fileFor(audioFor(config, backend));
    const adapt = !(QUICK && config === 'paper');
    process.stderr.write(`bench: ${config} on ${backend} ...\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', config, backend, file, adapt ? '1' : '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PDMER_LOG_LEVEL: 'warn' },
      timeout: CHILD_TIMEOUT_MS,
      maxBuffer: 16 * 2 ** 20,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      results.push(JSON.parse(line) as ChildResult);
    } catch {
      const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
      const why = timedOut
        ? `did not finish within ${CHILD_TIMEOUT_MS / 60_000} min (bench time budget)`
        : ((r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'failed');
      results.push({ config, backend, audioSec: 0, decodeMs: 0, localMs: 0, globalMs: 0, networkMs: 0, e2eMs: 0, first30Ms: 0, adapt16Ms: null, peakRssMb: 0, modelLoadedRssMb: 0, paramCount: 0, error: why.slice(0, 200) });
    }
  }

  process.stderr.write('bench: mood queries ...\n');
  const mood = await moodBench(QUICK ? 20_000 : 100_000);
  process.stderr.write('bench: time to first overlay point ...\n');
  const overlay = await overlayBench(wav, mp3, trackSec);

  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const cpu = os.cpus();
  const lines: string[] = [];
  lines.push('# Benchmarks', '');
  lines.push('Written by `npm run bench` (scripts/bench.ts). Do not edit by hand; re-run instead.', '');
  lines.push(`- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared with other work while measured), ${(os.totalmem() / 2 ** 30).toFixed(0)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}`);
  lines.push(`- Date: ${new Date().toISOString()}`);
  lines.push(`- Commit: ${commit}`);
  lines.push(`- Command: \`npm run bench${QUICK ? ' -- --quick' : ''}\` (total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  lines.push(`- Audio: generated synthetic track (chords, 120 BPM pulse, noise bursts), 44.1 kHz stereo 16-bit WAV, ${trackSec} s (compact on wasm/node and the overlay test), shorter for the slow combinations (column "audio"). Never research data.`);
  lines.push('- Weights: seeded untrained weights of each configuration (speed does not depend on the values).');
  lines.push('- One core: JavaScript is single-threaded and the wasm backend runs without threads in Node.', '');
  lines.push('## Targets (issue 3 / issue 5)', '');
  lines.push('| what | target | measured | |');
  lines.push('| --- | --- | --- | --- |');
  const cw = results.find((r) => r.config === 'compact' && r.backend === 'wasm' && !r.error);
  const check = (ok: boolean) => (ok ? 'met' : '**not met**');
  if (cw) {
    lines.push(`| compact, wasm: end-to-end analysis | >= 150x real time | ${fmtX(cw.audioSec, cw.e2eMs)} | ${check(cw.audioSec / (cw.e2eMs / 1000) >= 150)} |`);
    lines.push(`| compact, wasm: one-shot adaptation (16 steps, 30 s clip) | < 3 s | ${fmtMs(cw.adapt16Ms)} | ${cw.adapt16Ms === null ? 'not measured' : check(cw.adapt16Ms < 3000)} |`);
    lines.push(`| compact, wasm: first 30 s of curve | < 1 s | ${fmtMs(cw.first30Ms)} | ${check(cw.first30Ms < 1000)} |`);
    lines.push(`| app memory with the model loaded (compact, peak while analysing) | < 600 MB | ${overlay.appRssMb.toFixed(0)} MB app RSS (worker in-process); ${cw.peakRssMb.toFixed(0)} MB peak bench child | ${check(overlay.appRssMb < 600)} |`);
  }
  const moodWorst = Math.max(...mood.rows.filter((r) => !r.name.includes('all points')).map((r) => r.medianMs));
  lines.push(`| mood region / nearest queries, ${mood.tracks.toLocaleString('en')} tracks | < 20 ms | worst median ${moodWorst.toFixed(2)} ms | ${check(moodWorst < 20)} |`);
  const warm = median(overlay.warmFirstMs);
  lines.push(`| time to first overlay point, unanalysed track, warm worker | < 1 s | ${fmtMs(warm)} (median of ${overlay.warmFirstMs.length}) | ${check(warm < 1000)} |`);
  lines.push('');
  lines.push('## Analysis speed per configuration and backend', '');
  lines.push('Multiples of real time (audio seconds per wall-clock second; higher is faster). Stages are measured standalone on the whole track: decode = file to mono PCM at the feature rate (incl. resampling); global = the 30 s-window descriptors fed from the shared STFT frames (timed inside the frame callback); local = the rest of that pass (STFT + log-mel); network = whole-song `EmotionModel.predict`. End-to-end = the worker\'s streamed pipeline (30 s first chunk, then 2-minute chunks; chunk slices overlap by 30 steps on each side so the curve equals whole-song inference). First 30 s = from opening the file to the first 60 curve points.', '');
  lines.push('| config | backend | params | audio | decode | local | global | network | end-to-end | first 30 s | adapt 16 steps | peak RSS |');
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    if (r.error) {
      lines.push(`| ${r.config} | ${r.backend} | | | ${r.error.replace(/\|/g, '/')} | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.config} | ${r.backend} | ${(r.paramCount / 1e6).toFixed(2)}M | ${r.audioSec.toFixed(0)} s | ${fmtX(r.audioSec, r.decodeMs)} | ${fmtX(r.audioSec, r.localMs)} | ${fmtX(r.audioSec, r.globalMs)} | ${fmtX(r.audioSec, r.networkMs)} | **${fmtX(r.audioSec, r.e2eMs)}** (${fmtMs(r.e2eMs)}) | ${fmtMs(r.first30Ms)} | ${fmtMs(r.adapt16Ms)}${r.adaptExtrapolated ? ' (2 steps x 8)' : ''} | ${r.peakRssMb.toFixed(0)} MB |`,
    );
  }
  lines.push('');
  lines.push('## Mood queries', '');
  lines.push(`Temp library seeded with ${mood.tracks.toLocaleString('en')} synthetic tracks (${mood.predictions.toLocaleString('en')} predictions incl. older model versions, partial rows and a personal profile) in ${(mood.seedMs / 1000).toFixed(1)} s; queries through src-main/db/mood.repo.ts (R*Tree candidates + exact filter).`, '');
  lines.push('| query | runs | median | p95 | mean results |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const r of mood.rows) lines.push(`| ${r.name} | ${r.runs} | ${r.medianMs.toFixed(2)} ms | ${r.p95Ms.toFixed(2)} ms | ${r.meanResults.toFixed(0)} |`);
  lines.push('');
  lines.push('## Time to first overlay point', '');
  lines.push(`AnalysisService with its worker (compact, ${overlay.backend}), a temp library, the ${trackSec} s track not analysed yet; time from \`model:getCurve {analyze: true}\` to the first \`model:onCurve\` event (the first 30 s of curve).`, '');
  lines.push(`- Warm worker: ${overlay.warmFirstMs.map((x) => fmtMs(x)).join(', ')} (median ${fmtMs(warm)})`);
  lines.push(`- Same track as MP3 (192 kbps, streamed decode): ${fmtMs(overlay.mp3FirstMs)}`);
  lines.push(`- Cold (worker start + model load ${fmtMs(overlay.coldReadyMs)} + first chunk): ${fmtMs(overlay.coldFirstMs)}`);
  lines.push(`- Whole track through the worker (request to complete curve): ${fmtMs(overlay.workerE2eMs)} = ${fmtX(overlay.audioSec, overlay.workerE2eMs)} real time`);
  lines.push(`- Process RSS with the worker and model loaded, after analysing: ${overlay.appRssMb.toFixed(0)} MB`);
  lines.push(`- Main-thread event loop while the worker analysed the whole track: p99 delay ${overlay.loopP99Ms.toFixed(1)} ms, max ${overlay.loopMaxMs.toFixed(1)} ms (inference never runs on the main thread; the main thread only stores chunks)`);
  lines.push('');
  fs.writeFileSync(OUT, `${lines.join('\n')}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`bench: wrote ${OUT} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

if (argv[0] === '--child') {
  const [, config, backend, file, adapt] = argv;
  try {
    const r = await child(config as 'compact' | 'paper', backend!, file!, adapt === '1');
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
} else {
  await parent();
}
