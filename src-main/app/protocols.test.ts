import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appProtocolResponse, mediaProtocolResponse } from './protocols';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdmer-proto-'));
const audio = path.join(dir, 'song.flac');
fs.writeFileSync(audio, Buffer.from(Array.from({ length: 500 }, (_, i) => i % 256)));
const renderer = path.join(dir, 'renderer');
fs.mkdirSync(renderer);
fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html>');
fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
const studio = {
  mediaForTrack: (id: number) => (id === 7 ? { path: audio, mime: 'audio/flac', size: 500 } : null),
  coverForTrack: () => null,
};
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('studio-media:// protocol', () => {
  it('serves library tracks whole and by Range', async () => {
    const full = await mediaProtocolResponse(studio, new Request('studio-media://track/7'));
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('audio/flac');
    expect((await full.arrayBuffer()).byteLength).toBe(500);
    const part = await mediaProtocolResponse(studio, new Request('studio-media://track/7', { headers: { range: 'bytes=10-19' } }));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/500');
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const bad = await mediaProtocolResponse(studio, new Request('studio-media://track/7', { headers: { range: 'bytes=600-' } }));
    expect(bad.status).toBe(416);
  });

  it('refuses ids outside the library and path-like URLs', async () => {
    for (const u of ['studio-media://track/8', 'studio-media://track/..%2Fsecret.txt', 'studio-media://track/7/x', 'studio-media://file/7', 'studio-media://cover/7']) {
      const r = await mediaProtocolResponse(studio, new Request(u));
      expect([400, 404], u).toContain(r.status);
    }
  });
});

describe('studio:// protocol', () => {
  it('serves the renderer with CSP and never leaves its directory', async () => {
    const r = await appProtocolResponse(renderer, new Request('studio://app/'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain('studio-media:');
    for (const u of ['studio://app/../secret.txt', 'studio://app/%2e%2e/secret.txt', 'studio://app/..%2Fsecret.txt', 'studio://other/index.html']) {
      const x = await appProtocolResponse(renderer, new Request(u));
      expect(x.status, u).toBe(404);
    }
  });
});
