import { decodeRecord, parsePublicKey, recordLeafHash, verifyConsistency, verifyInclusion, verifyTreeHeadSignature } from '@gov/shared';
import { Client } from 'pg';
import { verifyStoredLog } from '../src/log/log-verification';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { access, AuditApi, auditLogOf, logged, publish, settled, user, uuid } from './audit-fixtures';

jest.setTimeout(120_000);

describe('tamper-evident audit log', () => {
  let p: TestPlatform;
  let auditor: AuditApi;
  let dba: Client;

  beforeAll(async () => {
    p = await startTestPlatform();
    auditor = new AuditApi(p.baseUrl, await p.login('auditor'));
    dba = new Client({ connectionString: p.db.url });
    await dba.connect();
    await settled(p);
  });
  afterAll(async () => {
    await dba?.end();
    await p?.close();
  });

  /** Runs a DBA's change with every trigger off, verifies, and undoes it. */
  async function tampered(change: string[]) {
    await dba.query('BEGIN');
    try {
      await dba.query(`SET LOCAL session_replication_role = replica`);
      for (const sql of change) await dba.query(sql);
      return await verifyStoredLog(dba as any, p.runtime.objectStorage, auditLogOf(p).publicKeyPem);
    } finally {
      await dba.query('ROLLBACK');
    }
  }

  it('logs every event with a signed head; proofs check out with only the public key', async () => {
    const log = auditLogOf(p);
    const head = (await auditor.expect(200, 'POST', '/log/tree-heads')) as any;
    const size = await log.size();
    expect(head.treeSize).toBe(size);
    expect(size).toBeGreaterThan(20);
    const { publicKeyPem } = (await (await fetch(`${p.baseUrl}/api/audit/log/public-key`)).json()) as { publicKeyPem: string };
    const key = parsePublicKey(publicKeyPem);
    expect(verifyTreeHeadSignature(key, head)).toBe(true);
    expect(verifyTreeHeadSignature(key, { ...head, treeSize: head.treeSize + 1 })).toBe(false);

    for (const seq of [0, 7, size - 1]) {
      const proof = await auditor.expect(200, 'GET', `/log/records/${seq}/proof?treeSize=${head.treeSize}`);
      const body = Buffer.from(proof.body, 'utf8');
      expect(decodeRecord(body).seq).toBe(seq);
      expect(recordLeafHash(body).toString('hex')).toBe(proof.leafHash);
      const path = proof.proof.map((h: string) => Buffer.from(h, 'hex'));
      expect(verifyInclusion(recordLeafHash(body), seq, head.treeSize, path, Buffer.from(head.rootHash, 'hex'))).toBe(true);
      expect(verifyInclusion(recordLeafHash(Buffer.from(proof.body.replace('"v":1', '"v":2'))), seq, head.treeSize, path, Buffer.from(head.rootHash, 'hex'))).toBe(false);
    }

    const env = await publish(p, 'sharing.data.accessed', access({ datasetId: uuid(), grantId: uuid() }), { actor: user('u-proof') });
    await logged(p, env.id);
    const head2 = (await auditor.expect(200, 'POST', '/log/tree-heads')) as any;
    expect(head2.treeSize).toBeGreaterThan(head.treeSize);
    const c = await auditor.expect(200, 'GET', `/log/proofs/consistency?from=${head.treeSize}&to=${head2.treeSize}`);
    expect(verifyConsistency(head.treeSize, head2.treeSize, Buffer.from(head.rootHash, 'hex'), Buffer.from(head2.rootHash, 'hex'), c.proof.map((h: string) => Buffer.from(h, 'hex')))).toBe(true);

    const report = await auditor.expect(200, 'GET', '/log/verification');
    expect(report).toMatchObject({ ok: true, firstBadSeq: null, problems: [] });
    expect(report.recordsChecked).toBe(head2.treeSize);
    expect(report.latestStoredHead.treeSize).toBe(head2.treeSize);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and the read-only role may only SELECT', async () => {
    await expect(dba.query(`UPDATE audit.audit_record SET row_count = 1 WHERE seq = 3`)).rejects.toThrow(/append-only/);
    await expect(dba.query(`DELETE FROM audit.audit_record WHERE seq = 3`)).rejects.toThrow(/append-only/);
    await expect(dba.query(`TRUNCATE audit.audit_record`)).rejects.toThrow(/append-only/);
    await expect(dba.query(`UPDATE audit.tree_head SET signature = 'x'`)).rejects.toThrow(/append-only/);
    await expect(dba.query(`DELETE FROM audit.merkle_node`)).rejects.toThrow(/append-only/);
    await dba.query('BEGIN');
    try {
      await dba.query('SET LOCAL ROLE govdata_audit_reader');
      const r = await dba.query('SELECT count(*) FROM audit.audit_record');
      expect(Number(r.rows[0].count)).toBeGreaterThan(0);
      await expect(dba.query(`INSERT INTO audit.tree_head VALUES (999999, '\\x00', now(), 'k', 's')`)).rejects.toThrow(/permission denied/);
    } finally {
      await dba.query('ROLLBACK');
    }
  });

  it('names the first bad record after a DBA edits, deletes or reorders rows', async () => {
    await auditor.expect(200, 'POST', '/log/tree-heads');
    const clean = await tampered([]);
    expect(clean.ok).toBe(true);

    const editBody = await tampered([`UPDATE audit.audit_record SET body = convert_to(replace(convert_from(body, 'UTF8'), '"v":1', '"v":1,"w":0'), 'UTF8') WHERE seq = 11`]);
    expect(editBody.ok).toBe(false);
    expect(editBody.firstBadSeq).toBe(11);
    expect(editBody.problems[0]).toMatchObject({ kind: 'edited', seq: 11 });

    const editColumn = await tampered([`UPDATE audit.audit_record SET actor_id = 'someone-else' WHERE seq = 12`]);
    expect(editColumn.firstBadSeq).toBe(12);
    expect(editColumn.problems[0].kind).toBe('edited');

    const rewrite = await tampered([
      `UPDATE audit.audit_record SET body = convert_to(replace(convert_from(body, 'UTF8'), '"v":1', '"v":1,"w":0'), 'UTF8') WHERE seq = 13`,
      `UPDATE audit.audit_record SET leaf_hash = sha256('\\x00'::bytea || body) WHERE seq = 13`,
    ]);
    expect(rewrite.ok).toBe(false);
    expect(rewrite.problems.some((x) => x.kind === 'root_mismatch')).toBe(true);
    expect(rewrite.firstBadSeq).toBeLessThanOrEqual(13);

    const deleted = await tampered([`DELETE FROM audit.audit_record WHERE seq = 9`]);
    expect(deleted.firstBadSeq).toBe(9);
    expect(deleted.problems[0]).toMatchObject({ kind: 'missing', seq: 9 });

    const reordered = await tampered([
      `UPDATE audit.audit_record SET seq = -1 WHERE seq = 5`,
      `UPDATE audit.audit_record SET seq = 5 WHERE seq = 6`,
      `UPDATE audit.audit_record SET seq = 6 WHERE seq = -1`,
    ]);
    expect(reordered.firstBadSeq).toBe(5);
    expect(reordered.problems[0]).toMatchObject({ kind: 'reordered', seq: 5 });
  });

  it('detects a database rolled back behind the tree heads kept in object storage', async () => {
    const log = auditLogOf(p);
    await settled(p);
    const before = await auditor.expect(200, 'POST', '/log/tree-heads');
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) seqs.push(await logged(p, (await publish(p, 'open.data.accessed', access({ channel: 'open', appId: uuid() }), { actor: user(`u-rb-${i}`) })).id));
    const after = await auditor.expect(200, 'POST', '/log/tree-heads');
    // The three reads lie between the two heads (what the services log in reaction may land there too).
    for (const seq of seqs) expect(seq >= before.treeSize && seq < after.treeSize).toBe(true);
    expect(await log.size()).toBe(after.treeSize);
    // The "restored backup": records, nodes and heads after the earlier head are gone from the database.
    const report = await tampered([
      `DELETE FROM audit.audit_record WHERE seq >= ${before.treeSize}`,
      `DELETE FROM audit.tree_head WHERE tree_size > ${before.treeSize}`,
      `DELETE FROM audit.merkle_node WHERE (idx + 1) * (1::bigint << level) > ${before.treeSize}`,
    ]);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'rollback', seq: before.treeSize, treeSize: after.treeSize })]);
    expect(report.firstBadSeq).toBe(before.treeSize);
  });
});
