import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CliError, DEFAULT_CHUNK_BYTES, DEFAULT_URL, formatBytes, jobLine, parseArgs, PlatformClient, progressBar, ProgressDisplay, runIngestCli, SseParser, uploadResumable } from './ingest-cli';

describe('parseArgs', () => {
  it('takes the file and --dataset, with defaults for the rest and the demo account', () => {
    expect(parseArgs(['a.csv', '--dataset', 'd1'])).toEqual({ file: 'a.csv', dataset: 'd1', url: DEFAULT_URL, user: 'scjg_op', password: 'Demo@2026', chunkSize: DEFAULT_CHUNK_BYTES, demoAccount: true });
  });

  it('reads the account and URL from the environment, options winning', () => {
    const env = { GOVDATA_USER: 'rsj_op', GOVDATA_PASSWORD: 'pw', GOVDATA_URL: 'http://gov:9000/' };
    expect(parseArgs(['--dataset=d1', 'a.csv'], env)).toMatchObject({ user: 'rsj_op', password: 'pw', url: 'http://gov:9000', demoAccount: false });
    expect(parseArgs(['a.csv', '--dataset', 'd1', '--user', 'x', '--password', 'y', '--url', 'https://h'], env)).toMatchObject({ user: 'x', password: 'y', url: 'https://h' });
  });

  it('help is null, whatever else is given', () => {
    expect(parseArgs(['--help'])).toBeNull();
    expect(parseArgs(['a.csv', '-h'])).toBeNull();
  });

  it.each([
    [[], '请指定要报送的文件'],
    [['a.csv'], '--dataset'],
    [['a.csv', 'b.csv', '--dataset', 'd'], '一次只能报送一个文件'],
    [['a.csv', '--dataset'], '缺少取值'],
    [['a.csv', '--dataset', '--url', 'x'], '缺少取值'],
    [['a.csv', '--dataset', 'd', '--force'], '未知选项'],
    [['a.csv', '--dataset', 'd', '--chunk-size', '0'], '分片大小'],
    [['a.csv', '--dataset', 'd', '--url', 'ftp://x'], '平台地址无效'],
    [['a.csv', '--dataset', 'd', '--user', 'someone'], '密码'],
  ])('%j is a usage error (exit 2)', (argv, zh) => {
    let error: unknown;
    try {
      parseArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).zh).toContain(zh);
    expect((error as CliError).render()).toMatch(/^错误：.*\nError: .*--help/s);
  });
});

describe('progress output', () => {
  it('draws a bar', () => {
    expect(progressBar(0, 10)).toBe('[----------]   0%');
    expect(progressBar(0.42, 10)).toBe('[####------]  42%');
    expect(progressBar(1, 10)).toBe('[##########] 100%');
    expect(progressBar(7, 10)).toBe('[##########] 100%');
    expect(progressBar(Number.NaN, 10)).toBe('[----------]   0%');
  });

  it('formats sizes and job progress', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(8 * 1024 * 1024), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '2.0 KB', '8.0 MB', '3.0 GB']);
    const line = jobLine({ id: 'j', state: 'running', version: 2, rowsRead: 123456, rowsRejected: 7, bytesRead: 1, bytesTotal: 2, percent: 50, error: null });
    expect(line).toContain('[###############---------------]  50%');
    expect(line).toContain('rows read 123,456');
    expect(line).toContain('rejected 7');
    expect(line).toContain('归集中');
  });

  it('redraws in place on a terminal, and writes a line a second at most to a log', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    tty.on('data', (d) => (text += d));
    const onTerminal = new ProgressDisplay(tty);
    onTerminal.show('a');
    onTerminal.show('b');
    onTerminal.break();
    expect(text).toBe('\r\x1b[2Ka\r\x1b[2Kb\n');

    const log = new PassThrough();
    let logged = '';
    log.on('data', (d) => (logged += d));
    const inLog = new ProgressDisplay(log, 60_000);
    inLog.show('first', true);
    inLog.show('throttled');
    inLog.show('last', true);
    inLog.show('last', true);
    expect(logged).toBe('first\nlast\n');
  });
});

describe('SseParser', () => {
  it('assembles events from pieces, CRLF or LF, ignoring comments', () => {
    const parser = new SseParser();
    expect(parser.push('event: progress\r\ndata: {"a"')).toEqual([]);
    expect(parser.push(':1}\r\n\r\n: keep-alive\n\nevent: done\ndata: x\ndata: y\n\n')).toEqual([
      { event: 'progress', data: '{"a":1}' },
      { event: 'done', data: 'x\ny' },
    ]);
    expect(parser.push('data: plain\n\n')).toEqual([{ event: 'message', data: 'plain' }]);
  });
});

