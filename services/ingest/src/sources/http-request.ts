import { Agent, Dispatcher, request } from 'undici';
import { SourceError } from '../pipeline/contracts';
import { checkEndpointUrl, DEFAULT_HOST_POLICY, guardedLookup, HostPolicy } from './host-policy';
import { redactUrl } from './redact';
import { SourceErrors } from './source-errors';

/**
 * One HTTP exchange with a department endpoint under the platform's rules: host policy checked
 * on the URL, on every resolved address (at connect time) and on every redirect; one deadline
 * (AbortSignal.timeout) for connecting, the headers and the whole body; a byte limit counted as
 * the body streams; configured headers dropped on a redirect to another origin. Failures are
 * SourceErrors that name the endpoint by scheme, host and path only.
 */

export interface GuardedRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Bytes the body may have. */
  maxBytes: number;
  /** The limit a PULL_TOO_LARGE message names (default maxBytes). */
  reportedLimit?: number;
  policy?: HostPolicy;
  maxRedirects?: number;
}

export interface GuardedResponse {
  status: number;
  /** Lower-case media type without parameters, '' when absent. */
  mediaType: string;
  /** The charset parameter of Content-Type, lower case, when given. */
  charset?: string;
  /** Where the answer came from (after redirects). */
  url: URL;
  /** The body, counted against maxBytes and under the deadline; iterate once. */
  body: AsyncIterable<Buffer>;
  /** Releases the connection when the body will not be read to its end. */
  discard(): Promise<void>;
}

const agents = new WeakMap<HostPolicy, Agent>();

function agentFor(policy: HostPolicy): Agent {
  let agent = agents.get(policy);
  if (!agent) {
    // The deadline is the AbortSignal; the agent's own timeouts only back it up.
    agent = new Agent({ connect: { lookup: guardedLookup(policy), timeout: 60_000 }, keepAliveTimeout: 4_000 });
    agents.set(policy, agent);
  }
  return agent;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function guardedRequest(req: GuardedRequest): Promise<GuardedResponse> {
  const policy = req.policy ?? DEFAULT_HOST_POLICY;
  const signal = AbortSignal.timeout(req.timeoutMs);
  let url = checkEndpointUrl(req.url, policy);
  let method = req.method;
  let headers = req.headers;
  let body = req.body;
  const origin = url.origin;

  for (let hop = 0; ; hop++) {
    const where = redactUrl(url);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        headers: body !== undefined ? { 'content-type': 'application/json; charset=utf-8', ...headers } : headers,
        body,
        signal,
        dispatcher: agentFor(policy),
        maxRedirections: 0,
      });
    } catch (err) {
      throw requestError(err, where, req.timeoutMs, signal);
    }

    if (REDIRECTS.has(res.statusCode) && res.headers.location) {
      await res.body.dump().catch(() => undefined);
      if (hop >= (req.maxRedirects ?? 5)) throw SourceErrors.tooManyRedirects(redactUrl(req.url));
      let next: URL;
      try {
        next = new URL(String(res.headers.location), url);
      } catch {
        throw SourceErrors.badUrl(`bad redirect from ${where}`);
      }
      url = checkEndpointUrl(next, policy);
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      // Credentials configured for one origin are never sent to another.
      if (url.origin !== origin) headers = pickSafeHeaders(headers);
      continue;
    }

    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > req.maxBytes) {
      res.body.destroy();
      throw SourceErrors.tooLarge(where, req.reportedLimit ?? req.maxBytes);
    }
    const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
    const [mediaType, ...params] = contentType.split(';').map((s) => s.trim());
    const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
    const stream = res.body;
    // Destroying an unread body emits an abort error; it is expected and must not go unhandled.
    stream.on('error', () => undefined);
    return {
      status: res.statusCode,
      mediaType: mediaType ?? '',
      charset,
      url,
      body: limitedBody(stream, where, req.maxBytes, req.reportedLimit ?? req.maxBytes, req.timeoutMs, signal),
      discard: async () => {
        stream.destroy();
      },
    };
  }
}

async function* limitedBody(
  stream: AsyncIterable<Buffer> & { destroy(err?: Error): void },
  where: string,
  maxBytes: number,
  reportedLimit: number,
  timeoutMs: number,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  let seen = 0;
  try {
    for await (const chunk of stream) {
      seen += chunk.length;
      if (seen > maxBytes) throw SourceErrors.tooLarge(where, reportedLimit);
      yield chunk;
    }
  } catch (err) {
    throw requestError(err, where, timeoutMs, signal);
  } finally {
    stream.destroy();
  }
}

function pickSafeHeaders(headers: Record<string, string>): Record<string, string> {
  const safe = new Set(['accept', 'accept-language', 'user-agent']);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => safe.has(k.toLowerCase())));
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
};

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** Maps whatever undici, net or tls threw to a SourceError; never carries headers or the query string. */
export function requestError(err: unknown, where: string, timeoutMs: number, signal?: AbortSignal): SourceError {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SourceError) return e;
  }
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  const code = e?.code ?? e?.cause?.code;
  if (signal?.aborted || e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || (code && TIMEOUT_CODES.has(code)))
    return SourceErrors.timeout(where, timeoutMs);
  if (code && CONNECT_CODES[code]) return SourceErrors.connectFailed(where, CONNECT_CODES[code]);
  return SourceErrors.connectFailed(where, code ?? e?.name ?? 'request failed');
}
