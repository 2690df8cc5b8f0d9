/**
 * Where the Electron binary is, if it was installed. The `electron` npm package downloads its
 * binary in a postinstall step and records it in `path.txt`; on machines without that download
 * (ours) the package is missing or has no binary, and the studio runs in the browser mode.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @returns {{ binary: string, version: string } | { binary: null, reason: string }} */
export function findElectron(fromDir) {
  const require = createRequire(path.join(fromDir, 'package.json'));
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { binary: null, reason: 'Electron is not installed on this machine (its binary could not be downloaded)' };
  }
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return { binary: null, reason: `Electron ${version} is installed without its binary (the download failed)` };
  const binary = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) return { binary: null, reason: `Electron ${version}'s binary is missing at ${binary}` };
  return { binary, version };
}
