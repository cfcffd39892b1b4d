import { join } from 'node:path';
import { demoCreditCode } from '../../../services/catalog/src/demo/demo-city.seeder';
import { freePort, tempDir } from '../../../test/pg-server';
import { api, login, poll, Proc, startNode, stop, waitHealthy } from '../../../test/processes';

/**
 * The embedded process, killed with SIGKILL right after a state change committed and before its
 * event was published, loses nothing: after a restart the event is consumed exactly once in effect.
 */
const SERVICES = ['catalog', 'ingest', 'sharing', 'open', 'audit'];
let dataDir: string;
let env: Record<string, string>;
let base: string;
let proc: Proc | undefined;

async function boot(extra: Record<string, string> = {}): Promise<Proc> {
  const p = startNode('dist/apps/embedded/main.js', { ...env, ...extra });
  for (const s of SERVICES) await waitHealthy(`${base}/api/${s}/health`, p, 90000);
  return p;
}

beforeAll(async () => {
  dataDir = join(await tempDir('govdata-e2e-'), 'data');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { PORT: String(port), PG_PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', SEED_DEMO: 'true' };
});

afterAll(async () => {
  if (proc) await stop(proc, 'SIGTERM');
});

type AuditRow = { eventId: string; eventName: string };

it('boots all five services with health checks green and docs served', async () => {
  const started = Date.now();
  proc = await boot();
  process.stdout.write(`[crash e2e] first start (initdb + migrations + demo seed) ready in ${Date.now() - started} ms\n`);
  expect(proc.output()).toContain('/api/docs');
  expect((await fetch(`${base}/api/docs`)).status).toBe(200);
  await stop(proc, 'SIGTERM');
  expect(proc.child.exitCode).toBe(0);
}, 120000);

it('SIGKILL after commit and before publish: the event is delivered after restart, exactly once', async () => {
  // The relay waits a minute, so the kill lands between the commit and the publish.
  proc = await boot({ OUTBOX_START_DELAY_MS: '60000' });
  const admin = await login(base, 'admin');
  const created = await api<{ id: string }>(base, 'POST', '/api/catalog/departments', {
    token: admin,
    body: { name: '示范市崩溃测试局', code: 'crash', creditCode: demoCreditCode('420700', 777), regionCode: '420700', level: 'city' },
  });
  expect(created.status).toBe(201);
  const deptId = created.body.id;
  proc.child.kill('SIGKILL');
  await proc.exited;

  const warmStart = Date.now();
  proc = await boot();
  process.stdout.write(`[crash e2e] restart after SIGKILL ready in ${Date.now() - warmStart} ms\n`);
  const auditor = await login(base, 'auditor');
  const rows = await poll(async () => {
    const r = await api<AuditRow[]>(base, 'GET', `/api/audit/records?objectId=${deptId}`, { token: auditor });
    return r.body.length ? r.body : undefined;
  });
  expect(rows).toHaveLength(1);
  expect(rows[0].eventName).toBe('org.department.registered');
  const op = await login(base, 'scjg_op');
  const dir = await poll(async () => {
    const r = await api<{ deptId: string }[]>(base, 'GET', '/api/sharing/departments', { token: op });
    return r.body.filter((d) => d.deptId === deptId).length ? r.body.filter((d) => d.deptId === deptId) : undefined;
  });
  expect(dir).toHaveLength(1);

  // Kill again after consumption and restart: redelivery (if any) must not duplicate the effect.
  proc.child.kill('SIGKILL');
  await proc.exited;
  proc = await boot();
  await new Promise((r) => setTimeout(r, 1500));
  const again = await api<AuditRow[]>(base, 'GET', `/api/audit/records?objectId=${deptId}`, { token: await login(base, 'auditor') });
  expect(again.body).toHaveLength(1);
  const all = await api<AuditRow[]>(base, 'GET', `/api/audit/records?limit=1000`, { token: await login(base, 'auditor') });
  expect(new Set(all.body.map((r) => r.eventId)).size).toBe(all.body.length);
}, 240000);
