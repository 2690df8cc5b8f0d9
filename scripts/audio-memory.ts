/**
 * Peak memory of the audio pipeline on a long recording (not a test):
 *   node --import tsx scripts/audio-memory.ts [minutes=60] [mode,mode,...]
 * Writes a synthetic stereo 16-bit 44.1 kHz WAV of that length to the temp dir (635 MB for
 * 60 min), then runs each mode in a fresh child process and prints its peak RSS
 * (process.resourceUsage().maxRSS) next to the size of one full-song mono float copy.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchWav } from '../src-main/audio/bench';

const here = path.dirname(fileURLToPath(import.meta.url));
const mode = process.argv[2];

if (mode === '--child') {
  const [, , , which, file] = process.argv;
  const audio = await import('../src-main/audio/index');
  const cfg = which.includes('paper') ? audio.PAPER_FEATURES : audio.COMPACT_FEATURES;
  const t0 = process.cpuUsage();
  let steps = 0;
  if (which.startsWith('chunks')) {
    for await (const c of audio.extractFeatureChunks(file, cfg, { chunkSteps: 60 })) steps += c.local.steps;
  } else if (which.startsWith('extract')) {
    steps = (await audio.extractFeatures(file, cfg)).local.steps;
  } else if (which === 'decodeToMono') {
    steps = Math.floor((await audio.decodeToMono(file, { sampleRate: 44100 })).pcm.length / 22050);
  } else if (which === 'baseline') {
    steps = 0;
  }
  const u = process.cpuUsage(t0);
  console.log(JSON.stringify({ which, steps, maxRssMB: process.resourceUsage().maxRSS / 1024, cpuSec: (u.user + u.system) / 1e6 }));
} else {
  const minutes = Number(mode ?? 60);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audio-mem-'));
  const file = path.join(dir, 'long.wav');
  try {
    writeBenchWav(file, minutes * 60, 44100);
    const monoCopyMB = (minutes * 60 * 44100 * 4) / 2 ** 20;
    console.log(`${minutes} min stereo 16-bit WAV: ${(fs.statSync(file).size / 2 ** 20).toFixed(0)} MB on disk; one mono float32 copy at 44.1 kHz = ${monoCopyMB.toFixed(0)} MB\n`);
    console.log('| mode | steps | peak RSS (MB) | CPU s | x real time |');
    console.log('| --- | --- | --- | --- | --- |');
    const modes = process.argv[3]?.split(',') ?? ['baseline', 'chunks-compact', 'chunks-paper', 'extract-compact', 'extract-paper', 'decodeToMono'];
    for (const which of modes) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'audio-memory.ts'), '--child', which, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) {
        console.log(`| ${which} | failed: ${r.stderr.split('\n').slice(0, 3).join(' ')} | | | |`);
        continue;
      }
      const j = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      console.log(`| ${which} | ${j.steps} | ${j.maxRssMB.toFixed(0)} | ${j.cpuSec.toFixed(1)} | ${j.steps ? ((minutes * 60) / j.cpuSec).toFixed(0) + 'x' : '-'} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
