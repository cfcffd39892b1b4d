/**
 * The one way the portal calls the platform: JSON in and out, bearer token from the session,
 * and every failure turned into an ApiError carrying the RFC 7807 problem (code, Chinese message,
 * field errors, correlation id) so pages can show what the server said, not a generic failure.
 */
export interface FieldProblem {
  field: string;
  zh: string;
  en?: string;
  code?: string;
  row?: number;
  column?: string;
  sheet?: string;
  header?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  message?: { zh: string; en: string };
  errors?: FieldProblem[];
  correlationId?: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message?.zh ?? problem.detail ?? problem.title ?? problem.code);
    this.name = 'ApiError';
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

const TOKEN_KEY = 'govdata.session';

let onUnauthenticated: (() => void) | undefined;
/** The auth provider registers how to react when the server says the session is gone. */
export function setUnauthenticatedHandler(fn: (() => void) | undefined): void {
  onUnauthenticated = fn;
}

export function storedSession<T>(): T | undefined {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function storeSession(value: unknown): void {
  if (value == null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, JSON.stringify(value));
}

function token(): string | undefined {
  return storedSession<{ accessToken: string }>()?.accessToken;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function toProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object' && body.code) return { ...body, status: body.status ?? res.status } as Problem;
  } catch {
    /* not JSON: fall through */
  }
  return {
    status: res.status,
    code: `HTTP_${res.status}`,
    message: { zh: `服务返回错误（HTTP ${res.status}）`, en: res.statusText || `HTTP ${res.status}` },
    detail: text.slice(0, 200),
  };
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Skip the bearer token (public endpoints). */
  anonymous?: boolean;
}

/** Raw call: returns the Response on 2xx, throws ApiError otherwise. */
export async function call(path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const t = opts.anonymous ? undefined : token();
  if (t) headers.authorization = `Bearer ${t}`;
  let body: BodyInit | undefined;
  if (opts.body instanceof Blob || opts.body instanceof ArrayBuffer || opts.body instanceof FormData) body = opts.body as BodyInit;
  else if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body, signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', message: { zh: '无法连接服务器，请检查网络后重试', en: 'Network error' } });
  }
  if (!res.ok) {
    const problem = await toProblem(res);
    if (res.status === 401 && t) onUnauthenticated?.();
    throw new ApiError(problem);
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await call(path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Downloads an authenticated file (template, reject file, export) under the server's file name. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await call(path, { headers: { accept: '*/*' } });
  const blob = await res.blob();
  const name = fileNameOf(res.headers.get('content-disposition')) ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain?.[1];
}

/**
 * Server-sent events over fetch (EventSource cannot send the bearer token). Calls `onEvent` for
 * each event until the stream ends or `signal` aborts.
 */
export async function streamEvents(path: string, onEvent: (event: string, data: string) => void, signal?: AbortSignal): Promise<void> {
  const res = await call(path, { headers: { accept: 'text/event-stream' }, signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      onEvent(event, data.join('\n'));
    }
  }
}
