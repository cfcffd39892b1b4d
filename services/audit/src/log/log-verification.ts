import { Readable } from 'node:stream';
import { decodeSegment, leafHashOfInput, LogVerifier, ObjectStorage, SegmentManifest, SignedTreeHead, verifySegment, VerifyProblem, VerifyReport } from '@gov/shared';
import type { KeyObject } from 'node:crypto';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { headOf, TREE_HEAD_PREFIX } from './audit-log';
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
 * Streams (seq, leaf hash, body) with COPY … (FORMAT binary) and hands each record to `onRow`
 * synchronously, chunk by chunk: raw bytes, no text decoding, no per-row objects or promises.
 * The leaf hash is computed where the body lies: the byte before it (the low byte of its length,
 * already read) is overwritten with the 0x00 leaf prefix, so SHA-256 runs on the stream buffer.
 */
async function streamRecords(client: PoolClient, onRow: (seq: number, body: Buffer, leaf: Buffer, storedLeaf: Buffer) => void): Promise<void> {
  const stream = client.query(copyTo(`COPY (SELECT seq, leaf_hash, body FROM audit.audit_record ORDER BY seq) TO STDOUT (FORMAT binary)`));
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
    for (;;) {
      if (end - at < 2) break;
      const fields = buf.readInt16BE(at);
      if (fields === -1) return;
      // Three fields: int8 seq, bytea leaf hash, bytea body (each with a 4-byte length).
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
      buf[p + 3] = 0;
      const leaf = leafHashOfInput(buf.subarray(p + 3, p + 4 + bodyLen));
      onRow(seq, buf.subarray(p + 4, p + 4 + bodyLen), leaf, storedLeaf);
      at = p + 4 + bodyLen;
    }
    buf = buf.subarray(at);
  }
}

/** Search columns that say something else than the signed bytes of their record (edited copies). */
async function columnMismatch(client: PoolClient): Promise<number | null> {
  const [r] = await rows<{ seq: string }>(
    client,
    // OFFSET 0 keeps the subquery from being flattened, which would parse the JSON once per column compared.
    `SELECT seq FROM (SELECT r.*, convert_from(r.body, 'UTF8')::jsonb AS j FROM audit.audit_record r OFFSET 0) x
     WHERE event_id::text IS DISTINCT FROM j->>'eventId' OR event_name IS DISTINCT FROM j->>'eventName' OR producer IS DISTINCT FROM j->>'producer'
        OR occurred_at IS DISTINCT FROM (j->>'occurredAt')::timestamptz OR recorded_at IS DISTINCT FROM (j->>'recordedAt')::timestamptz
        OR correlation_id IS DISTINCT FROM j->>'correlationId' OR actor_type IS DISTINCT FROM j#>>'{actor,type}' OR actor_id IS DISTINCT FROM j#>>'{actor,id}'
        OR actor_dept_id IS DISTINCT FROM j#>>'{actor,deptId}' OR object_type IS DISTINCT FROM j#>>'{object,type}' OR object_id IS DISTINCT FROM j#>>'{object,id}'
        OR dataset_id IS DISTINCT FROM j#>>'{refs,datasetId}' OR entry_id IS DISTINCT FROM j#>>'{refs,entryId}' OR grant_id IS DISTINCT FROM j#>>'{refs,grantId}'
        OR app_id IS DISTINCT FROM j#>>'{refs,appId}' OR request_id IS DISTINCT FROM j#>>'{refs,requestId}' OR provider_dept_id IS DISTINCT FROM j#>>'{refs,providerDeptId}'
        OR consumer_dept_id IS DISTINCT FROM j#>>'{refs,consumerDeptId}' OR outcome IS DISTINCT FROM j->>'outcome'
        OR row_count IS DISTINCT FROM (j->>'rowCount')::bigint OR personal_data IS DISTINCT FROM (j->>'personalData')::boolean
     ORDER BY seq LIMIT 1`,
  );
  return r ? Number(r.seq) : null;
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
  await streamRecords(client, (seq, body, leaf, storedLeaf) => verifier.pushHashed(seq, body, leaf, storedLeaf));
  if (opts.columns !== false) {
    const bad = await columnMismatch(client);
    if (bad !== null) extra.push({ kind: 'edited', seq: bad, message: { zh: `记录 #${bad} 的检索字段与其签名内容不符：已被修改`, en: `the search columns of record #${bad} differ from its signed content: edited` } });
  }
  const report = verifier.finish();
  const problems = [...extra, ...report.problems].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  const seqs = problems.map((p) => p.seq).filter((s): s is number => s !== undefined);
  const latest = anchors.reduce<SignedTreeHead | null>((a, b) => (!a || b.treeSize > a.treeSize ? b : a), null);
  return { ...report, problems, ok: problems.length === 0, firstBadSeq: seqs.length ? Math.min(...seqs) : null, segmentsChecked: segments.length, liveFrom: next, latestStoredHead: latest };
}
