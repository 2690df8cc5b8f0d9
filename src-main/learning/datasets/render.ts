/**
 * MIDI -> audio with Debian's fluidsynth and a General MIDI soundfont, cached outside the repo
 * (default ~/.cache/pdmer/render). VGMIDI's annotators heard a FluidSynth piano render of the same
 * MIDI (see /work/shared/data/README.md). Output: mono 16-bit WAV, peak-normalised to 0.9 (rendering
 * at gain 1.0 clips about a third of the pieces, so we render at gain 0.5 in float and scale after).
 */
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../../src-shared/ipc/envelope';
import { readWav, writeWavMono16 } from './wav';

const execFileP = promisify(execFile);

/** Soundfonts tried in order when none is given (Debian packages fluid-soundfont-gm, timgm6mb-soundfont). */
export const SOUNDFONT_CANDIDATES = [
  '/usr/share/sounds/sf2/FluidR3_GM.sf2',
  '/usr/share/sounds/sf2/default-GM.sf2',
  '/usr/share/sounds/sf2/TimGM6mb.sf2',
  '/usr/share/soundfonts/default.sf2',
];

/** Default cache root for derived data (never inside the repository). */
export function cacheRoot(): string {
  return process.env.PDMER_CACHE ?? path.join(os.homedir(), '.cache', 'pdmer');
}

export interface RenderOptions {
  sampleRate?: number;
  soundfont?: string;
  cacheDir?: string;
  /** fluidsynth binary (default `fluidsynth` on PATH) */
  fluidsynth?: string;
  /** peak level after normalisation (default 0.9) */
  peak?: number;
}

/**
 * Checks that fluidsynth and a GM soundfont are installed.
 * @returns the soundfont path
 * @throws AppError NOT_FOUND naming the Debian packages to install
 */
const checkedBins = new Set<string>();

export function checkRenderer(opts: RenderOptions = {}): { fluidsynth: string; soundfont: string } {
  const bin = opts.fluidsynth ?? 'fluidsynth';
  // One probe per binary and process (spawning it per file costs ~0.5 s on a busy machine).
  const r = checkedBins.has(bin) ? { error: undefined, status: 0 } : spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (!r.error && r.status === 0) checkedBins.add(bin);
  if (r.error || r.status !== 0) {
    throw new AppError('NOT_FOUND', `MIDI rendering needs fluidsynth ("${bin}" could not run). Install it: sudo apt-get install fluidsynth fluid-soundfont-gm`);
  }
  const sf = opts.soundfont ?? SOUNDFONT_CANDIDATES.find((p) => fs.existsSync(p));
  if (!sf || !fs.existsSync(sf)) {
    throw new AppError(
      'NOT_FOUND',
      `MIDI rendering needs a General MIDI soundfont (${opts.soundfont ?? SOUNDFONT_CANDIDATES.join(', ')} not found). Install one: sudo apt-get install fluid-soundfont-gm (or timgm6mb-soundfont)`,
    );
  }
  return { fluidsynth: bin, soundfont: sf };
}

/** Scales mono samples so the absolute peak equals `peak` (silence is returned unchanged). */
export function peakNormalise(x: Float32Array, peak = 0.9): Float32Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  if (m === 0) return x;
  const g = peak / m;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * g;
  return out;
}

/**
 * Renders one MIDI file to a cached, peak-normalised mono WAV and returns its path. Re-renders only
 * when the MIDI content, soundfont, rate or peak change (the cache key hashes them).
 * @throws AppError NOT_FOUND (missing tools or MIDI), AUDIO_DECODE_FAILED (fluidsynth failed)
 */
export async function renderMidi(midiPath: string, opts: RenderOptions = {}): Promise<string> {
  const { fluidsynth, soundfont } = checkRenderer(opts);
  if (!fs.existsSync(midiPath)) throw new AppError('NOT_FOUND', `MIDI file not found: ${midiPath}`);
  const sr = opts.sampleRate ?? 22_050;
  const peak = opts.peak ?? 0.9;
  const key = crypto
    .createHash('sha256')
    .update(fs.readFileSync(midiPath))
    .update(`|${soundfont}|${sr}|${peak}|v1`)
    .digest('hex')
    .slice(0, 24);
  const dir = opts.cacheDir ?? path.join(cacheRoot(), 'render');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${key}.wav`);
  if (fs.existsSync(out)) return out;
  const tmp = path.join(dir, `${key}.${process.pid}.raw.wav`);
  try {
    await execFileP(fluidsynth, ['-ni', '-g', '0.5', '-O', 'float', '-T', 'wav', '-F', tmp, '-r', String(sr), soundfont, midiPath], { maxBuffer: 1 << 24 });
    const wav = readWav(fs.readFileSync(tmp));
    const n = wav.channels[0]?.length ?? 0;
    const mono = new Float32Array(n);
    for (const ch of wav.channels) for (let i = 0; i < n; i++) mono[i] += ch[i] / wav.channels.length;
    const part = `${out}.${process.pid}.part`;
    fs.writeFileSync(part, writeWavMono16(peakNormalise(mono, peak), wav.sampleRate));
    fs.renameSync(part, out);
    return out;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('AUDIO_DECODE_FAILED', `fluidsynth could not render ${midiPath}: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
