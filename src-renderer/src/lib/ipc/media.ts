/**
 * URLs for a library track's audio and cover. Browser mode: same-origin `/media/...` routes
 * (authenticated by the session cookie). Electron: the `studio-media://` protocol. Both serve
 * ONLY files that are in the library, with HTTP Range support for seeking.
 */
import { getPreloadApi } from './transports/electron';

export function mediaUrl(trackId: number): string {
  return getPreloadApi() ? `studio-media://track/${trackId}` : new URL(`media/track/${trackId}`, baseHref()).href;
}

export function coverUrl(trackId: number): string {
  return getPreloadApi() ? `studio-media://cover/${trackId}` : new URL(`media/cover/${trackId}`, baseHref()).href;
}

function baseHref(): string {
  return `${location.protocol}//${location.host}/`;
}

/** Browser mode: base URL for the upload route (same origin; cookie-authenticated). */
export function uploadUrl(name: string, jobId?: string): string {
  const u = new URL('upload', baseHref());
  u.searchParams.set('name', name);
  if (jobId) u.searchParams.set('jobId', jobId);
  return u.href;
}
