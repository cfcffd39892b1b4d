import { DepartmentScope, DomainException, OutboxWriter, SERVICE_RUNTIME, ServiceRuntime, StaffPrincipal, decodeKey32 } from '@gov/shared';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { DatasetsService } from '../datasets/datasets.service';
import { IngestErrors } from '../datasets/ingest.errors';
import { IngestJob } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { SourceError } from '../pipeline/contracts';
import {
  checkHostName,
  DbPullConfig,
  HostPolicy,
  HttpPullConfig,
  LogicalAccessConfig,
  nextPullAt,
  openSecret,
  parseAllowedHosts,
  proxyRead,
  redactDbSourceConfig,
  redactHttpSourceConfig,
  sealSecret,
  sourceErrorToDomainException,
  validateHttpPullConfig,
} from '../sources';

export type PullKind = 'http' | 'database' | 'logical';

/** What is stored in the clear; secrets (auth headers, secret query values, passwords) are sealed apart. */
export interface SourceSecret {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  password?: string;
}

export interface SourceConfigRow {
  id: string;
  dataset_id: string;
  kind: PullKind;
  config: Record<string, any>;
  secret: string | null;
  enabled: boolean;
  high_watermark: string | null;
  last_pulled_at: Date | null;
  next_pull_at: Date | null;
}

const SCHEDULE_EVERY_MS = 60_000;

/**
 * 接口拉取、库表交换和逻辑接入: registered sources of a dataset. Secrets are sealed with
 * CREDENTIALS_KEY (AES-256-GCM) bound to the source id, never returned or logged. Pulls run on the
 * dataset's update cycle or on demand, as ordinary jobs; logical access reads live, page by page,
 * and every read is an audit event.
 */
