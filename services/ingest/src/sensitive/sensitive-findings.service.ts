import { ColumnFinding, DataItem, DepartmentScope, departmentScopeOf, DomainException, OutboxWriter, pageOf, quoteIdent, scopeAllows, SENSITIVE_KIND_LABELS, SensitiveKind, SERVICE_RUNTIME, ServiceRuntime, StaffPrincipal } from '@gov/shared';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { DatasetsService } from '../datasets/datasets.service';
import { scanVersionTable } from './version-scan';

/**
 * Finding states: covered (the item is flagged personal, so masking applies), blocking (not
 * flagged: no open output, no unconditional sharing), justified (the provider explained, the data
 * bureau has not decided; still blocking), accepted (the bureau accepted the explanation).
 */
export const FINDING_STATUSES = ['covered', 'blocking', 'justified', 'accepted'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
const BLOCKING: readonly FindingStatus[] = ['blocking', 'justified'];

const DEFAULT_RESCAN_HOURS = 24 * 7;

@Injectable()
export class SensitiveFindingsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SensitiveFindingsService.name);
  private readonly rescanHours: number;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly datasets: DatasetsService,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.rescanHours = Number(runtime.settings.extra?.INGEST_SENSITIVE_RESCAN_HOURS ?? DEFAULT_RESCAN_HOURS);
  }

  onApplicationBootstrap(): void {
    // 定期开展敏感字段平台核查: current versions are scanned again, so improved rules and drift show up.
    this.timer = setInterval(() => this.rescanDue().catch((e) => this.logger.error(`sensitive re-scan: ${e.message}`)), 60 * 60 * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Records a version's findings inside the publishing transaction; returns the columns that block open output. */
  async record(m: EntityManager, dataset: Dataset, version: number, findings: readonly ColumnFinding[], opts: { rescan?: boolean } = {}): Promise<string[]> {
    const flagged = new Set(dataset.items.filter((i: DataItem) => i.personal).map((i) => i.name));
    const accepted: { column_name: string; kind: string }[] = await m.query(
      `SELECT DISTINCT column_name, kind FROM ingest.sensitive_finding WHERE dataset_id = $1 AND status = 'accepted'`,
      [dataset.id],
    );
    const before: { column_name: string; kind: string }[] = opts.rescan
      ? await m.query(`SELECT column_name, kind FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2`, [dataset.id, version])
      : [];
    if (opts.rescan) await m.query(`DELETE FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2 AND status IN ('covered', 'blocking')`, [dataset.id, version]);
    const kept: { column_name: string; kind: string }[] = opts.rescan ? await m.query(`SELECT column_name, kind FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2`, [dataset.id, version]) : [];
    for (const f of findings) {
      if (kept.some((k) => k.column_name === f.column && k.kind === f.kind)) continue;
      const status: FindingStatus = flagged.has(f.column) ? 'covered' : accepted.some((a) => a.column_name === f.column && a.kind === f.kind) ? 'accepted' : 'blocking';
      await m.query(
        `INSERT INTO ingest.sensitive_finding (dataset_id, dept_id, version, column_name, kind, matches, scanned, share, embedded, examples, status)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
        [dataset.id, dataset.deptId, version, f.column, f.kind, f.matches, f.scanned, f.share, f.embedded, JSON.stringify(f.examples), status],
      );
    }
    await m.query(`UPDATE ingest.dataset_version SET sensitive_scanned_at = now() WHERE dataset_id = $1 AND version = $2`, [dataset.id, version]);
    const drift = opts.rescan ? findings.filter((f) => !before.some((b) => b.column_name === f.column && b.kind === f.kind)).map((f) => f.column) : [];
    const blocked = await this.blockedColumns(m, dataset.id, version);
    if (findings.length > 0 || drift.length > 0) await this.emit(m, dataset, version, { drift });
    return blocked;
  }

  async blockedColumns(m: EntityManager, datasetId: string, version: number): Promise<string[]> {
    const rows: { column_name: string }[] = await m.query(
      `SELECT DISTINCT column_name FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2 AND status = ANY($3)`,
      [datasetId, version, BLOCKING],
    );
    return rows.map((r) => r.column_name).sort();
  }

  /** A new catalog version that flags an item personal turns its blocking findings into covered ones. */
  async reevaluate(m: EntityManager, entryId: string): Promise<void> {
    const dataset = await m.getRepository(Dataset).findOneBy({ entryId });
    if (!dataset?.currentVersion) return;
    const flagged = dataset.items.filter((i) => i.personal).map((i) => i.name);
    const [{ n }] = await m.query(
      `WITH u AS (UPDATE ingest.sensitive_finding SET status = 'covered', updated_at = now()
                  WHERE dataset_id = $1 AND version = $2 AND status = ANY($3) AND column_name = ANY($4) RETURNING id)
       SELECT count(*)::int AS n FROM u`,
      [dataset.id, dataset.currentVersion, BLOCKING, flagged],
    );
    if (n > 0) await this.emit(m, dataset, dataset.currentVersion, {});
  }

  async list(scope: DepartmentScope, datasetId: string, version?: number) {
    const dataset = await this.datasets.get(scope, datasetId);
    const v = version ?? dataset.currentVersion;
    if (!v) return { datasetId, version: null, blockedColumns: [], findings: [] };
    const rows: FindingRow[] = await this.db.query(`SELECT * FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2 ORDER BY column_name, kind`, [dataset.id, v]);
    // Blocked columns from the same rows, so the answer is one consistent picture.
    const blockedColumns = [...new Set(rows.filter((r) => BLOCKING.includes(r.status)).map((r) => r.column_name))].sort();
    return { datasetId, version: v, blockedColumns, findings: rows.map(view) };
  }

  /**
   * The data bureau's queue: findings of current versions, by default those waiting for a flag, an
   * explanation or a decision; filtered by department, dataset, status and finding date (Asia/Shanghai),
   * oldest first as a queue (id breaks ties), one page at a time.
   */
  async open(scope: DepartmentScope, q: OpenFindingsFilter = {}) {
    const params: unknown[] = [];
    const where: string[] = [q.status ? `f.status = $${params.push(q.status)}` : `f.status = ANY($${params.push(BLOCKING)})`];
    if (!scope.all) where.push(`f.dept_id = ANY($${params.push(scope.deptIds)}::uuid[])`);
    if (q.deptId) where.push(`f.dept_id = $${params.push(q.deptId)}`);
    if (q.datasetId) where.push(`f.dataset_id = $${params.push(q.datasetId)}`);
    if (q.from) where.push(`f.created_at >= ($${params.push(q.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
    if (q.to) where.push(`f.created_at < (($${params.push(q.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
    return pageOf(
      this.db,
      {
        select: 'f.*, d.name AS dataset_name, d.entry_id',
        from: `FROM ingest.sensitive_finding f JOIN ingest.dataset d ON d.id = f.dataset_id AND d.current_version = f.version WHERE ${where.join(' AND ')}`,
        orderBy: 'f.created_at, f.id',
      },
      params,
      q,
      (r: FindingRow & { dataset_name: string; entry_id: string }) => ({ ...view(r), datasetName: r.dataset_name, entryId: r.entry_id, deptId: r.dept_id }),
    );
  }

  /** The provider explains why a column that looks personal is not (or must stay unmasked). */
  async justify(staff: StaffPrincipal, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const f = await this.lockFinding(m, id, departmentScopeOf(staff));
      if (!BLOCKING.includes(f.status)) throw wrongState(f.status);
      const [row] = await m.query(
        `WITH u AS (UPDATE ingest.sensitive_finding SET status = 'justified', justification = $2, justified_by = $3, updated_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`,
        [id, reason, staff.userId],
      );
      await this.emitFor(m, f);
      return view(row);
    });
  }

  /** The data bureau accepts an explanation (the column unblocks) or rejects it (it stays blocked). */
  async decide(staff: StaffPrincipal, id: string, accept: boolean, comment: string) {
    return this.db.transaction(async (m) => {
      const f = await this.lockFinding(m, id, { all: true });
      if (f.status !== 'justified') throw wrongState(f.status);
      const [row] = await m.query(`WITH u AS (UPDATE ingest.sensitive_finding SET status = $2, decision_comment = $3, decided_by = $4, updated_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`, [
        id,
        accept ? 'accepted' : 'blocking',
        comment,
        staff.userId,
      ]);
      await this.emitFor(m, f);
      return view(row);
    });
  }

  /** Scans the current version again now (the hourly sweep calls this for versions not scanned within the period). */
  async rescan(datasetId: string): Promise<string[]> {
    const dataset = await this.datasets.get({ all: true }, datasetId);
    if (!dataset.currentVersion) return [];
    const [v] = await this.db.query(`SELECT table_name, columns FROM ingest.dataset_version WHERE dataset_id = $1 AND version = $2`, [dataset.id, dataset.currentVersion]);
    const client = await (this.db.driver as unknown as { master: { connect(): Promise<PoolClient> } }).master.connect();
    try {
      const scan = await scanVersionTable(client, `ingest.${quoteIdent(v.table_name)}`, v.columns);
      return await this.db.transaction((m) => this.record(m, dataset, dataset.currentVersion!, scan.findings, { rescan: true }));
    } finally {
      client.release();
    }
  }

  async rescanDue(): Promise<number> {
    const due: { id: string }[] = await this.db.query(
      `SELECT d.id FROM ingest.dataset d JOIN ingest.dataset_version v ON v.dataset_id = d.id AND v.version = d.current_version
       WHERE NOT d.retired AND (v.sensitive_scanned_at IS NULL OR v.sensitive_scanned_at < now() - make_interval(hours => $1)) LIMIT 20`,
      [this.rescanHours],
    );
    for (const d of due) await this.rescan(d.id);
    return due.length;
  }

  private async lockFinding(m: EntityManager, id: string, scope: DepartmentScope) {
    const [f] = /^[0-9a-f-]{36}$/i.test(id) ? await m.query(`SELECT * FROM ingest.sensitive_finding WHERE id = $1 FOR UPDATE`, [id]) : [];
    if (!f || !scopeAllows(scope, f.dept_id)) throw notFound(id);
    return f;
  }

  private async emitFor(m: EntityManager, f: { dataset_id: string; version: number }) {
    const dataset = await m.getRepository(Dataset).findOneByOrFail({ id: f.dataset_id });
    await this.emit(m, dataset, f.version, {});
  }

  private async emit(m: EntityManager, dataset: Dataset, version: number, o: { drift?: string[] }) {
    const rows: FindingRow[] = await m.query(`SELECT * FROM ingest.sensitive_finding WHERE dataset_id = $1 AND version = $2 ORDER BY column_name, kind`, [dataset.id, version]);
    await this.outbox.add(m, 'ingest.sensitive.changed', {
      datasetId: dataset.id,
      entryId: dataset.entryId,
      deptId: dataset.deptId,
      version,
      blockedColumns: [...new Set(rows.filter((r) => BLOCKING.includes(r.status)).map((r) => r.column_name))].sort(),
      findings: rows.map((r) => ({ column: r.column_name, kind: r.kind, matches: Number(r.matches), scanned: Number(r.scanned), status: r.status })),
      drift: o.drift ?? [],
    });
  }
}

export interface OpenFindingsFilter {
  deptId?: string;
  datasetId?: string;
  status?: FindingStatus;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

interface FindingRow {
  id: string;
  dataset_id: string;
  dept_id: string;
  version: number;
  column_name: string;
  kind: SensitiveKind;
  matches: string;
  scanned: string;
  share: number;
  embedded: boolean;
  examples: string[];
  status: FindingStatus;
  justification: string | null;
  decision_comment: string | null;
  created_at: Date;
}

function view(r: FindingRow) {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    version: r.version,
    column: r.column_name,
    kind: r.kind,
    kindLabel: SENSITIVE_KIND_LABELS[r.kind],
    matches: Number(r.matches),
    scanned: Number(r.scanned),
    share: Number(r.share),
    embedded: r.embedded,
    examples: r.examples,
    status: r.status,
    blocking: BLOCKING.includes(r.status),
    justification: r.justification,
    decisionComment: r.decision_comment,
    createdAt: r.created_at,
  };
}

function notFound(id: string) {
  return new DomainException('FINDING_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `敏感字段发现记录不存在：${id}`, en: `Finding not found: ${id}` });
}

function wrongState(status: string) {
  return new DomainException('FINDING_STATE', HttpStatus.CONFLICT, { zh: `该发现当前状态为"${status}"，不能执行此操作`, en: `The finding is ${status}; this action does not apply` });
}
