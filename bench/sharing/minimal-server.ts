/**
 * The least an HTTP service can do to answer a records page: node:http, a pg pool, the records
 * endpoint's statement (prepared, same parameters), the same JSON shape. No credential, scope,
 * audit event, framework or logging. Run in a child process of its own by the sharing bench, so
 * that "raw query → minimal HTTP" is the cost of HTTP and JSON, and "minimal HTTP → records
 * endpoint" the cost of the platform.
 *
 * The parent sends `{ databaseUrl, connections, sql, filterValue, fields }` over IPC and gets
 * `{ port }` back; `'cpu'` asks for the process's CPU time; SIGTERM ends it.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';

export interface MinimalServerConfig {
  databaseUrl: string;
  connections: number;
  sql: string;
  filterValue: string;
  fields: string[];
}

function start(c: MinimalServerConfig): void {
  const pool = new Pool({ connectionString: c.databaseUrl, max: c.connections });
  pool.on('error', () => undefined);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = Number(url.searchParams.get('page') ?? 1);
    const pageSize = Number(url.searchParams.get('pageSize') ?? 100);
    pool.query({ name: 'minimal_page', text: c.sql, values: [c.filterValue, pageSize + 1, (page - 1) * pageSize] }).then(
      ({ rows }) => {
        const hasMore = rows.length > pageSize;
        if (hasMore) rows.pop();
        const next = hasMore ? Number(rows[rows.length - 1]._row) : null;
        for (const r of rows) delete r._row;
        const body = JSON.stringify({ entryId: 'bench', version: 1, page, pageSize, fields: c.fields, rows, hasMore, next });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
  // The bench reads this process's CPU time around its phase (ms, user + system).
  process.on('message', (m) => {
    if (m !== 'cpu') return;
    const u = process.cpuUsage();
    process.send!({ cpuMs: (u.user + u.system) / 1000 });
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

if (require.main === module) process.once('message', (c: MinimalServerConfig) => start(c));
