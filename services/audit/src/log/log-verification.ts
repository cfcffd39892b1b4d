import { Readable } from 'node:stream';
import { claimedSeq, decodeSegment, leafHashOfInput, LogVerifier, ObjectStorage, SegmentManifest, SignedTreeHead, verifySegment, VerifyProblem, VerifyReport } from '@gov/shared';
import type { KeyObject } from 'node:crypto';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { headOf, TREE_HEAD_PREFIX } from './audit-log';
import { CHECKED_COLUMNS, columnsMatch, RowView } from './column-check';
import { rows } from './log-store';

export const SEGMENT_PREFIX = 'audit/segments/';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Tree heads copied to object storage: `latest.json` and the newest per-size files. */
export async function storedHeads(storage: ObjectStorage, newest = 20): Promise<SignedTreeHead[]> {
  const keys: string[] = [];
  for await (const k of storage.list(TREE_HEAD_PREFIX)) keys.push(k);
  const chosen = keys.filter((k) => !k.endsWith('latest.json')).sort().slice(-newest);
  if (keys.some((k) => k.endsWith('latest.json'))) chosen.push(`${TREE_HEAD_PREFIX}latest.json`);
  const heads = new Map<number, SignedTreeHead>();
  for (const k of chosen) {
    const h = JSON.parse((await readAll(await storage.get(k))).toString('utf8')) as SignedTreeHead;
    heads.set(h.treeSize, h);
  }
  return [...heads.values()];
}

export async function storedSegments(storage: ObjectStorage): Promise<{ manifest: SegmentManifest; fileKey: string }[]> {
  const out: { manifest: SegmentManifest; fileKey: string }[] = [];
  for await (const k of storage.list(SEGMENT_PREFIX)) {
    if (!k.endsWith('.manifest.json')) continue;
    const manifest = JSON.parse((await readAll(await storage.get(k))).toString('utf8')) as SegmentManifest;
    out.push({ manifest, fileKey: k.replace(/\.manifest\.json$/, '.ndjson') });
  }
  return out.sort((a, b) => a.manifest.fromSeq - b.manifest.fromSeq);
}

/**
 * Streams (seq, leaf hash, body[, search columns]) with COPY … (FORMAT binary) and hands each
 * record to `onRow` synchronously, chunk by chunk: raw bytes, no text decoding, no per-row
 * objects or promises. The leaf hash is computed where the body lies: the byte before it (the low
 * byte of its length, already read) is overwritten with the 0x00 leaf prefix, so SHA-256 runs on
 * the stream buffer. With `columns`, the search columns come along and are located in `row`.
 */
async function streamRecords(
  client: PoolClient,
  columns: boolean,
  onRow: (seq: number, buf: Buffer, bodyAt: number, leaf: Buffer, storedLeaf: Buffer, row: RowView) => void,
): Promise<void> {
  const extra = columns ? `, ${CHECKED_COLUMNS.join(', ')}` : '';
  const stream = client.query(copyTo(`COPY (SELECT seq, leaf_hash, body${extra} FROM audit.audit_record ORDER BY seq) TO STDOUT (FORMAT binary)`));
  const row: RowView = { buf: Buffer.alloc(0), bodyLen: 0, start: new Int32Array(CHECKED_COLUMNS.length), len: new Int32Array(CHECKED_COLUMNS.length) };
  let buf: Buffer = Buffer.alloc(0);
  let headerDone = false;
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
    let at = 0;
    if (!headerDone) {
      if (buf.length < 19) continue;
      at = 19 + buf.readInt32BE(15);
      headerDone = true;
    }
    const end = buf.length;
    rows: for (;;) {
      if (end - at < 2) break;
      const fields = buf.readInt16BE(at);
      // The trailer: read on to the stream's own end, so the client sees the COPY complete.
      if (fields === -1) break;
      // int8 seq, bytea leaf hash, bytea body, then the checked columns; each with a 4-byte length (-1: NULL).
      let p = at + 2;
      if (end - p < 16) break;
      const seq = buf.readInt32BE(p + 4) * 4_294_967_296 + buf.readUInt32BE(p + 8);
      p += 12;
      const leafLen = buf.readInt32BE(p);
      if (end - p < 4 + leafLen + 4) break;
      const storedLeaf = buf.subarray(p + 4, p + 4 + leafLen);
      p += 4 + leafLen;
      const bodyLen = buf.readInt32BE(p);
      if (end - p < 4 + bodyLen) break;
      const bodyAt = p + 4;
      p = bodyAt + bodyLen;
      for (let c = 3; c < fields; c++) {
        if (end - p < 4) break rows;
        const n = buf.readInt32BE(p);
        if (n > 0 && end - p < 4 + n) break rows;
        row.start[c - 3] = p + 4;
        row.len[c - 3] = n;
        p += 4 + Math.max(n, 0);
      }
      buf[bodyAt - 1] = 0;
      const leaf = leafHashOfInput(buf.subarray(bodyAt - 1, bodyAt + bodyLen));
      row.buf = buf;
      row.bodyLen = bodyLen;
      onRow(seq, buf, bodyAt, leaf, storedLeaf, row);
      at = p;
    }
    buf = buf.subarray(at);
  }
}

