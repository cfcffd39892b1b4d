import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { eventually, startTestPlatform, TestPlatform } from '../../../test/test-platform';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../src/sharing.settings';
import { SharingWorker } from '../src/worker/sharing-worker';
import { ServiceApi as IngestApi, uploadFile, waitForJob } from '../../ingest/test/ingest-fixtures';
import { accessEvents, accessEventsWithoutActor, Actors, Api, eventsNamed, loadVersion, loginAll, publishShared, registryRows, REQUEST_BASE } from './sharing-fixtures';

/** 交付: interface reads with a grant credential, signed downloads, database push, offline handover; every access audited. */
let p: TestPlatform;
let a: Actors;
let rsj: Api;
let scjgRev: Api;
let clock: SharingClock;
let entry: { entryId: string; datasetId: string };
let other: { entryId: string; datasetId: string };

const MYSQL_URL = process.env.MYSQL_URL;
if (!MYSQL_URL) process.stdout.write('[sharing delivery] MariaDB push skipped: MYSQL_URL is not set (e.g. MYSQL_URL=mysql://root@127.0.0.1:3306/test)\n');

beforeAll(async () => {
  p = await startTestPlatform();
  a = await loginAll(p);
  rsj = new Api(p.baseUrl, 'sharing', a.rsjOp);
  scjgRev = new Api(p.baseUrl, 'sharing', a.scjgRev);
  clock = p.server.apps.sharing.get(SharingClock);
  entry = await publishShared(p, a, '市场主体登记信息', { type: 'CONDITIONAL', condition: '仅向履行监管职责的部门提供' });
  other = await publishShared(p, a, '个体工商户信息', { type: 'UNCONDITIONAL' });
  await loadVersion(p, a, entry, registryRows(40));
  await loadVersion(p, a, other, registryRows(5));
}, 180_000);
afterAll(async () => {
  clock?.set(undefined);
  await p?.close();
});

/** Requests, approves (narrower: three items, one district) and returns the grant with a credential. */
async function granted(deliveryMethod: string, approve: Record<string, unknown> = {}): Promise<{ grant: any; key: string }> {
  const { requests } = await rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod, entries: [{ entryId: entry.entryId, items: ['统一社会信用代码', '企业名称', '法定代表人', '所属区划'] }] });
  const decided = await scjgRev.expect(200, 'POST', `/requests/${requests[0].id}/approve`, {
    items: ['统一社会信用代码', '企业名称', '所属区划'],
    rowFilter: [{ column: '所属区划', op: 'eq', value: '420702' }],
    ...approve,
  });
  const grant = await rsj.expect(200, 'GET', `/grants/${decided.grantId}`);
  const cred = await rsj.expect(201, 'POST', `/grants/${grant.id}/credentials`);
  expect(cred.key).toMatch(/^sgk_[0-9a-f]{12}_/);
  return { grant, key: cred.key };
}

const records = (key: string | undefined, entryId: string, query = '') =>
  new Api(p.baseUrl, 'sharing').call('GET', `/records/${entryId}${query}`, undefined, key ? { 'x-grant-key': key } : {});

