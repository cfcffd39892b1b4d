import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { organizationCodeCheckChar, usccCheckChar } from '@gov/shared';
import iconv from 'iconv-lite';
import { SourceError } from '../../pipeline/contracts';
import { DatasetRules, InThreadRows, LoadRows } from '../load-rows';
import { WorkerRows } from './worker-rows';

/** The parse worker gives the bytes, rejects, counts and reports of the in-thread load, and its errors. */
const RULES = {
  items: [
    { name: '统一社会信用代码', dataType: 'C', length: 18 },
    { name: '企业名称', dataType: 'C', length: 100 },
    { name: '法定代表人', dataType: 'C', length: 50 },
    { name: '手机号码', dataType: 'C', length: 11 },
    { name: '成立日期', dataType: 'D' },
    { name: '注册资本', dataType: 'Y', length: 20 },
  ],
  settings: { keys: ['统一社会信用代码'] },
} as unknown as DatasetRules;

/** A valid 统一社会信用代码 per index (the 组织机构代码 inside it is valid too). */
function uscc(i: number): string {
  const org = String(7350000 + i).padStart(8, '0');
  const first17 = `91350100${org}${organizationCodeCheckChar(org)}`;
  return first17 + usccCheckChar(first17);
}
const HEADER = '统一社会信用代码,企业名称,法定代表人,手机号码,成立日期,注册资本';

function csvText(rows: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const key = uscc(i);
    if (i % 97 === 5) lines.push(`${key},"示范,科技${i}",张三,1380013${String(i % 10000).padStart(4, '0')},2020-01-05,${i}`);
    else if (i % 101 === 7) lines.push(`${key},企业${i},李四,12345,2020-02-30,壹佰万元`);
    else if (i % 103 === 9) lines.push(`${key},只有三列,王五`);
    else if (i % 107 === 11) lines.push(`${uscc(0)},重复${i},赵六,13800138000,2021-03-01,100`);
    else lines.push(`${key},企业${i},法人${i},13800138000,2021/3/${(i % 28) + 1},${i * 100}`);
  }
  return lines.join('\r\n') + '\r\n';
}

/** The bytes as the upload spool hands them out: 1 MB reads cut into 64 KB slices. */
async function* spooled(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 1024 * 1024) {
    const batch = Buffer.allocUnsafe(Math.min(1024 * 1024, bytes.length - at));
    bytes.copy(batch, 0, at);
    for (let from = 0; from < batch.length; from += 64 * 1024) yield batch.subarray(from, Math.min(from + 64 * 1024, batch.length));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parse-worker-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  columns: unknown;
  keyColumns: number[];
  format: string;
  encoding?: string;
  copy: Buffer;
  outcome: unknown;
  rejects: Buffer;
  quality: unknown;
  progress: unknown;
}

async function load(mode: 'worker' | 'thread', bytes: Buffer, name: string): Promise<Result> {
  const rejectPath = join(dir, `${name}-${mode}.csv`);
  const file = { bytes: spooled(bytes), fileName: `${name}.csv` };
  const rows: LoadRows = mode === 'worker' ? await WorkerRows.start(RULES, file, rejectPath) : await InThreadRows.open(RULES, file, rejectPath);
  try {
    const progress = { rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
    const parts: Buffer[] = [];
    for await (const text of rows.copyText(progress)) parts.push(Buffer.from(text));
    const outcome = await rows.finish();
    const { timeliness: _clock, ...quality } = (await rows.quality({ previous: null, comparison: null, updateCycle: 'MONTHLY', version: 2 })) as unknown as Record<string, unknown>;
    await rows.close();
    return { columns: rows.columns, keyColumns: rows.keyColumns, format: rows.format, encoding: rows.encoding, copy: Buffer.concat(parts), outcome, rejects: await readFile(rejectPath), quality, progress };
  } finally {
    await rows.close();
  }
}

async function failure(mode: 'worker' | 'thread', bytes: AsyncIterable<Buffer>, rules = RULES): Promise<unknown> {
  const rejectPath = join(dir, `fail-${mode}.csv`);
  let rows: LoadRows | undefined;
  try {
    rows = mode === 'worker' ? await WorkerRows.start(rules, { bytes, fileName: 'x.csv' }, rejectPath) : await InThreadRows.open(rules, { bytes, fileName: 'x.csv' }, rejectPath);
    for await (const _ of rows.copyText({ rowsRead: 0, rowsRejected: 0, bytesRead: 0 }));
    await rows.finish();
    return 'no error';
  } catch (err) {
    return err instanceof SourceError ? { code: err.code, zh: err.zh } : (err as Error).message;
  } finally {
    await rows?.close();
  }
}

it.each([
  ['UTF-8', (t: string) => Buffer.from(t, 'utf8')],
  ['GBK', (t: string) => iconv.encode(t, 'gbk')],
])('gives what the in-thread load gives (%s, several MB: input and output both wait for the other side)', async (label, encode) => {
  const bytes = encode(csvText(60_000));
  expect(bytes.length).toBeGreaterThan(3 * 1024 * 1024);
  const [worker, thread] = [await load('worker', bytes, label), await load('thread', bytes, label)];
  expect((worker.outcome as { rejectedRows: number }).rejectedRows).toBeGreaterThan(1000);
  expect(worker.copy.length).toBeGreaterThan(1024 * 1024);
  expect(worker.copy.equals(thread.copy)).toBe(true);
  expect(worker.rejects.equals(thread.rejects)).toBe(true);
  expect({ ...worker, copy: undefined, rejects: undefined }).toEqual({ ...thread, copy: undefined, rejects: undefined });
}, 60_000);

it.each([
  ['an empty file', Buffer.alloc(0)],
  ['a PDF', Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n', 'latin1')],
  ['a header that does not feed the items', Buffer.from('名称,地址\r\n甲,乙\r\n')],
  ['a header whose quote never closes', Buffer.from('"统一社会信用代码,企业名称\r\n1,2\r\n')],
  ['a binary file', Buffer.from([1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0, 0, 7])],
])('fails with the in-thread code and message on %s', async (_label, bytes) => {
  const thread = await failure('thread', spooled(bytes));
  expect(thread).toHaveProperty('code');
  expect(await failure('worker', spooled(bytes))).toEqual(thread);
});

it('fails with the source error when the bytes stop coming (an upload cut off)', async () => {
  async function* cut(): AsyncGenerator<Buffer> {
    yield* spooled(Buffer.from(csvText(20_000)));
    throw new SourceError('UPLOAD_INCOMPLETE', '文件没有完整上传（连接中断），请重新上传', 'The upload did not complete');
  }
  expect(await failure('worker', cut())).toEqual({ code: 'UPLOAD_INCOMPLETE', zh: '文件没有完整上传（连接中断），请重新上传' });
});

it('fails the load when the worker dies', async () => {
  const rows = await WorkerRows.start(RULES, { bytes: spooled(Buffer.from(csvText(60_000))), fileName: 'x.csv' }, join(dir, 'crash.csv'));
  try {
    const read = (async () => {
      for await (const _ of rows.copyText({ rowsRead: 0, rowsRejected: 0, bytesRead: 0 }));
    })();
    await (rows as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(read).rejects.toThrow(/parse worker ended/);
  } finally {
    await rows.close();
  }
});
