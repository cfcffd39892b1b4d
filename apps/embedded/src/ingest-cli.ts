/**
 * `npm run ingest -- <file> --dataset <id>`: uploads a data file to a dataset of a running
 * platform through a resumable upload session (chunks; after a network error it asks the server
 * how much arrived and goes on from there), then follows the load over server-sent events and
 * draws a progress bar on stderr. Exit code 0 when the new version is current, 1 when the upload
 * or the load failed (the reason in Chinese and English), 2 for a usage error.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
const DEMO_USER = 'scjg_op';
const DEMO_PASSWORD = 'Demo@2026';
const BAR_WIDTH = 30;

export const USAGE = `用法 Usage: npm run ingest -- <文件 file> --dataset <数据集ID dataset id> [选项 options]

把数据文件（CSV、XLSX、JSON、NDJSON）报送到数据集：分片断点续传上传，然后显示归集进度。
Uploads a data file to a dataset in resumable chunks, then shows the load's progress.

选项 Options:
  --dataset <id>      数据集 ID（必填） / the dataset's id (required)
  --url <url>         平台地址 / platform URL (default ${DEFAULT_URL}, or GOVDATA_URL)
  --user <name>       账号 / user name (default GOVDATA_USER, else the demo account ${DEMO_USER})
  --password <pw>     密码 / password (default GOVDATA_PASSWORD, else the demo password)
  --chunk-size <n>    分片大小（字节） / chunk size in bytes (default ${DEFAULT_CHUNK_BYTES})
  -h, --help          显示本帮助 / show this help

退出码 Exit codes: 0 成功 success · 1 上传或归集失败 upload or load failed · 2 用法错误 usage error`;

export interface IngestCliOptions {
  file: string;
  dataset: string;
  url: string;
  user: string;
  password: string;
  chunkSize: number;
  /** No account was given: the demo account is used (and a notice printed). */
  demoAccount: boolean;
}

/** A failure the user reads: both languages, and the platform's code when there is one. */
export class CliError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly code?: string,
    readonly exitCode = 1,
  ) {
    super(en);
  }

  render(): string {
    return `错误${this.code ? ` [${this.code}]` : ''}：${this.zh}\nError${this.code ? ` [${this.code}]` : ''}: ${this.en}`;
  }
}

const usageError = (zh: string, en: string) => new CliError(`${zh}（--help 查看用法）`, `${en} (see --help)`, undefined, 2);

/** Parses the command line; `null` means help was asked for. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): IngestCliOptions | null {
  const values: Record<string, string> = {};
  const files: string[] = [];
  const withValue = new Set(['dataset', 'url', 'user', 'password', 'chunk-size']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return null;
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!withValue.has(name)) throw usageError(`未知选项 ${arg}`, `Unknown option ${arg}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw usageError(`选项 --${name} 缺少取值`, `Option --${name} needs a value`);
      values[name] = value;
    } else files.push(arg);
  }
  if (files.length === 0) throw usageError('请指定要报送的文件', 'Name the file to upload');
  if (files.length > 1) throw usageError(`一次只能报送一个文件：${files.join(' ')}`, `One file at a time: ${files.join(' ')}`);
  if (!values.dataset) throw usageError('请用 --dataset 指定数据集 ID', 'Name the dataset with --dataset <id>');
  const url = (values.url ?? env.GOVDATA_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(url)) throw usageError(`平台地址无效：${url}`, `Not an http(s) URL: ${url}`);
  const chunkSize = values['chunk-size'] === undefined ? DEFAULT_CHUNK_BYTES : Number(values['chunk-size']);
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > 64 * 1024 * 1024)
    throw usageError('分片大小应为 1 到 67108864 之间的整数（字节）', '--chunk-size must be an integer from 1 to 67108864 bytes');
  const user = values.user ?? env.GOVDATA_USER;
  const password = values.password ?? env.GOVDATA_PASSWORD;
  const demoAccount = !user;
  if (user && !password) throw usageError(`请提供账号 ${user} 的密码（--password 或 GOVDATA_PASSWORD）`, `Give the password of ${user} (--password or GOVDATA_PASSWORD)`);
  return { file: files[0], dataset: values.dataset, url, user: user || DEMO_USER, password: demoAccount ? DEMO_PASSWORD : password!, chunkSize, demoAccount };
}

/** `[#########---------------------]  30%` */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const thousands = (n: number) => n.toLocaleString('en-US');

export interface SseEvent {
  event: string;
  data: string;
}

/** Splits a server-sent event stream into events, as text arrives in arbitrary pieces. */
export class SseParser {
  private buffer = '';

  push(text: string): SseEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}

