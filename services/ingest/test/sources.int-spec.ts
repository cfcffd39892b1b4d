import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/test-database';
import { ParsedTable, SourceError, SourceRecord } from '../src/pipeline/contracts';
import {
  DbPullConfig,
  HttpPullConfig,
  LogicalAccessConfig,
  DEFAULT_HOST_POLICY,
  parseAllowedHosts,
  proxyRead,
  pullDatabase,
  pullHttp,
  sealSecret,
  openSecret,
  generateCredentialsKey,
} from '../src/sources';

/**
 * Interface pull, logical access and database pull against a local HTTP server (node:http on
 * port 0) and a PostgreSQL source table in a fresh database. MySQL/MariaDB: sources-mysql.int-spec.ts.
 */

const SECRET_TOKEN = 's3cr3t-token-value';
const SECRET_APPKEY = 'appkey-SECRET-42';
const LOCAL = parseAllowedHosts('127.0.0.1');

// ------------------------------------------------------------------------------------------
// the department's HTTP endpoint

interface Person {
  id: number | string;
  name: string;
  idNumber: string;
}

const PEOPLE: Person[] = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `人员${i + 1}`, idNumber: `11010119900307${String(1000 + i)}` }));
/** JSON body with idNumber written as a bare 18-digit number, which JSON.parse would round. */
const personJson = (p: Person) => `{"id":${p.id},"name":${JSON.stringify(p.name)},"idNumber":${p.idNumber}}`;

