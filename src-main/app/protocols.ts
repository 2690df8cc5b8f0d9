/**
 * Electron's custom protocols (registered in main.ts, implemented here as plain
 * Request -> Response functions so they run under Vitest):
 * - `studio://app/<file>`: the renderer build (out/renderer), confined to that directory, with CSP;
 * - `studio-media://track/<id>` and `studio-media://cover/<id>`: library audio (Range, 206/416)
 *   and cover art, with the same library-only rules as the browser mode's /media routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Studio } from '../services/studio-types';
import { parseId } from '../server/media';
import { parseRange } from '../server/range';
import { buildCsp, contentTypeFor, SECURITY_HEADERS } from '../server/security';

export const APP_SCHEME = 'studio';
export const MEDIA_SCHEME = 'studio-media';

/** Privileges for `protocol.registerSchemesAsPrivileged` (before app ready). */
export const SCHEMES: { scheme: string; privileges: Record<string, boolean> }[] = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
];

/** The renderer's CSP in Electron: like the browser mode's, plus the media scheme. */
export const ELECTRON_CSP = buildCsp([MEDIA_SCHEME]);

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });
}

/** `studio://app/...` -> a file of the renderer build. */
export async function appProtocolResponse(rendererDir: string, req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.host !== 'app') return text(404, 'Not found');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return text(400, 'Malformed URL encoding');
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${rel}`);
  if (rel.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) return text(404, 'Not found');
  try {
    const data = await fs.promises.readFile(file);
    return new Response(data, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-security-policy': ELECTRON_CSP, 'content-type': contentTypeFor(file), 'cross-origin-resource-policy': 'same-site' },
    });
  } catch {
    return text(404, 'Not found');
  }
}

/** `studio-media://track/<id>` and `studio-media://cover/<id>` for library tracks only. */
export async function mediaProtocolResponse(studio: Pick<Studio, 'mediaForTrack' | 'coverForTrack'>, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const seg = url.pathname.split('/').filter(Boolean);
  if (seg.length !== 1) return text(404, 'Media URLs are studio-media://track/<id> or studio-media://cover/<id>');
  const id = parseId(seg[0]);
  if (id === null) return text(400, `Expected a numeric track id, got ${JSON.stringify(seg[0]!.slice(0, 40))}`);
  if (url.host === 'cover') {
    const cover = studio.coverForTrack(id);
    if (!cover) return text(404, `Track ${id} has no cover art in the library`);
    const mime = /^image\/(png|jpeg|gif|webp|bmp)$/i.test(cover.mime) ? cover.mime : 'application/octet-stream';
    return new Response(new Uint8Array(cover.data), { status: 200, headers: { 'content-type': mime, 'x-content-type-options': 'nosniff' } });
  }
  if (url.host !== 'track') return text(404, 'Unknown media kind');
  const info = studio.mediaForTrack(id);
  if (!info) return text(404, `Track ${id} is not in the library`);
  let size: number;
  try {
    const st = await fs.promises.stat(info.path);
    if (!st.isFile()) return text(404, `Track ${id}'s file is not a regular file`);
    size = st.size;
  } catch {
    return text(404, `Track ${id}'s file is missing on disk (rescan the library)`);
  }
  const range = parseRange(req.headers.get('range'), size);
  if (range.kind === 'unsatisfiable') return text(416, `Range is outside the file (${size} bytes)`, { 'content-range': `bytes */${size}` });
  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const headers: Record<string, string> = {
    'content-type': info.mime,
    'accept-ranges': 'bytes',
    'content-length': String(Math.max(0, end - start + 1)),
    'x-content-type-options': 'nosniff',
  };
  if (range.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const body = req.method === 'HEAD' || size === 0 ? null : (Readable.toWeb(fs.createReadStream(info.path, { start, end })) as ReadableStream<Uint8Array>);
  return new Response(body, { status: range.kind === 'partial' ? 206 : 200, headers });
}