/** The job as GET /api/ingest/jobs/:id and its events give it (the fields the CLI shows). */
export interface JobProgress {
  id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  version: number | null;
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
  bytesTotal: number | null;
  percent: number | null;
  error: { code: string; zh: string; en: string } | null;
}

export function uploadLine(sent: number, total: number): string {
  return `上传 Upload ${progressBar(total > 0 ? sent / total : 1)} ${formatBytes(sent)} / ${formatBytes(total)}`;
}

export function jobLine(job: JobProgress): string {
  const state = { queued: '排队中 queued', running: '归集中 loading', succeeded: '完成 done', failed: '失败 failed' }[job.state] ?? job.state;
  const fraction = job.percent != null ? job.percent / 100 : 0;
  return `归集 Load   ${progressBar(fraction)} 已读 rows read ${thousands(job.rowsRead)} · 问题行 rejected ${thousands(job.rowsRejected)} · ${state}`;
}

/** Progress on stderr: redrawn in place on a terminal, a line per step in a log. */
export class ProgressDisplay {
  private lastLine = '';
  private lastPrinted = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly minIntervalMs = 1000,
  ) {}

  /** `force`: a step worth its own line in a log (the first and last of a phase, a new state). */
  show(line: string, force = false): void {
    if (line === this.lastLine) return;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      const now = Date.now();
      if (!force && now - this.lastPrinted < this.minIntervalMs) return;
      this.out.write(`${line}\n`);
      this.lastPrinted = now;
    }
    this.lastLine = line;
  }

  /** Ends an in-place line before other output. */
  break(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
    this.lastLine = '';
  }
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A network failure (no answer), as opposed to an answer with an error status. */
class NetworkError extends Error {}

/** HTTP calls to the platform with a bearer token; logs in again when the token expires (10 minutes). */
export class PlatformClient {
  private token?: string;

  constructor(
    private readonly base: string,
    private readonly user: string,
    private readonly password: string,
  ) {}

  async login(): Promise<void> {
    const res = await this.raw('POST', '/api/catalog/auth/login', { body: JSON.stringify({ username: this.user, password: this.password }), headers: { 'content-type': 'application/json' } }, false);
    if (res.status !== 200) throw await problemOf(res, { zh: `登录失败（账号 ${this.user}）`, en: `Login failed (user ${this.user})` });
    this.token = ((await res.json()) as { accessToken: string }).accessToken;
  }

  /** One request; a 401 logs in again and repeats it once. Network failures throw NetworkError. */
  async request(method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    let res = await this.raw(method, path, init, true);
    if (res.status === 401) {
      await res.body?.cancel().catch(() => undefined);
      await this.login();
      res = await this.raw(method, path, init, true);
    }
    return res;
  }

  private async raw(method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string>; signal?: AbortSignal }, auth: boolean): Promise<Response> {
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: { ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}), ...init.headers },
        body: init.body as never,
        signal: init.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(cause?.code ?? cause?.message ?? (err as Error).message);
    }
  }
}

/** The platform's problem answer (code, zh, en) as a CliError. */
async function problemOf(res: Response, context: { zh: string; en: string }): Promise<CliError> {
  const text = await res.text().catch(() => '');
  let body: { code?: string; message?: { zh?: string; en?: string }; detail?: string; title?: string } = {};
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const zh = body.message?.zh ?? body.detail;
  const en = body.message?.en ?? body.title;
  return new CliError(zh ? `${context.zh}：${zh}` : `${context.zh}（HTTP ${res.status}）`, en ? `${context.en}: ${en}` : `${context.en} (HTTP ${res.status})`, body.code);
}

interface UploadSession {
  id: string;
  size: number;
  offset: number;
  status: 'open' | 'complete' | 'aborted';
  jobId: string | null;
}

export interface UploadOptions {
  chunkSize: number;
  /** Attempts in a row without progress before giving up. */
  maxRetries?: number;
  retryDelayMs?: number;
  onProgress?: (sent: number, total: number) => void;
  onRetry?: (attempt: number, reason: string, offset: number) => void;
}

