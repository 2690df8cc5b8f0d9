/**
 * `/media/track/<id>` and `/media/cover/<id>`: audio and cover art of LIBRARY tracks only.
 * The id is resolved through the Studio (which knows the library); a path never comes from the
 * request, so nothing outside the library can be read.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Studio } from '../services/studio-types';
import { parseRange } from './range';
import { SECURITY_HEADERS } from './security';

const ID_RE = /^[1-9]\d{0,15}$/;

/** Parses a positive integer id from a path segment; null when it is not one. */
export function parseId(seg: string | undefined): number | null {
  if (!seg || !ID_RE.test(seg)) return null;
  const n = Number(seg);
  return Number.isSafeInteger(n) ? n : null;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export async function serveTrack(req: IncomingMessage, res: ServerResponse, studio: Studio, idSeg: string | undefined): Promise<void> {
  const id = parseId(idSeg);
  if (id === null) return send(res, 400, `Expected a numeric track id, got ${JSON.stringify(String(idSeg).slice(0, 40))}`);
  const info = studio.mediaForTrack(id);
  if (!info) return send(res, 404, `Track ${id} is not in the library`);
  let size: number;
  try {
    const st = await fs.promises.stat(info.path);
    if (!st.isFile()) return send(res, 404, `Track ${id}'s file is not a regular file`);
    size = st.size;
  } catch {
    return send(res, 404, `Track ${id}'s file is missing on disk (rescan the library)`);
  }
  const range = parseRange(req.headers.range, size);
  const base = { ...SECURITY_HEADERS, 'content-type': info.mime, 'accept-ranges': 'bytes', 'cache-control': 'private, no-cache' };
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'content-range': `bytes */${size}`, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Range ${String(req.headers.range).slice(0, 80)} is outside the file (${size} bytes)`);
    return;
  }
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const headers: Record<string, string | number> = { ...base, 'content-length': Math.max(0, end - start + 1) };
  if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range.kind === 'partial' ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  const stream = fs.createReadStream(info.path, { start, end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

export function serveCover(req: IncomingMessage, res: ServerResponse, studio: Studio, idSeg: string | undefined): void {
  const id = parseId(idSeg);
  if (id === null) return send(res, 400, `Expected a numeric track id, got ${JSON.stringify(String(idSeg).slice(0, 40))}`);
  const cover = studio.coverForTrack(id);
  if (!cover) return send(res, 404, `Track ${id} has no cover art in the library`);
  // Only image types: a tag could claim text/html, which must never render as a page.
  const mime = /^image\/(png|jpeg|gif|webp|bmp)$/i.test(cover.mime) ? cover.mime : 'application/octet-stream';
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': mime, 'content-length': cover.data.length, 'cache-control': 'private, max-age=3600' });
  res.end(req.method === 'HEAD' ? undefined : cover.data);
}
