/** Minimal RFC 4180 CSV (quotes doubled, CRLF or LF line ends, fields with , " or newlines quoted). */

function quote(field: string): string {
  return /[",\r\n]/.test(field) || field !== field.trim() ? `"${field.replace(/"/g, '""')}"` : field;
}

/** One CSV document from rows of cells; numbers are written with `String()` (shortest exact round-trip). */
export function writeCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'number' ? numberCell(c) : quote(c))).join(',')).join('\n') + '\n';
}

function numberCell(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`CSV numbers must be finite, got ${x}`);
  return Object.is(x, -0) ? '0' : String(x);
}

/**
 * Parses a CSV document into rows of raw strings.
 * @throws SyntaxError on an unterminated quoted field
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      i += ch === '\r' && src[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i++;
  }
  if (quoted) throw new SyntaxError('Unterminated quoted field at end of CSV');
  if (fieldStarted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
