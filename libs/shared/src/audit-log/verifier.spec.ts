import { generateKeyPairSync } from 'node:crypto';
import { MerkleFrontier } from './merkle';
import { AuditLogRecord, encodeRecord, recordLeafHash } from './record';
import { decodeSegment, encodeSegment, segmentSha256, signSegmentManifest, verifySegment } from './segment';
import { publicKeyPem, signTreeHead, SignedTreeHead } from './tree-head';
import { LogEntry, verifyLog } from './verifier';

const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = publicKeyPem(privateKey);

function record(seq: number, extra: Partial<AuditLogRecord> = {}): AuditLogRecord {
  return {
    v: 1,
    seq,
    eventId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    eventName: 'sharing.data.accessed',
    eventVersion: 1,
    producer: 'sharing',
    occurredAt: '2026-03-01T02:00:00.000Z',
    recordedAt: '2026-03-01T02:00:00.100Z',
    correlationId: `corr-${seq}`,
    actor: { type: 'user', id: 'u1', name: '张三', deptId: 'd1', ip: '10.0.0.1' },
    object: { type: 'data', id: 'g1' },
    refs: { datasetId: null, entryId: null, grantId: 'g1', appId: null, requestId: null, providerDeptId: null, consumerDeptId: 'd1', version: 1 },
    outcome: 'allowed',
    rowCount: 10,
    fields: ['姓名'],
    personalData: true,
    payload: { seq: 999, note: `第 ${seq} 次` },
    ...extra,
  };
}

/** A log of n records with a signed head every `every` records. */
function buildLog(n: number, every = 10): { entries: LogEntry[]; heads: SignedTreeHead[] } {
  const f = new MerkleFrontier();
  const entries: LogEntry[] = [];
  const heads: SignedTreeHead[] = [];
  for (let i = 0; i < n; i++) {
    const body = encodeRecord(record(i));
    const leafHash = recordLeafHash(body);
    f.append(leafHash);
    entries.push({ seq: i, body, leafHash });
    if (f.size % every === 0 || i === n - 1) heads.push(signTreeHead(privateKey, f.size, f.root()));
  }
  return { entries, heads };
}

describe('audit log verifier', () => {
  it('accepts an untouched log with only the public key', async () => {
    const { entries, heads } = buildLog(47);
    const report = await verifyLog(entries, { publicKey, treeHeads: heads, anchors: [heads[3]] });
    expect(report).toMatchObject({ ok: true, recordsChecked: 47, treeHeadsChecked: 5, treeSize: 47, firstBadSeq: null, problems: [] });
  });

  it('names an edited record (content changed, stored leaf hash kept)', async () => {
    const { entries, heads } = buildLog(47);
    entries[23] = { ...entries[23], body: encodeRecord(record(23, { rowCount: 1 })) };
    const report = await verifyLog(entries, { publicKey, treeHeads: heads });
    expect(report.ok).toBe(false);
    expect(report.firstBadSeq).toBe(23);
    expect(report.problems[0]).toMatchObject({ kind: 'edited', seq: 23 });
    expect(report.problems.some((p) => p.kind === 'root_mismatch' && p.treeSize === 30)).toBe(true);
  });

  it('an edit that also rewrote the stored hash is caught by the signed head of its block', async () => {
    const { entries, heads } = buildLog(47);
    const body = encodeRecord(record(23, { rowCount: 1 }));
    entries[23] = { seq: 23, body, leafHash: recordLeafHash(body) };
    const report = await verifyLog(entries, { publicKey, treeHeads: heads });
    expect(report.problems[0]).toMatchObject({ kind: 'root_mismatch', seq: 20, treeSize: 30 });
    expect(report.firstBadSeq).toBe(20);
  });

  it('names a deleted record, a reordered pair and a truncated tail', async () => {
    const deleted = buildLog(47);
    deleted.entries.splice(12, 1);
    const r1 = await verifyLog(deleted.entries, { publicKey, treeHeads: deleted.heads });
    expect(r1.problems[0]).toMatchObject({ kind: 'missing', seq: 12 });
    expect(r1.firstBadSeq).toBe(12);

    const swapped = buildLog(47);
    // A DBA swaps the positions of #30 and #31 (each row keeps its content and stored hash).
    const a = swapped.entries[30];
    const b = swapped.entries[31];
    swapped.entries[30] = { ...b, seq: 30 };
    swapped.entries[31] = { ...a, seq: 31 };
    const r2 = await verifyLog(swapped.entries, { publicKey, treeHeads: swapped.heads });
    expect(r2.problems[0]).toMatchObject({ kind: 'reordered', seq: 30 });

    const cut = buildLog(47);
    const r3 = await verifyLog(cut.entries.slice(0, 40), { publicKey, treeHeads: cut.heads });
    expect(r3.problems).toEqual([expect.objectContaining({ kind: 'truncated', seq: 40, treeSize: 47 })]);
  });

  it('detects a rollback: a head in object storage newer than the database', async () => {
    const later = buildLog(60);
    const dbNow = { entries: later.entries.slice(0, 47), heads: later.heads.filter((h) => h.treeSize <= 47) };
    const report = await verifyLog(dbNow.entries, { publicKey, treeHeads: dbNow.heads, anchors: [later.heads[later.heads.length - 1]] });
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'rollback', seq: 47, treeSize: 60 })]);
  });

  it('rejects forged or foreign signatures', async () => {
    const { entries, heads } = buildLog(20);
    const forged = heads.map((h) => (h.treeSize === 20 ? { ...h, rootHash: '00'.repeat(32) } : h));
    const r1 = await verifyLog(entries, { publicKey, treeHeads: forged });
    expect(r1.problems[0]).toMatchObject({ kind: 'bad_signature', treeSize: 20 });
    const other = generateKeyPairSync('ed25519').privateKey;
    const r2 = await verifyLog(entries, { publicKey: publicKeyPem(other), treeHeads: heads });
    expect(r2.ok).toBe(false);
    expect(r2.problems[0].kind).toBe('wrong_key');
  });

  it('checks archived segments alone and notices a changed file', () => {
    const { entries } = buildLog(30);
    const f = new MerkleFrontier();
    for (const e of entries.slice(0, 10)) f.append(e.leafHash!);
    const startFrontier = f.nodes().map((h) => h.toString('hex'));
    for (const e of entries.slice(10, 20)) f.append(e.leafHash!);
    const file = encodeSegment(entries.slice(10, 20).map((e) => e.body));
    const manifest = signSegmentManifest(privateKey, { fromSeq: 10, toSeq: 20, sha256: segmentSha256(file), startFrontier, treeHead: signTreeHead(privateKey, 20, f.root()), createdAt: new Date().toISOString() });
    expect(decodeSegment(file, 10).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(verifySegment(file, manifest, publicKey)).toMatchObject({ ok: true, recordsChecked: 10, treeSize: 20 });
    const tampered = Buffer.from(file.toString('utf8').replace('"rowCount":10', '"rowCount":11'));
    const bad = verifySegment(tampered, manifest, publicKey);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['edited', 'root_mismatch']));
    expect(verifySegment(file, { ...manifest, toSeq: 21 }, publicKey).problems[0].kind).toBe('bad_signature');
  });
});
