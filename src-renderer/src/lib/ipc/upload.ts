/** Browser-mode upload of a dropped file: POST /upload?name=... (the browser has no real paths). */
import type { ImportReport } from '../../../../src-shared/domain/track';
import { err, type Envelope } from '../../../../src-shared/ipc/envelope';
import { uploadUrl } from './media';

export async function uploadFile(file: File, jobId: string, signal: AbortSignal): Promise<Envelope<ImportReport>> {
  const token = new URLSearchParams(location.search).get('token');
  const res = await fetch(uploadUrl(file.name, jobId), {
    method: 'POST',
    body: file,
    signal,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/octet-stream', ...(token ? { 'x-studio-token': token } : {}) },
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as Envelope<ImportReport>;
  } catch {
    return err('IO_FAILED', `Upload of ${file.name} failed: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
}
