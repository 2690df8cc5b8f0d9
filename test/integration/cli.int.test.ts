/**
 * The `pdmer` binary as users run it: `node bin/pdmer.mjs ...` in a child process (tsx, no
 * build step) on a temp data dir and a temp folder of generated audio.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { ImportReport, TrackPage } from '../../src-shared/domain/track';
import { main } from '../../src-main/cli/main';
import { mixedFolder, uniqueWav } from '../helpers/library-fixtures';
import { useTmpDir } from '../helpers/tmp-db';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'pdmer.mjs');
const t = useTmpDir('pdmer-cli-');

function pdmer(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: t.dir,
    encoding: 'utf8',
    env: { ...process.env, PDMER_DATA_DIR: '', NODE_ENV: 'test', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pdmer CLI', () => {
  it('import --json reports imported, duplicates and skipped files with reasons; list --json shows the tracks', () => {
    const data = path.join(t.dir, 'data');
    const folder = mixedFolder(path.join(t.dir, 'music'));
    const r = pdmer(['import', folder.root, path.join(t.dir, 'missing.flac'), '--json', '--data-dir', data]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ImportReport;
    expect(report.imported.map((x) => x.path).sort()).toEqual([...folder.good].sort());
    expect(Object.fromEntries(report.skipped.map((s) => [s.path, s.code]))).toEqual({ ...folder.bad, [path.join(t.dir, 'missing.flac')]: 'NOT_FOUND' });
    expect(fs.existsSync(path.join(data, 'library.sqlite'))).toBe(true);

    const again = pdmer(['import', folder.good[0]!, '--json', '--data-dir', data]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ImportReport).duplicates).toHaveLength(1);

    const list = pdmer(['list', '--json', '--data-dir', data]);
    expect(list.code, list.stderr).toBe(0);
    const page = JSON.parse(list.stdout) as TrackPage;
    expect(page.total).toBe(folder.good.length);
    expect(page.tracks.map((x) => x.path).sort()).toEqual([...folder.good].sort());

    const text = pdmer(['list', '--sort', 'title', '--data-dir', data]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`of ${folder.good.length} tracks`);
    expect(text.stdout).toContain('ünïcødé 曲 — ☃');
  });

  it('human-readable import output: one line per file and a summary; PDMER_DATA_DIR and a global --data-dir work', () => {
    const data = path.join(t.dir, 'env-data');
    const a = uniqueWav(path.join(t.dir, 'in', 'a.wav'));
    fs.writeFileSync(path.join(t.dir, 'in', 'readme.md'), '# not audio');
    const r = pdmer(['import', path.join(t.dir, 'in')], { PDMER_DATA_DIR: data });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^imported +#1 +${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(r.stdout).toMatch(/^skipped .*readme\.md +\[NOT_AUDIO\] Not an audio file/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 imported, 0 duplicates, 1 skipped');
    const list = pdmer(['--data-dir', data, 'list', '--json']);
    expect((JSON.parse(list.stdout) as TrackPage).total).toBe(1);
  });

  it('help and unknown command (spawned): exit codes 0 and 2', () => {
    const help = pdmer(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['import', 'list', 'serve']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const unknown = pdmer(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown command 'frobnicate'");
    expect(unknown.stderr).toContain('Usage: pdmer <command>');
  });

  it('usage errors exit 2 with the command usage (in process)', async () => {
    const run = async (argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { stdout: (x) => void (stdout += x), stderr: (x) => void (stderr += x) });
      return { code, stdout, stderr };
    };
    const d = path.join(t.dir, 'd');
    const importHelp = await run(['import', '--help']);
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toMatch(/^Usage: pdmer import <paths\.\.\.>/);
    expect((await run(['help', 'list'])).stdout).toMatch(/^Usage: pdmer list/);
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await run([])).code).toBe(2);
    expect((await run(['--bogus', 'list'])).code).toBe(2);
    const noPaths = await run(['import', '--data-dir', d]);
    expect(noPaths.code).toBe(2);
    expect(noPaths.stderr).toContain('Expected at least one file or folder');
    expect(noPaths.stderr).toContain('Usage: pdmer import');
    const badFlag = await run(['list', '--colour', '--data-dir', d]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/Unknown option '--colour'/);
    const badSort = await run(['list', '--sort', 'path', '--data-dir', d]);
    expect(badSort.code).toBe(2);
    expect(badSort.stderr).toContain('--sort expects one of');
    const badLimit = await run(['list', '--limit', '0', '--data-dir', d]);
    expect(badLimit.code).toBe(2);
    const badPort = await run(['serve', '--port', 'http', '--data-dir', d]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port expects an integer');
    expect(fs.existsSync(d)).toBe(false); // usage errors never create a library
  });

  it('refuses a database from a newer version with a clear message and exit 1, leaving it untouched', () => {
    const data = path.join(t.dir, 'future');
    expect(pdmer(['list', '--data-dir', data]).code).toBe(0);
    const file = path.join(data, 'library.sqlite');
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    const before = fs.readFileSync(file);
    const r = pdmer(['list', '--data-dir', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/schema version 999, but this version of the studio only knows up to \d+/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('serve prints exactly one "Studio ready at" line, answers /healthz, stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open', '--data-dir', path.join(t.dir, 'srv')], {
      cwd: t.dir,
      env: { ...process.env, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
          const m = /^Studio ready at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)\n/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code} before it was ready: ${stderr}`)));
      });
      const health = await fetch(new URL('/healthz', url));
      expect(health.status).toBe(200);
      const noToken = await fetch(new URL('/media/track/1', url));
      expect(noToken.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
