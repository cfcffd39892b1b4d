import {
  columnKind,
  compileRecordQuery,
  contentTypeOf,
  copyTextToRows,
  createPgPool,
  createRecordWriter,
  CsvEncoding,
  DomainException,
  jsonValue,
  OBJECT_STORAGE,
  ObjectStorage,
  parseRecordQuery,
  quoteIdent,
  RecordColumn,
  RecordFormat,
  RECORD_FORMATS,
  SERVICE_RUNTIME,
  ServiceRuntime,
} from '@gov/shared';
import { HttpStatus, Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { OpenCaller } from '../access/open-gate';
import type { ColumnPlan } from '../catalog/masking-plan';
import { OpenDatasetRow } from '../catalog/open-catalog.service';
import { DOWNLOADS_PREFIX } from '../catalog/open-dataset-loader';
import { OpenErrors } from '../open.errors';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';

export interface RecordsPage {
  dataset: { id: string; version: number };
  fields: { name: string; type: string; masked: boolean }[];
  records: Record<string, unknown>[];
  nextCursor: string | null;
  total?: number;
}

export interface DownloadRequest {
  format: RecordFormat;
  encoding: CsvEncoding;
}

const EXT: Record<RecordFormat, string> = { csv: 'csv', xlsx: 'xlsx', json: 'json' };

export function parseDownload(format?: string, encoding?: string): DownloadRequest {
  const f = (format ?? 'csv').toLowerCase();
  if (!(RECORD_FORMATS as readonly string[]).includes(f)) throw OpenErrors.badFormat(f);
  const e = (encoding ?? 'utf-8').toLowerCase();
  if (!['utf-8', 'utf8', 'gbk'].includes(e)) throw OpenErrors.badEncoding(e);
  if (e === 'gbk' && f !== 'csv') throw OpenErrors.badEncoding(`${e} (${f})`);
  return { format: f as RecordFormat, encoding: e === 'gbk' ? 'gbk' : 'utf-8' };
}

/** Database errors a query can still cause (e.g. a sum overflowing): 400/503, never 500. */
function mapPgError(err: unknown): never {
  const code = (err as { code?: string }).code;
  if (code === '57014' || /timeout/i.test((err as Error).message ?? '')) throw new DomainException('QUERY_TIMEOUT', HttpStatus.SERVICE_UNAVAILABLE, { zh: '查询超时，请缩小范围', en: 'The query timed out; narrow it down' });
  if (code?.startsWith('22')) throw new DomainException('QUERY_BAD_VALUE', HttpStatus.BAD_REQUEST, { zh: '查询的值超出范围', en: 'A value in the query is out of range' });
  throw err;
}

/** Reads of open data: records pages, previews and file downloads, all from the masked tables. */
@Injectable()
export class OpenRecordsService implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() db: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    // Reads get a pool of their own: the service's TypeORM pool also carries the outbox relay,
    // the event consumer and the access-log flush, which must not queue public reads behind them.
    // createPgPool listens for the errors of idle connections the server ends (a restart, a
    // terminated backend): with no listener, pg's Pool would throw them and end the process.
    this.pool = settings.readPoolSize > 0 ? createPgPool({ connectionString: runtime.databaseUrl, max: settings.readPoolSize, idleTimeoutMillis: 30_000 }, runtime.logger) : (db.driver as unknown as { master: Pool }).master;
    this.ownPool = settings.readPoolSize > 0;
  }

  private readonly ownPool: boolean;

  async onModuleDestroy(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }

  private readonly statements = new Map<string, string>();

  private statementName(sql: string): string | undefined {
    const known = this.statements.get(sql);
    if (known || this.statements.size >= 200) return known;
    const name = `open_rec_${this.statements.size}`;
    this.statements.set(sql, name);
    return name;
  }

  /** A version refused at opening (k-anonymity) answers with the reason, not with "no data". */
  assertReleased(d: OpenDatasetRow): void {
    if (d.release_state === 'refused') throw OpenErrors.releaseRefused(d.release_check?.offending ?? [], d.release_check?.k ?? 0, d.release_check?.requiredK ?? this.settings.minK);
  }

  private table(d: OpenDatasetRow): { table: string; plan: ColumnPlan[] } {
    this.assertReleased(d);
    if (!d.table_name || !d.columns || !d.data_version) throw OpenErrors.noData();
    return { table: `openapi.${quoteIdent(d.table_name)}`, plan: d.columns };
  }

  binding(d: OpenDatasetRow): string {
    return `${d.entry_id}@${d.data_version}.${d.catalog_version}`;
  }

  async records(d: OpenDatasetRow, params: Record<string, unknown>): Promise<{ page: RecordsPage; columns: RecordColumn[] }> {
    const { table, plan } = this.table(d);
    const query = parseRecordQuery(params, { maxLimit: this.settings.maxLimit, extraParameters: ['format', 'encoding'] });
    const compiled = compileRecordQuery(query, { table, columns: plan, binding: this.binding(d) }, { cursorSecret: this.settings.cursorSecret });
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // A runaway query (full-text over millions of rows) is stopped rather than holding a connection.
      // Named (prepared once per connection) for the shapes seen first, so the plan is reused;
      // the number of names is capped so odd queries cannot grow every connection's statement cache.
      const name = this.statementName(compiled.sql);
      const config = { text: compiled.sql, values: compiled.params, query_timeout: 20_000, ...(name ? { name } : {}) };
      const rows = await client.query<Record<string, unknown>>(config).catch((err: Error) => {
        // A client-side timeout leaves the connection mid-query: it must not go back to the pool.
        if (/timeout/i.test(err.message)) broken = err;
        return mapPgError(err);
      });
      const count = compiled.countSql ? (await client.query<{ total: string }>(compiled.countSql, compiled.countParams).catch(mapPgError)).rows[0].total : undefined;
      const { records, nextCursor } = compiled.page(rows.rows);
      const kinds = compiled.columns.map((c) => [c.name, columnKind(c.type)] as const);
      const masked = new Set(plan.filter((p) => p.mask).map((p) => p.name));
      // page() hands out fresh objects: convert them in place, and only the cells JSON changes
      // (text arrives as text), rather than copying every row a second time.
      for (const r of records)
        for (const [n, k] of kinds) {
          const v = r[n];
          if (k !== 'text' || typeof v !== 'string') r[n] = jsonValue(k, v);
        }
      return {
        columns: compiled.columns,
        page: {
          dataset: { id: d.entry_id, version: d.data_version! },
          fields: kinds.map(([name, type]) => ({ name, type, masked: masked.has(name) })),
          records,
          nextCursor,
          ...(count !== undefined ? { total: Number(count) } : {}),
        },
      };
    } finally {
      client.release(broken);
    }
  }

  /** The first rows for the dataset page (already masked in the table). */
  async preview(d: OpenDatasetRow): Promise<{ fields: { name: string; masked: boolean }[]; rows: Record<string, unknown>[] }> {
    if (!d.table_name || !d.columns) return { fields: [], rows: [] };
    const { page } = await this.records(d, { limit: String(this.settings.previewRows) });
    return { fields: page.fields.map((f) => ({ name: f.name, masked: f.masked })), rows: page.records };
  }

  downloadName(d: OpenDatasetRow, r: DownloadRequest): string {
    return `${d.resource_code.replace(/\//g, '-')}_${d.name}_v${d.data_version}.${EXT[r.format]}`;
  }

  cacheKey(d: OpenDatasetRow, r: DownloadRequest): string {
    return `${DOWNLOADS_PREFIX}${d.table_name}/${r.format}-${r.encoding}.${EXT[r.format]}`;
  }

  /** Streams the whole (masked) table as a file; COPY keeps memory flat for any size. */
  async streamFile(d: OpenDatasetRow, r: DownloadRequest, out: Writable): Promise<void> {
    const { table, plan } = this.table(d);
    const client: PoolClient = await this.pool.connect();
    let failed = false;
    try {
      const cols = plan.map((p) => quoteIdent(p.name)).join(', ');
      const source = client.query(copyTo(`COPY (SELECT ${cols} FROM ${table} ORDER BY _row) TO STDOUT`));
      const writer = createRecordWriter(r.format, { columns: plan.map((p) => ({ name: p.name, type: p.type })), encoding: r.encoding, sheetName: d.name });
      await pipeline(source, copyTextToRows({ batch: true }), writer, out);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // A client that disconnected mid-COPY leaves the connection unusable: drop it.
      client.release(failed ? true : undefined);
    }
  }

  /** The file in object storage (built on first need), for byte ranges and repeat downloads. */
  async cachedFile(d: OpenDatasetRow, r: DownloadRequest): Promise<{ key: string; size: number }> {
    const key = this.cacheKey(d, r);
    const stat = await this.storage.stat(key);
    if (stat) return { key, size: stat.size };
    const pass = new PassThrough();
    const stored = this.storage.put(key, pass, { contentType: contentTypeOf(r.format, r.encoding) });
    await this.streamFile(d, r, pass);
    const done = await stored;
    return { key, size: done.size };
  }

  async openCached(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.storage.get(key, range);
  }

  async hasCached(d: OpenDatasetRow, r: DownloadRequest): Promise<number | undefined> {
    return (await this.storage.stat(this.cacheKey(d, r)))?.size;
  }

  static sendHeaders(res: Response, h: Record<string, string>): void {
    for (const [k, v] of Object.entries(h)) res.setHeader(k, v);
  }
}
