/**
 * Resumable training checkpoints: one file holding a JSON header (config, step, rng state, metrics,
 * tensor table) and the float32 data of params and optimizer moments. Written atomically
 * (temp file + rename), so an interrupted run resumes from the last complete checkpoint.
 *
 * Layout: magic "PCK1", u32 header length, header JSON (utf8), then the tensors' data in table order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../src-shared/ipc/envelope';

export interface PlainTensor {
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint<M = Record<string, unknown>> {
  /** free-form metadata (config, step, seeds, best metric ...) */
  meta: M;
  /** tensor groups, e.g. { params: {...}, adamM: {...}, adamV: {...} } */
  groups: Record<string, Record<string, PlainTensor>>;
}

/** Writes a checkpoint atomically. */
export function saveCheckpoint(file: string, ck: Checkpoint): void {
  const table: { group: string; name: string; shape: number[]; length: number }[] = [];
  const blobs: Buffer[] = [];
  for (const [group, ts] of Object.entries(ck.groups)) {
    for (const [name, t] of Object.entries(ts)) {
      table.push({ group, name, shape: t.shape, length: t.data.length });
      blobs.push(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  const header = Buffer.from(JSON.stringify({ meta: ck.meta, table }), 'utf8');
  const head = Buffer.alloc(8);
  head.write('PCK1', 0, 'ascii');
  head.writeUInt32LE(header.length, 4);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const part = `${file}.${process.pid}.part`;
  fs.writeFileSync(part, Buffer.concat([head, header, ...blobs]));
  fs.renameSync(part, file);
}

/** Reads a checkpoint. @throws AppError IO_FAILED on a foreign or truncated file */
export function loadCheckpoint<M = Record<string, unknown>>(file: string): Checkpoint<M> {
  const buf = fs.readFileSync(file);
  if (buf.length < 8 || buf.toString('ascii', 0, 4) !== 'PCK1') throw new AppError('IO_FAILED', `checkpoint ${file}: expected a PCK1 file`);
  const hl = buf.readUInt32LE(4);
  const { meta, table } = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as { meta: M; table: { group: string; name: string; shape: number[]; length: number }[] };
  let off = 8 + hl;
  const groups: Checkpoint<M>['groups'] = {};
  for (const t of table) {
    const bytes = t.length * 4;
    if (off + bytes > buf.length) throw new AppError('IO_FAILED', `checkpoint ${file}: truncated at ${t.group}/${t.name}`);
    const data = new Float32Array(new Uint8Array(buf.subarray(off, off + bytes)).buffer);
    off += bytes;
    (groups[t.group] ??= {})[t.name] = { shape: t.shape, data };
  }
  return { meta, groups };
}