let server: Server;
let base: string;
const seen: { path: string; headers: IncomingMessage['headers']; body?: string }[] = [];

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url!, 'http://x');
  const q = url.searchParams;
  let body = '';
  for await (const c of req) body += c;
  seen.push({ path: url.pathname, headers: req.headers, body });
  const int = (name: string, dflt: number) => (q.has(name) ? Number(q.get(name)) : dflt);

  switch (url.pathname) {
    case '/json/paged': {
      if (req.headers.authorization !== `Bearer ${SECRET_TOKEN}` || q.get('appKey') !== SECRET_APPKEY) return send(res, 401, 'application/json', '{"code":401}');
      const page = int('pageNo', 1);
      const size = int('pageSize', 10);
      const slice = PEOPLE.slice((page - 1) * size, page * size);
      return send(res, 200, 'application/json;charset=utf-8', `{"code":0,"data":{"total":${PEOPLE.length},"records":[${slice.map(personJson).join(',')}]}}`);
    }
    case '/json/offset': {
      const slice = PEOPLE.slice(int('offset', 0), int('offset', 0) + int('limit', 10));
      return send(res, 200, 'application/json', `[${slice.map(personJson).join(',')}]`);
    }
    case '/json/cursor': {
      const from = q.get('cursor') ? Number(Buffer.from(q.get('cursor')!, 'base64url').toString()) : 0;
      const slice = PEOPLE.slice(from, from + 3);
      const next = from + 3 < PEOPLE.length ? JSON.stringify(Buffer.from(String(from + 3)).toString('base64url')) : 'null';
      return send(res, 200, 'application/json', `{"items":[${slice.map(personJson).join(',')}],"next":${next}}`);
    }
    case '/json/post': {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only');
      const args = JSON.parse(body) as { pageNum: number; pageSize: number; region: string };
      const slice = PEOPLE.slice((args.pageNum - 1) * args.pageSize, args.pageNum * args.pageSize);
      return send(res, 200, 'application/json', `{"rows":[${slice.map((p) => personJson({ ...p, name: `${args.region}-${p.name}` })).join(',')}]}`);
    }
    case '/json/filter': {
      const wanted = q.get('xm');
      const rows = PEOPLE.filter((p) => !wanted || p.name === wanted);
      const page = int('p', 1);
      const size = int('s', 10);
      return send(res, 200, 'application/json', `{"total":${rows.length},"list":[${rows.slice((page - 1) * size, page * size).map(personJson).join(',')}]}`);
    }
    case '/json/ignores-paging':
      return send(res, 200, 'application/json', `[${PEOPLE.slice(0, 3).map(personJson).join(',')}]`);
    case '/json/api-error':
      return send(res, 200, 'application/json', '{"code":500,"msg":"令牌已失效 token expired","data":null}');
    case '/json/object':
      return send(res, 200, 'application/json', '{"data":{"records":[]}}');
    case '/json/bad':
      return send(res, 200, 'application/json', '{"data": {"records": [1, 2');
    case '/json/html-as-json':
      return send(res, 200, 'application/json', '<html><body>Service Unavailable</body></html>');
    case '/ndjson':
      return send(res, 200, 'application/x-ndjson', PEOPLE.slice(0, 3).map(personJson).join('\n') + '\n');
    case '/csv/paged': {
      const page = int('page', 1);
      const size = int('size', 10);
      const slice = PEOPLE.slice((page - 1) * size, page * size);
      return send(res, 200, 'text/csv; charset=utf-8', ['编号,姓名,身份证号', ...slice.map((p) => `${p.id},"${p.name}",${p.idNumber}`)].join('\r\n') + '\r\n');
    }
    case '/csv/gbk': {
      // 名称,代码\n中文,007\n in GB18030
      const bytes = Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x2c, 0xb4, 0xfa, 0xc2, 0xeb, 0x0a, 0xd6, 0xd0, 0xce, 0xc4, 0x2c, 0x30, 0x30, 0x37, 0x0a]);
      return send(res, 200, 'text/csv; charset=GBK', bytes);
    }
    case '/csv/header-changes': {
      const page = int('page', 1);
      return send(res, 200, 'text/csv', page === 1 ? 'a,b\n1,2\n' : 'a,c\n3,4\n');
    }
    case '/slow':
      await new Promise((r) => setTimeout(r, 3000));
      return send(res, 200, 'application/json', '[]');
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"a":1},');
      await new Promise((r) => setTimeout(r, 3000));
      res.end('{"a":2}]');
      return;
    case '/html':
      return send(res, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>登录</title></head><body>请登录</body></html>');
    case '/html-untyped':
      res.writeHead(200);
      res.end('\n  <!doctype html>\n<html><body>Error 502</body></html>');
      return;
    case '/500':
      return send(res, 500, 'application/json', '{"error":"boom"}');
    case '/big':
      return send(res, 200, 'application/json', `[${Array.from({ length: 5000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(100)}"}`).join(',')}]`);
    case '/redirect-metadata':
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
      return;
    case '/redirect-other-origin':
      res.writeHead(302, { location: base.replace('127.0.0.1', 'localhost') + '/echo-headers' });
      res.end();
      return;
    case '/redirect-same-origin':
      res.writeHead(302, { location: '/echo-headers' });
      res.end();
      return;
    case '/echo-headers':
      return send(res, 200, 'application/json', JSON.stringify([{ authorization: req.headers.authorization ?? null, host: req.headers.host }]));
    default:
      return send(res, 404, 'text/plain', 'not found');
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function rowsOf(table: ParsedTable): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of table.records) out.push(r);
  return out;
}

async function failure(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return err as SourceError;
  }
  throw new Error('did not fail');
}

/** Pulls all records and answers the error the pull or the iteration failed with. */
async function pullFailure(config: HttpPullConfig, policy = LOCAL): Promise<SourceError> {
  return failure(pullHttp(config, { hostPolicy: policy }).then(rowsOf));
}

function expectNoSecrets(err: Error): void {
  const text = `${err.message} ${(err as SourceError).zh} ${(err as SourceError).en} ${err.stack}`;
  expect(text).not.toContain(SECRET_TOKEN);
  expect(text).not.toContain(SECRET_APPKEY);
}

// ------------------------------------------------------------------------------------------

describe('interface pull (pullHttp)', () => {
  it('pulls page after page as one table, with the auth header and appKey from sealed credentials', async () => {
    const key = generateCredentialsKey();
    const sealed = sealSecret({ headers: { Authorization: `Bearer ${SECRET_TOKEN}` }, query: { appKey: SECRET_APPKEY } }, key, 'source:1');
    const secret = openSecret<{ headers: Record<string, string>; query: Record<string, string> }>(sealed, key, 'source:1');
    seen.length = 0;
    const table = await pullHttp(
      {
        url: `${base}/json/paged`,
        headers: secret.headers,
        query: secret.query,
        format: 'json',
        recordsPath: 'data.records',
        successWhen: { path: 'code', equals: 0, messagePath: 'msg' },
        paging: { kind: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', size: 3 },
      },
      { hostPolicy: LOCAL },
    );
    expect(table.format).toBe('json');
    expect(table.header).toEqual(['id', 'name', 'idNumber']);
    const rows = await rowsOf(table);
    expect(rows.map((r) => r.values)).toEqual(PEOPLE.map((p) => [String(p.id), p.name, p.idNumber]));
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // the 18-digit number survived exactly, and raw is the record as received
    expect(rows[0].values[2]).toBe('110101199003071000');
    expect(rows[0].raw).toBe(personJson(PEOPLE[0]));
    // 3 + 3 + 1: the short third page ends the pull
    expect(table.pages()).toBe(3);
    expect(seen.map((s) => s.path)).toEqual(['/json/paged', '/json/paged', '/json/paged']);
    expect(table.bytes()).toBeGreaterThan(0);
  });

  it('pages by offset/limit and stops on an empty page', async () => {
    const table = await pullHttp(
      { url: `${base}/json/offset`, format: 'json', paging: { kind: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: 7 } },
      { hostPolicy: LOCAL },
    );
    expect((await rowsOf(table)).length).toBe(7);
    // 7 = limit: one more (empty) page is asked for
    expect(table.pages()).toBe(2);
  });

  it('pages by cursor until the cursor is null', async () => {
    const table = await pullHttp(
      { url: `${base}/json/cursor`, format: 'json', recordsPath: 'items', paging: { kind: 'cursor', cursorPath: 'next', cursorParam: 'cursor' } },
      { hostPolicy: LOCAL },
    );
    expect((await rowsOf(table)).map((r) => r.values[0])).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(table.pages()).toBe(3);
  });

  it('POSTs paging parameters in a JSON body', async () => {
    const table = await pullHttp(
      {
        url: `${base}/json/post`,
        method: 'POST',
        body: { region: '370100' },
        paramsIn: 'body',
        format: 'json',
        recordsPath: 'rows',
        paging: { kind: 'page', pageParam: 'pageNum', sizeParam: 'pageSize', size: 4 },
      },
      { hostPolicy: LOCAL },
    );
    const rows = await rowsOf(table);
    expect(rows).toHaveLength(7);
    expect(rows[6].values[1]).toBe('370100-人员7');
  });

  it('reads NDJSON', async () => {
    const table = await pullHttp({ url: `${base}/ndjson`, format: 'ndjson' }, { hostPolicy: LOCAL });
    expect(table.header).toEqual(['id', 'name', 'idNumber']);
    expect((await rowsOf(table)).map((r) => r.values[2])).toEqual(PEOPLE.slice(0, 3).map((p) => p.idNumber));
  });

  it('pulls paged CSV: the header of the first page, rows numbered on across pages', async () => {
    const table = await pullHttp(
      { url: `${base}/csv/paged`, format: 'csv', paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 4 } },
      { hostPolicy: LOCAL },
    );
    expect(table.header).toEqual(['编号', '姓名', '身份证号']);
    expect(table.delimiter).toBe(',');
    const rows = await rowsOf(table);
    expect(rows.map((r) => r.values)).toEqual(PEOPLE.map((p) => [String(p.id), p.name, p.idNumber]));
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(table.pages()).toBe(2);
  });

  it('decodes a CSV the server declares as GBK', async () => {
    const table = await pullHttp({ url: `${base}/csv/gbk`, format: 'csv' }, { hostPolicy: LOCAL });
    expect(table.header).toEqual(['名称', '代码']);
    expect(table.encoding).toBe('gb18030');
    expect((await rowsOf(table)).map((r) => r.values)).toEqual([['中文', '007']]);
  });

  it('takes an injected CSV parser (the parsing module plugs in here)', async () => {
    let called = 0;
    const table = await pullHttp(
      { url: `${base}/csv/paged`, format: 'csv', paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 4 } },
      {
        hostPolicy: LOCAL,
        parseCsv: async (body, hints) => {
          called++;
          expect(hints).toEqual({ encoding: 'utf-8' });
          const { readCsvLite } = await import('../src/sources/csv-lite');
          const t = await readCsvLite(body);
          return { ...t, encoding: 'injected' };
        },
      },
    );
    expect(table.encoding).toBe('injected');
    expect(await rowsOf(table)).toHaveLength(7);
    expect(called).toBe(2);
  });

  describe('bad input: each a clear job error', () => {
    it('PULL_TIMEOUT when the endpoint does not answer in time', async () => {
      const started = Date.now();
      const err = await pullFailure({ url: `${base}/slow`, format: 'json', timeoutMs: 300 });
      expect(err.code).toBe('PULL_TIMEOUT');
      expect(err.zh).toContain('未响应');
      expect(Date.now() - started).toBeLessThan(2500);
    });

    it('PULL_TIMEOUT when the body stalls', async () => {
      const err = await pullFailure({ url: `${base}/slow-body`, format: 'json', timeoutMs: 400 });
      expect(err.code).toBe('PULL_TIMEOUT');
    });

    it('PULL_NOT_DATA for an HTML page, typed or not, and for HTML sent as JSON', async () => {
      for (const path of ['/html', '/html-untyped', '/json/html-as-json']) {
        const err = await pullFailure({ url: `${base}${path}`, format: 'json' });
        expect([path, err.code]).toEqual([path, 'PULL_NOT_DATA']);
      }
      expect((await pullFailure({ url: `${base}/html`, format: 'csv' })).code).toBe('PULL_NOT_DATA');
      expect((await pullFailure({ url: `${base}/html-untyped`, format: 'csv' })).code).toBe('PULL_NOT_DATA');
      // CSV configured, JSON answered
      expect((await pullFailure({ url: `${base}/json/offset`, format: 'csv' })).code).toBe('PULL_NOT_DATA');
    });

    it('PULL_HTTP_ERROR with the status for a 500 and a 404', async () => {
      const err = await pullFailure({ url: `${base}/500`, format: 'json' });
      expect(err.code).toBe('PULL_HTTP_ERROR');
      expect((err as SourceError & { status?: number }).status).toBe(500);
      expect(err.en).toContain('HTTP 500');
      expect(((await pullFailure({ url: `${base}/nope`, format: 'json' })) as SourceError & { status?: number }).status).toBe(404);
    });

    it('PULL_HTTP_ERROR 401 without leaking the credentials that were sent', async () => {
      const err = await pullFailure({
        url: `${base}/json/paged?appKey=${SECRET_APPKEY}`,
        headers: { Authorization: `Bearer wrong-${SECRET_TOKEN}` },
        format: 'json',
        recordsPath: 'data.records',
      });
      expect(err.code).toBe('PULL_HTTP_ERROR');
      expectNoSecrets(err);
      expect(err.en).toContain(`${base}/json/paged`);
    });

    it('PULL_TOO_LARGE over maxBytes (whole pull) or maxPageBytes (one JSON page)', async () => {
      expect((await pullFailure({ url: `${base}/big`, format: 'json', maxBytes: 100_000 })).code).toBe('PULL_TOO_LARGE');
      const err = await pullFailure({ url: `${base}/big`, format: 'json', maxPageBytes: 50_000 });
      expect(err.code).toBe('PULL_TOO_LARGE');
      expect(err.en).toContain('48.8 KiB');
      // across pages: each page fits, all of them do not
      const paged = await pullFailure({
        url: `${base}/csv/paged`,
        format: 'csv',
        maxBytes: 200,
        paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 2 },
      });
      expect(paged.code).toBe('PULL_TOO_LARGE');
    });

    it('PULL_BAD_JSON for broken JSON, an object without recordsPath, a missing path', async () => {
      expect((await pullFailure({ url: `${base}/json/bad`, format: 'json' })).code).toBe('PULL_BAD_JSON');
      const obj = await pullFailure({ url: `${base}/json/object`, format: 'json' });
      expect(obj.code).toBe('PULL_BAD_JSON');
      expect(obj.en).toContain('recordsPath');
      expect((await pullFailure({ url: `${base}/json/object`, format: 'json', recordsPath: 'data.rows' })).code).toBe('PULL_BAD_JSON');
    });

    it('PULL_API_ERROR for a business error inside an HTTP 200', async () => {
      const err = await pullFailure({ url: `${base}/json/api-error`, format: 'json', recordsPath: 'data', successWhen: { path: 'code', equals: 0, messagePath: 'msg' } });
      expect(err.code).toBe('PULL_API_ERROR');
      expect(err.zh).toContain('令牌已失效');
    });

    it('PULL_PAGING_IGNORED when the endpoint answers the same page whatever the parameters', async () => {
      const err = await pullFailure({ url: `${base}/json/ignores-paging`, format: 'json', paging: { kind: 'page', pageParam: 'p', sizeParam: 's', size: 3 } });
      expect(err.code).toBe('PULL_PAGING_IGNORED');
    });

    it('PULL_TOO_MANY_PAGES rather than an incomplete load', async () => {
      const err = await pullFailure({ url: `${base}/csv/paged`, format: 'csv', maxPages: 2, paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 2 } });
      expect(err.code).toBe('PULL_TOO_MANY_PAGES');
    });

    it('PULL_HEADER_CHANGED when a later CSV page has other columns', async () => {
      const err = await pullFailure({ url: `${base}/csv/header-changes`, format: 'csv', paging: { kind: 'page', pageParam: 'page', sizeParam: 'size', size: 1 } });
      expect(err.code).toBe('PULL_HEADER_CHANGED');
    });

    it('PULL_CONNECT_FAILED when nothing listens', async () => {
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((r) => probe.close(r));
      expect((await pullFailure({ url: `http://127.0.0.1:${port}/x`, format: 'json' })).code).toBe('PULL_CONNECT_FAILED');
    });
  });

  describe('SSRF', () => {
    it('refuses loopback under the default policy (the platform itself listens there)', async () => {
      const err = await failure(pullHttp({ url: `${base}/json/offset`, format: 'json' }));
      expect(err.code).toBe('PULL_HOST_NOT_ALLOWED');
    });

    it('refuses a name that resolves to a refused address, at connect time', async () => {
      const err = await pullFailure({ url: base.replace('127.0.0.1', 'localhost') + '/json/offset', format: 'json' }, DEFAULT_HOST_POLICY);
      expect(err.code).toBe('PULL_HOST_NOT_ALLOWED');
      expect(err.en).toMatch(/localhost → (127\.0\.0\.1|::1)/);
      // listed by name, it is allowed
      const table = await pullHttp({ url: base.replace('127.0.0.1', 'localhost') + '/json/offset', format: 'json' }, { hostPolicy: parseAllowedHosts('localhost') });
      expect((await rowsOf(table)).length).toBe(7);
    });

    it('refuses non-http schemes and the metadata address, also behind a redirect', async () => {
      expect((await failure(pullHttp({ url: 'file:///etc/passwd', format: 'csv' }))).code).toBe('PULL_HOST_NOT_ALLOWED');
      expect((await failure(pullHttp({ url: 'http://169.254.169.254/latest/meta-data/', format: 'json' }))).code).toBe('PULL_HOST_NOT_ALLOWED');
      expect((await pullFailure({ url: `${base}/redirect-metadata`, format: 'json' })).code).toBe('PULL_HOST_NOT_ALLOWED');
    });

    it('follows a redirect within the origin with the headers, and drops them for another origin', async () => {
      const headers = { Authorization: `Bearer ${SECRET_TOKEN}` };
      const same = await pullHttp({ url: `${base}/redirect-same-origin`, headers, format: 'json' }, { hostPolicy: LOCAL });
      expect((await rowsOf(same))[0].values[0]).toBe(`Bearer ${SECRET_TOKEN}`);
      const other = await pullHttp({ url: `${base}/redirect-other-origin`, headers, format: 'json' }, { hostPolicy: parseAllowedHosts('127.0.0.1,localhost') });
      const row = (await rowsOf(other))[0];
      expect(row.values[0]).toBeNull();
      expect(row.values[1]).toContain('localhost');
    });
  });
});