/** Uploads the file through a resumable session; returns the session once complete (with the job id). */
export async function uploadResumable(client: PlatformClient, datasetId: string, path: string, opts: UploadOptions): Promise<UploadSession> {
  const size = (await stat(path)).size;
  if (size === 0) throw new CliError('文件为空', 'The file is empty', 'EMPTY_FILE');
  const maxRetries = opts.maxRetries ?? 8;
  const retryDelayMs = opts.retryDelayMs ?? 1000;
  const fileName = basename(path);
  const opened = await client.request('POST', `/api/ingest/datasets/${encodeURIComponent(datasetId)}/upload-sessions`, {
    body: JSON.stringify({ fileName, size }),
    headers: { 'content-type': 'application/json' },
  });
  if (opened.status !== 201) throw await problemOf(opened, { zh: '无法创建上传会话', en: 'Could not open an upload session' });
  let session = (await opened.json()) as UploadSession;
  const handle = await open(path, 'r');
  try {
    let offset = session.offset;
    let failures = 0;
    opts.onProgress?.(offset, size);
    while (session.status === 'open') {
      const length = Math.min(opts.chunkSize, size - offset);
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await handle.read(chunk, 0, length, offset);
      if (bytesRead !== length) throw new CliError('上传过程中文件被修改', 'The file changed during the upload');
      let reason: string;
      try {
        const res = await client.request('PATCH', `/api/ingest/upload-sessions/${session.id}`, {
          body: chunk,
          headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
        });
        if (res.status === 200) {
          session = (await res.json()) as UploadSession;
          offset = session.offset;
          failures = 0;
          opts.onProgress?.(offset, size);
          continue;
        }
        if (res.status === 409) {
          // The server has a different offset (a chunk arrived whose answer was lost): go on from its offset.
          const problem = (await res.json().catch(() => ({}))) as { code?: string; offset?: number; message?: { zh: string; en: string } };
          if (problem.code === 'UPLOAD_OFFSET_MISMATCH' && typeof problem.offset === 'number' && problem.offset >= 0) {
            offset = problem.offset;
            opts.onProgress?.(offset, size);
            continue;
          }
          throw new CliError(`上传失败：${problem.message?.zh ?? 'HTTP 409'}`, `Upload failed: ${problem.message?.en ?? 'HTTP 409'}`, problem.code);
        }
        if (res.status < 500 && res.status !== 408 && res.status !== 429) throw await problemOf(res, { zh: '上传失败', en: 'Upload failed' });
        reason = `HTTP ${res.status}`;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        reason = err.message;
      }
      // No answer (or a server error): wait, ask the server how much arrived, go on from there.
      if (++failures > maxRetries) throw new CliError(`网络错误，已重试 ${maxRetries} 次仍失败：${reason}`, `Network error, still failing after ${maxRetries} retries: ${reason}`, 'NETWORK_ERROR');
      opts.onRetry?.(failures, reason, offset);
      await sleep(Math.min(retryDelayMs * 2 ** (failures - 1), 30_000));
      const resumed = await serverOffset(client, session.id).catch((e) => (e instanceof NetworkError ? undefined : Promise.reject(e)));
      if (resumed !== undefined) {
        offset = resumed.offset;
        if (resumed.status !== 'open') session = resumed;
        opts.onProgress?.(offset, size);
      }
    }
    if (session.status !== 'complete' || !session.jobId) throw new CliError('上传会话已取消', 'The upload session was aborted', 'UPLOAD_SESSION_CLOSED');
    return session;
  } finally {
    await handle.close();
  }
}

/** HEAD tells how many bytes arrived; a closed session is read in full (it has the job id). */
async function serverOffset(client: PlatformClient, sessionId: string): Promise<UploadSession> {
  const head = await client.request('HEAD', `/api/ingest/upload-sessions/${sessionId}`);
  if (head.status !== 200) throw await problemOf(head, { zh: '无法查询上传进度', en: 'Could not read the upload offset' });
  const offset = Number(head.headers.get('upload-offset'));
  const size = Number(head.headers.get('upload-length'));
  if (offset < size) return { id: sessionId, size, offset, status: 'open', jobId: null };
  const res = await client.request('GET', `/api/ingest/upload-sessions/${sessionId}`);
  if (res.status !== 200) throw await problemOf(res, { zh: '无法查询上传会话', en: 'Could not read the upload session' });
  return (await res.json()) as UploadSession;
}

/** Follows the job over server-sent events until it ends (reconnecting when the stream drops). */
export async function followJob(client: PlatformClient, jobId: string, onProgress: (job: JobProgress) => void, opts: { maxRetries?: number; retryDelayMs?: number } = {}): Promise<JobProgress> {
  const maxRetries = opts.maxRetries ?? 8;
  let failures = 0;
  for (;;) {
    try {
      const res = await client.request('GET', `/api/ingest/jobs/${jobId}/events`, { headers: { accept: 'text/event-stream' } });
      if (res.status !== 200 || !res.body) throw await problemOf(res, { zh: '无法获取归集进度', en: 'Could not follow the job' });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const e of parser.push(decoder.decode(piece, { stream: true }))) {
          const job = JSON.parse(e.data) as JobProgress;
          failures = 0;
          onProgress(job);
          if (e.event === 'done' || job.state === 'succeeded' || job.state === 'failed') return job;
        }
      }
      // The stream ended without `done`: reconnect.
    } catch (err) {
      const network = err instanceof NetworkError || (err instanceof TypeError && /terminated|fetch failed/i.test(err.message));
      if (!network) throw err;
      if (++failures > maxRetries) throw new CliError(`网络错误，无法获取归集进度：${(err as Error).message}`, `Network error while following the job: ${(err as Error).message}`, 'NETWORK_ERROR');
    }
    await sleep(Math.min((opts.retryDelayMs ?? 1000) * 2 ** Math.max(failures - 1, 0), 30_000));
  }
}

