import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../ipc/events';
import { err, ok } from '../../src-shared/ipc/envelope';
import type { Studio } from '../services/studio-types';
import { startServer, type RunningServer } from './index';
import { parseRange } from './range';
import { sanitizeUploadName } from './upload';

/** A small in-test Studio: one library track (id 1), everything else refused. */
function fakeStudio(dir: string) {
  const audio = path.join(dir, 'lib', 'track.wav');
  fs.mkdirSync(path.dirname(audio), { recursive: true });
  fs.writeFileSync(audio, Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)));
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'not in the library');
  const bus = new EventBus();
  const calls: { channel: string; payload: unknown }[] = [];
  const studio = {
    dataDir: dir,
    dbPath: path.join(dir, 'library.db'),
    bus,
    handlers: {} as Studio['handlers'],
    async dispatch(channel: string, payload: unknown) {
      calls.push({ channel, payload });
      if (channel === 'profiles:list') return ok([]);
      if (channel === 'library:import') {
        const p = (payload as { paths: string[] }).paths[0]!;
        const bytes = fs.readFileSync(p);
        if (bytes.subarray(0, 4).toString() === 'RIFF') return ok({ imported: [{ id: 2, path: p }], duplicates: [], skipped: [], cancelled: false });
        return ok({ imported: [], duplicates: [], skipped: [{ path: p, reason: 'not audio: expected RIFF/WAVE', code: 'UNSUPPORTED_FORMAT' }], cancelled: false });
      }
      return err('UNKNOWN_CHANNEL', `no ${channel}`);
    },
    mediaForTrack: (id: number) => (id === 1 ? { path: audio, mime: 'audio/wav', size: 1000 } : null),
    coverForTrack: (id: number) => (id === 1 ? { mime: 'text/html', data: Buffer.from('<script>x</script>') } : null),
    close: async () => {},
  };
  // Only the members the server uses; the real Studio has more (services, handlers).
  return { studio: studio as unknown as Studio, calls, bus };
}

let dir: string;
let srv: RunningServer;
let fake: ReturnType<typeof fakeStudio>;
let base: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-server-'));
  const staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>studio</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'a.js'), 'console.log(1)');
  fake = fakeStudio(dir);
  srv = await startServer({ studio: fake.studio, port: 0, host: '127.0.0.1', open: false, staticDir, maxUploadBytes: 4096, maxFrameBytes: 10_000 });
  base = `http://127.0.0.1:${srv.port}`;
});

afterAll(async () => {
  await srv.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = () => ({ 'x-studio-token': srv.token });

describe('token auth', () => {
  it('prints a loopback URL with a long random token', () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('answers /healthz without a token and refuses everything else without one', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    for (const p of ['/', '/index.html', '/assets/a.js', '/media/track/1', '/media/cover/1']) {
      expect((await fetch(`${base}${p}`)).status, p).toBe(401);
    }
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/upload?name=a.wav`, { method: 'POST', body: 'RIFF' })).status).toBe(401);
  });

  it('sets an HttpOnly SameSite=Strict cookie on first load that authenticates later requests', async () => {
    const r = await fetch(srv.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const r2 = await fetch(`${base}/assets/a.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(r2.status).toBe(200);
    expect(r2.headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses foreign Host headers (DNS rebinding) on a loopback bind', async () => {
    const r = await new Promise<number>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: srv.port, path: `/?token=${srv.token}`, headers: { host: 'evil.example:80' } },
        (res) => resolve(res.statusCode!),
      );
      req.end();
    });
    expect(r).toBe(421);
  });
});

describe('static files', () => {
  it('never leaves the renderer directory', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const r = await fetch(`${base}${p}`, { headers: auth() });
      expect([400, 404], p).toContain(r.status);
      expect(await r.text()).not.toContain('not in the library');
    }
  });
});