describe('logical access (proxyRead)', () => {
  const config: LogicalAccessConfig = {
    url: `${base}/json/filter`,
    format: 'json',
    recordsPath: 'list',
    totalPath: 'total',
    paging: { kind: 'page', pageParam: 'p', sizeParam: 's', size: 100 },
    filterParams: { name: 'xm' },
    maxPageSize: 5,
  };
  const live = () => ({ ...config, url: `${base}/json/filter` });

  it('reads one page live, with the total', async () => {
    seen.length = 0;
    const page = await proxyRead(live(), { page: 2, pageSize: 3 }, { hostPolicy: LOCAL });
    expect(page.header).toEqual(['id', 'name', 'idNumber']);
    expect(page.rows.map((r) => r[0])).toEqual(['4', '5', '6']);
    expect(page).toMatchObject({ page: 2, pageSize: 3, total: 7, hasMore: true });
    expect(seen).toHaveLength(1);
    const last = await proxyRead(live(), { page: 3, pageSize: 3 }, { hostPolicy: LOCAL });
    expect(last.rows).toHaveLength(1);
    expect(last.hasMore).toBe(false);
  });

  it('passes only the filters the configuration maps', async () => {
    const page = await proxyRead(live(), { page: 1, pageSize: 5, filters: { name: '人员3' } }, { hostPolicy: LOCAL });
    expect(page.rows).toEqual([['3', '人员3', PEOPLE[2].idNumber]]);
    expect(page.total).toBe(1);
    const err = await failure(proxyRead(live(), { page: 1, pageSize: 5, filters: { xm: '人员3' } }, { hostPolicy: LOCAL }));
    expect(err.code).toBe('PROXY_BAD_QUERY');
    expect((await failure(proxyRead(live(), { page: 1, pageSize: 6 }, { hostPolicy: LOCAL }))).code).toBe('PROXY_BAD_QUERY');
    expect((await failure(proxyRead(live(), { page: 0, pageSize: 5 }, { hostPolicy: LOCAL }))).code).toBe('PROXY_BAD_QUERY');
  });

  it('slices an endpoint that answers everything at once', async () => {
    const page = await proxyRead({ url: `${base}/json/offset`, format: 'json', paging: { kind: 'none' } }, { page: 2, pageSize: 5 }, { hostPolicy: LOCAL });
    expect(page.rows.map((r) => r[0])).toEqual(['6', '7']);
    expect(page).toMatchObject({ total: 7, hasMore: false });
  });

  it('follows a cursor', async () => {
    const cfg: LogicalAccessConfig = { url: `${base}/json/cursor`, format: 'json', recordsPath: 'items', paging: { kind: 'cursor', cursorPath: 'next', cursorParam: 'cursor' } };
    const first = await proxyRead(cfg, { page: 1, pageSize: 3 }, { hostPolicy: LOCAL });
    expect(first.rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    expect(first.hasMore).toBe(true);
    const second = await proxyRead(cfg, { page: 2, pageSize: 3, cursor: first.nextCursor! }, { hostPolicy: LOCAL });
    expect(second.rows.map((r) => r[0])).toEqual(['4', '5', '6']);
    expect((await failure(proxyRead(cfg, { page: 2, pageSize: 3 }, { hostPolicy: LOCAL }))).code).toBe('PROXY_BAD_QUERY');
  });

  it('applies the same safety rules', async () => {
    expect((await failure(proxyRead({ url: `${base}/html`, format: 'json' }, { page: 1, pageSize: 5 }, { hostPolicy: LOCAL }))).code).toBe('PULL_NOT_DATA');
    expect((await failure(proxyRead({ url: `${base}/slow`, format: 'json', timeoutMs: 300 }, { page: 1, pageSize: 5 }, { hostPolicy: LOCAL }))).code).toBe('PULL_TIMEOUT');
    expect((await failure(proxyRead({ url: `${base}/json/offset`, format: 'json' }, { page: 1, pageSize: 5 }))).code).toBe('PULL_HOST_NOT_ALLOWED');
    expect((await failure(proxyRead({ url: `${base}/big`, format: 'json', maxBytes: 10_000 }, { page: 1, pageSize: 5 }, { hostPolicy: LOCAL }))).code).toBe('PULL_TOO_LARGE');
  });
});

// ------------------------------------------------------------------------------------------
// database pull: PostgreSQL

describe('database pull (pullDatabase, PostgreSQL)', () => {
  let db: TestDatabase;
  let sql: Client;
  let conn: Pick<DbPullConfig, 'kind' | 'host' | 'port' | 'database' | 'user' | 'password'>;
  const LOCAL_DB = parseAllowedHosts('127.0.0.1,localhost');

  beforeAll(async () => {
    db = await createTestDatabase('sources');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const u = new URL(db.url);
    conn = {
      kind: 'postgres',
      host: u.hostname,
      port: Number(u.port || 5432),
      database: u.pathname.slice(1),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    };
    await sql.query(`
      CREATE SCHEMA dept;
      CREATE TABLE dept."企业 名录" (
        id bigint PRIMARY KEY,
        name text NOT NULL,
        capital numeric(30, 2),
        active boolean,
        founded date,
        updated_at timestamptz NOT NULL,
        local_ts timestamp,
        extra jsonb,
        logo bytea
      );
      INSERT INTO dept."企业 名录" VALUES
        (9007199254740993, '甲公司', 12345678901234567890.12, true, '2001-02-03', '2025-01-01 08:00:00+08', '2025-01-01 08:00:00.123456', '{"a": 1}', '\\x0102ff'),
        (2, '乙公司', NULL, false, NULL, '2025-01-02 00:00:00+00', NULL, NULL, NULL),
        (3, '丙公司', 0.50, NULL, '1999-12-31', '2025-01-03 00:00:00+00', NULL, '[]', NULL);
      CREATE TABLE dept.audit_probe (n int);
      CREATE FUNCTION dept.sneaky_write() RETURNS int LANGUAGE sql AS 'INSERT INTO dept.audit_probe VALUES (1) RETURNING n';
    `);
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  const TABLE = 'dept.企业 名录';

  it('pulls a whole table in batches, values as text', async () => {
    const table = await pullDatabase({ ...conn, table: TABLE, batchSize: 2 }, { hostPolicy: LOCAL_DB });
    expect(table.header).toEqual(['id', 'name', 'capital', 'active', 'founded', 'updated_at', 'local_ts', 'extra', 'logo']);
    const rows = (await rowsOf(table)).sort((a, b) => a.values[1]!.localeCompare(b.values[1]!));
    const byName = Object.fromEntries(rows.map((r) => [r.values[1], r.values]));
    expect(byName['甲公司']).toEqual([
      '9007199254740993',
      '甲公司',
      '12345678901234567890.12',
      'true',
      '2001-02-03',
      '2025-01-01T00:00:00Z',
      '2025-01-01T08:00:00.123456',
      '{"a": 1}',
      '\\x0102ff',
    ]);
    expect(byName['乙公司']).toEqual(['2', '乙公司', null, 'false', null, '2025-01-02T00:00:00Z', null, null, null]);
    expect(byName['丙公司'][2]).toBe('0.50');
    expect(table.rowCount()).toBe(3);
    expect(table.highWatermark()).toBeNull();
  });

  it('pulls incrementally by a timestamp column and moves the watermark', async () => {
    const first = await pullDatabase({ ...conn, table: TABLE, incremental: { column: 'updated_at' } }, { hostPolicy: LOCAL_DB });
    expect((await rowsOf(first)).map((r) => r.values[1])).toEqual(['甲公司', '乙公司', '丙公司']);
    const wm = first.highWatermark();
    expect(wm).toBe('2025-01-03T00:00:00Z');

    const none = await pullDatabase({ ...conn, table: TABLE, incremental: { column: 'updated_at', lastValue: wm } }, { hostPolicy: LOCAL_DB });
    expect(await rowsOf(none)).toEqual([]);
    expect(none.highWatermark()).toBe(wm);

    await sql.query(`INSERT INTO dept."企业 名录" (id, name, updated_at) VALUES (4, '丁公司', '2025-01-03 00:00:00.5+00'), (5, '戊公司', '2025-02-01 12:00:00+08')`);
    await sql.query(`UPDATE dept."企业 名录" SET name = '乙公司（更名）', updated_at = '2025-01-10 00:00:00+00' WHERE id = 2`);
    const next = await pullDatabase({ ...conn, table: TABLE, incremental: { column: 'updated_at', lastValue: wm } }, { hostPolicy: LOCAL_DB });
    expect((await rowsOf(next)).map((r) => [r.values[0], r.values[5]])).toEqual([
      ['4', '2025-01-03T00:00:00.5Z'],
      ['2', '2025-01-10T00:00:00Z'],
      ['5', '2025-02-01T04:00:00Z'],
    ]);
    expect(next.highWatermark()).toBe('2025-02-01T04:00:00Z');
  });

  it('pulls incrementally by a sequence over a query', async () => {
    const t = await pullDatabase(
      { ...conn, query: `SELECT id, name FROM dept."企业 名录" WHERE name <> '' -- only named ones\n;`, incremental: { column: 'id', lastValue: '3' } },
      { hostPolicy: LOCAL_DB },
    );
    expect((await rowsOf(t)).map((r) => r.values[0])).toEqual(['4', '5', '9007199254740993']);
    expect(t.highWatermark()).toBe('9007199254740993');
  });

  it('reports an incremental column the result lacks', async () => {
    const err = await failure(pullDatabase({ ...conn, query: 'SELECT name FROM dept."企业 名录"', incremental: { column: 'id' } }, { hostPolicy: LOCAL_DB }));
    expect(err.code).toBe('DB_INCREMENTAL_COLUMN_MISSING');
  });

  it('refuses a query that is not a single SELECT, before connecting', async () => {
    for (const q of ['DELETE FROM dept.audit_probe', 'SELECT 1; DELETE FROM dept.audit_probe', 'WITH d AS (DELETE FROM dept.audit_probe RETURNING *) SELECT * FROM d'])
      expect((await failure(pullDatabase({ ...conn, query: q }, { hostPolicy: LOCAL_DB }))).code).toBe('DB_QUERY_NOT_ALLOWED');
  });

  it('runs read-only: a function that writes fails in the session', async () => {
    const err = await failure(pullDatabase({ ...conn, query: 'SELECT dept.sneaky_write()' }, { hostPolicy: LOCAL_DB }).then(rowsOf));
    expect(err.code).toBe('DB_QUERY_FAILED');
    expect(err.en).toMatch(/read-only transaction/);
    expect((await sql.query('SELECT count(*)::int AS n FROM dept.audit_probe')).rows[0].n).toBe(0);
  });

  it('quotes the table name: no injection through it', async () => {
    const err = await failure(pullDatabase({ ...conn, table: 'audit_probe"; DROP TABLE dept.audit_probe; --' }, { hostPolicy: LOCAL_DB }));
    expect(err.code).toBe('DB_QUERY_FAILED');
    expect(err.en).toContain('does not exist');
    expect((await sql.query(`SELECT to_regclass('dept.audit_probe') IS NOT NULL AS ok`)).rows[0].ok).toBe(true);
  });

  it('ends its session when the consumer stops early, and on close()', async () => {
    const count = async () =>
      (await sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'govdata-ingest' AND datname = current_database()`)).rows[0].n as number;
    const table = await pullDatabase({ ...conn, table: TABLE, batchSize: 1 }, { hostPolicy: LOCAL_DB });
    expect(await count()).toBe(1);
    for await (const _ of table.records) break;
    await waitFor(async () => (await count()) === 0);
    const unread = await pullDatabase({ ...conn, table: TABLE }, { hostPolicy: LOCAL_DB });
    await unread.close();
    await waitFor(async () => (await count()) === 0);
  });

  it('connection problems are clear job errors without the password', async () => {
    const wrongDb = await failure(pullDatabase({ ...conn, database: 'no_such_db_x', table: TABLE }, { hostPolicy: LOCAL_DB }));
    expect(wrongDb.code).toBe('DB_CONNECT_FAILED');
    expect(wrongDb.en).toContain('no_such_db_x');

    // (a server with trust authentication lets any password in: then there is nothing to check)
    const wrongPassword = await pullDatabase({ ...conn, password: 'pw-SECRET-pw', table: TABLE }, { hostPolicy: LOCAL_DB }).then(
      async (t) => void (await t.close()),
      (err: SourceError) => err,
    );
    if (wrongPassword) {
      expect(wrongPassword.code).toBe('DB_AUTH_FAILED');
      expect(`${wrongPassword.en}${wrongPassword.zh}${wrongPassword.stack}`).not.toContain('pw-SECRET-pw');
    }

    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    expect((await failure(pullDatabase({ ...conn, host: '127.0.0.1', port, table: TABLE }, { hostPolicy: LOCAL_DB }))).code).toBe('DB_CONNECT_FAILED');

    // a server that accepts the connection and never answers
    const sockets: import('node:net').Socket[] = [];
    const tcp = (await import('node:net')).createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const silentPort = (tcp.address() as AddressInfo).port;
    const timedOut = await failure(pullDatabase({ ...conn, host: '127.0.0.1', port: silentPort, table: TABLE, connectTimeoutMs: 300 }, { hostPolicy: LOCAL_DB }));
    expect(timedOut.code).toBe('DB_TIMEOUT');
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => tcp.close(r));
  });

  it('applies the host policy to database hosts (the platform database on loopback is refused by default)', async () => {
    expect((await failure(pullDatabase({ ...conn, table: TABLE }))).code).toBe('PULL_HOST_NOT_ALLOWED');
    expect((await failure(pullDatabase({ ...conn, host: '169.254.169.254', table: TABLE }, { hostPolicy: LOCAL_DB }))).code).toBe('PULL_HOST_NOT_ALLOWED');
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
