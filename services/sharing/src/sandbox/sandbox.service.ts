import { randomUUID } from 'node:crypto';
import {
  checkDifferencing,
  checkGroups,
  createPgPool,
  csvCell,
  decodeRowSet,
  departmentScopeOf,
  DomainException,
  encodeRowSet,
  ledgerWindow,
  OutboxWriter,
  outputGroups,
  planSandboxQuery,
  runSandboxQuery,
  SandboxJobRecordedV1,
  SandboxPlan,
  SandboxRefusal,
  SandboxRunFailure,
  SandboxTable,
  SERVICE_RUNTIME,
  ServiceRuntime,
  StaffPrincipal,
  toShanghaiDate,
} from '@gov/shared';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogReadModel } from '../catalog/catalog-read-model';
import { DatasetStore, SharedDataset } from '../datasets/dataset-store';
import type { Grant } from '../grants/grant.model';
import { GrantsService } from '../grants/grants.service';
import { OperatorsService } from '../operation/operators.service';
import { SecurityErrors } from '../security/security.errors';
import { SECURITY_SETTINGS, SecuritySettings } from '../security/security.settings';
import { SharingClock } from '../sharing.settings';
import { SandboxRoles } from './sandbox-roles';

export interface SandboxJobRequest {
  /** Table name used in the SQL → the sandbox grant whose dataset it stands for. */
  tables: Record<string, string>;
  sql: string;
  /** 授权运营: the permitted scenario this job serves (required for operation grants). */
  scenario?: string;
}

