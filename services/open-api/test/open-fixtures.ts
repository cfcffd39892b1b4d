import { DataAccessV1, idNumberCheckChar } from '@gov/shared';
import { eventually, TestPlatform } from '../../../test/test-platform';
import { ServiceApi, uploadFile, waitForJob } from '../../ingest/test/ingest-fixtures';
import { AccessLog as AccessLogToken } from '../src/access/access-log';
import { OPEN_SETTINGS, OpenSettings } from '../src/open-api.settings';

/** Calls /api/open with optional API key, bearer token and extra headers. */
export class OpenApi {
  constructor(private readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, o: { key?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const res = await fetch(`${this.baseUrl}/api/open${path}`, {
      method,
      headers: {
        ...(o.key ? { 'x-api-key': o.key } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const buf = Buffer.from(await res.arrayBuffer());
    let body: any = buf;
    if ((res.headers.get('content-type') ?? '').includes('json')) body = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
    return { status: res.status, body: body as T, headers: res.headers, raw: buf };
  }

  async expect<T = any>(status: number, method: string, path: string, o: Parameters<OpenApi['call']>[2] = {}): Promise<T> {
    const res = await this.call<T>(method, path, o);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.raw.toString('utf8').slice(0, 500)}`);
    return res.body;
  }
}

/** A checksum-valid 18-digit 公民身份号码 born in 1980–1999. */
export function idNumber(i: number): string {
  const birth = `19${80 + (i % 20)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`;
  const first17 = `420200${birth}${String(i % 1000).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

export function mobile(i: number): string {
  return `13${String(800000000 + i).padStart(9, '0')}`;
}

export function openSettingsOf(p: TestPlatform): OpenSettings {
  return p.server.apps['open-api'].get(OPEN_SETTINGS);
}

/** Raises every tier so tests are not throttled unless they mean to be. */
export function relaxLimits(p: TestPlatform): void {
  const s = openSettingsOf(p);
  for (const t of Object.values(s.tiers)) Object.assign(t, { perSecond: 100_000, perDay: 10_000_000 });
}

export interface OpenDatasetSpec {
  name: string;
  items: { name: string; dataType: string; length?: number; personal?: boolean; masking?: string; description?: string }[];
  open?: 'UNCONDITIONAL' | 'CONDITIONAL' | 'NOT_OPEN';
  grade?: 'L1' | 'L2' | 'L3' | 'L4';
  csv: string;
  domainCode?: string;
  tags?: string[];
}

/** Publishes an entry, loads a CSV through ingest and waits until open-api serves the data. */
export async function publishOpenDataset(p: TestPlatform, op: ServiceApi, admin: ServiceApi, ingest: ServiceApi, spec: OpenDatasetSpec): Promise<{ entryId: string; datasetId: string }> {
  const systems = await op.expect<any[]>(200, 'GET', '/systems');
  const systemId = systems[0]?.id ?? (await op.expect(201, 'POST', '/systems', { name: '开放测试业务系统' })).id;
  const open = spec.open ?? 'UNCONDITIONAL';
  const draft = await op.expect(201, 'POST', '/entries', {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name: spec.name,
      abstract: `${spec.name}，供社会公众查询和开发利用。`,
      format: { classCode: '3', type: 'PostgreSQL' },
      items: spec.items,
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: open === 'CONDITIONAL' ? { type: open, condition: '仅限科研用途，须签署安全承诺' } : open === 'NOT_OPEN' ? { type: open, basis: '《中华人民共和国个人信息保护法》第十三条' } : { type: open },
      updateCycle: 'MONTHLY',
      securityGrade: spec.grade ?? 'L1',
      domainCode: spec.domainCode ?? '01',
      systemId,
      tags: spec.tags ?? ['开放测试'],
    },
  });
  const errors = draft.working.findings.filter((f: { severity: string }) => f.severity === 'error');
  if (errors.length) throw new Error(JSON.stringify(errors));
  await op.expect(200, 'POST', `/entries/${draft.id}/submit`);
  await admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
  const dataset = await eventually(async () => (await ingest.expect<any[]>(200, 'GET', '/datasets')).find((d) => d.entryId === draft.id), 15_000);
  const upload = await uploadFile(ingest, dataset.id, 'data.csv', Buffer.from(spec.csv, 'utf8'));
  if (upload.status < 200 || upload.status > 299) throw new Error(`upload: ${upload.status} ${JSON.stringify(upload.body)}`);
  const job = await waitForJob(ingest, upload.body.id);
  if (job.state !== 'succeeded') throw new Error(`job failed: ${JSON.stringify(job)}`);
  if (open !== 'NOT_OPEN' && spec.grade !== 'L4') {
    await eventually(async () => {
      const r = await p.pool.query(`SELECT table_name FROM openapi.open_dataset WHERE entry_id = $1 AND data_version IS NOT NULL`, [draft.id]);
      return r.rows[0]?.table_name ? true : undefined;
    }, 30_000);
  }
  return { entryId: draft.id, datasetId: dataset.id };
}

/** open.data.accessed events written to the outbox so far (after a flush). */
export async function accessEvents(p: TestPlatform): Promise<(DataAccessV1 & { correlationId?: string; actor?: any })[]> {
  await p.server.apps['open-api'].get(AccessLogToken).flush();
  const r = await p.pool.query(`SELECT envelope FROM openapi.outbox WHERE event_name = 'open.data.accessed' ORDER BY seq`);
  return r.rows.map((x) => ({ ...x.envelope.payload, correlationId: x.envelope.correlationId, actor: x.envelope.actor }));
}

