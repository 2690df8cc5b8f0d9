/**
 * Audio front-end speed (not a test): `node --import tsx scripts/bench-audio.ts [seconds] [sourceRate]`.
 * Prints a markdown table of x real time on one core (CPU time) per stage and configuration.
 */
import { benchAudio } from '../src-main/audio/bench';
import { COMPACT_FEATURES, PAPER_FEATURES } from '../src-main/audio/index';

const seconds = Number(process.argv[2] ?? 120);
const rate = Number(process.argv[3] ?? 44100);
const rows = await benchAudio([PAPER_FEATURES, COMPACT_FEATURES], seconds, rate);
const f = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)}x` : '-');
console.log(`Audio front end, ${seconds} s synthetic stereo WAV at ${rate} Hz, x real time on one core (CPU time)\n`);
console.log('| config | decode (wav) | resample | local log-mel | global (extra) | extractFeatures (all) | first 30 s chunk (CPU s) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.config} | ${f(r.decodeWav)} | ${f(r.resample)} | ${f(r.local)} | ${f(r.globalOnly)} | ${f(r.extractAll)} | ${r.firstChunkCpuSec.toFixed(3)} |`);
}