/** A job as its submitter and the security officer see it (the result itself is downloaded separately). */
export interface SandboxJob {
  id: string;
  grantIds: string[];
  consumerDeptId: string;
  userId: string;
  operatorId: string | null;
  scenario: string | null;
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

export interface SandboxResult {
  jobId: string;
  columns: string[];
  rows: unknown[][];
  expiresAt: string;
}

const ALIAS = /^[a-z_][a-z0-9_]{0,30}$/;
const MAX_TABLES = 6;

export function mapJob(r: Record<string, any>): SandboxJob {
  return {
    id: r.id,
    grantIds: r.grant_ids,
    consumerDeptId: r.consumer_dept_id,
    userId: r.user_id,
    operatorId: r.operator_id,
    scenario: r.scenario,
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
  grant: Grant;
  dataset: SharedDataset;
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

/**
 * 数据沙箱 (可用不可见): a department under a `sandbox` grant runs a checked aggregate query inside
 * the platform; only aggregates over groups of at least k source rows leave, never raw personal
 * values, and never two aggregates whose row sets differ by fewer than k rows. Every job — its SQL,
 * result size and decision — is stored and audited (`security.sandbox.job`).
 */
@Injectable()
export class SandboxService implements OnApplicationShutdown {
  /** Sandbox queries have a pool of their own: a runaway query never starves the service's work. */
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly grants: GrantsService,
    private readonly datasets: DatasetStore,
    private readonly catalog: CatalogReadModel,
    private readonly roles: SandboxRoles,
    private readonly operators: OperatorsService,
    private readonly clock: SharingClock,
    @Inject(SECURITY_SETTINGS) private readonly settings: SecuritySettings,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.pool = createPgPool({ connectionString: runtime.databaseUrl, max: settings.sandboxPoolSize, idleTimeoutMillis: 30_000 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  async submit(staff: StaffPrincipal, req: SandboxJobRequest): Promise<SandboxJob> {
    const started = Date.now();
    const id = randomUUID();
    const grantIds = [...new Set(Object.values(req.tables ?? {}))];
    let operatorId: string | null = null;
    try {
      const bound = await this.bind(staff, req);
      // Refusals of an operation job count in the operator's report too.
      operatorId = bound.map((b) => b.grant.operatorId).find((o) => o !== null) ?? null;
      try {
        operatorId = await this.operators.checkSandboxJob(bound.map((b) => b.grant), req.scenario ?? null, this.clock.now());
      } catch (err) {
        if (err instanceof DomainException) throw new Refused('refused', err);
        throw err;
      }
      let plan: SandboxPlan;
      try {
        plan = planSandboxQuery(req.sql, bound.map((b) => b.table));
      } catch (err) {
        if (err instanceof SandboxRefusal) throw new Refused('refused', SecurityErrors.sandboxRefused(err.code, err.zh, err.en, err.details));
        throw err;
      }
      const role = await this.roles.ensure(new Map(bound.map((b) => [b.grant.id, b.dataset.qualifiedTable]))).catch((err) => {
        throw err instanceof DomainException ? new Refused('failed', err) : err;
      });
      const rows = await this.run(plan, role);
      const driving = bound.find((b) => b.table.alias === plan.drivingTable)!;
      return await this.release(staff, { id, req, grantIds, operatorId, plan, rows, driving, bound, started });
    } catch (err) {
      if (err instanceof Refused) {
        await this.record(staff, { id, req, grantIds, operatorId, status: err.status, error: err.error, started });
        throw err.error;
      }
      throw err;
    }
  }

  /** Checks the named grants (the caller's department's, active, sandbox) and binds each table name to its dataset. */
  private async bind(staff: StaffPrincipal, req: SandboxJobRequest): Promise<Bound[]> {
    const entries = Object.entries(req.tables ?? {});
    const bad = (zh: string, en: string) => new Refused('refused', SecurityErrors.sandboxGrant(zh, en));
    if (entries.length === 0 || entries.length > MAX_TABLES) throw bad(`tables 须列出 1–${MAX_TABLES} 个表名及其沙箱授权`, `tables must name 1–${MAX_TABLES} tables and their sandbox grants`);
    const today = toShanghaiDate(this.clock.now());
    const out: Bound[] = [];
    for (const [alias, grantId] of entries) {
      if (!ALIAS.test(alias)) throw bad(`表名须为小写字母、数字和下划线：${alias.slice(0, 40)}`, `Table names are lower-case letters, digits and underscores: ${alias.slice(0, 40)}`);
      let grant: Grant;
      try {
        grant = await this.grants.get(departmentScopeOf(staff), grantId);
      } catch {
        throw bad(`沙箱授权不存在或不属于本部门：${grantId}`, `No such sandbox grant of your department: ${grantId}`);
      }
      if (grant.consumerDeptId !== staff.deptId) throw bad('只有被授权部门可以使用该沙箱授权', 'Only the granted department may use this sandbox grant');
      if (grant.deliveryMethod !== 'sandbox') throw bad(`授权 ${grantId} 的交付方式不是数据沙箱`, `Grant ${grantId} is not a sandbox grant`);
      if (grant.status !== 'active' || grant.validTo < today || grant.validFrom > today) throw bad(`沙箱授权不可用（${grant.status}）`, `The sandbox grant is not usable (${grant.status})`);
      const dataset = await this.datasets.forEntry(grant.entryId);
      if (!dataset) throw bad('数据集尚无可用版本', 'The dataset has no version yet');
      const entry = await this.catalog.find(undefined, grant.entryId);
      const loaded = new Set(dataset.columns.map((c) => c.name));
      const personal = (entry?.items ?? []).filter((i) => i.personal).map((i) => i.name);
      out.push({
        grant,
        dataset,
        table: {
          alias,
          schema: 'sharing',
          table: dataset.tableName,
          columns: grant.items.filter((i) => loaded.has(i)),
          // Flagged personal items and what ingest's scan found unflagged: never released raw.
          sensitive: [...new Set([...personal, ...dataset.blockedColumns])],
          allColumns: dataset.columns.map((c) => c.name),
        },
      });
    }
    return out;
  }

  /** Runs the plan read-only, under the grant's role, with time, memory and row limits. */
  private async run(plan: SandboxPlan, role: string): Promise<Record<string, unknown>[]> {
    try {
      return await runSandboxQuery(this.pool, plan.sql, role, { timeoutMs: this.settings.sandboxTimeoutMs, workMem: this.settings.sandboxWorkMem, maxRows: this.settings.sandboxMaxRows });
    } catch (err) {
      if (!(err instanceof SandboxRunFailure)) throw err;
      if (err.reason === 'timeout') throw new Refused('failed', SecurityErrors.sandboxTimeout(this.settings.sandboxTimeoutMs));
      if (err.reason === 'permission') throw new Refused('refused', SecurityErrors.sandboxRefused('SANDBOX_PERMISSION_DENIED', '沙箱角色无权访问所引用的对象', 'The sandbox role may not access a referenced object'));
      throw new Refused('failed', SecurityErrors.sandboxFailed(`SQLSTATE ${err.sqlstate}`, `SQLSTATE ${err.sqlstate}`));
    }
  }

  private async release(
    staff: StaffPrincipal,
    j: { id: string; req: SandboxJobRequest; grantIds: string[]; operatorId: string | null; plan: SandboxPlan; rows: Record<string, unknown>[]; driving: Bound; bound: Bound[]; started: number },
  ): Promise<SandboxJob> {
    const k = this.settings.minK;
    const groups = outputGroups(j.rows);
    const refusedBy = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        if (err instanceof SandboxRefusal) throw new Refused('refused', SecurityErrors.sandboxRefused(err.code, err.zh, err.en, err.details));
        throw err;
      }
    };
    refusedBy(() => checkGroups(groups, { minK: k, maxRows: this.settings.sandboxMaxRows }));
    const result = j.rows.map((r) => j.plan.columns.map((c) => r[c] as unknown));
    const expiresAt = new Date(this.clock.now().getTime() + this.settings.sandboxResultHours * 3_600_000);
    const durationMs = Date.now() - j.started;
    const sourceRows = groups.reduce((s, g) => s + Math.min(g.rows, g.ids.length), 0);
    // 差分攻击: one ledger per receiving department and dataset — not per grant or version — so a pair
    // of aggregates is caught across grants (a renewal) and across versions (before/after a new version
    // lands); rows are matched by content fingerprint (see release-check.ts in libs/shared).
    const releaseKey = `dept:${staff.deptId}:dataset:${j.driving.dataset.datasetId}`;
    return this.dataSource.transaction(async (m) => {
      // Releases under one key are checked and kept one at a time: two concurrent jobs could
      // otherwise each pass against the other's not yet kept groups.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`sandbox-release:${releaseKey}`]);
      if (groups.length) {
        const { lo, hi } = ledgerWindow(groups, k);
        const earlier: { job_id: string; row_count: string; row_ids: Buffer }[] = await m.query(
          `SELECT job_id, row_count, row_ids FROM sharing.sandbox_release WHERE release_key=$1 AND row_count BETWEEN $2 AND $3 ORDER BY id DESC LIMIT $4`,
          [releaseKey, lo, hi, this.settings.sandboxHistory],
        );
        refusedBy(() => checkDifferencing(groups, earlier.map((e) => ({ jobId: e.job_id, rows: Number(e.row_count), ids: () => decodeRowSet(e.row_ids) })), k));
      }
      const [row] = await m.query(
        `INSERT INTO sharing.sandbox_job (id, grant_ids, consumer_dept_id, user_id, operator_id, scenario, sql, tables, rewritten_sql, status, result_columns, result, result_rows, source_rows, duration_ms, expires_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'released',$10,$11,$12,$13,$14,$15) RETURNING *`,
        [j.id, j.grantIds, staff.deptId, staff.userId, j.operatorId, j.req.scenario ?? null, j.req.sql, JSON.stringify(j.req.tables), j.plan.sql, JSON.stringify(j.plan.columns), JSON.stringify(result), result.length, sourceRows, durationMs, expiresAt],
      );
      const fresh = groups.filter((g) => !g.known);
      if (fresh.length)
        await m.query(
          `INSERT INTO sharing.sandbox_release (job_id, release_key, row_count, row_ids) SELECT $1, $2, n, ids FROM unnest($3::bigint[], $4::bytea[]) AS u(n, ids)`,
          [j.id, releaseKey, fresh.map((g) => g.rows), fresh.map((g) => encodeRowSet(g.ids))],
        );
      await this.jobEvent(m, mapJob(row), j.plan.sql);
      for (const b of j.bound)
        await this.outbox.add(m, 'sharing.data.accessed', {
          channel: 'grant',
          kind: 'sandbox',
          outcome: 'allowed',
          datasetId: b.dataset.datasetId,
          entryId: b.grant.entryId,
          providerDeptId: b.grant.providerDeptId,
          version: b.dataset.version,
          grantId: b.grant.id,
          consumerDeptId: b.grant.consumerDeptId,
          systemId: b.grant.systemName,
          fields: j.plan.columns,
          rowCount: result.length,
          personalData: false,
          at: new Date().toISOString(),
        });
      return mapJob(row);
    });
  }

  private jobEvent(m: EntityManager, job: SandboxJob, _rewritten?: string) {
    const payload: SandboxJobRecordedV1 = {
      jobId: job.id,
      grantIds: job.grantIds,
      consumerDeptId: job.consumerDeptId,
      userId: job.userId,
      operatorId: job.operatorId,
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
  private async record(staff: StaffPrincipal, j: { id: string; req: SandboxJobRequest; grantIds: string[]; operatorId: string | null; status: 'refused' | 'failed'; error: DomainException; started: number }) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    await this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO sharing.sandbox_job (id, grant_ids, consumer_dept_id, user_id, operator_id, scenario, sql, tables, status, reason_code, reason, duration_ms)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING *`,
        [j.id, j.grantIds.filter((g) => uuid.test(g)), staff.deptId, staff.userId, j.operatorId, j.req.scenario ?? null, String(j.req.sql ?? '').slice(0, 20_000), JSON.stringify(j.req.tables ?? {}), j.status, j.error.code, j.error.messages.zh, Date.now() - j.started],
      );
      await this.jobEvent(m, mapJob(row));
    });
  }

  async list(staff: StaffPrincipal, q: { status?: string; limit?: number }): Promise<SandboxJob[]> {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`consumer_dept_id = ANY($${params.push(scope.deptIds)})`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    const rows = await this.dataSource.query(`SELECT * FROM sharing.sandbox_job ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $${params.push(q.limit ?? 200)}`, params);
    return rows.map(mapJob);
  }

  async get(staff: StaffPrincipal, id: string): Promise<SandboxJob> {
    const [row] = await this.dataSource.query(`SELECT * FROM sharing.sandbox_job WHERE id=$1`, [id]);
    const scope = departmentScopeOf(staff);
    if (!row || (!scope.all && !scope.deptIds.includes(row.consumer_dept_id))) throw SecurityErrors.jobNotFound(id);
    return mapJob(row);
  }

  /** The released result while it is kept (only the submitting department). */
  async result(staff: StaffPrincipal, id: string): Promise<SandboxResult> {
    const [row] = await this.dataSource.query(`SELECT * FROM sharing.sandbox_job WHERE id=$1`, [id]);
    if (!row || row.consumer_dept_id !== staff.deptId) throw SecurityErrors.jobNotFound(id);
    if (row.status !== 'released' || !row.result || !row.expires_at || new Date(row.expires_at) <= this.clock.now()) throw SecurityErrors.resultGone();
    return { jobId: id, columns: row.result_columns, rows: row.result, expiresAt: new Date(row.expires_at).toISOString() };
  }

  resultCsv(r: SandboxResult): string {
    const lines = [r.columns.map((c) => csvCell(c)).join(','), ...r.rows.map((row) => row.map((v) => csvCell(v as never)).join(','))];
    return `\ufeff${lines.join('\r\n')}\r\n`;
  }

  /** Results past their keeping period are deleted, and roles of grants no longer active stripped (run by the sweeper). */
  async purgeExpired(): Promise<number> {
    await this.roles.revokeInactive();
    const rows = await this.dataSource.query(`UPDATE sharing.sandbox_job SET result=NULL WHERE result IS NOT NULL AND expires_at <= $1 RETURNING id`, [this.clock.now()]);
    return (Array.isArray(rows[0]) ? rows[0] : rows).length;
  }
}
