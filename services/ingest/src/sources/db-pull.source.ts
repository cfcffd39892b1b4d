import type { FieldPacket, Connection as MysqlConnection, ConnectionOptions as MysqlOptions } from 'mysql2';
import { createConnection as createMysqlConnection } from 'mysql2';
import { Client, FieldDef } from 'pg';
import Cursor from 'pg-cursor';
import { ParsedTable, SourceError, SourceRecord } from '../pipeline/contracts';
import { DEFAULT_HOST_POLICY, HostPolicy, resolveAllowed } from './host-policy';
import { guardSelectQuery, quoteIdentifier, quoteQualifiedName, SqlDialect } from './sql-guard';
import { SourceErrors } from './source-errors';

/**
 * Database table pull (库表交换): a table or a SELECT of a department's PostgreSQL or
 * MySQL/MariaDB database, full or incremental by a timestamp/sequence column, streamed with a
 * server-side cursor (PostgreSQL: pg-cursor over a named portal; MySQL: mysql2's row stream with
 * back-pressure) so memory stays flat.
 *
 * - Read-only: PostgreSQL `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` (one snapshot for the
 *   whole pull), MySQL `START TRANSACTION READ ONLY`. The query passes guardSelectQuery first.
 * - Values are text: numbers as the server writes them (no float rounding, bigint intact),
 *   booleans `true`/`false`, dates `YYYY-MM-DD`, timestamps ISO 8601 (`2024-05-01T08:30:00`,
 *   with time zone: UTC `…Z`), binary as `\x` + hex, JSON as its text. MySQL zero dates
 *   (`0000-00-00`) are null.
 * - Incremental: rows with `column > lastValue`, ordered by the column; `highWatermark()` is the
 *   last (greatest) value read, or `lastValue` when nothing new came. Persist it only after the
 *   load committed. Rows that share the watermark value and arrive after a pull are not picked
 *   up by the next one (strictly greater): prefer a sequence or a timestamp that only grows.
 * - The host passes the same host policy as HTTP endpoints (the platform's own database on
 *   127.0.0.1 is refused unless INGEST_ALLOWED_HOSTS lists it).
 * - The password never appears in an error, and nothing is logged.
 */

export interface DbPullConfig {
  kind: 'postgres' | 'mysql';
  host: string;
  /** Default 5432 / 3306. */
  port?: number;
  database: string;
  user: string;
  /** Decrypted from the credential cipher by the caller. */
  password?: string;
  /** `table` or `schema.table` (quoted, so any name works and none injects). */
  table?: string;
  /** One SELECT; refused otherwise (guardSelectQuery). Exactly one of table/query. */
  query?: string;
  incremental?: { column: string; lastValue?: string | null };
  /** Rows fetched per round trip; default 1000. */
  batchSize?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Longest wait for the server: per FETCH (PostgreSQL), for the first row and between rows (MySQL). Default 5 min. */
  statementTimeoutMs?: number;
  /** PostgreSQL: the server ends the session when the consumer stalls this long. Default 10 min. */
  idleTimeoutMs?: number;
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string };
}

export interface DbPullOptions {
  hostPolicy?: HostPolicy;
}

export interface DbPulledTable extends ParsedTable {
  /** The incremental column's greatest value read so far (text), else the given lastValue, else null. */
  highWatermark(): string | null;
  /** Rows read so far. */
  rowCount(): number;
  /** Ends the session (idempotent); done by itself when the records are read to the end or the iteration stops. */
  close(): Promise<void>;
  /** postgres or mysql. */
  sourceKind: DbPullConfig['kind'];
}

const DEFAULT_BATCH = 1000;
const DEFAULT_CONNECT_TIMEOUT = 10_000;
const DEFAULT_STATEMENT_TIMEOUT = 300_000;
const DEFAULT_IDLE_TIMEOUT = 600_000;

