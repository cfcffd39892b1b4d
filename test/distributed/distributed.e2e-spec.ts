import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { demoCreditCode } from '../../services/catalog/src/demo/demo-city.seeder';
import { freePort, tempDir } from '../pg-server';
import { api, login, poll, Proc, startNode, stop, waitHealthy } from '../processes';
import { createTestDatabase, TestDatabase } from '../test-database';

/**
 * The distributed topology on one machine: the five services as separate processes
 * (`node dist/services/<name>/main.js`), one shared PostgreSQL (a schema each), events over
 * Redis Streams. Kafka runs the same code through the same port (see the transport contract).
 */
const SKIP = process.env.REDIS_URL ? undefined : 'REDIS_URL is not set; the multi-process topology needs Redis Streams';
if (SKIP) process.stdout.write(`[distributed e2e] skipped: ${SKIP}\n`);

const SERVICES = [
  ['catalog', 'catalog'],
  ['ingest', 'ingest'],
  ['sharing', 'sharing'],
  ['open-api', 'open'],
  ['audit', 'audit'],
] as const;

(SKIP ? describe.skip : describe)('distributed mode over Redis Streams', () => {
  let db: TestDatabase;
  const procs = new Map<string, Proc>();
  const urls = new Map<string, string>();
  let env: Record<string, string>;

  async function startService(name: string, prefix: string, extra: Record<string, string> = {}) {
    const port = await freePort();
    const p = startNode(`dist/services/${name}/main.js`, { ...env, PORT: String(port), ...extra });
    procs.set(name, p);
    urls.set(name, `http://127.0.0.1:${port}`);
    await waitHealthy(`http://127.0.0.1:${port}/api/${prefix}/health`, p, 60000);
  }

  beforeAll(async () => {
    db = await createTestDatabase('dist');
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      EVENT_TRANSPORT: 'redis',
      REDIS_URL: process.env.REDIS_URL!,
      REDIS_STREAM_PREFIX: `e2e:${randomBytes(4).toString('hex')}:`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      API_KEY_PEPPER: randomBytes(16).toString('hex'),
      OBJECT_DIR: join(await tempDir('govdata-dist-'), 'objects'),
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'true',
    };
    // Started together, as an orchestrator would: each migrates its own schema under a lock.
    await Promise.all(SERVICES.map(([name, prefix]) => startService(name, prefix)));
  }, 120000);

  afterAll(async () => {
    await Promise.all([...procs.values()].map((p) => stop(p)));
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(process.env.REDIS_URL!);
    const keys = await redis.keys(`${env.REDIS_STREAM_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db?.drop();
  }, 60000);

  it('each service runs as its own process with its own schema and health check', async () => {
    for (const [name, prefix] of SERVICES) {
      const r = await api<{ status: string; info: { events: { kind: string } } }>(urls.get(name)!, 'GET', `/api/${prefix}/health`);
      expect(r.status).toBe(200);
      expect(r.body.info.events.kind).toBe('redis');
    }
    const pids = new Set([...procs.values()].map((p) => p.child.pid));
    expect(pids.size).toBe(5);
  });

  it("the open records API is answered by its fast route on the service's own server", async () => {
    const path = '/api/open/v1/datasets/00000000-0000-4000-8000-000000000000/records?limit=1';
    const r = await fetch(`${urls.get('open-api')}${path}`, { headers: { 'x-correlation-id': 'dist-fast-route-1' } });
    // The router would reach the documentation-only controller method (500); the fast route looks the dataset up.
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.headers.get('x-correlation-id')).toBe('dist-fast-route-1');
    expect(((await r.json()) as { instance: string }).instance).toBe(path);
  });

  it('a department registered in catalog reaches sharing, open-api and audit once; a killed consumer catches up', async () => {
    const catalog = urls.get('catalog')!;
    const admin = await login(catalog, 'admin');
    // Kill the audit process first: its events must wait for it in its consumer group.
    const auditProc = procs.get('audit')!;
    auditProc.child.kill('SIGKILL');
    await auditProc.exited;

    const created = await api<{ id: string }>(catalog, 'POST', '/api/catalog/departments', {
      token: admin,
      body: { name: '示范市分布式测试局', code: 'dist', creditCode: demoCreditCode('420700', 555), regionCode: '420700', level: 'city' },
    });
    expect(created.status).toBe(201);
    const deptId = created.body.id;

    const op = await login(catalog, 'scjg_op');
    const inSharing = await poll(async () => {
      const r = await api<{ deptId: string }[]>(urls.get('sharing')!, 'GET', '/api/sharing/departments', { token: op });
      return r.body.some((d) => d.deptId === deptId) ? r.body : undefined;
    });
    expect(inSharing.filter((d) => d.deptId === deptId)).toHaveLength(1);
    const publishers = await poll(async () => {
      const r = await api<{ id: string }[]>(urls.get('open-api')!, 'GET', '/api/open/v1/publishers');
      return r.body.some((d) => d.id === deptId) ? r.body : undefined;
    });
    expect(publishers.filter((d) => d.id === deptId)).toHaveLength(1);

    await startService('audit', 'audit');
    const auditor = await login(catalog, 'auditor');
    const rows = await poll(async () => {
      const r = await api<{ eventId: string }[]>(urls.get('audit')!, 'GET', `/api/audit/records?objectId=${deptId}`, { token: auditor });
      return r.body.length ? r.body : undefined;
    }, 30000);
    expect(rows).toHaveLength(1);
    // Everything the seed emitted before the audit process was killed is there once, too. Topics are
    // separate streams, so the backlog of other topics may still be arriving: wait for it.
    const all = await poll(async () => {
      const r = await api<{ eventId: string }[]>(urls.get('audit')!, 'GET', '/api/audit/records?limit=1000', { token: auditor });
      return r.body.length > 40 ? r.body : undefined;
    }, 30000);
    expect(new Set(all.map((r) => r.eventId)).size).toBe(all.length);
  }, 90000);
});
