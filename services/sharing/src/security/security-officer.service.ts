import { csvCell, Page, pageOf, SensitiveFindingsChangedV1 } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DatasetStore } from '../datasets/dataset-store';
import { mapJob } from '../sandbox/sandbox.service';

export interface OfficerQuery {
  from?: string;
  to?: string;
  deptId?: string;
  entryId?: string;
  status?: string;
  code?: string;
  limit?: number;
  page?: number;
  pageSize?: number;
}

type Row = Record<string, unknown>;

/** CSV exports take every matching row up to `limit` (default 10,000); JSON answers one page. */
const CSV_MAX_ROWS = 10_000;

/**
 * 数据安全官 view: discovery findings (from ingest's events, kept here as a read model — no
 * cross-service table access), refused and stopped sandbox jobs, aggregation-risk refusals; each
 * filterable and exportable as CSV.
 */
@Injectable()
export class SecurityOfficerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    datasets: DatasetStore,
  ) {
    datasets.onSensitiveFindings((m, e) => this.applyFindings(m, e));
  }

  /** The event carries all findings of one version: replace the dataset's rows unless a newer version is stored. */
  async applyFindings(m: EntityManager, e: SensitiveFindingsChangedV1): Promise<void> {
    const [newer] = await m.query(`SELECT 1 FROM sharing.sensitive_finding WHERE dataset_id=$1 AND version > $2 LIMIT 1`, [e.datasetId, e.version]);
    if (newer) return;
    await m.query(`DELETE FROM sharing.sensitive_finding WHERE dataset_id=$1`, [e.datasetId]);
    const drift = new Set(e.drift);
    const blocked = new Set(e.blockedColumns);
    for (const f of e.findings)
      await m.query(
        `INSERT INTO sharing.sensitive_finding (dataset_id, entry_id, dept_id, version, column_name, kind, matches, scanned, status, blocked, drift)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (dataset_id, column_name, kind) DO UPDATE SET version=EXCLUDED.version, matches=EXCLUDED.matches,
           scanned=EXCLUDED.scanned, status=EXCLUDED.status, blocked=EXCLUDED.blocked, drift=EXCLUDED.drift, updated_at=now()`,
        [e.datasetId, e.entryId, e.deptId, e.version, f.column, f.kind, f.matches, f.scanned, f.status, blocked.has(f.column), drift.has(f.column)],
      );
  }

  private where(q: OfficerQuery, cols: { at: string; dept?: string; entry?: string; status?: string; code?: string }): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const w: string[] = [];
    if (q.from) w.push(`${cols.at} >= $${params.push(q.from)}::date`);
    if (q.to) w.push(`${cols.at} < ($${params.push(q.to)}::date + 1)`);
    if (q.deptId && cols.dept) w.push(`${cols.dept} = $${params.push(q.deptId)}`);
    if (q.entryId && cols.entry) w.push(`${cols.entry} = $${params.push(q.entryId)}`);
    if (q.status && cols.status) w.push(`${cols.status} = $${params.push(q.status)}`);
    if (q.code && cols.code) w.push(`${cols.code} = $${params.push(q.code)}`);
    return { sql: w.length ? `WHERE ${w.join(' AND ')}` : '', params };
  }

  /**
   * Runs one list: `csv` answers every matching row up to `limit`; otherwise the page `page` of
   * `pageSize` rows (default 1 and 20) and the number of matching rows. `order` ends with a unique key.
   */
  private async list(q: OfficerQuery, csv: boolean, sql: { select: string; from: string; order: string }, params: unknown[]): Promise<Row[] | Page<Row>> {
    if (csv) return this.dataSource.query(`SELECT ${sql.select} ${sql.from} ORDER BY ${sql.order} LIMIT $${params.length + 1}`, [...params, q.limit ?? CSV_MAX_ROWS]);
    return pageOf(this.dataSource, { select: sql.select, from: sql.from, orderBy: sql.order }, params, q, (row: Row) => row);
  }

  private static mapPage<T>(r: Row[] | Page<Row>, fn: (row: Row) => T): T[] | Page<T> {
    return Array.isArray(r) ? r.map(fn) : { ...r, items: r.items.map(fn) };
  }

  /** Discovery findings of each dataset's latest scanned version, most recently changed first. */
  async findings(q: OfficerQuery, csv: true): Promise<Row[]>;
  async findings(q: OfficerQuery, csv?: false): Promise<Page<Row>>;
  async findings(q: OfficerQuery, csv = false): Promise<Row[] | Page<Row>> {
    const { sql, params } = this.where(q, { at: 'f.updated_at', dept: 'f.dept_id', entry: 'f.entry_id', status: 'f.status' });
    return this.list(
      q,
      csv,
      {
        select: `f.dataset_id AS "datasetId", f.entry_id AS "entryId", e.name AS "entryName", f.dept_id AS "deptId", e.dept_name AS "deptName", f.version, f.column_name AS "column", f.kind,
              f.matches::int AS matches, f.scanned::int AS scanned, f.status, f.blocked, f.drift, f.updated_at AS "updatedAt"`,
        from: `FROM sharing.sensitive_finding f LEFT JOIN sharing.catalog_entry e ON e.entry_id = f.entry_id ${sql}`,
        order: 'f.updated_at DESC, f.dataset_id, f.column_name, f.kind',
      },
      params,
    );
  }

  /** Refused and stopped sandbox jobs (status refused|failed; both unless filtered), newest first. */
  async refusedJobs(q: OfficerQuery, csv: true): Promise<Row[]>;
  async refusedJobs(q: OfficerQuery, csv?: false): Promise<Page<Row>>;
  async refusedJobs(q: OfficerQuery, csv = false): Promise<Row[] | Page<Row>> {
    const { sql, params } = this.where(q, { at: 'created_at', dept: 'consumer_dept_id', status: 'status', code: 'reason_code' });
    const rows = await this.list(q, csv, { select: '*', from: `FROM sharing.sandbox_job ${sql ? `${sql} AND` : 'WHERE'} status IN ('refused','failed')`, order: 'created_at DESC, id' }, params);
    return SecurityOfficerService.mapPage(rows, (r: Row) => {
      const j = mapJob(r);
      return { id: j.id, createdAt: j.createdAt, consumerDeptId: j.consumerDeptId, userId: j.userId, operatorId: j.operatorId, grantIds: j.grantIds.join(' '), status: j.status, reasonCode: j.reasonCode, reason: j.reason, sql: j.sql };
    });
  }

  /** Approvals refused for aggregation risk, newest first. */
  async aggregationRefusals(q: OfficerQuery, csv: true): Promise<Row[]>;
  async aggregationRefusals(q: OfficerQuery, csv?: false): Promise<Page<Row>>;
  async aggregationRefusals(q: OfficerQuery, csv = false): Promise<Row[] | Page<Row>> {
    const { sql, params } = this.where(q, { at: 'r.created_at', dept: 'r.consumer_dept_id', entry: 'r.entry_id' });
    return this.list(
      q,
      csv,
      {
        select: `r.id, r.created_at AS "createdAt", r.entry_id AS "entryId", e.name AS "entryName", r.request_id AS "requestId", r.consumer_dept_id AS "consumerDeptId",
              array_to_string(r.columns, ' + ') AS columns, array_to_string(r.offending, ' + ') AS offending, r.k::float AS k, r.required_k AS "requiredK", r.rows_at_risk::int AS "rowsAtRisk"`,
        from: `FROM sharing.security_refusal r LEFT JOIN sharing.catalog_entry e ON e.entry_id = r.entry_id ${sql}`,
        order: 'r.created_at DESC, r.id',
      },
      params,
    );
  }

  /** CSV (UTF-8 with BOM for Excel, formula-escaped cells) of any of the lists. */
  toCsv(rows: Row[]): string {
    if (rows.length === 0) return '\ufeff\r\n';
    const cols = Object.keys(rows[0]);
    const cell = (v: unknown) => csvCell(v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(' ') : (v as never));
    return `\ufeff${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
  }
}
