import { TestPlatform, eventually } from '../../../test/test-platform';

/** Calls one service of the test platform with a bearer token. */
export class ServiceApi {
  constructor(
    private readonly baseUrl: string,
    private readonly service: 'catalog' | 'ingest',
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const isRaw = body instanceof Buffer || body instanceof FormData;
    const res = await fetch(`${this.baseUrl}/api/${this.service}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : isRaw ? (body as never) : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async expect<T = any>(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.call<T>(method, path, body, headers);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

export const ENTERPRISE_ITEMS = [
  { name: '统一社会信用代码', dataType: 'C', length: 18 },
  { name: '企业名称', dataType: 'C', length: 100 },
  { name: '法定代表人', dataType: 'C', length: 50 },
  { name: '成立日期', dataType: 'D' },
  { name: '注册资本', dataType: 'Y', length: 20 },
];

/** Publishes an entry through the catalog and waits for its dataset to appear in ingest. */
export async function publishDataset(p: TestPlatform, catalog: { op: ServiceApi; admin: ServiceApi }, ingest: ServiceApi, name: string, items = ENTERPRISE_ITEMS, updateCycle = 'MONTHLY'): Promise<any> {
  const systems = await catalog.op.expect<any[]>(200, 'GET', '/systems');
  const systemId = systems[0]?.id ?? (await catalog.op.expect(201, 'POST', '/systems', { name: '归集测试业务系统' })).id;
  const draft = await catalog.op.expect(201, 'POST', '/entries', {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name,
      abstract: `${name}（归集测试）`,
      format: { classCode: '3', type: 'PostgreSQL' },
      items,
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle,
      securityGrade: 'L1',
      domainCode: '01',
      systemId,
    },
  });
  if (draft.working.findings.some((f: { severity: string }) => f.severity === 'error')) throw new Error(JSON.stringify(draft.working.findings));
  await catalog.op.expect(200, 'POST', `/entries/${draft.id}/submit`);
  await catalog.admin.expect(200, 'POST', `/entries/${draft.id}/approve`, {});
  return eventually(async () => (await ingest.expect<any[]>(200, 'GET', '/datasets')).find((d) => d.entryId === draft.id), 15_000);
}

export async function uploadFile(ingest: ServiceApi, datasetId: string, fileName: string, content: Buffer): Promise<any> {
  const form = new FormData();
  form.append('file', new Blob([content]), fileName);
  return ingest.call('POST', `/datasets/${datasetId}/files`, form);
}

export async function waitForJob(ingest: ServiceApi, jobId: string): Promise<any> {
  return eventually(async () => {
    const job = await ingest.expect(200, 'GET', `/jobs/${jobId}`);
    return job.state === 'succeeded' || job.state === 'failed' ? job : undefined;
  }, 30_000);
}
