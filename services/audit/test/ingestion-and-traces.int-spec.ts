import ExcelJS from 'exceljs';
import { createEnvelope, EventContext } from '@gov/shared';
import { startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { AuditIngestion } from '../src/records/audit-ingestion.service';
import { verifyStoredLog } from '../src/log/log-verification';
import { SearchProjector } from '../src/traces/search-projector';
import { access, AuditApi, auditLogOf, logged, publish, publishRaw, settled, user, uuid } from './audit-fixtures';

jest.setTimeout(180_000);

describe('audit ingestion and traces', () => {
  let p: TestPlatform;
  let auditor: AuditApi;

  beforeAll(async () => {
    p = await startTestPlatform();
    auditor = new AuditApi(p.baseUrl, await p.login('auditor'));
    await settled(p);
  });
  afterAll(async () => p?.close());

  it('records every event of the seed once, with actor, object and correlation id', async () => {
    const all = await auditor.expect(200, 'GET', '/records?limit=1000');
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all.map((r: any) => r.eventId)).size).toBe(all.length);
    const dept = all.find((r: any) => r.eventName === 'org.department.registered');
    expect(dept).toMatchObject({ producer: 'catalog', object: { type: 'department' } });
    expect(dept.leafHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds a record as soon as it is logged, and through the search projection once it caught up', async () => {
    const actorId = `u-fresh-${uuid()}`;
    const env = await publish(p, 'sharing.data.accessed', access({ grantId: uuid(), datasetId: uuid() }), { actor: user(actorId) });
    const seq = await logged(p, env.id);
    const search = async () => (await auditor.expect(200, 'GET', `/traces?actorId=${actorId}`)).items.map((r: any) => r.seq);
    // Whether or not the projector has run yet: records after the projection are searched directly.
    expect(await search()).toEqual([seq]);
    await p.server.apps.audit.get(SearchProjector).catchUp();
    const { rows } = await p.pool.query(`SELECT keys FROM audit.record_search WHERE seq = $1`, [seq]);
    expect(rows[0].keys).toEqual(expect.arrayContaining([`u:${actorId}`, `g:${env.payload.grantId}`, `s:${env.payload.datasetId}`, `o:${env.key}`]));
    expect(await search()).toEqual([seq]);
  });

  it('re-consuming an event (redelivery, or replay past the inbox) logs it once', async () => {
    const env = await publish(p, 'sharing.data.accessed', access({ grantId: uuid() }), { actor: user('u-replay') });
    const seq = await logged(p, env.id);
    // Redelivered by the transport: the inbox drops it.
    await publishRaw(p, env.name, env.key, env);
    // Handed to the service again past the inbox (a replayed dead letter, another consumer group): the log drops it.
    const again = new EventContext(env, { query: (sql: string, params: unknown[]) => p.pool.query(sql, params) } as any);
    await p.server.apps.audit.get(AuditIngestion).receive(again);
    await again.batch.flush();
    await new Promise((r) => setTimeout(r, 500));
    await settled(p);
    // Once, at its first place (the log's size is not compared: what the services log in reaction may still arrive).
    const { rows } = await p.pool.query(`SELECT seq FROM audit.audit_record WHERE event_id = $1`, [env.id]);
    expect(rows.map((r) => Number(r.seq))).toEqual([seq]);
  });

  it('a backlog of several batches is sequenced pipelined: every event once, in intake order, and the log verifies', async () => {
    const log = auditLogOf(p);
    const before = await publish(p, 'sharing.data.accessed', access({ grantId: uuid() }), { actor: user('u-backlog') });
    await logged(p, before.id);
    // More than two full batches (the next one is read while the current one is appended), one
    // event already logged, and a partial batch at the end.
    const events = Array.from({ length: 4700 }, (_, i) => createEnvelope('sharing.data.accessed', access({ grantId: uuid() }), { producer: 'sharing', actor: user(`u-backlog-${i % 97}`) }));
    events.splice(2500, 0, before);
    await p.pool.query(`INSERT INTO audit.intake (event_id, envelope) SELECT * FROM unnest($1::uuid[], $2::json[]) ON CONFLICT (event_id) DO NOTHING`, [
      events.map((e) => e.id),
      events.map((e) => JSON.stringify(e)),
    ]);
    await log.flush();
    await settled(p);
    const { rows } = await p.pool.query(`SELECT event_id, seq FROM audit.audit_record WHERE event_id = ANY($1::uuid[])`, [events.map((e) => e.id)]);
    expect(rows).toHaveLength(events.length);
    const seqOf = new Map(rows.map((r) => [r.event_id, Number(r.seq)]));
    const fresh = events.filter((e) => e !== before).map((e) => seqOf.get(e.id)!);
    for (let i = 1; i < fresh.length; i++) expect(fresh[i]).toBeGreaterThan(fresh[i - 1]);
    expect(seqOf.get(before.id)).toBeLessThan(fresh[0]);
    const left = await p.pool.query(`SELECT count(*)::int AS n FROM audit.intake WHERE event_id = ANY($1::uuid[])`, [events.map((e) => e.id)]);
    expect(left.rows[0].n).toBe(0);
    await log.signNow();
    const client = await p.pool.connect();
    try {
      const report = await verifyStoredLog(client as any, p.runtime.objectStorage, log.publicKeyPem);
      expect(report.ok).toBe(true);
      expect(report.recordsChecked).toBeGreaterThan(events.length);
    } finally {
      client.release();
    }
  });

  it('quarantines an access without an actor and an event of unknown type, with the reason', async () => {
    const anonymous = await publish(p, 'open.data.accessed', access({ channel: 'open', appId: uuid() }));
    const bogus = { id: uuid(), name: 'open.data.exfiltrated', version: 1, key: 'k', occurredAt: new Date().toISOString(), producer: 'open-api', actor: user('u-x'), payload: {} };
    await publishRaw(p, 'open.data.accessed', 'k', bogus);
    let list: any[] = [];
    for (let i = 0; i < 100 && list.length < 2; i++) {
      list = ((await auditor.expect(200, 'GET', '/quarantine')) as any[]).filter((q) => [anonymous.id, bogus.id].includes(q.eventId) || q.eventName === 'open.data.exfiltrated');
      if (list.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    const byCode = Object.fromEntries(list.map((q) => [q.reasonCode, q]));
    expect(byCode.ACTOR_MISSING).toMatchObject({ source: 'quarantine', eventId: anonymous.id, eventName: 'open.data.accessed' });
    expect(byCode.UNKNOWN_TYPE).toMatchObject({ source: 'dead_letter', eventName: 'open.data.exfiltrated' });
    expect(byCode.UNKNOWN_TYPE.reason).toMatch(/unknown event open.data.exfiltrated/);
    const { rows } = await p.pool.query(`SELECT 1 FROM audit.audit_record WHERE event_id = $1`, [anonymous.id]);
    expect(rows).toHaveLength(0);

    // An auditor lets it in with a note; the release is recorded too.
    const id = byCode.ACTOR_MISSING.id.replace('q-', '');
    await auditor.expect(200, 'POST', `/quarantine/${id}/release`, { note: '系统对接方补充说明：批量同步任务' });
    const seq = await logged(p, anonymous.id);
    expect(seq).toBeGreaterThanOrEqual(0);
    expect((await auditor.call('POST', `/quarantine/${id}/release`, { note: '再次放行' })).status).toBe(404);
  });

  it('searches by actor, department, app, dataset, grant, request, correlation id and time, paged', async () => {
    const dataset = uuid();
    const grant = uuid();
    const app = uuid();
    const dept = uuid();
    const request = uuid();
    const corr = `corr-${uuid()}`;
    const base = Date.parse('2026-05-10T02:00:00Z');
    let last = '';
    for (let i = 0; i < 25; i++) {
      const e = await publish(
        p,
        'sharing.data.accessed',
        access({ datasetId: dataset, grantId: i < 20 ? grant : uuid(), consumerDeptId: dept, rowCount: i }),
        { actor: user(i % 2 ? 'u-trace-a' : 'u-trace-b', dept), occurredAt: new Date(base + i * 60_000), correlationId: i === 7 ? corr : undefined },
      );
      last = e.id;
    }
    last = (await publish(p, 'open.data.accessed', access({ channel: 'open', datasetId: dataset, appId: app }), { actor: { type: 'app', id: app, name: '应用' } })).id;
    last = (await publish(p, 'sharing.request.submitted', { requestId: request, batchId: uuid(), entryId: uuid(), requesterDeptId: dept, providerDeptId: uuid(), shareType: 'CONDITIONAL', status: 'pending', items: ['企业名称'], at: new Date().toISOString() } as any, { actor: user('u-trace-a', dept) })).id;
    await logged(p, last);

    const pages: any[] = [];
    let cursor: number | null | undefined;
    do {
      const page = await auditor.expect(200, 'GET', `/traces?datasetId=${dataset}&limit=10${cursor !== undefined && cursor !== null ? `&cursor=${cursor}` : ''}`);
      pages.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages).toHaveLength(26);
    expect(pages.map((r) => r.seq)).toEqual([...pages.map((r) => r.seq)].sort((a, b) => b - a));

    const count = async (q: string) => (await auditor.expect(200, 'GET', `/traces?${q}&limit=1000`)).items.length;
    expect(await count(`grantId=${grant}`)).toBe(20);
    expect(await count(`actorId=u-trace-a`)).toBe(13);
    expect(await count(`deptId=${dept}`)).toBe(26);
    expect(await count(`appId=${app}`)).toBe(1);
    expect(await count(`requestId=${request}`)).toBe(1);
    expect(await count(`correlationId=${corr}`)).toBe(1);
    expect(await count(`datasetId=${dataset}&from=2026-05-10T02:05:00Z&to=2026-05-10T02:10:00Z`)).toBe(5);
    expect((await auditor.call('GET', '/traces?limit=5000')).status).toBe(400);

    const readers = await auditor.expect(200, 'GET', `/traces/datasets/${dataset}/readers`);
    expect(readers).toMatchObject({ total: 3, page: 1, pageSize: 20 });
    expect(readers.items.map((r: any) => [r.actor.id, r.accesses]).sort()).toEqual([[app, 1], ['u-trace-a', 12], ['u-trace-b', 13]]);
    // Paged most recent first, the group key breaking ties: one-reader pages walk the same order.
    const walked: any[] = [];
    for (const page of [1, 2, 3]) walked.push(...(await auditor.expect(200, 'GET', `/traces/datasets/${dataset}/readers?page=${page}&pageSize=1`)).items);
    expect(walked.map((r) => r.actor.id)).toEqual(readers.items.map((r: any) => r.actor.id));
    expect([...walked.map((r) => r.lastAt)].sort().reverse()).toEqual(walked.map((r) => r.lastAt));
    expect((await auditor.expect(200, 'GET', `/traces/datasets/${dataset}/readers?page=4&pageSize=1`)).items).toEqual([]);
    expect((await auditor.call('GET', `/traces/datasets/${dataset}/readers?pageSize=101`)).status).toBe(400);
    const accessed = await auditor.expect(200, 'GET', `/traces/accessed?actorId=u-trace-b`);
    expect(accessed).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect(accessed.items).toEqual([expect.objectContaining({ datasetId: dataset, accesses: 13, rows: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24].reduce((a, b) => a + b) })]);
    expect((await auditor.expect(200, 'GET', `/traces/accessed?deptId=${dept}&pageSize=1`)).total).toBeGreaterThanOrEqual(1);
    // Auditors only, as before.
    const staff = new AuditApi(p.baseUrl, await p.login('scjg_op'));
    expect((await staff.call('GET', `/traces/accessed?actorId=u-trace-b`)).status).toBe(403);
    expect((await staff.call('GET', `/traces/datasets/${dataset}/readers`)).status).toBe(403);

    const csv = await auditor.call('GET', `/traces/export?format=csv&datasetId=${dataset}`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines).toHaveLength(27);
    expect(lines[0]).toContain('序号 seq');

    const res = await fetch(`${p.baseUrl}/api/audit/traces/export?format=xlsx&datasetId=${dataset}`, { headers: { authorization: `Bearer ${await p.login('auditor')}` } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as any);
    expect(wb.worksheets[0].rowCount).toBe(27);
  });

  it('the chain of a dataset: catalog version → ingest version → grants → reads', async () => {
    const entryId = uuid();
    const datasetId = uuid();
    const deptId = uuid();
    const grantId = uuid();
    const who = user('u-chain');
    const evs = [
      await publish(p, 'catalog.entry.submitted', { entryId, version: 1, deptId, name: '企业登记', status: 'submitted', actorId: 'u1', at: new Date().toISOString() } as any, { actor: who }),
      await publish(p, 'ingest.dataset.created', { datasetId, entryId, deptId, resourceCode: '201001/000001', name: '企业登记' }, { actor: who }),
      await publish(p, 'ingest.version.published', { datasetId, entryId, deptId, version: 1, catalogVersion: 1, rowCount: 100, rejectedCount: 0, columns: [], qualityScore: 98, source: 'upload', at: new Date().toISOString() } as any, { actor: who }),
      await publish(p, 'sharing.grant.created', { grantId, requestId: uuid(), entryId, consumerDeptId: uuid(), providerDeptId: deptId, status: 'active', items: ['企业名称'], validTo: '2099-01-01', deliveryMethod: 'interface', at: new Date().toISOString() } as any, { actor: who }),
      await publish(p, 'sharing.data.accessed', access({ datasetId, entryId, grantId }), { actor: who }),
      await publish(p, 'sharing.data.accessed', access({ datasetId, entryId, grantId, outcome: 'denied', reasonCode: 'GRANT_SCOPE_VIOLATION' }), { actor: who }),
      await publish(p, 'ingest.data.read', { datasetId, deptId, version: 1, actorId: 'u-chain', rows: 20, purpose: '核查' }, { actor: who }),
    ];
    for (const e of evs) await logged(p, e.id);
    const chain = await auditor.expect(200, 'GET', `/traces/datasets/${datasetId}/chain`);
    expect(chain.entryId).toBe(entryId);
    expect(chain.catalogVersions.map((r: any) => r.eventName)).toEqual(['catalog.entry.submitted']);
    expect(chain.ingestVersions.map((r: any) => r.eventName)).toEqual(['ingest.dataset.created', 'ingest.version.published']);
    expect(chain.grants.map((r: any) => r.refs.grantId)).toEqual([grantId]);
    expect(chain.reads).toMatchObject({ total: 3, page: 1, pageSize: 20 });
    expect(chain.reads.items.map((r: any) => [r.eventName, r.outcome])).toEqual([
      ['sharing.data.accessed', 'allowed'],
      ['sharing.data.accessed', 'denied'],
      ['ingest.data.read', 'allowed'],
    ]);
    expect(chain.summary).toMatchObject({ ingestVersions: 1, grants: 1, reads: 2, refused: 1 });
    // The reads page on the server, oldest first by seq: pages never overlap; bad paging is a 400.
    const pages = [];
    for (const page of [1, 2]) pages.push(await auditor.expect(200, 'GET', `/traces/datasets/${datasetId}/chain/reads?page=${page}&pageSize=2`));
    expect(pages.map((x) => [x.total, x.page, x.items.length])).toEqual([
      [3, 1, 2],
      [3, 2, 1],
    ]);
    expect(pages.flatMap((x) => x.items.map((r: any) => r.seq))).toEqual(chain.reads.items.map((r: any) => r.seq));
    expect((await auditor.expect(200, 'GET', `/traces/datasets/${datasetId}/chain/reads?outcome=denied`)).items.map((r: any) => r.outcome)).toEqual(['denied']);
    expect((await auditor.expect(200, 'GET', `/traces/datasets/${datasetId}/chain?pageSize=1`)).reads).toMatchObject({ total: 3, pageSize: 1 });
    for (const q of ['pageSize=101', 'page=0']) expect((await auditor.call('GET', `/traces/datasets/${datasetId}/chain/reads?${q}`)).status).toBe(400);
  });

  it('other roles cannot read the audit log at all (403, and the refusal is logged)', async () => {
    for (const username of ['admin', 'scjg_op', 'scjg_rev']) {
      const api = new AuditApi(p.baseUrl, await p.login(username));
      for (const path of ['/records', '/traces', '/traces/export', '/alerts', '/quarantine', '/log/records/0/proof']) {
        const res = await api.call('GET', path);
        expect([path, res.status, res.body?.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
    }
    const anon = await fetch(`${p.baseUrl}/api/audit/traces`);
    expect(anon.status).toBe(401);
    await settled(p);
    const refused = await auditor.expect(200, 'GET', '/traces?eventName=audit.access.refused&limit=1000');
    expect(refused.items.length).toBeGreaterThanOrEqual(18);
    expect(new Set(refused.items.map((r: any) => r.actor.name)).size).toBeGreaterThanOrEqual(3);
  });
});
