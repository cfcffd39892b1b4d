import type { DataAccessV1 } from '@gov/shared';
import { eventually, TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import { ServiceApi as IngestApi, uploadFile, waitForJob } from '../../ingest/test/ingest-fixtures';

/** Calls one service of the test platform with a bearer token (or none). */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly service: 'catalog' | 'ingest' | 'sharing' | 'audit',
    readonly token?: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers; raw: Buffer }> {
    const res = await fetch(`${this.baseUrl}/api/${this.service}${path}`, {
      method,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = Buffer.from(await res.arrayBuffer());
    let parsed: unknown = raw.toString('utf8');
    try {
      parsed = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers, raw };
  }

  async expect<T = any>(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.call<T>(method, path, body, headers);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Expects a problem+json answer with this status and code; returns the body. */
  async problem(status: number, code: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const res = await this.call(method, path, body, headers);
    if (res.status !== status || res.body?.code !== code) throw new Error(`${method} ${path}: expected ${status} ${code}, got ${res.status}: ${JSON.stringify(res.body)}`);
    if (!res.headers.get('content-type')?.includes('application/problem+json')) throw new Error('not problem+json');
    if (!res.body.message?.zh || !res.body.message?.en) throw new Error('problem without zh/en message');
    return res.body;
  }
}

export const REGISTRY_ITEMS = [
  { name: '统一社会信用代码', dataType: 'C', length: 18 },
  { name: '企业名称', dataType: 'C', length: 100 },
  { name: '法定代表人', dataType: 'C', length: 50, personal: true },
  { name: '所属区划', dataType: 'C', length: 6 },
  { name: '注册资本', dataType: 'Y', length: 20 },
];

export type ShareSpec = { type: 'UNCONDITIONAL' } | { type: 'CONDITIONAL'; condition: string } | { type: 'NOT_SHARED'; basis: string };

export interface Actors {
  scjgOp: string;
  scjgRev: string;
  admin: string;
  rsjOp: string;
  rsjRev: string;
  gajOp: string;
  qsjjOp: string;
  auditor: string;
}

export async function loginAll(p: TestPlatform): Promise<Actors> {
  const names = ['scjg_op', 'scjg_rev', 'admin', 'rsj_op', 'rsj_rev', 'gaj_op', 'qsjj_op', 'auditor'] as const;
  const tokens = await Promise.all(names.map((n) => p.login(n)));
  return { scjgOp: tokens[0], scjgRev: tokens[1], admin: tokens[2], rsjOp: tokens[3], rsjRev: tokens[4], gajOp: tokens[5], qsjjOp: tokens[6], auditor: tokens[7] };
}

/** Publishes an entry of 市场监管局 with the given share type and waits for sharing's read model (and ingest's dataset). */
export async function publishShared(p: TestPlatform, a: Actors, name: string, share: ShareSpec, items = REGISTRY_ITEMS): Promise<{ entryId: string; datasetId: string }> {
  const op = new Api(p.baseUrl, 'catalog', a.scjgOp);
  const admin = new Api(p.baseUrl, 'catalog', a.admin);
  const systems = await op.expect<any[]>(200, 'GET', '/systems');
  const systemId = systems[0]?.id ?? (await op.expect(201, 'POST', '/systems', { name: '市场主体登记系统' })).id;
  const draft = await op.expect(201, 'POST', '/entries', {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name,
      abstract: `${name}（共享测试）`,
      format: { classCode: '3', type: 'PostgreSQL' },
      items,
      share: { methodClass: share.type === 'NOT_SHARED' ? undefined : 'PLATFORM', methodType: share.type === 'NOT_SHARED' ? undefined : 'API', ...share },
      open: share.type === 'UNCONDITIONAL' ? { type: 'UNCONDITIONAL' } : { type: 'NOT_OPEN', basis: '《中华人民共和国个人信息保护法》第十三条' },
      updateCycle: 'MONTHLY',
      securityGrade: share.type === 'UNCONDITIONAL' ? 'L1' : 'L2',
      domainCode: '01',
      systemId,
    },
  });
  const errors = draft.working.findings.filter((f: { severity: string }) => f.severity === 'error');
  if (errors.length) throw new Error(JSON.stringify(errors));
  await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
  await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
  const sharing = new Api(p.baseUrl, 'sharing', a.rsjOp);
  await eventually(async () => (await sharing.call('GET', `/entries/${draft.id}`)).status === 200, 15_000);
  const ingest = new IngestApi(p.baseUrl, 'ingest', a.scjgOp);
  const ds = await eventually(async () => (await ingest.expect<any[]>(200, 'GET', '/datasets')).find((d) => d.entryId === draft.id), 15_000);
  await ingest.expect(200, 'PUT', `/datasets/${ds.id}/settings`, { keys: [items[0].name], maxRejectShare: 0.5 });
  return { entryId: draft.id, datasetId: ds.id };
}

/** Rows of the registry entry; the region alternates between two districts of the city. */
export function registryRows(n: number, start = 0, regions = ['420702', '420703']): string[] {
  return Array.from({ length: n }, (_, j) => {
    const i = start + j;
    return `${demoCreditCode('420700', i)},企业${i},法人${i},${regions[i % regions.length]},${(i + 1) * 100}`;
  });
}

/** Loads rows through ingest and waits until sharing serves that version. */
export async function loadVersion(p: TestPlatform, a: Actors, ids: { entryId: string; datasetId: string }, rows: string[]): Promise<number> {
  const ingest = new IngestApi(p.baseUrl, 'ingest', a.scjgOp);
  const header = REGISTRY_ITEMS.map((i) => i.name).join(',');
  const upload = await uploadFile(ingest, ids.datasetId, 'registry.csv', Buffer.from([header, ...rows].join('\r\n') + '\r\n'));
  if (upload.status !== 202 && upload.status !== 201) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  const job = await waitForJob(ingest, upload.body.id);
  if (job.state !== 'succeeded') throw new Error(`load failed: ${JSON.stringify(job)}`);
  const sharing = new Api(p.baseUrl, 'sharing', a.rsjOp);
  const entry = await eventually(async () => {
    const e = await sharing.expect(200, 'GET', `/entries/${ids.entryId}`);
    return e.dataset && e.dataset.version >= job.version ? e : undefined;
  }, 20_000);
  return entry.dataset.version;
}

export const REQUEST_BASE = {
  purpose: '核验企业登记信息，用于社保参保登记审核',
  legalBasis: '《社会保险法》第五十七条；人社局三定方案',
  scenario: '参保登记',
  periodFrom: '2026-01-01',
  periodTo: '2027-12-31',
  expectedVolume: '每日约 1000 次',
  frequency: '实时',
  systemName: '社会保险信息系统',
};

/** The sharing.data.accessed events in the outbox (what the audit service receives). */
export async function accessEvents(p: TestPlatform, filter: (payload: DataAccessV1) => boolean = () => true): Promise<DataAccessV1[]> {
  const { rows } = await p.pool.query(`SELECT envelope FROM sharing.outbox WHERE event_name='sharing.data.accessed' ORDER BY seq`);
  return rows.map((r) => r.envelope.payload as DataAccessV1).filter(filter);
}

export async function eventsNamed(p: TestPlatform, name: string): Promise<any[]> {
  const { rows } = await p.pool.query(`SELECT envelope FROM sharing.outbox WHERE event_name=$1 ORDER BY seq`, [name]);
  return rows.map((r) => r.envelope);
}

/** Access events the audit service would quarantine: no actor to hold to account. */
export async function accessEventsWithoutActor(p: TestPlatform): Promise<any[]> {
  const { rows } = await p.pool.query(`SELECT envelope FROM sharing.outbox WHERE event_name='sharing.data.accessed' AND coalesce(envelope->'actor'->>'id', '') = ''`);
  return rows.map((r) => r.envelope);
}