/** The whole command; returns the exit code. */
export async function runIngestCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let options: IngestCliOptions | null;
  try {
    options = parseArgs(argv, env);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`${err.render()}\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (!options) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const display = new ProgressDisplay(io.stderr);
  try {
    const size = await stat(options.file).then(
      (s) => {
        if (!s.isFile()) throw new CliError(`不是文件：${options!.file}`, `Not a file: ${options!.file}`);
        return s.size;
      },
      () => {
        throw new CliError(`文件不存在或无法读取：${options!.file}`, `Cannot read the file: ${options!.file}`, undefined, 2);
      },
    );
    if (options.demoAccount)
      io.stderr.write(`提示：未指定账号，使用演示账号 ${DEMO_USER}（可用 --user/--password 或 GOVDATA_USER/GOVDATA_PASSWORD 指定）\nNote: no account given, using the demo account ${DEMO_USER} (set --user/--password or GOVDATA_USER/GOVDATA_PASSWORD)\n`);
    const client = new PlatformClient(options.url, options.user, options.password);
    try {
      await client.login();
    } catch (err) {
      if (err instanceof NetworkError) throw new CliError(`无法连接平台 ${options.url}：${err.message}`, `Cannot reach the platform at ${options.url}: ${err.message}`, 'NETWORK_ERROR');
      throw err;
    }
    io.stderr.write(`报送 Uploading ${basename(options.file)} (${formatBytes(size)}) → 数据集 dataset ${options.dataset}\n`);
    const session = await uploadResumable(client, options.dataset, options.file, {
      chunkSize: options.chunkSize,
      onProgress: (sent, total) => display.show(uploadLine(sent, total), sent === 0 || sent >= total),
      onRetry: (attempt, reason, offset) => {
        display.break();
        io.stderr.write(`网络错误，第 ${attempt} 次重试，从服务器已收到的位置续传 / network error (${reason}), retry ${attempt}: resuming from the server's offset (last known ${formatBytes(offset)})\n`);
      },
    });
    display.break();
    io.stderr.write(`上传完成，归集任务 Upload complete, job ${session.jobId}\n`);
    let lastState = '';
    const job = await followJob(client, session.jobId!, (j) => {
      // A new state is always shown; within one, a log gets a line a second at most.
      display.show(jobLine(j), j.state !== lastState || j.state === 'succeeded' || j.state === 'failed');
      lastState = j.state;
    });
    display.break();
    if (job.state === 'failed') {
      const e = job.error ?? { code: 'LOAD_FAILED', zh: '归集失败', en: 'The load failed' };
      throw new CliError(`归集失败：${e.zh}`, `The load failed: ${e.en}`, e.code);
    }
    const loaded = job.rowsRead - job.rowsRejected;
    io.stdout.write(
      `归集完成：版本 v${job.version} 已生效，入库 ${thousands(loaded)} 行，问题行 ${thousands(job.rowsRejected)} 行\n` +
        `Loaded: version ${job.version} is current, ${thousands(loaded)} rows loaded, ${thousands(job.rowsRejected)} rejected${job.rowsRejected > 0 ? ` (reject file: GET /api/ingest/datasets/${options.dataset}/versions/${job.version}/rejects)` : ''}\n`,
    );
    return 0;
  } catch (err) {
    display.break();
    if (err instanceof CliError) {
      io.stderr.write(`${err.render()}\n`);
      return err.exitCode;
    }
    if (err instanceof NetworkError) {
      io.stderr.write(`${new CliError(`网络错误：${err.message}`, `Network error: ${err.message}`, 'NETWORK_ERROR').render()}\n`);
      return 1;
    }
    io.stderr.write(`${new CliError(`意外错误：${(err as Error).message}`, `Unexpected error: ${(err as Error).stack ?? err}`).render()}\n`);
    return 1;
  }
}

if (require.main === module) {
  void runIngestCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