/** The SQL a configuration runs, and its parameters (exported for tests and previews). */
export function buildPullStatement(config: Pick<DbPullConfig, 'kind' | 'table' | 'query' | 'incremental'>): { sql: string; params: unknown[] } {
  const dialect: SqlDialect = config.kind === 'mysql' ? 'mysql' : 'postgres';
  if (!!config.table === !!config.query) throw SourceErrors.badConfig('table/query', 'give exactly one of table and query');
  const from = config.table
    ? quoteQualifiedName(config.table, dialect)
    : // the query on lines of its own, so a trailing -- comment cannot swallow the closing parenthesis
      `(\n${guardSelectQuery(config.query!, dialect)}\n) AS govdata_src`;
  const inc = config.incremental;
  if (!inc) return { sql: config.table ? `SELECT * FROM ${from}` : guardSelectQuery(config.query!, dialect), params: [] };
  const col = quoteIdentifier(inc.column, dialect);
  const last = inc.lastValue ?? null;
  if (last === null) return { sql: `SELECT * FROM ${from} ORDER BY ${col}`, params: [] };
  const placeholder = dialect === 'mysql' ? '?' : '$1';
  return { sql: `SELECT * FROM ${from} WHERE ${col} > ${placeholder} ORDER BY ${col}`, params: [watermarkParam(last, dialect)] };
}

function watermarkParam(value: string, dialect: SqlDialect): unknown {
  if (dialect !== 'mysql') return value;
  // DATETIME as MySQL writes it; safe integers as numbers (a string would be compared as a double)
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(value)) return value.replace('T', ' ');
  if (/^-?\d{1,15}$/.test(value)) return Number(value);
  return value;
}

export function validateDbPullConfig(config: DbPullConfig): void {
  if (config.kind !== 'postgres' && config.kind !== 'mysql') throw SourceErrors.badConfig('kind', 'postgres or mysql');
  for (const f of ['host', 'database', 'user'] as const)
    if (typeof config[f] !== 'string' || !config[f]) throw SourceErrors.badConfig(f, 'required');
  if (config.port !== undefined && (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535))
    throw SourceErrors.badConfig('port', '1–65535');
  for (const f of ['batchSize', 'connectTimeoutMs', 'statementTimeoutMs', 'idleTimeoutMs'] as const) {
    const v = config[f];
    if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw SourceErrors.badConfig(f, 'a positive integer');
  }
  buildPullStatement(config);
}

export async function pullDatabase(config: DbPullConfig, options: DbPullOptions = {}): Promise<DbPulledTable> {
  validateDbPullConfig(config);
  const policy = options.hostPolicy ?? DEFAULT_HOST_POLICY;
  const addresses = await resolveAllowed(config.host, policy).catch((err) => {
    if (err instanceof SourceError) throw err;
    throw SourceErrors.dbConnectFailed(whereOf(config), (err as { code?: string }).code ?? 'host name lookup failed');
  });
  // Connect to the address that was checked (no second resolution); TLS needs the name for the certificate.
  const host = config.ssl ? config.host : addresses[0].address;
  return config.kind === 'postgres' ? pullPostgres(config, host) : pullMysql(config, host);
}

function whereOf(config: DbPullConfig): string {
  const port = config.port ?? (config.kind === 'postgres' ? 5432 : 3306);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.kind}://${host}:${port}/${config.database}`;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const PG_BOOL = 16;
const PG_TIMESTAMP = 1114;
const PG_TIMESTAMPTZ = 1184;

function pgConverter(field: FieldDef): (v: string) => string {
  switch (field.dataTypeID) {
    case PG_BOOL:
      return (v) => (v === 't' ? 'true' : v === 'f' ? 'false' : v);
    case PG_TIMESTAMP:
      return (v) => v.replace(/^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/, '$1T$2');
    case PG_TIMESTAMPTZ:
      return (v) => v.replace(/^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)\+00$/, '$1T$2Z');
    default:
      return (v) => v;
  }
}