describe('uploadResumable', () => {
  let dir: string;
  let fetchSpy: jest.SpyInstance;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-cli-'));
  });
  afterEach(async () => {
    fetchSpy?.mockRestore();
    await rm(dir, { recursive: true, force: true });
  });

  /** A fake platform with one upload session; `faults` decide what happens to each PATCH. */
  function fakePlatform(size: number, faults: ('drop-request' | 'drop-answer' | 'ok')[]) {
    const state = { received: Buffer.alloc(0), patches: 0, heads: 0, logins: 0 };
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    const session = () => ({ id: 's1', size, offset: state.received.length, status: state.received.length === size ? 'complete' : 'open', jobId: state.received.length === size ? 'job1' : null });
    fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      if (url.endsWith('/auth/login')) {
        state.logins++;
        return json(200, { accessToken: `t${state.logins}` });
      }
      if (method === 'POST' && url.endsWith('/upload-sessions')) return json(201, session());
      if (method === 'HEAD') {
        state.heads++;
        return new Response(null, { status: 200, headers: { 'upload-offset': String(state.received.length), 'upload-length': String(size) } });
      }
      if (method === 'GET' && url.endsWith('/upload-sessions/s1')) return json(200, session());
      if (method === 'PATCH') {
        const fault = faults[state.patches++] ?? 'ok';
        if (fault === 'drop-request') throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        const offset = Number((init!.headers as Record<string, string>)['upload-offset']);
        if (offset !== state.received.length) return json(409, { code: 'UPLOAD_OFFSET_MISMATCH', offset: state.received.length });
        state.received = Buffer.concat([state.received, init!.body as Buffer]);
        if (fault === 'drop-answer') throw new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } });
        return json(200, session());
      }
      return json(404, { code: 'NOT_FOUND' });
    });
    return state;
  }

  it('sends the file in chunks and resumes from the server offset after network errors', async () => {
    const content = Buffer.from('统一社会信用代码,企业名称\n'.repeat(40));
    const path = join(dir, '企业.csv');
    await writeFile(path, content);
    const state = fakePlatform(content.length, ['ok', 'drop-request', 'drop-answer', 'ok']);
    const client = new PlatformClient('http://platform', 'u', 'p');
    await client.login();
    const retries: number[] = [];
    const progress: number[] = [];
    const session = await uploadResumable(client, 'd1', path, { chunkSize: 256, retryDelayMs: 1, onRetry: (_a, _r, offset) => retries.push(offset), onProgress: (sent) => progress.push(sent) });
    expect(session).toMatchObject({ status: 'complete', jobId: 'job1' });
    expect(state.received.equals(content)).toBe(true);
    // Chunk 2 was lost before the server had it (sent again), chunk 2's second try arrived but its
    // answer was lost: HEAD says 512, so chunk 3 follows without sending chunk 2 a third time.
    expect(state.heads).toBe(2);
    expect(retries).toEqual([256, 256]);
    expect(state.patches).toBe(Math.ceil(content.length / 256) + 1);
    expect(progress[progress.length - 1]).toBe(content.length);
  });

  it('gives up after too many failures in a row, saying so in both languages', async () => {
    const path = join(dir, 'a.csv');
    await writeFile(path, 'a,b\n1,2\n');
    fakePlatform(8, ['drop-request', 'drop-request', 'drop-request']);
    const client = new PlatformClient('http://platform', 'u', 'p');
    await expect(uploadResumable(client, 'd1', path, { chunkSize: 4, retryDelayMs: 1, maxRetries: 2 })).rejects.toMatchObject({ code: 'NETWORK_ERROR', zh: expect.stringContaining('网络错误'), en: expect.stringContaining('Network error') });
  });
});

describe('runIngestCli', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (d) => (out.stdout += d));
    stderr.on('data', (d) => (out.stderr += d));
    return { out, io: { stdout, stderr } };
  };

  it('prints help (exit 0) and usage errors (exit 2)', async () => {
    const help = io();
    expect(await runIngestCli(['--help'], {}, help.io)).toBe(0);
    expect(help.out.stdout).toContain('npm run ingest -- <文件 file> --dataset');
    const bad = io();
    expect(await runIngestCli(['x.csv'], {}, bad.io)).toBe(2);
    expect(bad.out.stderr).toMatch(/错误：请用 --dataset 指定数据集 ID.*\nError: Name the dataset/s);
  });

  it('refuses a missing file before logging in', async () => {
    const missing = io();
    expect(await runIngestCli(['/nonexistent/x.csv', '--dataset', 'd'], {}, missing.io)).toBe(2);
    expect(missing.out.stderr).toContain('文件不存在或无法读取');
  });
});
