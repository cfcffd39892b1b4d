import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, Server } from 'node:http';
import { join } from 'node:path';
import { demoCreditCode } from '../../../services/catalog/src/demo/demo-city.seeder';
import { freePort, tempDir } from '../../../test/pg-server';
import { login, poll, Proc, REPO, requireBuilt, startNode, stop, waitHealthy } from '../../../test/processes';
import { createTestDatabase, TestDatabase } from '../../../test/test-database';

/**
 * The ingest CLI (`npm run ingest -- <file> --dataset <id>`, built as dist/apps/embedded/ingest-cli.js)
 * against the started embedded process: it uploads in resumable chunks, draws its progress on
 * stderr, and exits 0 with the loaded version, or non-zero with the reason in Chinese and English.
 * Between the CLI and the platform a proxy cuts two chunk uploads, one before the platform got it
 * and one after (the answer is lost), so the CLI has to resume from HEAD's Upload-Offset.
 */
const SERVICES = ['catalog', 'ingest', 'sharing', 'open', 'audit'];
const CLI = 'dist/apps/embedded/ingest-cli.js';
const CHUNK = 64 * 1024;

let base: string;
let proxyUrl: string;
let proc: Proc | undefined;
let testDb: TestDatabase | undefined;
let proxy: Server | undefined;
let dir: string;
let datasetId: string;
/** PATCH requests through the proxy, and what it does to them (1-based). */
const proxied = { patches: 0, cutBefore: new Set<number>(), cutAfter: new Set<number>() };

const log = (m: string) => process.stdout.write(`[ingest cli e2e] ${m}\n`);

