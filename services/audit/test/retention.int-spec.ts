import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { recordLeafHash, verifyInclusion } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { RetentionService } from '../src/retention/retention.service';
import { access, AuditApi, auditLogOf, logged, publish, settled, user, uuid } from './audit-fixtures';

jest.setTimeout(180_000);
const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');

async function readObject(p: TestPlatform, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await p.runtime.objectStorage.get(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('retention: old records archived to signed segments the verifier still checks', () => {
  let p: TestPlatform;
  let auditor: AuditApi;

  beforeAll(async () => {
    p = await startTestPlatform();
    auditor = new AuditApi(p.baseUrl, await p.login('auditor'));
    await settled(p);
  });
  afterAll(async () => p?.close());

  it('archives up to the last signed head, keeps the table bounded and the whole log verifiable', async () => {
    const log = auditLogOf(p);
    // A read that will be archived, to look for afterwards.
    const read = await publish(p, 'sharing.data.accessed', access({ grantId: uuid(), datasetId: uuid() }), { actor: user('u-archived', uuid()), correlationId: `corr-${uuid()}` });
    const readSeq = await logged(p, read.id);
    const head = await auditor.expect(200, 'POST', '/log/tree-heads');
    const retention = p.server.apps.audit.get(RetentionService);
    const dept = uuid();
    await logged(p, (await publish(p, 'org.department.registered', { deptId: dept, name: '归档测试局', creditCode: '11420700MB1512347X', regionCode: '420700', level: 'city' }, { actor: user('u-ret') })).id);
    const entry = { entryId: uuid(), version: 1, deptId: dept, name: '目录', status: 'published', actorId: 'u', at: new Date().toISOString(), resourceCode: '201001/000009', deptName: '归档测试局', providerCode: '11420700MB1512347X', regionCode: '420700', metadata: { open: { type: 'UNCONDITIONAL' }, share: { methodType: 'API' } }, publishedAt: new Date().toISOString() };
    await logged(p, (await publish(p, 'catalog.entry.published', entry as any, { actor: user('u-ret') })).id);
    await settled(p);
    const year = String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear());
    const reportBefore = await auditor.expect(200, 'GET', `/reports/assessment?period=${year}`);
    expect(reportBefore.total.entries).toBeGreaterThan(0);
    // Only the data bureau runs it by hand; auditors only look.
    expect((await auditor.call('POST', '/retention/archive', { olderThanDays: 0 })).status).toBe(403);
    const admin = new AuditApi(p.baseUrl, await p.login('admin'));
    const early = (await auditor.expect(200, 'GET', `/traces?correlationId=${read.correlationId}`)).items[0];
    expect(early).toMatchObject({ seq: readSeq, eventId: read.id });
    const result = await admin.expect(200, 'POST', '/retention/archive', { olderThanDays: 0 });
    expect(result.archivedUpTo).toBe(head.treeSize);
    expect(result.segments[0]).toMatchObject({ fromSeq: 0, toSeq: head.treeSize });
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n, min(seq)::int AS low, max(seq)::int AS high FROM audit.audit_record`);
    // Exactly what was logged after the head stays live (the events above, what the services did in
    // reaction to them, the archiving itself; how many depends on timing), everything before is gone.
    expect(rows[0].low === null || rows[0].low >= head.treeSize).toBe(true);
    expect(rows[0].n).toBe(rows[0].high === null ? 0 : rows[0].high - head.treeSize + 1);
    expect(rows[0].n).toBeLessThan(head.treeSize);
    // Reports read the archived segments too: the same figures after archiving.
    const reportAfter = await auditor.expect(200, 'GET', `/reports/assessment?period=${year}`);
    expect(reportAfter.departments).toEqual(reportBefore.departments);
    expect(reportAfter.total).toEqual(reportBefore.total);

    for (let i = 0; i < 3; i++) await logged(p, (await publish(p, 'sharing.data.accessed', access({ grantId: uuid() }), { actor: user(`u-ret-${i}`) })).id);
    await auditor.expect(200, 'POST', '/log/tree-heads');
    const report = await auditor.expect(200, 'GET', '/log/verification');
    expect(report).toMatchObject({ ok: true, segmentsChecked: 1, liveFrom: head.treeSize, problems: [] });
    expect(report.recordsChecked).toBe(await log.size());

    // Traces reach archived records when asked, or when the time range goes back into the archive.
    const byCorrelation = `/traces?correlationId=${encodeURIComponent(early.correlationId)}`;
    expect((await auditor.expect(200, 'GET', byCorrelation)).items.map((r: any) => r.seq)).not.toContain(early.seq);
    const found = await auditor.expect(200, 'GET', `${byCorrelation}&includeArchived=true`);
    expect(found.items.find((r: any) => r.seq === early.seq)).toEqual(early);
    const since = new Date(Date.parse(early.occurredAt) - 60_000).toISOString();
    const byActor = await auditor.expect(200, 'GET', `/traces?actorId=${encodeURIComponent(early.actor.id)}&from=${encodeURIComponent(since)}&limit=1000`);
    expect(byActor.items.map((r: any) => r.seq)).toContain(early.seq);
    expect(byActor.items.every((r: any) => r.actor?.id === early.actor.id)).toBe(true);
    expect((await auditor.expect(200, 'GET', `/traces?actorId=${encodeURIComponent(early.actor.id)}&from=${encodeURIComponent(since)}&includeArchived=false&limit=1000`)).items.map((r: any) => r.seq)).not.toContain(early.seq);
    // Paging runs from the live table into the archive without gaps or repeats.
    const seen: number[] = [];
    let cursor: number | null = null;
    do {
      const page: any = await auditor.expect(200, 'GET', `/traces?includeArchived=true&limit=7${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.items.map((r: any) => r.seq));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const size = await log.size();
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => size - 1 - i));
    expect(seen.length).toBeGreaterThanOrEqual(size - 1);

    // An archived record is still proven: bytes from its block of the segment, audit path from the kept nodes.
    const latest = await auditor.expect(200, 'GET', '/log/tree-head');
    const proof = await auditor.expect(200, 'GET', `/log/records/${early.seq}/proof?treeSize=${latest.treeSize}`);
    expect(proof).toMatchObject({ seq: early.seq, archived: true, leafHash: early.leafHash });
    const hex = (h: string) => Buffer.from(h, 'hex');
    expect(verifyInclusion(recordLeafHash(Buffer.from(proof.body, 'utf8')), early.seq, latest.treeSize, proof.proof.map(hex), hex(latest.rootHash))).toBe(true);
    expect((await auditor.call('GET', `/log/records/${latest.treeSize + 1000}/proof`)).status).toBe(422);

    // Archiving again finds nothing new that is old enough: idempotent.
    expect((await retention.archive(new Date(0))).segments).toEqual([]);
    // Deleting live (not archived) records is still refused.
    await expect(p.pool.query(`DELETE FROM audit.audit_record WHERE seq = (SELECT max(seq) FROM audit.audit_record)`)).rejects.toThrow(/append-only/);
  });

  it('npm run audit:verify checks an exported segment with only the public key, and names a changed record', async () => {
    const [seg] = (await p.pool.query(`SELECT object_key, manifest FROM audit.archive_segment ORDER BY to_seq LIMIT 1`)).rows;
    const dir = await mkdtemp(join(tmpdir(), 'audit-cli-'));
    const file = join(dir, 'segment.ndjson');
    const manifest = join(dir, 'manifest.json');
    const key = join(dir, 'public.pem');
    const original = await readObject(p, seg.object_key);
    await writeFile(file, original);
    await writeFile(manifest, JSON.stringify(seg.manifest));
    await writeFile(key, auditLogOf(p).publicKeyPem);
    const cli = (args: string[]) =>
      run('node', ['-r', './bench/catalog/register.js', 'services/audit/src/verify-cli.ts', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e) => ({ code: e.code as number, out: `${e.stdout}${e.stderr}` }),
      );
    const ok = await cli(['--segment', file, '--manifest', manifest, '--public-key', key]);
    expect(ok.out).toContain('audit log verified');
    expect(ok.code).toBe(0);

    const lines = original.toString('utf8').split('\n');
    lines[4] = lines[4].replace('"v":1', '"v":1,"w":0');
    await writeFile(file, lines.join('\n'));
    const bad = await cli(['--segment', file, '--manifest', manifest, '--public-key', key, '--json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out);
    expect(report.ok).toBe(false);
    expect(report.firstBadSeq).toBeLessThanOrEqual(4);

    // The same change made in object storage: the full verification names the record (leaf hashes were kept).
    await p.runtime.objectStorage.put(seg.object_key, Buffer.from(lines.join('\n')));
    // A proof is never served for bytes that are not the leaf.
    expect((await auditor.call('GET', '/log/records/4/proof')).body.code).toBe('AUDIT_ARCHIVE_MISMATCH');
    const changed = await auditor.expect(200, 'GET', '/log/verification');
    expect(changed.ok).toBe(false);
    expect(changed.firstBadSeq).toBe(4);
    expect(changed.problems.map((x: any) => x.kind)).toContain('edited');
    await p.runtime.objectStorage.put(seg.object_key, original);

    // The live database and object storage, as an operator runs it.
    const objects = (p.runtime.objectStorage as unknown as { root: string }).root;
    const live = await cli(['--database-url', p.db.url, '--objects', objects, '--public-key', key]);
    expect(live.out).toContain('audit log verified');
    expect(live.code).toBe(0);
  });
});
