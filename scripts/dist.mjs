#!/usr/bin/env node
/**
 * `npm run dist`: installers with electron-builder (AppImage + deb on Linux, dmg on macOS,
 * nsis on Windows; see electron-builder.yml). Needs the Electron binary, which this script
 * checks first and refuses loudly without. better-sqlite3 is rebuilt for Electron's ABI here
 * (never in postinstall: that would break it under Node, STYLE B13) and rebuilt back for Node
 * afterwards so tests keep working.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectron } from './electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, what) {
  console.log(`> ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

const electron = findElectron(root);
if (!electron.binary) {
  console.error(
    `npm run dist cannot package: ${electron.reason}. Packaging needs the Electron download; on a machine with network access run \`npm install\` (it fetches Electron), then \`npm run dist\`.`,
  );
  process.exit(1);
}

let rebuilt = false;
try {
  run(npm, ['run', 'build'], 'build renderer, main and preload');
  run(bin('electron-rebuild'), ['--force', '--only', 'better-sqlite3', '--version', electron.version], `rebuild better-sqlite3 for Electron ${electron.version}`);
  rebuilt = true;
  run(bin('electron-builder'), ['--config', 'electron-builder.yml', '--publish', 'never', ...process.argv.slice(2)], 'electron-builder');
  console.log('Installers are in dist/.');
} catch (e) {
  console.error(`npm run dist failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  if (rebuilt) {
    try {
      run(npm, ['rebuild', 'better-sqlite3'], 'rebuild better-sqlite3 back for Node');
    } catch (e) {
      console.error(`Could not rebuild better-sqlite3 for Node again (${e.message}); run \`npm rebuild better-sqlite3\` before testing.`);
      process.exitCode = 1;
    }
  }
}
