/**
 * Per-start token auth for the browser mode. The token arrives as `?token=` on the first page
 * load (from the URL printed by `pdmer serve`); the server answers with an HttpOnly
 * SameSite=Strict cookie so later asset, media and WebSocket requests (which cannot carry a
 * header) authenticate too. Scripts may also send `x-studio-token` or `Authorization: Bearer`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookies are not isolated by port, so the name carries it (two studios on one host). */
export function cookieName(port: number): string {
  return `studio_token_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export type AuthResult = { ok: true; via: 'query' | 'cookie' | 'header' } | { ok: false };

/** Checks query, header and cookie (in that order) against the token. */
export function authenticate(req: IncomingMessage, url: URL, token: string, port: number): AuthResult {
  const q = url.searchParams.get('token');
  if (q !== null && safeEqual(q, token)) return { ok: true, via: 'query' };
  const h = req.headers['x-studio-token'];
  if (typeof h === 'string' && safeEqual(h, token)) return { ok: true, via: 'header' };
  const a = req.headers.authorization;
  if (typeof a === 'string' && a.startsWith('Bearer ') && safeEqual(a.slice(7), token)) return { ok: true, via: 'header' };
  const c = parseCookies(req.headers.cookie).get(cookieName(port));
  if (c !== undefined && safeEqual(c, token)) return { ok: true, via: 'cookie' };
  return { ok: false };
}
