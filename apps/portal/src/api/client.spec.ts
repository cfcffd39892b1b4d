import { ApiError, api, fileNameOf, streamEvents, withQuery } from './client';

/** The portal's API client in Node (fetch, Response and streams are global there too). */
const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
});

function answer(body: BodyInit, init: ResponseInit) {
  globalThis.fetch = jest.fn(async () => new Response(body, init)) as typeof fetch;
}

it('builds query strings without empty values', () => {
  expect(withQuery('/api/x', { q: '营业执照', page: 2, status: undefined, deptId: '', dryRun: false })).toBe('/api/x?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&page=2&dryRun=false');
  expect(withQuery('/api/x?a=1', { b: 2 })).toBe('/api/x?a=1&b=2');
  expect(withQuery('/api/x', {})).toBe('/api/x');
});

it('turns a problem+json answer into an ApiError with the Chinese message, code and field errors', async () => {
  answer(
    JSON.stringify({ status: 422, code: 'CATALOG_NONCOMPLIANT', message: { zh: '合规自检未通过', en: 'Noncompliant' }, errors: [{ field: 'share.condition', zh: '有条件共享须填写共享条件' }], correlationId: 'c-1' }),
    { status: 422, headers: { 'content-type': 'application/problem+json' } },
  );
  const error = await api('/api/catalog/entries/1/submit', { method: 'POST' }).catch((e) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect(error.message).toBe('合规自检未通过');
  expect(error.code).toBe('CATALOG_NONCOMPLIANT');
  expect(error.status).toBe(422);
  expect(error.problem.errors[0].field).toBe('share.condition');
  expect(error.problem.correlationId).toBe('c-1');
});

it('explains answers that are not problem+json, and network failures, in Chinese with a code', async () => {
  answer('<html>bad gateway</html>', { status: 502 });
  const e1 = await api('/api/x').catch((e) => e);
  expect(e1.code).toBe('HTTP_502');
  expect(e1.message).toContain('502');
  globalThis.fetch = jest.fn(async () => {
    throw new TypeError('fetch failed');
  }) as typeof fetch;
  const e2 = await api('/api/x').catch((e) => e);
  expect(e2.code).toBe('NETWORK_ERROR');
  expect(e2.message).toMatch(/无法连接/);
});

it('sends JSON bodies as JSON and binary bodies as they are', async () => {
  const seen: RequestInit[] = [];
  globalThis.fetch = jest.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    seen.push(init!);
    return new Response('{"ok":true}', { status: 200 });
  }) as typeof fetch;
  await api('/api/a', { body: { name: '目录' } });
  await api('/api/b', { method: 'PATCH', body: new Blob([new Uint8Array([1, 2, 3])]), headers: { 'content-type': 'application/offset+octet-stream' } });
  expect(seen[0].method).toBe('POST');
  expect((seen[0].headers as Record<string, string>)['content-type']).toBe('application/json');
  expect(seen[0].body).toBe('{"name":"目录"}');
  expect((seen[1].headers as Record<string, string>)['content-type']).toBe('application/offset+octet-stream');
  expect(seen[1].body).toBeInstanceOf(Blob);
});

it('reads the file name of a download from Content-Disposition (RFC 5987 first)', () => {
  expect(fileNameOf(`attachment; filename="rejects-v2.csv"; filename*=UTF-8''${encodeURIComponent('市场主体-问题数据-v2.csv')}`)).toBe('市场主体-问题数据-v2.csv');
  expect(fileNameOf('attachment; filename="catalog.xlsx"')).toBe('catalog.xlsx');
  expect(fileNameOf(null)).toBeUndefined();
});

it('parses server-sent events split across chunks', async () => {
  const chunks = ['event: progress\ndata: {"percent":10}\n\nevent: pro', 'gress\ndata: {"percent":60}\n', '\nevent: done\ndata: {"percent":100,', '"state":"succeeded"}\n\n'];
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const x of chunks) c.enqueue(new TextEncoder().encode(x));
      c.close();
    },
  });
  answer(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  const events: [string, unknown][] = [];
  await streamEvents('/api/ingest/jobs/1/events', (event, data) => events.push([event, JSON.parse(data)]));
  expect(events).toEqual([
    ['progress', { percent: 10 }],
    ['progress', { percent: 60 }],
    ['done', { percent: 100, state: 'succeeded' }],
  ]);
});
