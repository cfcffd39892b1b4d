import { createHmac, timingSafeEqual } from 'node:crypto';
import { echo, RecordQueryError } from './record-query.errors';

/**
 * Opaque keyset cursor: the last row's order values and row number, bound to the dataset (and
 * version) and to the ordering it was made for, signed so a client cannot forge one.
 * Format: base64url(JSON) "." base64url(HMAC-SHA256)[0..16].
 */
export interface CursorPayload {
  /** What the cursor is bound to, e.g. `<datasetId>@<version>`. */
  b: string;
  /** Fingerprint of the ordering (a cursor only continues the ordering it came from). */
  o: string;
  /** Order values of the last row, then its `_row`. */
  k: (string | null)[];
}

const DEFAULT_SECRET = 'govdata-record-cursor';

function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url').slice(0, 22);
}

export function encodeCursor(p: CursorPayload, secret = DEFAULT_SECRET): string {
  const body = Buffer.from(JSON.stringify(p)).toString('base64url');
  return `${body}.${sign(body, secret)}`;
}

export function decodeCursor(cursor: string, expect: { binding: string; orderFingerprint: string; keys: number }, secret = DEFAULT_SECRET): CursorPayload {
  const bad = () => new RecordQueryError('QUERY_BAD_CURSOR', `游标无效：${echo(cursor, 24)}`, `Invalid cursor: ${echo(cursor, 24)}`, 'cursor');
  if (cursor.length > 4096) throw bad();
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  if (!m) throw bad();
  const expected = Buffer.from(sign(m[1], secret));
  const given = Buffer.from(m[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
  let p: CursorPayload;
  try {
    p = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    throw bad();
  }
  if (!p || typeof p.b !== 'string' || typeof p.o !== 'string' || !Array.isArray(p.k) || p.k.some((v) => v !== null && typeof v !== 'string')) throw bad();
  if (p.b !== expect.binding)
    throw new RecordQueryError('QUERY_CURSOR_MISMATCH', '游标属于另一个数据集或版本，请从第一页重新查询', 'The cursor belongs to another dataset or version; start again from the first page', 'cursor');
  if (p.o !== expect.orderFingerprint || p.k.length !== expect.keys)
    throw new RecordQueryError('QUERY_CURSOR_MISMATCH', '游标与当前排序不一致，请从第一页重新查询', 'The cursor was made for another ordering; start again from the first page', 'cursor');
  return p;
}
