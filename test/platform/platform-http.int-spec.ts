import jwt from 'jsonwebtoken';
import { demoCreditCode } from '../../services/catalog/src/demo/demo-city.seeder';
import { eventually, startTestPlatform, TEST_JWT_SECRET, TestPlatform } from '../test-platform';

/** The foundation's HTTP contract: bad input gets problem+json, nothing is half-written. */
let p: TestPlatform;
let adminToken: string;
let operatorToken: string;

beforeAll(async () => {
  p = await startTestPlatform();
  adminToken = await p.login('admin');
  operatorToken = await p.login('scjg_op');
}, 60000);

afterAll(async () => {
  await p?.close();
});

async function call(method: string, path: string, opts: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${p.baseUrl}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    body: opts.body,
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', json, headers: res.headers };
}

const validDept = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ name: '示范市测试局', code: 'csj', creditCode: '91350100M000100Y43', regionCode: '420700', level: 'city', ...over });

async function counts() {
  const [{ d }] = (await p.pool.query('SELECT count(*)::int AS d FROM catalog.department')).rows;
  const [{ o }] = (await p.pool.query('SELECT count(*)::int AS o FROM catalog.outbox')).rows;
  return { departments: d as number, outbox: o as number };
}

function expectProblem(r: Awaited<ReturnType<typeof call>>, status: number, code: string) {
  expect(r.status).toBe(status);
  expect(r.type).toContain('application/problem+json');
  expect(r.json.code).toBe(code);
  expect(r.json.status).toBe(status);
  expect(typeof (r.json.message as { zh: string }).zh).toBe('string');
  expect(typeof (r.json.message as { en: string }).en).toBe('string');
  expect(r.json.correlationId).toBeTruthy();
}