describe('interface (records endpoint)', () => {
  let g: { grant: any; key: string };
  beforeAll(async () => {
    g = await granted('interface');
  });

  it('returns only the granted items and rows, paged, with an audit event per read', async () => {
    const page1 = await records(g.key, entry.entryId, '?pageSize=15');
    expect(page1.status).toBe(200);
    expect(page1.body.fields).toEqual(['统一社会信用代码', '企业名称', '所属区划']);
    expect(page1.body.rows).toHaveLength(15);
    expect(page1.body.hasMore).toBe(true);
    for (const r of page1.body.rows) {
      expect(Object.keys(r).sort()).toEqual(['企业名称', '所属区划', '统一社会信用代码'].sort());
      expect(r['所属区划']).toBe('420702');
    }
    const page2 = await records(g.key, entry.entryId, '?pageSize=15&page=2');
    expect(page2.body.rows).toHaveLength(5); // 20 of 40 rows are in 420702
    expect(page2.body.hasMore).toBe(false);
    // Keyset paging gives the same rows.
    const byCursor = await records(g.key, entry.entryId, `?pageSize=15&after=${page1.body.next}`);
    expect(byCursor.body.rows).toEqual(page2.body.rows);
    expect(byCursor.body.next).toBeNull();
    const filtered = await records(g.key, entry.entryId, `?fields=企业名称&filter=${encodeURIComponent(JSON.stringify([{ column: '企业名称', op: 'in', values: ['企业0', '企业1', '企业2'] }]))}`);
    expect(filtered.body.rows).toEqual([{ 企业名称: '企业0' }, { 企业名称: '企业2' }]);
    const allowed = await accessEvents(p, (e) => e.grantId === g.grant.id && e.outcome === 'allowed');
    expect(allowed).toHaveLength(4);
    expect(allowed[0]).toMatchObject({ channel: 'grant', kind: 'records', entryId: entry.entryId, datasetId: entry.datasetId, version: 1, rowCount: 15, systemId: '社会保险信息系统', fields: ['统一社会信用代码', '企业名称', '所属区划'] });
  });

  it('refuses anything outside the grant with 403 and audits the attempt', async () => {
    const before = (await accessEvents(p, (e) => e.outcome === 'denied')).length;
    const notGranted = await records(g.key, entry.entryId, '?fields=企业名称,法定代表人');
    expect(notGranted.status).toBe(403);
    expect(notGranted.body.code).toBe('GRANT_SCOPE_VIOLATION');
    const byHiddenColumn = await records(g.key, entry.entryId, `?filter=${encodeURIComponent('[{"column":"注册资本","op":"range","from":0}]')}`);
    expect(byHiddenColumn.status).toBe(403);
    const otherEntry = await records(g.key, other.entryId);
    expect([otherEntry.status, otherEntry.body.code]).toEqual([403, 'GRANT_SCOPE_VIOLATION']);
    const sql = await records(g.key, entry.entryId, `?filter=${encodeURIComponent(`[{"column":"企业名称\\" OR 1=1 --","op":"eq","value":"x"}]`)}`);
    expect([sql.status, sql.body.code]).toEqual([400, 'FILTER_INVALID']);
    const sqlValue = await records(g.key, entry.entryId, `?filter=${encodeURIComponent(`[{"column":"企业名称","op":"eq","value":"x' OR '1'='1"}]`)}`);
    expect([sqlValue.status, sqlValue.body.rows]).toEqual([200, []]);
    const raw = await records(g.key, entry.entryId, `?filter=${encodeURIComponent("1=1; DROP TABLE sharing.grant_")}`);
    expect([raw.status, raw.body.code]).toEqual([400, 'FILTER_INVALID']);
    expect((await records(undefined, entry.entryId)).body.code).toBe('GRANT_CREDENTIAL_MISSING');
    expect((await records('sgk_000000000000_' + 'x'.repeat(43), entry.entryId)).body.code).toBe('GRANT_CREDENTIAL_INVALID');
    const denied = await accessEvents(p, (e) => e.outcome === 'denied');
    expect(denied.length - before).toBe(7);
    expect(denied.find((e) => e.entryId === other.entryId)).toMatchObject({ grantId: g.grant.id, reasonCode: 'GRANT_SCOPE_VIOLATION', kind: 'records', channel: 'grant' });
    expect(denied.map((e) => e.reasonCode)).toEqual(expect.arrayContaining(['FILTER_INVALID', 'GRANT_CREDENTIAL_MISSING', 'GRANT_CREDENTIAL_INVALID']));
    const { rows } = await p.pool.query(`SELECT count(*)::int AS n FROM sharing.grant_`);
    expect(rows[0].n).toBeGreaterThan(0); // the table is still there
  });

  it('suspends, resumes, revokes and renews a grant; each change is an event and takes effect at once', async () => {
    const h = await granted('interface');
    await scjgRev.expect(200, 'POST', `/grants/${h.grant.id}/suspend`, { reason: '核查数据使用情况' });
    expect((await records(h.key, entry.entryId)).body).toMatchObject({ code: 'GRANT_INACTIVE', status: 403, grantStatus: 'suspended' });
    await rsj.problem(403, 'FORBIDDEN', 'POST', `/grants/${h.grant.id}/resume`, {});
    await scjgRev.expect(200, 'POST', `/grants/${h.grant.id}/resume`, {});
    expect((await records(h.key, entry.entryId)).status).toBe(200);
    await scjgRev.problem(422, 'GRANT_RENEW_INVALID', 'POST', `/grants/${h.grant.id}/renew`, { validTo: '2020-01-01' });
    const renewed = await scjgRev.expect(200, 'POST', `/grants/${h.grant.id}/renew`, { validTo: '2028-12-31', reason: '继续使用' });
    expect(renewed).toMatchObject({ status: 'active', validTo: '2028-12-31' });
    await scjgRev.expect(200, 'POST', `/grants/${h.grant.id}/revoke`, { reason: '超范围使用' });
    expect((await records(h.key, entry.entryId)).body.code).toBe('GRANT_INACTIVE');
    await scjgRev.problem(409, 'GRANT_STATE_CONFLICT', 'POST', `/grants/${h.grant.id}/resume`, {});
    for (const n of ['created', 'suspended', 'resumed', 'renewed', 'revoked'])
      expect((await eventsNamed(p, `sharing.grant.${n}`)).some((e) => e.payload.grantId === h.grant.id)).toBe(true);
  });

  it('expires grants by themselves once past their end date', async () => {
    const h = await granted('interface', { validTo: '2026-12-31' });
    clock.set(new Date('2027-01-02T10:00:00+08:00'));
    try {
      expect((await records(h.key, entry.entryId)).body).toMatchObject({ code: 'GRANT_INACTIVE', status: 403, grantStatus: 'expired' });
      await p.server.apps.sharing.get(SharingWorker).sweep();
      expect((await rsj.expect(200, 'GET', `/grants/${h.grant.id}`)).status).toBe('expired');
      expect((await eventsNamed(p, 'sharing.grant.expired')).some((e) => e.payload.grantId === h.grant.id)).toBe(true);
    } finally {
      clock.set(undefined);
    }
  });

  it('enforces the rate limit and the row quota', async () => {
    const h = await granted('interface', { rateLimitPerMinute: 2, quotaRows: 1000 });
    expect((await records(h.key, entry.entryId)).status).toBe(200);
    expect((await records(h.key, entry.entryId)).status).toBe(200);
    const third = await records(h.key, entry.entryId);
    expect([third.status, third.body.code]).toEqual([429, 'RATE_LIMITED']);
    const q = await granted('interface', { quotaRows: 10 });
    expect((await records(q.key, entry.entryId, '?pageSize=10')).body.rows).toHaveLength(10);
    expect((await records(q.key, entry.entryId)).body.code).toBe('GRANT_QUOTA_EXCEEDED');
  });

  it('rotates a credential in one step: the new key works, the old one is refused (or after an overlap)', async () => {
    const h = await granted('interface');
    const [old] = await rsj.expect<any[]>(200, 'GET', `/grants/${h.grant.id}/credentials`);
    await new Api(p.baseUrl, 'sharing', a.scjgOp).problem(403, 'NOT_REQUESTER', 'POST', `/grants/${h.grant.id}/credentials/${old.id}/rotate`, {});
    await rsj.problem(400, 'VALIDATION_FAILED', 'POST', `/grants/${h.grant.id}/credentials/${old.id}/rotate`, { overlapMinutes: 5000 });
    await rsj.problem(404, 'GRANT_CREDENTIAL_NOT_FOUND', 'POST', `/grants/${h.grant.id}/credentials/00000000-0000-4000-8000-000000000000/rotate`, {});
    const rotated = await rsj.expect(200, 'POST', `/grants/${h.grant.id}/credentials/${old.id}/rotate`, {});
    expect(rotated).toMatchObject({ grantId: h.grant.id, key: expect.stringMatching(/^sgk_[0-9a-f]{12}_/), replaced: { id: old.id, keyPrefix: old.keyPrefix } });
    expect((await records(h.key, entry.entryId)).body.code).toBe('GRANT_CREDENTIAL_INVALID');
    expect((await records(rotated.key, entry.entryId)).status).toBe(200);
    // Rotating it again is refused: rotate the current one.
    await rsj.problem(409, 'GRANT_CREDENTIAL_REVOKED', 'POST', `/grants/${h.grant.id}/credentials/${old.id}/rotate`, {});

    // With an overlap both keys work until the old one's end; DELETE still ends it at once.
    const overlapped = await rsj.expect(200, 'POST', `/grants/${h.grant.id}/credentials/${rotated.id}/rotate`, { overlapMinutes: 10 });
    expect(Date.parse(overlapped.replaced.revokedAt) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect((await records(rotated.key, entry.entryId)).status).toBe(200);
    expect((await records(overlapped.key, entry.entryId)).status).toBe(200);
    const listed = await rsj.expect<any[]>(200, 'GET', `/grants/${h.grant.id}/credentials`);
    expect(listed.map((c) => c.id)).toEqual([old.id, rotated.id, overlapped.id]);
    await rsj.expect(204, 'DELETE', `/grants/${h.grant.id}/credentials/${rotated.id}`);
    expect((await records(rotated.key, entry.entryId)).body.code).toBe('GRANT_CREDENTIAL_INVALID');
    expect((await records(overlapped.key, entry.entryId)).status).toBe(200);

    // Two rotations of the same key at once: exactly one succeeds.
    const both = await Promise.all([0, 1].map(() => rsj.call('POST', `/grants/${h.grant.id}/credentials/${overlapped.id}/rotate`, {})));
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const live = (await rsj.expect<any[]>(200, 'GET', `/grants/${h.grant.id}/credentials`)).filter((c) => c.revokedAt === null);
    expect(live).toHaveLength(1);

    // Every change goes to the audit log with its actor, the key itself never; refused rotations and
    // revoking a key that has already ended add nothing.
    await rsj.expect(204, 'DELETE', `/grants/${h.grant.id}/credentials/${rotated.id}`);
    const { rows } = await p.pool.query(`SELECT envelope FROM sharing.outbox WHERE event_name = 'sharing.credential.changed' AND event_key = $1 ORDER BY seq`, [h.grant.id]);
    const changes = rows.map((r) => r.envelope.payload);
    expect(changes.map((c) => [c.action, c.credentialId, c.replacedCredentialId])).toEqual([
      ['issued', old.id, null],
      ['rotated', rotated.id, old.id],
      ['rotated', overlapped.id, rotated.id],
      ['revoked', rotated.id, null],
      ['rotated', live[0].id, overlapped.id],
    ]);
    expect(changes[2].replacedEndsAt).toBe(overlapped.replaced.revokedAt);
    expect(rows.every((r) => r.envelope.actor.type === 'user')).toBe(true);
    // The secret is all after `sgk_<hex prefix>_`; being base64url it may itself hold `_` (split('_') then cut it short, or to '').
    const secret = /^sgk_[0-9a-f]+_(.+)$/.exec(rotated.key)![1];
    expect(JSON.stringify(changes)).not.toContain(secret);
  });

  it('refuses a revoked credential and a credential for another delivery method', async () => {
    const h = await granted('interface');
    const creds = await rsj.expect<any[]>(200, 'GET', `/grants/${h.grant.id}/credentials`);
    await rsj.expect(204, 'DELETE', `/grants/${h.grant.id}/credentials/${creds[0].id}`);
    expect((await records(h.key, entry.entryId)).body.code).toBe('GRANT_CREDENTIAL_INVALID');
    const d = await granted('download');
    expect((await records(d.key, entry.entryId)).body.code).toBe('DELIVERY_METHOD_NOT_GRANTED');
  });
});

describe('unflagged personal data (ingest sensitive-field scan)', () => {
  it('withholds blocked columns from unconditional sharing, and refuses asking for them', async () => {
    const items = [
      { name: '许可证号', dataType: 'C', length: 30 },
      { name: '单位名称', dataType: 'C', length: 100 },
      { name: '联系电话', dataType: 'C', length: 20 },
    ];
    const lic = await publishShared(p, a, '食品经营许可（共享敏感测试）', { type: 'UNCONDITIONAL' }, items);
    const lines = ['许可证号,单位名称,联系电话', ...Array.from({ length: 200 }, (_, i) => `XK${String(i).padStart(6, '0')},示范单位${i},139${String(10000000 + i)}`)];
    const ingest = new IngestApi(p.baseUrl, 'ingest', a.scjgOp);
    const upload = await uploadFile(ingest, lic.datasetId, 'lic.csv', Buffer.from(lines.join('\n')));
    expect((await waitForJob(ingest, upload.body.id)).state).toBe('succeeded');
    await eventually(async () => (await rsj.expect(200, 'GET', `/entries/${lic.entryId}`)).dataset);
    const { blockedColumns } = await ingest.expect(200, 'GET', `/datasets/${lic.datasetId}/sensitive-findings`);
    expect(blockedColumns).toEqual(['联系电话']);
    const { requests } = await rsj.expect(201, 'POST', '/requests', { ...REQUEST_BASE, deliveryMethod: 'interface', entries: [{ entryId: lic.entryId, items: ['许可证号', '单位名称', '联系电话'] }] });
    const { key } = await rsj.expect(201, 'POST', `/grants/${requests[0].grantId}/credentials`);
    const page = await eventually(async () => {
      const r = await records(key, lic.entryId, '?pageSize=5');
      return r.status === 200 && !r.body.fields.includes('联系电话') ? r : undefined;
    });
    expect(page.body.fields).toEqual(['许可证号', '单位名称']);
    const asked = await records(key, lic.entryId, '?fields=联系电话');
    expect([asked.status, asked.body.code]).toEqual([403, 'SENSITIVE_COLUMN_BLOCKED']);
    const byFilter = await records(key, lic.entryId, `?filter=${encodeURIComponent('[{"column":"联系电话","op":"prefix","value":"139"}]')}`);
    expect(byFilter.body.code).toBe('SENSITIVE_COLUMN_BLOCKED');
  }, 60_000);
});

describe('file download', () => {
  it('serves CSV, XLSX and JSON extracts with only the granted items through a signed, time-limited link', async () => {
    const { grant } = await granted('download');
    const anon = new Api(p.baseUrl, 'sharing');
    const csvLink = await rsj.expect(201, 'POST', `/grants/${grant.id}/downloads`, { format: 'csv' });
    const csv = await anon.call('GET', csvLink.url.replace('/api/sharing', ''));
    expect(csv.status).toBe(200);
    const lines = csv.raw.toString('utf8').replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('统一社会信用代码,企业名称,所属区划');
    expect(lines).toHaveLength(21);
    expect(lines.slice(1).every((l) => l.endsWith(',420702'))).toBe(true);

    const json = await anon.call('GET', (await rsj.expect(201, 'POST', `/grants/${grant.id}/downloads`, { format: 'json' })).url.replace('/api/sharing', ''));
    expect(json.body).toHaveLength(20);
    expect(Object.keys(json.body[0])).toEqual(['统一社会信用代码', '企业名称', '所属区划']);

    const xlsx = await anon.call('GET', (await rsj.expect(201, 'POST', `/grants/${grant.id}/downloads`, { format: 'xlsx' })).url.replace('/api/sharing', ''));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as never);
    const sheet = wb.worksheets[0];
    expect(sheet.rowCount).toBe(21);
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['统一社会信用代码', '企业名称', '所属区划']);

    const downloads = await accessEvents(p, (e) => e.grantId === grant.id && e.kind === 'download' && e.outcome === 'allowed');
    expect(downloads.map((e) => e.rowCount)).toEqual([20, 20, 20]);
    expect(downloads[0].reason).toBe(`sha256=${createHash('sha256').update(csv.raw).digest('hex')}`);
  });

  it('refuses a tampered link and a replayed link after expiry, and audits both', async () => {
    const { grant } = await granted('download');
    const link = await rsj.expect(201, 'POST', `/grants/${grant.id}/downloads`, { format: 'csv' });
    const anon = new Api(p.baseUrl, 'sharing');
    const path = link.url.replace('/api/sharing', '');
    expect((await anon.call('GET', path)).status).toBe(200);
    const tampered = path.replace(/\.([A-Za-z0-9_-])/, (_m: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await anon.call('GET', tampered)).body.code).toBe('DOWNLOAD_LINK_INVALID');
    clock.set(new Date(Date.parse(link.expiresAt) + 1000));
    try {
      const replay = await anon.call('GET', path);
      expect([replay.status, replay.body.code]).toEqual([410, 'DOWNLOAD_LINK_EXPIRED']);
    } finally {
      clock.set(undefined);
    }
    const denied = await accessEvents(p, (e) => e.kind === 'download' && e.outcome === 'denied');
    expect(denied.map((e) => e.reasonCode)).toEqual(expect.arrayContaining(['DOWNLOAD_LINK_INVALID', 'DOWNLOAD_LINK_EXPIRED']));
    expect(denied.find((e) => e.reasonCode === 'DOWNLOAD_LINK_EXPIRED')).toMatchObject({ grantId: grant.id });
  });
});

describe('database push', () => {
  async function pushInto(target: Record<string, unknown>, read: () => Promise<Record<string, unknown>[]>) {
    const { grant } = await granted('push');
    await rsj.problem(422, 'PUSH_TARGET_INVALID', 'POST', `/grants/${grant.id}/push-targets`, { ...target, table: 'x; DROP TABLE y' });
    const settings = p.server.apps.sharing.get<SharingSettings>(SHARING_SETTINGS);
    settings.pushAllowedHosts = ['db.rsj.example'];
    try {
      await rsj.problem(422, 'PUSH_TARGET_INVALID', 'POST', `/grants/${grant.id}/push-targets`, target);
    } finally {
      settings.pushAllowedHosts = undefined;
    }
    await new Api(p.baseUrl, 'sharing', a.gajOp).problem(404, 'GRANT_NOT_FOUND', 'POST', `/grants/${grant.id}/push-targets`, target);
    const t = await rsj.expect(201, 'POST', `/grants/${grant.id}/push-targets`, target);
    expect(JSON.stringify(t)).not.toContain('password');
    const worker = p.server.apps.sharing.get(SharingWorker);
    await eventually(async () => {
      await worker.tick();
      const [s] = await rsj.expect<any[]>(200, 'GET', `/grants/${grant.id}/push-targets`);
      if (s.lastStatus === 'failed') throw new Error(s.lastError);
      return s.lastStatus === 'done' && s.lastVersion === 2 ? s : undefined;
    }, 20_000);
    let rows = await read();
    expect(rows).toHaveLength(20);
    expect(Object.keys(rows[0]).sort()).toEqual(['_version', '企业名称', '所属区划', '统一社会信用代码'].sort());
    // A new version is pushed by itself.
    const v = await loadVersion(p, a, entry, registryRows(50));
    await eventually(async () => {
      await worker.tick();
      const [s] = await rsj.expect<any[]>(200, 'GET', `/grants/${grant.id}/push-targets`);
      return s.lastVersion === v ? s : undefined;
    }, 20_000);
    rows = await read();
    expect(rows).toHaveLength(25);
    expect(rows.every((r) => Number(r._version) === v && r['所属区划'] === '420702')).toBe(true);
    const pushes = await accessEvents(p, (e) => e.grantId === grant.id && e.kind === 'push');
    expect(pushes.map((e) => e.rowCount)).toEqual([20, 25]);
  }

  it('writes the extract into the requester’s PostgreSQL table on each new version', async () => {
    // A version 2 of 40 rows first, so every push test starts from the same data.
    await loadVersion(p, a, entry, registryRows(40));
    const table = `push_${Date.now()}`;
    const url = new URL(p.db.url);
    const target = { kind: 'postgres', host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1), table };
    await pushInto(target, async () => {
      const c = new Client({ connectionString: p.db.url });
      await c.connect();
      try {
        return (await c.query(`SELECT * FROM ${table}`)).rows;
      } finally {
        await c.end();
      }
    });
  }, 90_000);

  (MYSQL_URL ? it : it.skip)('writes the extract into a MariaDB/MySQL table', async () => {
    const url = new URL(MYSQL_URL!);
    const table = `push_${Date.now()}`;
    const database = url.pathname.slice(1) || 'test';
    // The previous test left version 3 current; reload 40 rows as the starting point.
    await loadVersion(p, a, entry, registryRows(40));
    const target = { kind: 'mysql', host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username || 'root'), password: decodeURIComponent(url.password), database, table };
    const start = (await rsj.expect(200, 'GET', `/entries/${entry.entryId}`)).dataset.version;
    const read = async () => {
      const c = await createConnection({ uri: MYSQL_URL, database });
      try {
        return (await c.query(`SELECT * FROM \`${table}\``))[0] as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    };
    const { grant } = await granted('push');
    await rsj.expect(201, 'POST', `/grants/${grant.id}/push-targets`, target);
    const worker = p.server.apps.sharing.get(SharingWorker);
    await eventually(async () => {
      await worker.tick();
      const [s] = await rsj.expect<any[]>(200, 'GET', `/grants/${grant.id}/push-targets`);
      if (s.lastStatus === 'failed') throw new Error(s.lastError);
      return s.lastVersion === start ? s : undefined;
    }, 20_000);
    const rows = await read();
    expect(rows).toHaveLength(20);
    expect(rows[0]['企业名称']).toMatch(/^企业\d+$/);
    expect(rows.every((r) => r['所属区划'] === '420702')).toBe(true);
  }, 90_000);
});

it('names an accountable actor on every access event (credential holder, link creator, receiving system, or caller address)', async () => {
  expect(await accessEventsWithoutActor(p)).toEqual([]);
  const { rows } = await p.pool.query(`SELECT DISTINCT envelope->'actor'->>'type' AS t FROM sharing.outbox WHERE event_name='sharing.data.accessed'`);
  expect(rows.length).toBeGreaterThan(0);
});

describe('offline handover', () => {
  it('records what was handed over, when, to whom, with the file hash; only the provider may record it', async () => {
    const { grant } = await granted('handover');
    const sha = 'a'.repeat(64);
    await rsj.problem(403, 'NOT_PROVIDER_REVIEWER', 'POST', `/grants/${grant.id}/handovers`, { fileName: 'x.csv', sha256: sha, rows: 1, medium: '光盘', handedTo: '张三' });
    await scjgRev.problem(400, 'VALIDATION_FAILED', 'POST', `/grants/${grant.id}/handovers`, { fileName: 'x.csv', sha256: 'nothex', rows: 1, medium: '光盘', handedTo: '张三' });
    const h = await scjgRev.expect(201, 'POST', `/grants/${grant.id}/handovers`, { fileName: '市场主体登记信息.csv', sha256: sha, rows: 20, medium: '加密移动硬盘', handedTo: '人社局 王五', handedAt: '2026-11-20T10:00:00+08:00' });
    expect(h).toMatchObject({ grantId: grant.id, sha256: sha, rows: 20, handedTo: '人社局 王五' });
    expect(await rsj.expect<any[]>(200, 'GET', `/grants/${grant.id}/handovers`)).toHaveLength(1);
    const [e] = await accessEvents(p, (x) => x.grantId === grant.id && x.kind === 'handover');
    expect(e).toMatchObject({ outcome: 'allowed', rowCount: 20, consumerDeptId: grant.consumerDeptId });
    expect(e.reason).toContain(sha);
  });
});
