import { columnKind, ColumnKind, FILTER_OPS } from '@gov/shared';
import type { OpenDatasetRow } from '../catalog/open-catalog.service';

const SCHEMA: Record<ColumnKind, Record<string, unknown>> = {
  text: { type: 'string' },
  numeric: { type: 'number' },
  integer: { type: 'integer' },
  float: { type: 'number' },
  date: { type: 'string', format: 'date' },
  timestamp: { type: 'string', format: 'date-time' },
  boolean: { type: 'boolean' },
};

/** Code samples for the dataset page (curl, JavaScript, Python). */
export function codeSamples(baseUrl: string, d: OpenDatasetRow) {
  const cols = d.columns ?? [];
  const filterCol = cols.find((c) => !c.mask) ?? cols[0];
  const filter = filterCol ? `&filter=${encodeURIComponent(`${filterCol.name}:notnull`)}` : '';
  const url = `${baseUrl}/api/open/v1/datasets/${d.entry_id}/records?limit=10${filter}`;
  return {
    curl: `curl -s '${url}' \\\n  -H 'X-API-Key: <你的密钥 your key>'`,
    javascript: [
      `const res = await fetch('${url}', { headers: { 'X-API-Key': process.env.GOV_API_KEY } });`,
      `const page = await res.json(); // { records, nextCursor, fields }`,
      `// 翻页 next page: add &cursor=\${encodeURIComponent(page.nextCursor)}`,
    ].join('\n'),
    python: [
      'import os, requests',
      `r = requests.get('${baseUrl}/api/open/v1/datasets/${d.entry_id}/records',`,
      `                 params={'limit': 10${filterCol ? `, 'filter': '${filterCol.name}:notnull'` : ''}},`,
      `                 headers={'X-API-Key': os.environ['GOV_API_KEY']})`,
      'page = r.json()',
      'for row in page["records"]: print(row)',
    ].join('\n'),
    download: `curl -s -o data.csv '${baseUrl}/api/open/v1/datasets/${d.entry_id}/download?format=csv'`,
  };
}

/** An OpenAPI 3 document for one dataset's records endpoint, its fields typed. */
export function datasetOpenApi(baseUrl: string, d: OpenDatasetRow) {
  const cols = d.columns ?? [];
  const record = {
    type: 'object',
    properties: Object.fromEntries(
      cols.map((c) => [c.name, { ...(c.mask ? SCHEMA.text : SCHEMA[columnKind(c.type)]), nullable: true, description: [c.description, c.mask ? '个人信息，已脱敏 / personal, masked' : null].filter(Boolean).join('；') || undefined }]),
    ),
  };
  const samples = codeSamples(baseUrl, d);
  const problem = { description: 'RFC 7807 problem+json with a stable code', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  return {
    openapi: '3.0.3',
    info: { title: `${d.name}（${d.resource_code}）`, version: String(d.data_version ?? 0), description: `${d.abstract}\n\n提供部门 provider: ${d.dept_name}\n\n${d.licence}` },
    servers: [{ url: `${baseUrl}/api/open` }],
    security: [{ apiKey: [] }],
    paths: {
      [`/v1/datasets/${d.entry_id}/records`]: {
        get: {
          summary: `查询 ${d.name} 的数据记录 / query records`,
          parameters: [
            { name: 'fields', in: 'query', schema: { type: 'string' }, description: `返回的字段，逗号分隔；可用：${cols.map((c) => c.name).join(',')}` },
            { name: 'filter', in: 'query', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true, description: `字段:操作符:值，操作符 ${FILTER_OPS.join(' ')}` },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: '全文检索（文本字段）' },
            { name: 'order', in: 'query', schema: { type: 'string' }, description: '排序字段，逗号分隔，-表示降序' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: '上一页返回的 nextCursor' },
            { name: 'count', in: 'query', schema: { type: 'boolean' } },
            { name: 'groupBy', in: 'query', schema: { type: 'string' } },
            { name: 'agg', in: 'query', schema: { type: 'string' }, description: 'count, count:字段, sum:字段, avg:字段, min:字段, max:字段' },
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'] } },
          ],
          responses: {
            200: {
              description: '一页记录 / a page of records',
              headers: { 'RateLimit-Limit': { schema: { type: 'integer' } }, 'RateLimit-Remaining': { schema: { type: 'integer' } }, 'RateLimit-Reset': { schema: { type: 'integer' } } },
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { records: { type: 'array', items: { $ref: '#/components/schemas/Record' } }, nextCursor: { type: 'string', nullable: true }, total: { type: 'integer' } },
                  },
                },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            400: problem,
            401: problem,
            403: problem,
            429: { ...problem, headers: { 'Retry-After': { schema: { type: 'integer' } } } },
          },
          'x-codeSamples': [
            { lang: 'Shell', label: 'curl', source: samples.curl },
            { lang: 'JavaScript', source: samples.javascript },
            { lang: 'Python', source: samples.python },
          ],
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      schemas: {
        Record: record,
        Problem: { type: 'object', properties: { code: { type: 'string' }, status: { type: 'integer' }, title: { type: 'string' }, detail: { type: 'string' }, correlationId: { type: 'string' } } },
      },
    },
  };
}