describe('health and docs', () => {
  it.each(['catalog', 'ingest', 'sharing', 'open', 'audit'])('/api/%s/health reports every dependency up', async (svc) => {
    const r = await call('GET', `/api/${svc}/health`);
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('ok');
    expect(Object.keys(r.json.info as object).sort()).toEqual(['cache', 'database', 'events', 'objectStorage']);
  });

  it('serves each service OpenAPI document and Prometheus metrics', async () => {
    const doc = await call('GET', '/api/catalog/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.json.paths as object)).toContain('/api/catalog/departments');
    const metrics = await fetch(`${p.baseUrl}/api/audit/metrics`).then((r) => r.text());
    expect(metrics).toContain('events_consumed_total');
    expect(metrics).toContain('service="audit"');
    // Requests are timed by route template, including refused ones.
    await call('GET', '/api/catalog/departments');
    const catalogMetrics = await fetch(`${p.baseUrl}/api/catalog/metrics`).then((r) => r.text());
    expect(catalogMetrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/catalog\/departments"[^}]*\} [1-9]/);
  });

  it('echoes a caller correlation id and answers unknown routes with problem+json', async () => {
    const r = await call('GET', '/api/catalog/nope', { headers: { 'x-correlation-id': 'req-abcdef-123' } });
    expectProblem(r, 404, 'ROUTE_NOT_FOUND');
    expect(r.headers.get('x-correlation-id')).toBe('req-abcdef-123');
    expect(r.json.correlationId).toBe('req-abcdef-123');
    expectProblem(await call('GET', '/api/unknown-service/x'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call('GET', '/api'), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await call('GET', '/api/catalog?x=1'), 404, 'ROUTE_NOT_FOUND');
    const health = await call('GET', '/api/catalog/health?probe=1');
    expect(health.status).toBe(200);
    // No framework fingerprint on any answer.
    expect(health.headers.get('x-powered-by')).toBeNull();
  });
});

describe('bad input', () => {
  it('refuses malformed JSON, unknown fields, wrong types and invalid codes without writing anything', async () => {
    const before = await counts();
    expectProblem(await call('POST', '/api/catalog/departments', { token: adminToken, body: '{"name": "x",' }), 400, 'MALFORMED_JSON');
    const unknown = await call('POST', '/api/catalog/departments', { token: adminToken, body: validDept({ color: 'red' }) });
    expectProblem(unknown, 400, 'VALIDATION_FAILED');
    expect((unknown.json.errors as { field: string }[]).map((e) => e.field)).toContain('color');
    const wrongType = await call('POST', '/api/catalog/departments', { token: adminToken, body: validDept({ name: 42, level: 'province' }) });
    expectProblem(wrongType, 400, 'VALIDATION_FAILED');
    expect((wrongType.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(expect.arrayContaining(['level', 'name']));
    const badUscc = await call('POST', '/api/catalog/departments', { token: adminToken, body: validDept({ creditCode: '91350203M0001QAY9B' }) });
    expectProblem(badUscc, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(badUscc.json.errors)).toContain('creditCode');
    expect(await counts()).toEqual(before);
  });

  it('answers 413 for a body over the configured limit', async () => {
    const big = validDept({ name: 'x'.repeat(70 * 1024) });
    expectProblem(await call('POST', '/api/catalog/departments', { token: adminToken, body: big }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 401 without a token, with a forged token and with an expired one', async () => {
    expectProblem(await call('GET', '/api/catalog/departments'), 401, 'UNAUTHENTICATED');
    const forged = jwt.sign({ sub: 'x', dep: 'y', rol: ['data_admin'] }, 'another-secret-another-secret-another', { issuer: 'govdata-platform' });
    expectProblem(await call('GET', '/api/catalog/departments', { token: forged }), 401, 'UNAUTHENTICATED');
    const expired = jwt.sign({ sub: 'x', usr: 'u', nam: 'n', dep: 'y', dpn: 'd', rol: ['data_admin'] }, TEST_JWT_SECRET, { issuer: 'govdata-platform', expiresIn: -10 });
    expectProblem(await call('GET', '/api/catalog/departments', { token: expired }), 401, 'TOKEN_EXPIRED');
    expectProblem(await call('POST', '/api/catalog/auth/login', { body: JSON.stringify({ username: 'admin', password: 'wrong' }) }), 401, 'UNAUTHENTICATED');
  });

  it('answers 403 when the role may not act, and writes nothing', async () => {
    const before = await counts();
    const r = await call('POST', '/api/catalog/departments', { token: operatorToken, body: validDept() });
    expectProblem(r, 403, 'FORBIDDEN');
    expect((r.json.message as { zh: string }).zh).toContain('data_admin');
    expectProblem(await call('GET', '/api/audit/records', { token: operatorToken }), 403, 'FORBIDDEN');
    expect(await counts()).toEqual(before);
  });

  it('refuses a duplicate with 409 and leaves no second row or event', async () => {
    const first = await call('POST', '/api/catalog/departments', { token: adminToken, body: validDept({ code: 'dup1', name: '示范市重复局' }) });
    expect(first.status).toBe(201);
    const before = await counts();
    expectProblem(await call('POST', '/api/catalog/departments', { token: adminToken, body: validDept({ code: 'dup2', name: '示范市重复局二' }) }), 409, 'DEPARTMENT_DUPLICATE');
    expect(await counts()).toEqual(before);
  });
});

describe('event flow across services', () => {
  it('a registered department reaches sharing, open-api and audit exactly once, with the request correlation id', async () => {
    const body = await call('POST', '/api/catalog/departments', {
      token: adminToken,
      body: validDept({ code: 'flow', name: '示范市流程局', creditCode: demoCreditCode('420700', 900) }),
      headers: { 'x-correlation-id': 'flow-test-correlation' },
    });
    expect(body.status).toBe(201);
    const deptId = body.json.id as string;
    const auditorToken = await p.login('auditor');
    const records = await eventually(async () => {
      const r = await call('GET', `/api/audit/records?objectId=${deptId}`, { token: auditorToken });
      return (r.json as unknown as unknown[]).length ? (r.json as unknown as { eventName: string; correlationId: string; actor: { id: string } }[]) : undefined;
    });
    expect(records).toHaveLength(1);
    expect(records[0].eventName).toBe('org.department.registered');
    expect(records[0].correlationId).toBe('flow-test-correlation');
    const directory = await eventually(async () => {
      const r = await call('GET', '/api/sharing/departments', { token: operatorToken });
      return (r.json as unknown as { deptId: string }[]).find((d) => d.deptId === deptId);
    });
    expect(directory).toBeTruthy();
    const publishers = await call('GET', '/api/open/v1/publishers');
    expect((publishers.json as unknown as { id: string }[]).some((x) => x.id === deptId)).toBe(true);
  });
});