async function pullPostgres(config: DbPullConfig, host: string): Promise<DbPulledTable> {
  const where = whereOf(config);
  const connectTimeout = config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT;
  const statementTimeout = config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT;
  const { sql, params } = buildPullStatement(config);
  const client = new Client({
    host,
    port: config.port ?? 5432,
    database: config.database,
    user: config.user,
    password: config.password ?? '',
    connectionTimeoutMillis: connectTimeout,
    application_name: 'govdata-ingest',
    ssl: sslOptions(config, host),
    // No query_timeout: pg arms it for a cursor too and never clears it (the process would be held
    // for that long). The server's statement_timeout bounds each FETCH; readCursor has a backstop.
  });
  // An error of an idle connection (server restart) must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  const mapErr = (err: unknown) => incrementalMissing(err, config) ?? pgError(err, where, connectTimeout, statementTimeout);

  let closed = false;
  const close = async (commit = false) => {
    if (closed) return;
    closed = true;
    if (commit) await client.query('COMMIT').catch(() => undefined);
    await client.end().catch(() => undefined);
  };

  let cursor: Cursor;
  let first: { rows: string[][]; fields: FieldDef[] };
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true),
              set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO, YMD', true),
              set_config('IntervalStyle', 'iso_8601', true), set_config('extra_float_digits', '1', true)`,
      [String(statementTimeout), String(config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT)],
    );
    cursor = client.query(new Cursor(sql, params, { rowMode: 'array', types: { getTypeParser: () => (v: string) => v } }));
    first = await readCursor(cursor, config.batchSize ?? DEFAULT_BATCH, statementTimeout, where);
  } catch (err) {
    await close();
    throw mapErr(err);
  }

  const header = first.fields.map((f) => f.name);
  const convert = first.fields.map(pgConverter);
  const wm = await watermarkTracker(config, header).catch(async (err) => {
    await close();
    throw err;
  });
  let count = 0;

  async function* records(): AsyncGenerator<SourceRecord> {
    let batch = first.rows;
    let done = false;
    try {
      for (;;) {
        for (const row of batch) {
          count++;
          const values = row.map((v, i) => (v === null ? null : convert[i](v)));
          wm.see(values);
          yield { rowNumber: count, values };
        }
        if (batch.length === 0) break;
        try {
          batch = (await readCursor(cursor, config.batchSize ?? DEFAULT_BATCH, statementTimeout, where)).rows;
        } catch (err) {
          throw mapErr(err);
        }
      }
      done = true;
    } finally {
      await close(done);
    }
  }

  return {
    format: 'ndjson',
    sourceKind: 'postgres',
    header,
    records: records(),
    highWatermark: wm.value,
    rowCount: () => count,
    close: () => close(),
  };
}

/** One batch; a server that stops answering altogether fails it after the statement timeout and 5 s more. */
function readCursor(cursor: Cursor, n: number, timeoutMs: number, where: string): Promise<{ rows: string[][]; fields: FieldDef[] }> {
  return withTimeout(
    new Promise((resolve, reject) =>
      cursor.read(n, (err, rows, result) => (err ? reject(err) : resolve({ rows: rows as string[][], fields: result?.fields ?? [] }))),
    ),
    timeoutMs + 5_000,
    () => SourceErrors.dbTimeout(where, timeoutMs),
  );
}

function sslOptions(config: DbPullConfig, host: string): false | { rejectUnauthorized: boolean; ca?: string; servername?: string } {
  if (!config.ssl) return false;
  const o = config.ssl === true ? {} : config.ssl;
  return { rejectUnauthorized: o.rejectUnauthorized ?? true, ...(o.ca ? { ca: o.ca } : {}), servername: host };
}

function pgError(err: unknown, where: string, connectTimeout: number, statementTimeout: number): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as { code?: string; message?: string };
  const message = String(e?.message ?? '');
  if (e?.code === '28P01' || e?.code === '28000') return SourceErrors.dbAuthFailed(where);
  if (e?.code === '57014' || /query read timeout/i.test(message)) return SourceErrors.dbTimeout(where, statementTimeout);
  // pg: "timeout expired" (connectionTimeoutMillis), "Connection terminated due to connection timeout"
  if (/^timeout expired$|connection timeout/i.test(message)) return SourceErrors.dbTimeout(where, connectTimeout);
  if (e?.code && /^[A-Z]+$/.test(e.code)) return SourceErrors.dbConnectFailed(where, e.code);
  if (e?.code === '3D000') return SourceErrors.dbConnectFailed(where, message);
  if (/^Connection terminated/i.test(message)) return SourceErrors.dbConnectFailed(where, 'connection closed');
  return SourceErrors.dbQueryFailed(where, message.slice(0, 500));
}

// ---------------------------------------------------------------------------------------------
// MySQL / MariaDB

const MY = {
  TIMESTAMP: 7,
  DATE: 10,
  DATETIME: 12,
  NEWDATE: 14,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  JSON: 245,
  BLOBS: new Set([249, 250, 251, 252, 253, 254, 255, 15]),
  BINARY_CHARSET: 63,
};

function mysqlConverter(field: FieldPacket): (b: Buffer) => string | null {
  const type = field.columnType ?? field.type;
  switch (type) {
    case MY.DATETIME:
    case MY.DATETIME2:
    case MY.TIMESTAMP:
    case MY.TIMESTAMP2:
      return (b) => {
        const s = b.toString('utf8');
        return s.startsWith('0000-00-00') ? null : s.replace(' ', 'T');
      };
    case MY.DATE:
    case MY.NEWDATE:
      return (b) => {
        const s = b.toString('utf8');
        return s === '0000-00-00' ? null : s;
      };
    case MY.BIT:
      return (b) => {
        let n = 0n;
        for (const byte of b) n = (n << 8n) | BigInt(byte);
        return n.toString();
      };
    case MY.JSON:
      return (b) => b.toString('utf8');
    default:
      if (type !== undefined && MY.BLOBS.has(type) && field.characterSet === MY.BINARY_CHARSET) return (b) => `\\x${b.toString('hex')}`;
      return (b) => b.toString('utf8');
  }
}

function mysqlQuery(conn: MysqlConnection, sql: string, values: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => conn.query(sql, values, (err) => (err ? reject(err) : resolve())));
}

async function pullMysql(config: DbPullConfig, host: string): Promise<DbPulledTable> {
  const where = whereOf(config);
  const connectTimeout = config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT;
  const statementTimeout = config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT;
  const { sql, params } = buildPullStatement(config);
  const ssl = sslOptions(config, host);
  const options: MysqlOptions = {
    host,
    port: config.port ?? 3306,
    database: config.database,
    user: config.user,
    password: config.password ?? '',
    connectTimeout,
    charset: 'UTF8MB4_UNICODE_CI',
    multipleStatements: false,
    timezone: 'Z',
    ...(ssl ? { ssl: { rejectUnauthorized: ssl.rejectUnauthorized, ...(ssl.ca ? { ca: ssl.ca } : {}) } } : {}),
  };
  const mapErr = (err: unknown) => incrementalMissing(err, config) ?? mysqlError(err, where, connectTimeout, statementTimeout);
  const conn = createMysqlConnection(options);
  // Errors after the pull started are delivered to the stream; this keeps a late one from crashing the process.
  conn.on('error', () => undefined);

  let closed = false;
  const close = async (commit = false) => {
    if (closed) return;
    closed = true;
    if (commit) {
      await mysqlQuery(conn, 'COMMIT').catch(() => undefined);
      await new Promise<void>((resolve) => conn.end(() => resolve()));
    } else {
      conn.destroy();
    }
  };

  let stream: AsyncIterator<Buffer[] | null[]> & { destroy?: () => void };
  let fields: FieldPacket[];
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    await mysqlQuery(conn, "SET SESSION time_zone = '+00:00', SESSION net_write_timeout = ?", [Math.ceil((config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT) / 1000)]);
    await mysqlQuery(conn, 'START TRANSACTION READ ONLY');
    const query = conn.query({ sql, values: params, rowsAsArray: true, typeCast: false });
    const readable = query.stream({ highWaterMark: config.batchSize ?? DEFAULT_BATCH });
    fields = await withTimeout(
      new Promise<FieldPacket[]>((resolve, reject) => {
        query.once('fields', (f: FieldPacket[]) => resolve(f));
        readable.once('error', reject);
        readable.once('end', () => resolve([]));
      }),
      statementTimeout,
      () => SourceErrors.dbTimeout(where, statementTimeout),
    );
    stream = readable[Symbol.asyncIterator]();
  } catch (err) {
    await close();
    throw mapErr(err);
  }

  const header = fields.map((f) => f.name);
  const convert = fields.map(mysqlConverter);
  const wm = await watermarkTracker(config, header).catch(async (err) => {
    await close();
    throw err;
  });
  let count = 0;

  async function* records(): AsyncGenerator<SourceRecord> {
    let done = false;
    try {
      for (;;) {
        let next: IteratorResult<(Buffer | null)[]>;
        try {
          next = await withTimeout(stream.next(), statementTimeout, () => SourceErrors.dbTimeout(where, statementTimeout));
        } catch (err) {
          throw mapErr(err);
        }
        if (next.done) break;
        count++;
        const values = next.value.map((v, i) => (v === null ? null : convert[i](v)));
        wm.see(values);
        yield { rowNumber: count, values };
      }
      done = true;
    } finally {
      await close(done);
    }
  }

  return {
    format: 'ndjson',
    sourceKind: 'mysql',
    header,
    records: records(),
    highWatermark: wm.value,
    rowCount: () => count,
    close: () => close(),
  };
}

function mysqlError(err: unknown, where: string, connectTimeout: number, statementTimeout: number): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as { code?: string; errno?: number; message?: string; sqlMessage?: string };
  // 1045 access denied, 1698 access denied (no such user / plugin), 1044 no access to the database
  if (e?.code?.startsWith('ER_ACCESS_DENIED') || e?.code === 'ER_DBACCESS_DENIED_ERROR' || e?.errno === 1045 || e?.errno === 1698)
    return SourceErrors.dbAuthFailed(where);
  if (e?.code === 'ETIMEDOUT') return SourceErrors.dbTimeout(where, connectTimeout);
  if (e?.code === 'ER_QUERY_TIMEOUT' || e?.code === 'ER_STATEMENT_TIMEOUT' || e?.errno === 1969 || e?.errno === 3024)
    return SourceErrors.dbTimeout(where, statementTimeout);
  if (e?.code && /^E[A-Z]+$/.test(e.code) && !e.sqlMessage) return SourceErrors.dbConnectFailed(where, e.code);
  if (e?.code === 'ER_BAD_DB_ERROR') return SourceErrors.dbConnectFailed(where, String(e.sqlMessage ?? e.message));
  if (e?.code === 'PROTOCOL_CONNECTION_LOST') return SourceErrors.dbConnectFailed(where, 'connection closed');
  return SourceErrors.dbQueryFailed(where, String(e?.sqlMessage ?? e?.message ?? 'query failed').slice(0, 500));
}

// ---------------------------------------------------------------------------------------------

/** The server's "no such column" about the incremental column, as the clearer error. */
function incrementalMissing(err: unknown, config: DbPullConfig): SourceError | undefined {
  const e = err as { code?: string; message?: string };
  const column = config.incremental?.column;
  if (!column || !(e?.code === '42703' || e?.code === 'ER_BAD_FIELD_ERROR')) return undefined;
  return String(e.message ?? '').includes(column) ? SourceErrors.dbIncrementalColumnMissing(column) : undefined;
}

async function watermarkTracker(config: DbPullConfig, header: string[]) {
  let value: string | null = config.incremental?.lastValue ?? null;
  if (!config.incremental) return { see: (_values: (string | null)[]) => undefined, value: () => null };
  const column = config.incremental.column;
  let index = header.indexOf(column);
  if (index < 0) index = header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
  if (index < 0) throw SourceErrors.dbIncrementalColumnMissing(column);
  return {
    // rows come ordered by the column: the last non-null value is the greatest
    see: (values: (string | null)[]) => {
      const v = values[index];
      if (v !== null && v !== undefined) value = v;
    },
    value: () => value,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(error()), ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}