@Injectable()
export class PullSourcesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PullSourcesService.name);
  private readonly key: Buffer | undefined;
  readonly hostPolicy: HostPolicy;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly datasets: DatasetsService,
    private readonly jobs: JobsService,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    const raw = runtime.settings.extra?.CREDENTIALS_KEY;
    this.key = raw ? decodeKey32(raw) : undefined;
    this.hostPolicy = parseAllowedHosts(runtime.settings.extra?.INGEST_ALLOWED_HOSTS);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.schedule().catch((e) => this.logger.error(`pull schedule: ${e.message}`)), SCHEDULE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private requireKey(): Buffer {
    if (!this.key)
      throw new DomainException('CREDENTIALS_KEY_MISSING', HttpStatus.SERVICE_UNAVAILABLE, {
        zh: '未配置 CREDENTIALS_KEY，无法加密保存数据源凭据',
        en: 'CREDENTIALS_KEY is not configured; source credentials cannot be stored',
      });
    return this.key;
  }

  async register(staff: StaffPrincipal, dataset: Dataset, kind: PullKind, config: Record<string, any>, secret: SourceSecret | undefined) {
    try {
      if (kind === 'database') {
        if (!['postgres', 'mysql'].includes(config.kind) || !config.host || !config.database || !config.user || !(config.table || config.query))
          throw new SourceError('SOURCE_CONFIG_INVALID', '库表数据源须包含 kind(postgres/mysql)、host、database、user，以及 table 或 query', 'A database source needs kind, host, database, user and a table or query');
        checkHostName(String(config.host), this.hostPolicy);
      } else validateHttpPullConfig({ ...(config as HttpPullConfig), headers: secret?.headers ?? config.headers }, this.hostPolicy);
    } catch (err) {
      throw err instanceof SourceError ? new DomainException(err.code, HttpStatus.UNPROCESSABLE_ENTITY, { zh: err.zh, en: err.en }) : err;
    }
    const id = (await this.db.query(`SELECT gen_random_uuid() AS id`))[0].id as string;
    const sealed = secret && Object.keys(secret).length > 0 ? sealSecret(secret as never, this.requireKey(), `source:${id}`) : null;
    const next = kind === 'logical' ? null : nextPullAt(dataset.updateCycle, null);
    await this.db.query(
      `INSERT INTO ingest.source_config (id, dataset_id, kind, config, secret, next_pull_at, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [id, dataset.id, kind, config, sealed, next, staff.userId],
    );
    return this.view(await this.row(id));
  }

  async list(scope: DepartmentScope, datasetId: string) {
    const dataset = await this.datasets.get(scope, datasetId);
    const rows: SourceConfigRow[] = await this.db.query(`SELECT * FROM ingest.source_config WHERE dataset_id = $1 ORDER BY created_at`, [dataset.id]);
    return rows.map((r) => this.view(r));
  }

  /** Queues a pull now (on demand). */
  async pullNow(staff: StaffPrincipal | null, scope: DepartmentScope, id: string): Promise<IngestJob> {
    const source = await this.scoped(scope, id);
    if (source.kind === 'logical')
      throw new DomainException('SOURCE_IS_LOGICAL', HttpStatus.CONFLICT, { zh: '逻辑接入的数据源不复制数据，请使用实时查询', en: 'A logical source is read live, not pulled' });
    const dataset = await this.datasets.get({ all: true }, source.dataset_id);
    if (dataset.retired) throw IngestErrors.retired();
    const job = await this.db.transaction((m) =>
      this.jobs.enqueue(
        m,
        dataset,
        source.kind === 'http' ? 'http_pull' : 'db_pull',
        { kind: source.kind === 'http' ? 'http_pull' : 'db_pull', sourceConfigId: source.id, endpoint: source.kind === 'http' ? redactHttpSourceConfig(source.config as HttpPullConfig).url : undefined, table: source.kind === 'database' ? `${source.config.host}/${source.config.database}/${source.config.table ?? 'query'}` : undefined },
        staff?.userId ?? null,
      ),
    );
    // The job runner polls every second; it cannot be injected here (it loads through LoadSource, which uses this service).
    return job;
  }

  /** Pull configurations with their secrets opened, for the loader. */
  async resolved(id: string): Promise<{ row: SourceConfigRow; http?: HttpPullConfig; database?: DbPullConfig }> {
    const row = await this.row(id);
    const secret: SourceSecret = row.secret ? openSecret<SourceSecret & Record<string, never>>(row.secret, this.requireKey(), `source:${row.id}`) : {};
    if (row.kind === 'database') return { row, database: { ...(row.config as DbPullConfig), password: secret.password, incremental: row.config.incremental ? { column: row.config.incremental.column, lastValue: row.high_watermark } : undefined } };
    return { row, http: { ...(row.config as HttpPullConfig), headers: { ...row.config.headers, ...secret.headers }, query: { ...row.config.query, ...secret.query } } };
  }

  async pulled(id: string, highWatermark: string | null | undefined): Promise<void> {
    const row = await this.row(id);
    const dataset = await this.datasets.get({ all: true }, row.dataset_id);
    await this.db.query(`UPDATE ingest.source_config SET last_pulled_at = now(), next_pull_at = $2, high_watermark = coalesce($3, high_watermark) WHERE id = $1`, [
      id,
      nextPullAt(dataset.updateCycle, new Date()),
      highWatermark ?? null,
    ]);
  }

  /** 逻辑接入: one page read live from the department's endpoint; audited, never stored. */
  async readLive(staff: StaffPrincipal, scope: DepartmentScope, id: string, page: number, pageSize: number, filters: Record<string, string>) {
    // The providing department and the bureau read here; other departments through an approved share request.
    const source = await this.scoped(scope, id);
    if (source.kind !== 'logical') throw new DomainException('SOURCE_NOT_LOGICAL', HttpStatus.CONFLICT, { zh: '该数据源不是逻辑接入', en: 'Not a logical access source' });
    const dataset = await this.datasets.get({ all: true }, source.dataset_id);
    const { http } = await this.resolved(id);
    try {
      const result = await proxyRead(http as LogicalAccessConfig, { page, pageSize, filters }, { hostPolicy: this.hostPolicy });
      await this.db.transaction((m) =>
        this.outbox.add(m, 'ingest.data.read', { datasetId: dataset.id, deptId: dataset.deptId, version: 0, actorId: staff.userId, actorDeptId: staff.deptId, rows: result.rows.length, purpose: 'logical_access' }),
      );
      return result;
    } catch (err) {
      if (err instanceof SourceError) throw sourceErrorToDomainException(err);
      throw err;
    }
  }

  /** Queues the pulls whose time has come (update cycle). */
  async schedule(now: Date = new Date()): Promise<number> {
    const due: { id: string }[] = await this.db.query(
      `SELECT s.id FROM ingest.source_config s JOIN ingest.dataset d ON d.id = s.dataset_id
       WHERE s.enabled AND s.kind <> 'logical' AND NOT d.retired AND s.next_pull_at <= $1
         AND NOT EXISTS (SELECT 1 FROM ingest.job j WHERE j.source->>'sourceConfigId' = s.id::text AND j.state IN ('queued', 'running'))`,
      [now],
    );
    for (const s of due) {
      await this.pullNow(null, { all: true }, s.id);
      await this.db.query(`UPDATE ingest.source_config SET next_pull_at = NULL WHERE id = $1`, [s.id]);
    }
    return due.length;
  }

  private async row(id: string): Promise<SourceConfigRow> {
    const [row] = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.query(`SELECT * FROM ingest.source_config WHERE id = $1`, [id]) : [];
    if (!row) throw new DomainException('SOURCE_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `数据源不存在：${id}`, en: `Source not found: ${id}` });
    return row;
  }

  private async scoped(scope: DepartmentScope, id: string): Promise<SourceConfigRow> {
    const row = await this.row(id);
    await this.datasets.get(scope, row.dataset_id);
    return row;
  }

  private view(r: SourceConfigRow) {
    return {
      id: r.id,
      datasetId: r.dataset_id,
      kind: r.kind,
      config: r.kind === 'database' ? redactDbSourceConfig(r.config as DbPullConfig) : redactHttpSourceConfig(r.config as HttpPullConfig),
      hasSecret: r.secret != null,
      enabled: r.enabled,
      highWatermark: r.high_watermark,
      lastPulledAt: r.last_pulled_at,
      nextPullAt: r.next_pull_at,
    };
  }
}
