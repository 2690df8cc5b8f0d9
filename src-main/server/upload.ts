/**
 * `POST /upload?name=<file name>[&jobId=...]`: browser-mode drag-and-drop. A page cannot give
 * the server a real path, so the dropped file's bytes are streamed into `<dataDir>/imports/`
 * (size-bounded) and then imported through the normal `library:import` channel. A file the
 * library does not keep (skipped or duplicate) is deleted again. Answers with the import's
 * envelope as JSON.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { err, type Envelope } from '../../src-shared/ipc/envelope';
import type { ImportReport } from '../../src-shared/domain/track';
import type { Studio } from '../services/studio-types';
import { SECURITY_HEADERS } from './security';

/** Default largest upload: 2 GiB (a long lossless recording fits; a runaway stream does not). */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;

/**
 * Turns a client-supplied name into a safe single file name (no separators, no control
 * characters, no leading dots, at most 200 UTF-8 bytes keeping the extension).
 * @returns null when nothing usable is left
 */
export function sanitizeUploadName(raw: string | null): string | null {
  if (!raw) return null;
  let name = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  if (!name) return null;
  const ext = path.extname(name).slice(0, 16);
  let stem = name.slice(0, name.length - path.extname(name).length);
  while (Buffer.byteLength(stem + ext) > 200) stem = stem.slice(0, -1);
  const out = stem + ext;
  return out && out !== ext ? out : ext ? `upload${ext}` : null;
}

function json(res: ServerResponse, status: number, body: Envelope<unknown>): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Opens `<dir>/<name>` exclusively, adding " (n)" before the extension when it exists. */
async function openUnique(dir: string, name: string): Promise<{ file: string; handle: fs.promises.FileHandle }> {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; i < 1000; i++) {
    const file = path.join(dir, i === 0 ? name : `${stem} (${i})${ext}`);
    try {
      return { file, handle: await fs.promises.open(file, 'wx') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new Error(`too many files named ${name} in ${dir}`);
}

export async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, studio: Studio, maxBytes: number): Promise<void> {
  const name = sanitizeUploadName(url.searchParams.get('name'));
  if (!name) {
    req.resume();
    return json(res, 400, err('VALIDATION_FAILED', 'Upload needs ?name=<file name> with at least one usable character'));
  }
  const jobId = url.searchParams.get('jobId') ?? undefined;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    res.setHeader('connection', 'close');
    return json(res, 413, err('VALIDATION_FAILED', `${name} is ${declared} bytes; uploads are limited to ${maxBytes} bytes`));
  }
  const dir = path.join(studio.dataDir, 'imports');
  await fs.promises.mkdir(dir, { recursive: true });
  const { file, handle } = await openUnique(dir, name);
  let received = 0;
  let tooBig = false;
  const limiter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > maxBytes) {
        tooBig = true;
        cb(new Error('upload too large'));
      } else cb(null, chunk);
    },
  });
  try {
    await pipeline(req, limiter, handle.createWriteStream());
  } catch (e) {
    await handle.close().catch(() => {});
    await fs.promises.rm(file, { force: true });
    if (tooBig) {
      res.setHeader('connection', 'close');
      return json(res, 413, err('VALIDATION_FAILED', `${name} exceeds the upload limit of ${maxBytes} bytes`));
    }
    if (res.writableEnded || req.destroyed) return;
    return json(res, 400, err('IO_FAILED', `Upload of ${name} was interrupted: ${e instanceof Error ? e.message : String(e)}`));
  }
  await handle.close().catch(() => {});
  const env = (await studio.dispatch('library:import', jobId ? { paths: [file], jobId } : { paths: [file] }, { transport: 'websocket' })) as Envelope<ImportReport>;
  // Report the name the user dropped, not our storage path; keep only files the library references.
  if (!env.ok || env.value.imported.length === 0) await fs.promises.rm(file, { force: true });
  if (env.ok) {
    const v = env.value;
    for (const s of v.skipped) if (s.path === file) s.path = name;
    for (const d of v.duplicates) if (d.path === file) d.path = name;
  }
  json(res, 200, env);
}
