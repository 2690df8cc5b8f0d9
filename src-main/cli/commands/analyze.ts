/**
 * `pdmer analyze <file-or-track-id...>`: a 2 Hz valence/arousal curve per input.
 *
 * - A number that is not an existing file is a library track id (needs the library in
 *   `--data-dir`); its curve is cached in the library (a second run is a cache hit).
 * - A file path that is a library track (same absolute path) is treated as that track.
 * - Any other file is analysed directly: no database is created or written.
 *
 * Analysis runs in the analysis worker (the same code path as the app).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../src-shared/ipc/envelope';
import { closeDatabase, openDatabase } from '../../db/open';
import type { WritableDB } from '../../db/types';
import { EventBus } from '../../ipc/events';
import { AnalysisService, type FileAnalysis } from '../../services/analysis.service';
import { dbPathFor, resolveDataDir } from '../../services/paths';
import { UsageError, parseCommandArgs } from '../args';
import type { Command, CliIO } from '../command';

const USAGE = `Usage: pdmer analyze <file-or-track-id...> [options]

Prints the predicted arousal and valence every 0.5 s.

Options:
  --config compact|paper   model configuration (default compact)
  --weights DIR            weights directory (model.json + shards + manifest.json)
  --profile NAME           personal model of a profile (needs the library)
  --backend B              auto | wasm | cpu | node | node-gpu (default auto)
  --json                   JSON: {track, stepSeconds, arousal, valence, model}
  --csv                    CSV: time,arousal,valence (track column added for several inputs)
  --data-dir D             library data directory (for track ids and cached curves)

Exit codes: 0 ok, 1 analysis failed for an input, 2 usage error.`;

interface Result {
  track: string;
  trackId: number | null;
  durationSec: number;
  arousal: Float32Array;
  valence: Float32Array;
  cached: boolean;
}

function fmt(x: number): string {
  return x.toFixed(4);
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Predict the valence/arousal curve (2 Hz) of audio files or library tracks',
  usage: USAGE,
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseCommandArgs(
      argv,
      {
        config: { type: 'string', default: 'compact' },
        weights: { type: 'string' },
        profile: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        json: { type: 'boolean', default: false },
        csv: { type: 'boolean', default: false },
      },
      { positionals: true },
    );
    const o = parsed.values;
    const inputs = parsed.positionals;
    if (inputs.length === 0) throw new UsageError('Expected at least one file or track id, got none');
    if (o.config !== 'compact' && o.config !== 'paper') throw new UsageError(`Expected --config compact or paper, got ${JSON.stringify(o.config)}`);
    if (o.json && o.csv) throw new UsageError('Expected at most one of --json and --csv, got both');
    if (o.weights && !fs.existsSync(path.join(o.weights, 'manifest.json')) && !fs.existsSync(path.join(o.weights, 'model.json'))) {
      throw new UsageError(`Expected a weights directory with manifest.json/model.json, got ${o.weights}`);
    }

    // Which inputs need the library?
    const dataDir = resolveDataDir({ explicit: o['data-dir'] ?? null });
    const dbFile = dbPathFor(dataDir);
    const isTrackId = (s: string) => /^\d+$/.test(s) && !fs.existsSync(s);
    const needLibrary = inputs.some(isTrackId) || o.profile !== undefined;
    const haveLibrary = fs.existsSync(dbFile);
    if (needLibrary && !haveLibrary) {
      throw new UsageError(`Expected a library at ${dbFile} (for track ids / --profile), but there is none. Import files first or pass --data-dir`);
    }
    let db: WritableDB;
    try {
      // Files outside any library: an in-memory database (nothing written to disk).
      db = haveLibrary ? openDatabase(dbFile) : openDatabase(':memory:');
    } catch (e) {
      io.stderr(`${(e as Error).message}\n`);
      return 1;
    }
    const service = new AnalysisService({
      db,
      bus: new EventBus(),
      dataDir,
      model: { config: o.config, weightsDir: o.weights, backend: o.backend },
    });
    let exit = 0;
    const results: Result[] = [];
    try {
      let profileId: number | null = null;
      if (o.profile !== undefined) {
        const prof = db.prepare('SELECT id FROM profiles WHERE name = ? COLLATE NOCASE').get(o.profile) as { id: number } | undefined;
        if (!prof) throw new AppError('NOT_FOUND', `Expected an existing profile name, got ${JSON.stringify(o.profile)}`);
        profileId = prof.id;
        await service.checkProfile(profileId);
      }
      const info = await service.ready();
      for (const input of inputs) {
        try {
          results.push(await analyzeOne(service, db, input, isTrackId(input), profileId));
        } catch (e) {
          exit = 1;
          io.stderr(`${input}: ${e instanceof AppError ? `${e.code}: ` : ''}${(e as Error).message}\n`);
        }
      }
      const model = { name: info.name, version: info.version, trained: info.trained, config: info.config, backend: info.backend, featureHash: info.featureHash };
      if (!info.trained) io.stderr('note: the model weights are untrained; the curve shows the pipeline working, not real emotion predictions\n');
      if (o.json) {
        const objs = results.map((r) => ({
          track: r.track,
          trackId: r.trackId,
          durationSec: r.durationSec,
          cached: r.cached,
          stepSeconds: 0.5,
          arousal: Array.from(r.arousal, round4),
          valence: Array.from(r.valence, round4),
          model,
        }));
        io.stdout(`${JSON.stringify(inputs.length === 1 ? (objs[0] ?? null) : objs)}\n`);
      } else if (o.csv) {
        const multi = inputs.length > 1;
        const lines = [multi ? 'track,time,arousal,valence' : 'time,arousal,valence'];
        for (const r of results) {
          for (let i = 0; i < r.arousal.length; i++) {
            const row = `${(i * 0.5).toFixed(1)},${fmt(r.arousal[i]!)},${fmt(r.valence[i]!)}`;
            lines.push(multi ? `${csvField(r.track)},${row}` : row);
          }
        }
        io.stdout(`${lines.join('\n')}\n`);
      } else {
        const out: string[] = [];
        for (const r of results) {
          out.push(`# ${r.track}  (${r.durationSec.toFixed(1)} s, ${r.arousal.length} steps, ${model.name} ${model.version} on ${model.backend}${r.cached ? ', cached' : ''})`);
          out.push(`${'time'.padStart(8)}  ${'arousal'.padStart(8)}  ${'valence'.padStart(8)}`);
          for (let i = 0; i < r.arousal.length; i++) {
            out.push(`${(i * 0.5).toFixed(1).padStart(8)}  ${fmt(r.arousal[i]!).padStart(8)}  ${fmt(r.valence[i]!).padStart(8)}`);
          }
        }
        io.stdout(`${out.join('\n')}\n`);
      }
    } catch (e) {
      io.stderr(`${e instanceof AppError ? `${e.code}: ` : ''}${(e as Error).message}\n`);
      exit = 1;
    } finally {
      await service.close();
      closeDatabase(db);
    }
    return exit;
  },
};

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function analyzeOne(service: AnalysisService, db: WritableDB, input: string, trackId: boolean, profileId: number | null): Promise<Result> {
  let id: number | null = null;
  if (trackId) id = Number(input);
  else {
    const abs = path.resolve(input);
    if (!fs.existsSync(abs)) throw new AppError('NOT_FOUND', `Expected an audio file or a track id, got ${input} (no such file)`);
    const row = db.prepare('SELECT id FROM tracks WHERE path = ?').get(abs) as { id: number } | undefined;
    id = row?.id ?? null;
  }
  if (id !== null) {
    const { cached } = await service.analyze([id], 'play', profileId);
    const p = await service.analyzeTrack(id, 'play', profileId);
    const row = db.prepare('SELECT path, duration_sec FROM tracks WHERE id = ?').get(id) as { path: string; duration_sec: number | null };
    return { track: row.path, trackId: id, durationSec: row.duration_sec ?? p.nSteps * 0.5, arousal: p.arousal, valence: p.valence, cached: cached.length > 0 };
  }
  const r: FileAnalysis = await service.analyzeFile(path.resolve(input), 'play', profileId);
  return { track: input, trackId: null, durationSec: r.durationSec, arousal: r.arousal, valence: r.valence, cached: false };
}
