/**
 * Browser mode (a product feature, B1): serves the renderer build, the library's media and the
 * Studio's IPC over a WebSocket, on 127.0.0.1 by default. Every route and the socket need the
 * random per-start token (query on first load -> HttpOnly SameSite=Strict cookie, or the
 * `x-studio-token` header), except `GET /healthz`.
 *
 * The caller (`pdmer serve`) prints the returned `url` as `Studio ready at <url>`.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Studio } from '../services/studio-types';
import { log } from '../log';
import { authenticate, newToken, sessionCookie } from './auth';
import { serveCover, serveTrack } from './media';
import { openBrowser } from './open-browser';
import { isLoopback, SECURITY_HEADERS } from './security';
import { serveStatic } from './static';
import { DEFAULT_MAX_UPLOAD_BYTES, handleUpload } from './upload';
import { createSocketServer } from './ws';

export interface ServerOptions {
  studio: Studio;
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1; anything else exposes the studio to the network (a warning is logged). */
  host: string;
  /** Open the system browser on the URL (best effort). */
  open: boolean;
  /** The renderer build (out/renderer). */
  staticDir: string;
  /** Fixed token (tests); default: 24 random bytes per start. */
  token?: string;
  maxUploadBytes?: number;
  maxFrameBytes?: number;
}

export interface RunningServer {
  /** `http://127.0.0.1:N/?token=...` */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP + WebSocket server. Does not own the Studio (the caller closes it).
 * @throws when the port cannot be bound (EADDRINUSE etc.)
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host || '127.0.0.1';
  const token = opts.token ?? newToken();
  const maxUpload = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const loopback = isLoopback(host);
  if (!loopback) {
    log.warn(
      `Browser mode is listening on ${host}: anyone on your network who gets the token URL can use this studio and play your library. Use --host 127.0.0.1 to keep it local.`,
    );
  }
  let port = opts.port;
  const wss = createSocketServer(opts.studio, { maxFrameBytes: opts.maxFrameBytes });

  /** DNS-rebinding guard: on loopback only loopback Host names are served. */
  const hostAllowed = (h: string | undefined): boolean => {
    if (!loopback) return true;
    if (!h) return false;
    const name = h.replace(/:\d+$/, '');
    return isLoopback(name);
  };

  const server = http.createServer((req, res) => {
    void route(req, res).catch((e) => {
      log.error('request failed', e);
      if (!res.headersSent) {
        res.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error');
      } else res.destroy();
    });
  });
  server.requestTimeout = 0; // uploads of large files may take long; headersTimeout still applies
  server.headersTimeout = 30_000;

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : JSON.stringify({ ok: true }));
      return;
    }
    if (!hostAllowed(req.headers.host)) {
      req.resume();
      res.writeHead(421, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Unexpected Host header for a loopback-only studio');
      return;
    }
    const auth = authenticate(req, url, token, port);
    if (!auth.ok) {
      req.resume();
      res.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('Missing or wrong token: open the full URL printed by `pdmer serve` (it ends in ?token=...).');
      return;
    }
    const cookie = auth.via === 'query' ? { 'set-cookie': sessionCookie(port, token) } : undefined;
    const seg = url.pathname.split('/');
    if (method === 'POST' && url.pathname === '/upload') {
      // Cross-site form posts carry no SameSite=Strict cookie; a same-origin check for scripts too.
      const origin = req.headers.origin;
      if (origin && origin !== `http://${req.headers.host}`) {
        req.resume();
        res.writeHead(403, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        res.end('Cross-origin upload refused');
        return;
      }
      return handleUpload(req, res, url, opts.studio, maxUpload);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      req.resume();
      res.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD, POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Method ${method} not allowed`);
      return;
    }
    if (seg[1] === 'media' && seg.length === 4) {
      if (cookie) res.setHeader('set-cookie', cookie['set-cookie']);
      if (seg[2] === 'track') return serveTrack(req, res, opts.studio, seg[3]);
      if (seg[2] === 'cover') return serveCover(req, res, opts.studio, seg[3]);
    }
    if (seg[1] === 'media') {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Media is served only as /media/track/<id> or /media/cover/<id> for library tracks');
      return;
    }
    return serveStatic(req, res, opts.staticDir, url.pathname, cookie);
  }

  server.on('upgrade', (req, socket: Duplex, head) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host)) return refuse(421, 'Misdirected Request');
    // Cross-site WebSocket hijacking guard: browsers always send Origin on WebSocket handshakes.
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) return refuse(403, 'Forbidden');
    if (!authenticate(req, url, token, port).ok) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const shownHost = loopback || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  if (opts.open) openBrowser(url);

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