export interface LogVerification extends VerifyReport {
  segmentsChecked: number;
  liveFrom: number;
  latestStoredHead: SignedTreeHead | null;
}

/**
 * Verifies the whole log as a third party would: archived segments from object storage, then the
 * live table (streamed with COPY), against the signed heads of the database and of object storage.
 * Trusts nothing but the public key.
 */
export async function verifyStoredLog(client: PoolClient, storage: ObjectStorage | undefined, publicKey: string | KeyObject, opts: { columns?: boolean } = {}): Promise<LogVerification> {
  const heads = (await rows<any>(client, `SELECT * FROM audit.tree_head ORDER BY tree_size`)).map(headOf);
  const anchors = storage ? await storedHeads(storage) : [];
  const segments = storage ? await storedSegments(storage) : [];
  const verifier = new LogVerifier({ publicKey, treeHeads: heads, anchors });
  const extra: VerifyProblem[] = [];
  let next = 0;
  for (const { manifest, fileKey } of segments) {
    if (manifest.fromSeq !== next) {
      extra.push({ kind: 'missing', seq: next, message: { zh: `归档段缺失：#${next} 起`, en: `archived segment missing from #${next}` } });
      break;
    }
    const file = await readAll(await storage!.get(fileKey));
    const alone = verifySegment(file, manifest, publicKey);
    // Said of the whole segment; the record itself is named by the log-wide check below.
    extra.push(...alone.problems.map(({ seq: _seq, ...rest }) => rest));
    // Leaf hashes of archived records stay in the database: with them an edited segment names its record.
    const kept = new Map(
      (await rows<{ idx: string; hash: Buffer }>(client, `SELECT idx, hash FROM audit.merkle_node WHERE level = 0 AND idx >= $1 AND idx < $2`, [manifest.fromSeq, manifest.toSeq])).map((r) => [Number(r.idx), r.hash]),
    );
    for (const e of decodeSegment(file, manifest.fromSeq)) verifier.push({ ...e, leafHash: kept.get(e.seq) });
    next = manifest.toSeq;
  }
  const columns = opts.columns !== false;
  let columnsBad = -1;
  await streamRecords(client, columns, (seq, buf, bodyAt, leaf, storedLeaf, row) => {
    verifier.pushHashed(seq, buf.subarray(bodyAt, bodyAt + row.bodyLen), leaf, storedLeaf);
    // Search columns that say something else than the signed bytes (an edited copy hides a record from traces).
    // A record out of its place is the verifier's to report (reordered), not a column edit.
    if (columns && columnsBad < 0 && !columnsMatch(buf, bodyAt, bodyAt + row.bodyLen, seq, row) && claimedSeq(buf.subarray(bodyAt, bodyAt + row.bodyLen)) === seq) columnsBad = seq;
  });
  if (columnsBad >= 0)
    extra.push({ kind: 'edited', seq: columnsBad, message: { zh: `记录 #${columnsBad} 的检索字段与其签名内容不符：已被修改`, en: `the search columns of record #${columnsBad} differ from its signed content: edited` } });
  const report = verifier.finish();
  const problems = [...extra, ...report.problems].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  const seqs = problems.map((p) => p.seq).filter((s): s is number => s !== undefined);
  const latest = anchors.reduce<SignedTreeHead | null>((a, b) => (!a || b.treeSize > a.treeSize ? b : a), null);
  return { ...report, problems, ok: problems.length === 0, firstBadSeq: seqs.length ? Math.min(...seqs) : null, segmentsChecked: segments.length, liveFrom: next, latestStoredHead: latest };
}