async function call<T = any>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Forwards to the platform; PATCH number n is cut before forwarding (cutBefore) or after the platform answered (cutAfter). */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const n = req.method === 'PATCH' ? ++proxied.patches : 0;
    if (proxied.cutBefore.has(n)) {
      req.once('data', () => req.socket.destroy());
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (proxied.cutAfter.has(n)) {
        answer.resume();
        answer.once('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, GOVDATA_USER: undefined, GOVDATA_PASSWORD: undefined, GOVDATA_URL: undefined, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [requireBuilt(CLI), ...args], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function enterpriseCsv(rows: number, extra: string[] = []): string {
  const lines = ['统一社会信用代码,企业名称,法定代表人,成立日期,注册资本'];
  for (let i = 0; i < rows; i++) lines.push(`${demoCreditCode('420700', i)},示范市报送测试企业${i}有限责任公司,法人${i},2022-05-${String((i % 28) + 1).padStart(2, '0')},${i * 1000}`);
  return [...lines, ...extra].join('\r\n') + '\r\n';
}

beforeAll(async () => {
  requireBuilt(CLI);
  dir = await tempDir('govdata-e2e-ingest-cli-');
  testDb = await createTestDatabase('ingest_cli');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  proc = startNode('dist/apps/embedded/main.js', {
    PORT: String(port),
    PG_PORT: String(await freePort()),
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
    DATABASE_URL: testDb.url,
    SEED_DEMO: 'true',
  });
  for (const s of SERVICES) await waitHealthy(`${base}/api/${s}/health`, proc, 120_000);
  log(`embedded process ready in ${Date.now() - started} ms`);
  proxy = await startProxy(new URL(base));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

  // An entry of 市场监督管理局, published and approved: its dataset is what the CLI loads into.
  const [op, admin] = [await login(base, 'scjg_op'), await login(base, 'admin')];
  const systems = await call<{ id: string }[]>('GET', '/api/catalog/systems', op);
  const systemId = systems[0]?.id ?? (await call<{ id: string }>('POST', '/api/catalog/systems', op, { name: '归集测试业务系统' })).id;
  const draft = await call<{ id: string }>('POST', '/api/catalog/entries', op, {
    metadata: {
      classification: { classCode: '2', itemCode: '01', categoryCode: '001' },
      name: '企业登记信息（命令行报送）',
      abstract: '企业登记信息（命令行报送测试）',
      format: { classCode: '3', type: 'PostgreSQL' },
      items: [
        { name: '统一社会信用代码', dataType: 'C', length: 18 },
        { name: '企业名称', dataType: 'C', length: 100 },
        { name: '法定代表人', dataType: 'C', length: 50 },
        { name: '成立日期', dataType: 'D' },
        { name: '注册资本', dataType: 'Y', length: 20 },
      ],
      share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
      open: { type: 'UNCONDITIONAL' },
      updateCycle: 'MONTHLY',
      securityGrade: 'L1',
      domainCode: '01',
      systemId,
    },
  });
  await call('POST', `/api/catalog/entries/${draft.id}/submit`, op);
  await call('POST', `/api/catalog/entries/${draft.id}/approve`, admin, {});
  datasetId = (await poll(async () => (await call<{ id: string; entryId: string }[]>('GET', '/api/ingest/datasets', op)).find((d) => d.entryId === draft.id), 30_000)).id;
}, 180_000);

afterAll(async () => {
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  if (proc) await stop(proc, 'SIGTERM');
  await testDb?.drop().catch(() => undefined);
});

it('--help and usage errors', async () => {
  const help = await runCli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('npm run ingest -- <文件 file> --dataset');
  const missing = await runCli(['some.csv']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('请用 --dataset 指定数据集 ID');
  expect(missing.stderr).toContain('Name the dataset with --dataset <id>');
}, 30_000);

it('uploads in chunks through a flaky network, shows the progress and exits 0 with the version', async () => {
  const file = join(dir, '企业登记信息.csv');
  const content = enterpriseCsv(3000, ['91350203M0001QAY9B,校验位错误公司,李四,2020-01-01,1', '12345,编号错误公司,王五,2020-01-01,1']);
  await writeFile(file, content);
  const size = Buffer.byteLength(content);
  const chunks = Math.ceil(size / CHUNK);
  expect(chunks).toBeGreaterThanOrEqual(4);
  proxied.patches = 0;
  proxied.cutBefore = new Set([2]); // chunk 2 never arrives
  proxied.cutAfter = new Set([4]); // PATCH 4 (chunk 3) arrives, but its answer is lost

  const started = Date.now();
  const run = await runCli([file, '--dataset', datasetId, '--url', proxyUrl, '--chunk-size', String(CHUNK)]);
  log(`CLI finished in ${Date.now() - started} ms (exit ${run.code})\n--- stderr ---\n${run.stderr}--- stdout ---\n${run.stdout}`);
  expect(run.code).toBe(0);
  // The demo account, said so.
  expect(run.stderr).toContain('使用演示账号 scjg_op');
  expect(run.stderr).toContain('no account given, using the demo account scjg_op');
  // Two network errors, each resumed from the platform's offset; no chunk sent a third time.
  expect(run.stderr.match(/网络错误，第 \d 次重试/g)).toHaveLength(2);
  expect(proxied.patches).toBe(chunks + 1);
  // The bars: upload to 100 %, then the load with rows read and rejected.
  expect(run.stderr).toMatch(/上传 Upload \[#{30}\] 100%/);
  expect(run.stderr).toMatch(/归集 Load {3}\[#{30}\] 100% 已读 rows read 3,002 · 问题行 rejected 2 · 完成 done/);
  expect(run.stdout).toContain('归集完成：版本 v1 已生效，入库 3,000 行，问题行 2 行');
  expect(run.stdout).toContain('Loaded: version 1 is current, 3,000 rows loaded, 2 rejected');

  const op = await login(base, 'scjg_op');
  const [version] = await call<any[]>('GET', `/api/ingest/datasets/${datasetId}/versions`, op);
  expect(version).toMatchObject({ version: 1, status: 'current', rowCount: 3000, rejectedCount: 2, source: { kind: 'upload', fileName: '企业登记信息.csv', size } });
}, 120_000);

it('a failed load exits 1 with the reason in Chinese and English', async () => {
  const file = join(dir, '人员名单.csv');
  await writeFile(file, '姓名,年龄\r\n张三,18\r\n');
  proxied.cutBefore = new Set();
  proxied.cutAfter = new Set();
  const run = await runCli([file, '--dataset', datasetId, '--url', proxyUrl], { GOVDATA_USER: 'scjg_op', GOVDATA_PASSWORD: 'Demo@2026' });
  expect(run.code).toBe(1);
  expect(run.stderr).not.toContain('演示账号');
  expect(run.stderr).toContain('错误 [HEADER_UNMATCHED]：归集失败：第 1 列表头"姓名"不对应任何信息项');
  expect(run.stderr).toContain('Error [HEADER_UNMATCHED]: The load failed: header "姓名" (column 1) matches no data item');
  expect(run.stdout).toBe('');
  const op = await login(base, 'scjg_op');
  expect((await call<{ currentVersion: number }>('GET', `/api/ingest/datasets/${datasetId}`, op)).currentVersion).toBe(1);
}, 60_000);

it('a refusal by the platform (wrong password, unknown dataset) exits 1 with its message', async () => {
  const file = join(dir, '人员名单.csv');
  const wrong = await runCli([file, '--dataset', datasetId, '--url', base, '--user', 'scjg_op', '--password', 'not-the-password']);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/错误 \[\w+\]：登录失败（账号 scjg_op）：.+\nError \[\w+\]: Login failed \(user scjg_op\): .+/);
  const unknown = await runCli([file, '--dataset', '00000000-0000-4000-8000-000000000000', '--url', base]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('[DATASET_NOT_FOUND]');
  expect(unknown.stderr).toContain('数据集不存在或无权访问');
  expect(unknown.stderr).toContain('Dataset not found');
}, 60_000);
