/** Serves the renderer build (out/renderer) and nothing else: paths are confined to staticDir. */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor, SECURITY_HEADERS } from './security';

export async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string, pathname: string, extraHeaders: Record<string, string> = {}): Promise<void> {
  const root = path.resolve(staticDir);
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'Malformed URL encoding');
  }
  if (rel.includes('\0')) return plain(res, 400, 'Malformed path');
  if (rel === '/' || rel === '') rel = '/index.html';
  const file = path.resolve(root, `.${rel}`);
  if (file !== root && !file.startsWith(root + path.sep)) return plain(res, 404, 'Not found');
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch {
    if (rel === '/index.html') return plain(res, 503, `The renderer build is missing in ${root}: run \`npm run build:web\` first.`);
    return plain(res, 404, 'Not found');
  }
  if (!st.isFile()) return plain(res, 404, 'Not found');
  const isHtml = file.endsWith('.html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    ...extraHeaders,
    'content-type': contentTypeFor(file),
    'content-length': st.size,
    // Vite's hashed assets never change; the page itself must be re-fetched.
    'cache-control': isHtml ? 'no-store' : rel.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = fs.createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
