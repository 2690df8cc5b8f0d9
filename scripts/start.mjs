#!/usr/bin/env node
/**
 * `npm start`: the studio in Electron when its binary is present; otherwise one line saying why,
 * then the browser mode (`pdmer serve`, which opens the system browser unless --no-open).
 * Extra arguments go to the studio: `npm start -- --data-dir DIR --port 0 --no-open`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`${cmd} ${cmdArgs.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function launch(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectron(root);
if (electron.binary) {
  run(npm, ['run', '--silent', 'build']);
  launch(electron.binary, [root, ...args]);
} else {
  console.log(`${electron.reason}; starting the browser mode instead.`);
  if (!fs.existsSync(path.join(root, 'out', 'renderer', 'index.html'))) run(npm, ['run', '--silent', 'build:web']);
  launch(process.execPath, [path.join(root, 'bin', 'pdmer.mjs'), 'serve', ...args]);
}
