/**
 * HTTP Range parsing for media (RFC 9110 §14). Shared by the browser-mode media route and the
 * Electron `studio-media://` protocol. Only single ranges are honoured (what <audio> sends);
 * a multi-range request is answered with its first range, as many servers do.
 */
export type RangeResult =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * @param header the Range header value (or undefined)
 * @param size the file size in bytes
 * @returns full (no/ignorable header), partial (inclusive byte range) or unsatisfiable (416)
 */
export function parseRange(header: string | null | undefined, size: number): RangeResult {
  if (!header) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  // A Range in another unit is ignored (RFC 9110: serve the whole representation).
  if (!m) return { kind: 'full' };
  const first = m[1]!.split(',')[0]!.trim();
  const r = /^(\d*)\s*-\s*(\d*)$/.exec(first);
  if (!r || (r[1] === '' && r[2] === '')) return { kind: 'unsatisfiable' };
  if (r[1] === '') {
    // Suffix range: the last N bytes.
    const n = Number(r[2]);
    if (!Number.isSafeInteger(n) || n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  let end = r[2] === '' ? size - 1 : Number(r[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= size || end < start) return { kind: 'unsatisfiable' };
  end = Math.min(end, size - 1);
  return { kind: 'partial', start, end };
}