describe('media', () => {
  it('serves a library track whole and by Range with the right type', async () => {
    const full = await fetch(`${base}/media/track/1`, { headers: auth() });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/wav');
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect((await full.arrayBuffer()).byteLength).toBe(1000);

    const part = await fetch(`${base}/media/track/1`, { headers: { ...auth(), range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    const bytes = new Uint8Array(await part.arrayBuffer());
    expect(bytes.length).toBe(100);
    expect(bytes[0]).toBe(100);

    const tail = await fetch(`${base}/media/track/1`, { headers: { ...auth(), range: 'bytes=-10' } });
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');

    const bad = await fetch(`${base}/media/track/1`, { headers: { ...auth(), range: 'bytes=5000-' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');
  });

  it('refuses tracks not in the library and anything that looks like a path', async () => {
    expect((await fetch(`${base}/media/track/2`, { headers: auth() })).status).toBe(404);
    for (const p of ['/media/track/..%2fsecret.txt', '/media/track/-1', '/media/track/1e3', '/media/file/1', '/media/track/1/x']) {
      const r = await fetch(`${base}${p}`, { headers: auth() });
      expect([400, 404], p).toContain(r.status);
      expect(await r.text()).not.toContain('not in the library');
    }
  });

  it('never serves a cover with a non-image type', async () => {
    const r = await fetch(`${base}/media/cover/1`, { headers: auth() });
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('upload', () => {
  it('stores the file under imports/, imports it, and deletes files the library refuses', async () => {
    const good = await fetch(`${base}/upload?name=${encodeURIComponent('../../évil name.wav')}`, { method: 'POST', headers: auth(), body: 'RIFFxxxxWAVE' });
    const env = (await good.json()) as any;
    expect(env.ok).toBe(true);
    const stored = env.value.imported[0].path as string;
    expect(path.dirname(stored)).toBe(path.join(dir, 'imports'));
    expect(path.basename(stored)).toBe('évil name.wav');
    expect(fs.existsSync(stored)).toBe(true);

    const broken = (await (await fetch(`${base}/upload?name=broken.mp3`, { method: 'POST', headers: auth(), body: 'garbage' })).json()) as any;
    expect(broken.value.skipped).toEqual([{ path: 'broken.mp3', reason: 'not audio: expected RIFF/WAVE', code: 'UNSUPPORTED_FORMAT' }]);
    expect(fs.existsSync(path.join(dir, 'imports', 'broken.mp3'))).toBe(false);
  });

  it('refuses uploads over the size bound and leaves no partial file', async () => {
    const r = await fetch(`${base}/upload?name=big.wav`, { method: 'POST', headers: auth(), body: Buffer.alloc(10_000) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).error.message).toMatch(/limit/);
    expect(fs.readdirSync(path.join(dir, 'imports'))).not.toContain('big.wav');
  });

  it('refuses a missing name and cross-origin posts', async () => {
    expect((await fetch(`${base}/upload`, { method: 'POST', headers: auth(), body: 'x' })).status).toBe(400);
    expect((await fetch(`${base}/upload?name=a.wav`, { method: 'POST', headers: { ...auth(), origin: 'http://evil.example' }, body: 'x' })).status).toBe(403);
  });
});

describe('websocket', () => {
  const open = (url: string, headers: Record<string, string> = {}) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  const next = (ws: WebSocket) => new Promise<{ id?: unknown; envelope?: any; event?: string; payload?: unknown }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));

  it('refuses sockets without the token or from another origin', async () => {
    await expect(open(`ws://127.0.0.1:${srv.port}/ws`)).rejects.toThrow(/401/);
    await expect(open(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('dispatches frames, answers bad frames with error envelopes, pushes bus events, and survives', async () => {
    const ws = await open(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`);
    ws.send(JSON.stringify({ id: 1, channel: 'profiles:list', payload: {} }));
    expect(await next(ws)).toEqual({ id: 1, envelope: { ok: true, value: [] } });

    ws.send('{not json');
    expect(await next(ws)).toMatchObject({ id: null, envelope: { ok: false, error: { code: 'VALIDATION_FAILED' } } });
    ws.send(JSON.stringify([1, 2]));
    expect((await next(ws)).envelope.error.code).toBe('VALIDATION_FAILED');
    ws.send(JSON.stringify({ id: 2 }));
    expect(await next(ws)).toMatchObject({ id: 2, envelope: { ok: false } });

    fake.bus.emit('job:onProgress', { jobId: 'j1', kind: 'import', state: 'running', done: 1, total: 2 });
    expect(await next(ws)).toEqual({ event: 'job:onProgress', payload: { jobId: 'j1', kind: 'import', state: 'running', done: 1, total: 2 } });

    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify({ id: 3, channel: 'profiles:list', payload: { junk: 'x'.repeat(20_000) } }));
    expect(await closed).toBe(1009);

    const ws2 = await open(`ws://127.0.0.1:${srv.port}/ws?token=${srv.token}`);
    ws2.send(JSON.stringify({ id: 'a', channel: 'profiles:list', payload: {} }));
    expect((await next(ws2)).id).toBe('a');
    ws2.close();
  });
});

describe('parseRange', () => {
  it('handles the forms <audio> and curl send', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-', 10)).toEqual({ kind: 'partial', start: 0, end: 9 });
    expect(parseRange('bytes=2-100', 10)).toEqual({ kind: 'partial', start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ kind: 'partial', start: 7, end: 9 });
    expect(parseRange('bytes=5-2', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=abc', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('items=1-2', 10)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=1-2, 5-6', 10)).toEqual({ kind: 'partial', start: 1, end: 2 });
  });
});

describe('sanitizeUploadName', () => {
  it('keeps a single safe name', () => {
    expect(sanitizeUploadName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeUploadName('C:\\x\\song.mp3')).toBe('song.mp3');
    expect(sanitizeUploadName('...')).toBe(null);
    expect(sanitizeUploadName('a\u0000b.wav')).toBe('a_b.wav');
    expect(Buffer.byteLength(sanitizeUploadName('é'.repeat(300) + '.flac')!)).toBeLessThanOrEqual(200);
    expect(sanitizeUploadName('é'.repeat(300) + '.flac')!.endsWith('.flac')).toBe(true);
  });
});

describe('non-loopback host', () => {
  it('warns that the studio is exposed and still prints a local URL', async () => {
    const lines: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    let lan: RunningServer | null = null;
    try {
      lan = await startServer({ studio: fake.studio, port: 0, host: '0.0.0.0', open: false, staticDir: path.join(dir, 'renderer') });
    } finally {
      process.stderr.write = orig;
    }
    expect(lines.join('')).toMatch(/WARN Browser mode is listening on 0\.0\.0\.0: anyone on your network/);
    expect(lan!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect((await fetch(`http://127.0.0.1:${lan!.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${lan!.port}/`)).status).toBe(401);
    await lan!.close();
  });
});
