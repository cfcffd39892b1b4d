import { randomUUID } from 'node:crypto';
import { checkDifferencing, checkGroups, createPgPool, csvCell, decodeRowSet, departmentScopeOf, DomainException, encodeRowSet, groupSize, ledgerWindow, OutboxWriter, outputGroups, Page, pageOf, planSandboxQuery, quoteIdent, runSandboxQuery, SandboxJobRecordedV1, SandboxPlan, SandboxRefusal, SandboxRunFailure, SandboxSettings, SandboxTable, SERVICE_RUNTIME, ServiceRuntime, setActor, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { DeveloperPrincipal } from '../developers/developer-auth';
import { OpenSandboxErrors } from './open-sandbox.errors';
import { OpenSandboxRoles } from './open-sandbox-roles';

export const OPEN_SANDBOX_SETTINGS = Symbol('OPEN_SANDBOX_SETTINGS');

/** The open-api clock for result expiry (tests move it). */
@Injectable()
export class OpenSandboxClock {
  private fixed?: Date;
  now(): Date {
    return this.fixed ?? new Date();
  }
  set(d: Date | undefined): void {
    this.fixed = d;
  }
}

export interface OpenSandboxJobRequest {
  /** Table name used in the SQL → the approved sandbox application whose dataset it stands for. */
  tables: Record<string, string>;
  sql: string;
}

export interface OversightQuery {
  status?: string;
  code?: string;
  from?: string;
  to?: string;
  limit?: number;
  page?: number;
  pageSize?: number;
}

/** A job as the developer and the security officer see it (the result is downloaded separately). */
export interface OpenSandboxJob {
  id: string;
  applicationIds: string[];
  developerId: string;
  appId: string | null;
  deptId: string | null;
  entryId: string | null;
  dataVersion: number | null;
  sql: string;
  tables: Record<string, string>;
  status: 'released' | 'refused' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  columns: string[] | null;
  resultRows: number;
  durationMs: number;
  expiresAt: string | null;
  createdAt: string;
}

export interface OpenSandboxResult {
  jobId: string;
  columns: string[];
  rows: unknown[][];
  expiresAt: string;
}

const ALIAS = /^[a-z_][a-z0-9_]{0,30}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TABLES = 6;

function mapJob(r: Record<string, any>): OpenSandboxJob {
  return {
    id: r.id,
    applicationIds: r.application_ids,
    developerId: r.developer_id,
    appId: r.app_id,
    deptId: r.dept_id,
    entryId: r.entry_id,
    dataVersion: r.data_version,
    sql: r.sql,
    tables: r.tables,
    status: r.status,
    reasonCode: r.reason_code,
    reason: r.reason,
    columns: r.result_columns,
    resultRows: r.result_rows,
    durationMs: r.duration_ms,
    expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

interface Bound {
  applicationId: string;
  appId: string;
  entryId: string;
  datasetId: string | null;
  deptId: string;
  dataVersion: number;
  qualifiedTable: string;
  table: SandboxTable;
}

/** A refusal decided before or after running: stored, audited, then answered as problem+json. */
class Refused extends Error {
  constructor(
    readonly status: 'refused' | 'failed',
    readonly error: DomainException,
  ) {
    super(error.messages.en);
  }
}

const refusalOf = (err: SandboxRefusal) => new Refused('refused', OpenSandboxErrors.refused(err.code, err.zh, err.en, err.details));

/**
 * 数据沙箱 for developers (有条件开放, access type `sandbox`): the same restricted dialect, release
 * checks and differencing ledger as the departments' sandbox in sharing (libs/shared/src/security/sandbox),
 * over the open copy of the dataset (personal items masked as in the open schema, never output raw).
 * The ledger is kept per developer and dataset (across apps, applications and versions). Every job —
 * SQL, result size, decision — is stored and audited (`security.sandbox.job`).
 */
@Injectable()
export class OpenSandboxService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OpenSandbox');
  /** Sandbox queries have a pool of their own: a runaway query never starves the records API. */
  private readonly pool: Pool;
  private sweeper?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly roles: OpenSandboxRoles,
    private readonly clock: OpenSandboxClock,
    @Inject(OPEN_SANDBOX_SETTINGS) private readonly settings: SandboxSettings,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.pool = createPgPool({ connectionString: runtime.databaseUrl, max: settings.sandboxPoolSize, idleTimeoutMillis: 30_000 }, this.logger);
  }

  onModuleInit(): void {
    // Results are kept for SECURITY_SANDBOX_RESULT_HOURS; expired ones are deleted every ten minutes.
    this.sweeper = setInterval(() => this.purgeExpired().catch((err) => this.logger.warn(`sweep failed: ${(err as Error).message}`)), 600_000);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.pool.end();
  }

  async submit(dev: DeveloperPrincipal, req: OpenSandboxJobRequest): Promise<OpenSandboxJob> {
    const started = Date.now();
    const id = randomUUID();
    const applicationIds = [...new Set(Object.values(req.tables ?? {}))];
    let bound: Bound[] = [];
    try {
      bound = await this.bind(dev, req);
      let plan: SandboxPlan;
      try {
        plan = planSandboxQuery(req.sql, bound.map((b) => b.table));
      } catch (err) {
        if (err instanceof SandboxRefusal) throw refusalOf(err);
        throw err;
      }
      const role = await this.roles.ensure(new Map(bound.map((b) => [b.applicationId, b.qualifiedTable]))).catch((err) => {
        throw err instanceof DomainException ? new Refused('failed', err) : err;
      });
      const rows = await this.run(plan, role);
      const driving = bound.find((b) => b.table.alias === plan.drivingTable)!;
      return await this.release(dev, { id, req, applicationIds, plan, rows, driving, bound, started });
    } catch (err) {
      if (err instanceof Refused) {
        await this.record(dev, { id, req, applicationIds, driving: bound[0], status: err.status, error: err.error, started });
        throw err.error;
      }
      throw err;
    }
  }

  /** Checks the named applications (the developer's, approved for the sandbox, not past their end date) and binds each table name to the open copy. */
  private async bind(dev: DeveloperPrincipal, req: OpenSandboxJobRequest): Promise<Bound[]> {
    const entries = Object.entries(req.tables ?? {});
    const bad = (zh: string, en: string) => new Refused('refused', OpenSandboxErrors.notApproved(zh, en));
    if (entries.length === 0 || entries.length > MAX_TABLES) throw bad(`tables 须列出 1–${MAX_TABLES} 个表名及其沙箱申请`, `tables must name 1–${MAX_TABLES} tables and their sandbox applications`);
    const today = toShanghaiDate(this.clock.now());
    const out: Bound[] = [];
    for (const [alias, applicationId] of entries) {
      if (!ALIAS.test(alias)) throw bad(`表名须为小写字母、数字和下划线：${alias.slice(0, 40)}`, `Table names are lower-case letters, digits and underscores: ${alias.slice(0, 40)}`);
      const [a] = UUID.test(String(applicationId))
        ? await this.db.query(
            `SELECT a.id, a.app_id, a.entry_id, a.status, a.access_type, a.end_date, d.dept_id, d.dataset_id, d.status AS dataset_status, d.table_name, d.columns, d.data_version
               FROM openapi.conditional_application a LEFT JOIN openapi.open_dataset d ON d.entry_id = a.entry_id
              WHERE a.id = $1 AND a.developer_id = $2`,
            [applicationId, dev.developerId],
          )
        : [];
      if (!a) throw bad(`申请不存在或不属于您：${String(applicationId).slice(0, 40)}`, `No such application of yours: ${String(applicationId).slice(0, 40)}`);
      if (a.access_type !== 'sandbox') throw bad('该申请的使用方式不是数据沙箱', 'This application is not for the sandbox');
      if (a.status !== 'approved') throw bad(`申请尚未批准（${a.status}）`, `The application is not approved (${a.status})`);
      if (a.end_date && toShanghaiDate(a.end_date) < today) throw bad('授权已过截止日期', 'The approval has ended');
      if (a.dataset_status !== 'open' || !a.table_name) throw bad('数据集未开放或尚无数据', 'The dataset is not open or has no data yet');
      const plan: { name: string; personal?: boolean; mask?: unknown }[] = a.columns ?? [];
      out.push({
        applicationId: a.id,
        appId: a.app_id,
        entryId: a.entry_id,
        datasetId: a.dataset_id,
        deptId: a.dept_id,
        dataVersion: a.data_version,
        qualifiedTable: `openapi.${quoteIdent(a.table_name)}`,
        table: {
          alias,
          schema: 'openapi',
          table: a.table_name,
          columns: plan.map((c) => c.name),
          // Personal items (masked in the open copy) and what discovery withheld: never released raw.
          sensitive: plan.filter((c) => c.personal || c.mask).map((c) => c.name),
          allColumns: plan.map((c) => c.name),
        },
      });
    }
    return out;
  }

  /** Runs the plan read-only, under the applications' role, with time, memory and row limits. */
  private async run(plan: SandboxPlan, role: string): Promise<Record<string, unknown>[]> {
    try {
      return await runSandboxQuery(this.pool, plan.sql, role, { timeoutMs: this.settings.sandboxTimeoutMs, workMem: this.settings.sandboxWorkMem, maxRows: this.settings.sandboxMaxRows });
    } catch (err) {
      if (!(err instanceof SandboxRunFailure)) throw err;
      if (err.reason === 'timeout') throw new Refused('failed', OpenSandboxErrors.timeout(this.settings.sandboxTimeoutMs));
      if (err.reason === 'permission') throw new Refused('refused', OpenSandboxErrors.refused('SANDBOX_PERMISSION_DENIED', '沙箱角色无权访问所引用的对象', 'The sandbox role may not access a referenced object'));
      throw new Refused('failed', OpenSandboxErrors.failed(err.sqlstate));
    }
  }

  private async release(
    dev: DeveloperPrincipal,
    j: { id: string; req: OpenSandboxJobRequest; applicationIds: string[]; plan: SandboxPlan; rows: Record<string, unknown>[]; driving: Bound; bound: Bound[]; started: number },
  ): Promise<OpenSandboxJob> {
    const k = this.settings.minK;
    const groups = outputGroups(j.rows);
    const guarded = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        throw err instanceof SandboxRefusal ? refusalOf(err) : err;
      }
    };
    guarded(() => checkGroups(groups, { minK: k, maxRows: this.settings.sandboxMaxRows }));
    const result = j.rows.map((r) => j.plan.columns.map((c) => r[c] as unknown));
    const expiresAt = new Date(this.clock.now().getTime() + this.settings.sandboxResultHours * 3_600_000);
    // One ledger per developer and dataset (entry): across the developer's apps and applications, and
    // across versions — rows are matched by content fingerprint (release-check.ts in libs/shared).
    const releaseKey = `developer:${dev.developerId}:entry:${j.driving.entryId}`;
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`open-sandbox-release:${releaseKey}`]);
      if (groups.length) {
        const { lo, hi } = ledgerWindow(groups, k);
        const earlier: { job_id: string; row_count: string; row_ids: Buffer }[] = await m.query(
          `SELECT job_id, row_count, row_ids FROM openapi.sandbox_release WHERE release_key=$1 AND row_count BETWEEN $2 AND $3 ORDER BY id DESC LIMIT $4`,
          [releaseKey, lo, hi, this.settings.sandboxHistory],
        );
        guarded(() => checkDifferencing(groups, earlier.map((e) => ({ jobId: e.job_id, rows: Number(e.row_count), ids: () => decodeRowSet(e.row_ids) })), k));
      }
      const [row] = await m.query(
        `INSERT INTO openapi.sandbox_job (id, application_ids, developer_id, app_id, dept_id, entry_id, data_version, sql, tables, rewritten_sql, status, result_columns, result, result_rows, source_rows, duration_ms, expires_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'released',$11,$12,$13,$14,$15,$16) RETURNING *`,
        [
          j.id,
          j.applicationIds,
          dev.developerId,
          j.driving.appId,
          j.driving.deptId,
          j.driving.entryId,
          j.driving.dataVersion,
          j.req.sql,
          JSON.stringify(j.req.tables),
          j.plan.sql,
          JSON.stringify(j.plan.columns),
          JSON.stringify(result),
          result.length,
          groups.reduce((s, g) => s + groupSize(g), 0),
          Date.now() - j.started,
          expiresAt,
        ],
      );
      const fresh = groups.filter((g) => !g.known);
      if (fresh.length)
        await m.query(`INSERT INTO openapi.sandbox_release (job_id, release_key, row_count, row_ids) SELECT $1, $2, n, ids FROM unnest($3::bigint[], $4::bytea[]) AS u(n, ids)`, [
          j.id,
          releaseKey,
          fresh.map((g) => g.rows),
          fresh.map((g) => encodeRowSet(g.ids)),
        ]);
      const job = mapJob(row);
      await this.jobEvent(m, dev, job);
      // The access trail (who used which dataset, how much) sees sandbox use like any other read.
      for (const b of j.bound)
        await this.outbox.add(m, 'open.data.accessed', {
          channel: 'open',
          kind: 'sandbox',
          outcome: 'allowed',
          datasetId: b.datasetId,
          entryId: b.entryId,
          providerDeptId: b.deptId,
          version: b.dataVersion,
          appId: b.appId,
          fields: j.plan.columns,
          rowCount: result.length,
          personalData: false,
          at: new Date().toISOString(),
        });
      return job;
    });
  }

  /** `security.sandbox.job`, as sharing sends it: the application ids stand where grants do, the providing department where the consumer does. */
  private jobEvent(m: EntityManager, dev: DeveloperPrincipal, job: OpenSandboxJob) {
    // Developers call with their own token, not a staff one: the audit record names the app (or the developer).
    setActor({ type: 'app', id: job.appId ?? `developer:${dev.developerId}`, name: dev.name || `developer ${dev.developerId}` });
    const payload: SandboxJobRecordedV1 = {
      jobId: job.id,
      grantIds: job.applicationIds,
      consumerDeptId: job.deptId ?? '00000000-0000-0000-0000-000000000000',
      userId: `developer:${dev.developerId}`,
      operatorId: null,
      sql: job.sql,
      status: job.status,
      reasonCode: job.reasonCode,
      reason: job.reason,
      resultRows: job.resultRows,
      durationMs: job.durationMs,
      at: new Date().toISOString(),
    };
    return this.outbox.add(m, 'security.sandbox.job', payload);
  }

  /** A refused or stopped job: stored and audited like a released one, without a result. */
  private async record(
    dev: DeveloperPrincipal,
    j: { id: string; req: OpenSandboxJobRequest; applicationIds: string[]; driving?: Bound; status: 'refused' | 'failed'; error: DomainException; started: number },
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO openapi.sandbox_job (id, application_ids, developer_id, app_id, dept_id, entry_id, data_version, sql, tables, status, reason_code, reason, duration_ms)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING *`,
        [
          j.id,
          j.applicationIds.filter((a) => UUID.test(String(a))),
          dev.developerId,
          j.driving?.appId ?? null,
          j.driving?.deptId ?? null,
          j.driving?.entryId ?? null,
          j.driving?.dataVersion ?? null,
          String(j.req.sql ?? '').slice(0, 20_000),
          JSON.stringify(j.req.tables ?? {}),
          j.status,
          j.error.code,
          j.error.messages.zh,
          Date.now() - j.started,
        ],
      );
      await this.jobEvent(m, dev, mapJob(row));
    });
  }

  async mine(dev: DeveloperPrincipal, q: { status?: string; limit?: number }): Promise<OpenSandboxJob[]> {
    const params: unknown[] = [dev.developerId];
    const status = q.status ? `AND status = $${params.push(q.status)}` : '';
    const rows = await this.db.query(`SELECT * FROM openapi.sandbox_job WHERE developer_id = $1 ${status} ORDER BY created_at DESC LIMIT $${params.push(q.limit ?? 200)}`, params);
    return rows.map(mapJob);
  }

  async get(dev: DeveloperPrincipal, id: string): Promise<OpenSandboxJob> {
    const [row] = await this.db.query(`SELECT * FROM openapi.sandbox_job WHERE id = $1 AND developer_id = $2`, [id, dev.developerId]);
    if (!row) throw OpenSandboxErrors.jobNotFound(id);
    return mapJob(row);
  }

  /** The released result while it is kept (only the submitting developer). */
  async result(dev: DeveloperPrincipal, id: string): Promise<OpenSandboxResult> {
    const [row] = await this.db.query(`SELECT * FROM openapi.sandbox_job WHERE id = $1 AND developer_id = $2`, [id, dev.developerId]);
    if (!row) throw OpenSandboxErrors.jobNotFound(id);
    if (row.status !== 'released' || !row.result || !row.expires_at || new Date(row.expires_at) <= this.clock.now()) throw OpenSandboxErrors.resultGone();
    return { jobId: id, columns: row.result_columns, rows: row.result, expiresAt: new Date(row.expires_at).toISOString() };
  }

  resultCsv(r: { columns: string[]; rows: unknown[][] }): string {
    const lines = [r.columns.map((c) => csvCell(c)).join(','), ...r.rows.map((row) => row.map((v) => csvCell(v as never)).join(','))];
    return `\ufeff${lines.join('\r\n')}\r\n`;
  }

  /** 数据安全官 and the providing departments: developers' jobs (refused and stopped by default), scoped to the caller's departments, one page (newest first, id breaks ties). */
  async oversight(staff: StaffPrincipal, q: OversightQuery): Promise<Page<OpenSandboxJob>> {
    const { where, params } = this.oversightWhere(staff, q);
    return pageOf(this.db, { select: '*', from: `FROM openapi.sandbox_job WHERE ${where}`, orderBy: 'created_at DESC, id' }, params, q, mapJob);
  }

  /** The same jobs unpaged for the CSV export (up to `limit`, default 10,000). */
  async oversightRows(staff: StaffPrincipal, q: OversightQuery): Promise<OpenSandboxJob[]> {
    const { where, params } = this.oversightWhere(staff, q);
    const rows = await this.db.query(`SELECT * FROM openapi.sandbox_job WHERE ${where} ORDER BY created_at DESC, id LIMIT $${params.length + 1}`, [...params, q.limit ?? 10_000]);
    return rows.map(mapJob);
  }

  private oversightWhere(staff: StaffPrincipal, q: OversightQuery): { where: string; params: unknown[] } {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`dept_id = ANY($${params.push(scope.deptIds)}::uuid[])`);
    where.push(q.status ? `status = $${params.push(q.status)}` : `status <> 'released'`);
    if (q.code) where.push(`reason_code = $${params.push(q.code)}`);
    if (q.from) where.push(`created_at >= ($${params.push(q.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
    if (q.to) where.push(`created_at < (($${params.push(q.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
    return { where: where.join(' AND '), params };
  }

  /** Deletes results past their keeping period (the job record stays) and strips roles of ended applications. */
  async purgeExpired(): Promise<number> {
    await this.roles.revokeInactive(toShanghaiDate(this.clock.now()));
    const res = await this.db.query(`UPDATE openapi.sandbox_job SET result = NULL WHERE result IS NOT NULL AND expires_at <= $1 RETURNING id`, [this.clock.now()]);
    return (Array.isArray(res[0]) ? res[0] : res).length;
  }
}
