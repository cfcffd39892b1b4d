import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ColumnFinding, DatasetSnapshotRef, OBJECT_STORAGE, ObjectStorage, OutboxWriter, SERVICE_RUNTIME, ServiceRuntime, snapshotKey, snapshotTap } from '@gov/shared';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { Dataset, DatasetVersion } from '../datasets/dataset.entities';
import { IngestJob } from '../jobs/job.entity';
import { SourceError } from '../pipeline/contracts';
import { SensitiveFindingsService } from '../sensitive/sensitive-findings.service';
import { dropSnapshotRows, removeLateDuplicates } from './late-duplicates';
import { DatasetRules, InThreadRows, LoadRows } from './load-rows';
import { LoadSource, OpenedSource } from './load-source';
import { workerUnavailable, WorkerRows } from './parse-worker/worker-rows';
import { compareVersionTables } from './version-compare';
import { createTableSql, quoteIdent, versionTableName } from './version-table';
import type { ArrivingRawFile } from '../uploads/raw-file.store';

const DEFAULT_MAX_REJECT_SHARE = 0.05;
const DEFAULT_KEEP_VERSIONS = 5;
const PROGRESS_EVERY_MS = 1000;

/**
 * Loads one job into a new version: source → parse → validate → COPY into the version's own table
 * → quality report → atomic switch of the current pointer. The table is created and filled in one
 * transaction, so a crash leaves nothing half-loaded; the pointer only moves once everything passed.
 */
@Injectable()
export class VersionLoader {
  private readonly logger = new Logger(VersionLoader.name);
  /** Why this process cannot start a parse worker, if it cannot. */
  private readonly workerUnavailable: string | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly outbox: OutboxWriter,
    private readonly sources: LoadSource,
    private readonly sensitive: SensitiveFindingsService,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {
    this.workerUnavailable = workerUnavailable();
    if (this.workerUnavailable) this.logger.warn(`uploads are parsed in the job's thread, not in a worker: ${this.workerUnavailable}`);
  }

  /** The key-uniqueness table's memory per load (INGEST_KEY_TABLE_MB; default 24 MB): past it, repeats among later rows are found after the COPY. */
  private get keyTableBytes(): number | undefined {
    const mb = Number(this.runtime.settings.extra?.INGEST_KEY_TABLE_MB);
    return Number.isFinite(mb) && mb > 0 ? Math.round(mb * 1024 * 1024) : undefined;
  }

  /** Parse and validate uploads in a worker thread, unless INGEST_PARSE_WORKER=0 (read at each load, so the bench can switch). */
  private get parseWorker(): boolean {
    return !this.workerUnavailable && !/^(0|false|no|off)$/i.test(this.runtime.settings.extra?.INGEST_PARSE_WORKER ?? '');
  }

  /** `arriving`: an upload still coming in, read as it arrives (its job was started at its first byte). */
  async run(job: IngestJob, arriving?: ArrivingRawFile): Promise<void> {
    const dataset = await this.db.getRepository(Dataset).findOneByOrFail({ id: job.datasetId });
    let version: DatasetVersion | undefined;
    let opened: OpenedSource | undefined;
    let rows: LoadRows | undefined;
    const progress = { rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
    const timer = setInterval(() => void this.reportProgress(job.id, progress), PROGRESS_EVERY_MS);
    const rejectPath = join(tmpdir(), 'govdata-ingest', `rejects-${job.id}.csv`);
    try {
      if (dataset.retired) throw new SourceError('DATASET_RETIRED', '目录已下架，数据集不再接收数据', 'The catalog entry is retired');
      version = await this.allocateVersion(dataset, job);
      await mkdir(join(tmpdir(), 'govdata-ingest'), { recursive: true });
      opened = await this.sources.open(job, dataset, (bytes) => (progress.bytesRead = bytes), arriving);
      const rules: DatasetRules = { items: dataset.items, settings: dataset.settings, keyTableBytes: this.keyTableBytes };
      rows = opened.file && this.parseWorker ? await WorkerRows.start(rules, opened.file, rejectPath) : await InThreadRows.open(rules, (opened.file ?? opened.pulled)!, rejectPath);
      const columns = rows.columns;

      const client = await this.connect();
      let copied = 0;
      let snapshotWriter: ReturnType<typeof snapshotTap> | undefined;
      try {
        await client.query('BEGIN');
        await client.query(createTableSql(version.tableName, columns));
        const copy = client.query(copyFrom(`COPY ingest.${quoteIdent(version.tableName)} (_row, ${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`));
        // The COPY bytes also become the snapshot that sharing and open-api load: one pass, no second read.
        snapshotWriter = snapshotTap(this.storage, snapshotKey(dataset.id, version.version));
        // 敏感字段发现 (in the rows stage) on the rows as they are copied, before the version can become current: what it finds decides open output.
        await pipeline(Readable.from(rows.copyText(progress), { objectMode: false }), snapshotWriter.tap, copy);
        copied = Number(copy.rowCount ?? 0);
        const outcome = await rows.finish();
        let snapshot: DatasetSnapshotRef | undefined;
        if (outcome.keyOverflowFrom > 0) {
          const removed = await removeLateDuplicates(client, version.tableName, columns, rows.keyColumns, outcome.keyOverflowFrom, rejectPath);
          if (removed.length > 0) {
            outcome.rejectedRows += removed.length;
            copied -= removed.length;
            rows.lateDuplicates(removed.length);
            // The snapshot was tapped from the COPY, those rows included.
            await snapshotWriter.result();
            snapshot = await dropSnapshotRows(this.storage, snapshotKey(dataset.id, version.version), removed, join(tmpdir(), 'govdata-ingest'));
          }
          this.logger.log(`${dataset.id} v${version.version}: key table full from row ${outcome.keyOverflowFrom}; ${removed.length} later repeat(s) removed after the COPY`);
        }
        const maxShare = dataset.settings.maxRejectShare ?? DEFAULT_MAX_REJECT_SHARE;
        if (outcome.total === 0) throw new SourceError('NO_ROWS', '文件中没有数据行', 'The source has no data rows');
        if (outcome.rejectedRows / outcome.total > maxShare)
          throw new SourceError(
            'REJECT_SHARE_EXCEEDED',
            `${outcome.total} 行中有 ${outcome.rejectedRows} 行未通过校验（${((outcome.rejectedRows / outcome.total) * 100).toFixed(1)}%），超过允许的 ${(maxShare * 100).toFixed(1)}%，请下载问题数据文件修正后重新报送`,
            `${outcome.rejectedRows} of ${outcome.total} rows rejected, above the allowed share ${maxShare}`,
          );
        snapshot ??= await snapshotWriter.result();
        // The raw file is stored and named before the version can exist.
        const raw = await opened.stored;
        await client.query('COMMIT');
        progress.rowsRejected = outcome.rejectedRows;
        const rejectObject = outcome.rejectedRows > 0 ? await this.storeRejects(dataset.id, version.version, rejectPath) : null;
        const previous = await this.db.getRepository(DatasetVersion).findOneBy({ datasetId: dataset.id, status: 'current' });
        const comparison = previous && rows.keyColumns.length > 0 ? await compareVersionTables(this.db, previous, { tableName: version.tableName, columns }, rows.keyColumns.map((i) => columns[i].name)) : null;
        const quality = (await rows.quality({ previous, comparison, updateCycle: dataset.updateCycle, version: version.version })) as unknown as Record<string, any>;
        await this.reportProgress(job.id, progress);
        await this.publish(dataset, version, job, { rowCount: copied, rejectedCount: outcome.rejectedRows, columns, quality, rejectObject, source: { ...job.source, ...(raw && { sha256: raw.sha256, size: raw.size, objectKey: raw.objectKey }), format: rows.format, encoding: rows.encoding }, snapshot, findings: outcome.findings });
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        await snapshotWriter?.abort();
        throw err;
      } finally {
        client.release();
      }
      await opened.completed?.();
      await this.prune(dataset);
    } catch (err) {
      clearInterval(timer);
      // the worker's reject file is complete once it has ended
      await rows?.close();
      await this.reportProgress(job.id, progress);
      await this.fail(dataset, job, version, err, rejectPath);
    } finally {
      clearInterval(timer);
      await rows?.close();
      await arriving?.release();
      await rm(rejectPath, { force: true });
    }
  }

  /** Marks the loading version of a dead job failed; its table never committed. */
  async discardLoading(jobId: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE ingest.dataset_version SET status = 'failed', error = $2, completed_at = now() WHERE job_id = $1 AND status = 'loading'`, [
      jobId,
      { code: 'LOAD_INTERRUPTED', zh: reason, en: 'The load was interrupted' },
    ]);
  }

  private async allocateVersion(dataset: Dataset, job: IngestJob): Promise<DatasetVersion> {
    return this.db.transaction(async (m) => {
      await m.query(`SELECT 1 FROM ingest.dataset WHERE id = $1 FOR UPDATE`, [dataset.id]);
      const [{ next }] = await m.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM ingest.dataset_version WHERE dataset_id = $1`, [dataset.id]);
      const repo = m.getRepository(DatasetVersion);
      const version = await repo.save(
        repo.create({
          datasetId: dataset.id,
          version: next,
          status: 'loading',
          tableName: versionTableName(dataset.id, next),
          columns: [],
          rowCount: 0,
          rejectedCount: 0,
          source: job.source,
          jobId: job.id,
          catalogVersion: dataset.catalogVersion,
          createdBy: job.createdBy,
        }),
      );
      await m.update(IngestJob, { id: job.id }, { version: next });
      return version;
    });
  }

  /** The switch: previous current → superseded, this one → current, and the events, in one transaction. */
  private async publish(
    dataset: Dataset,
    version: DatasetVersion,
    job: IngestJob,
    r: {
      rowCount: number;
      rejectedCount: number;
      columns: { name: string; type: string }[];
      quality: Record<string, any>;
      rejectObject: string | null;
      source: DatasetVersion['source'];
      snapshot: DatasetSnapshotRef;
      findings: ColumnFinding[];
    },
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(`SELECT 1 FROM ingest.dataset WHERE id = $1 FOR UPDATE`, [dataset.id]);
      await m.query(`UPDATE ingest.dataset_version SET status = 'superseded' WHERE dataset_id = $1 AND status = 'current'`, [dataset.id]);
      const now = new Date();
      await m.update(DatasetVersion, { datasetId: dataset.id, version: version.version }, {
        status: 'current',
        rowCount: r.rowCount,
        rejectedCount: r.rejectedCount,
        columns: r.columns,
        quality: r.quality,
        rejectObject: r.rejectObject,
        source: r.source,
        completedAt: now,
      });
      await m.update(Dataset, { id: dataset.id }, { currentVersion: version.version, lastVersionAt: now, overdueSince: null, updatedAt: now });
      await m.update(IngestJob, { id: job.id }, { state: 'succeeded', finishedAt: now, rowsRejected: r.rejectedCount });
      const sensitiveBlockedColumns = await this.sensitive.record(m, dataset, version.version, r.findings);
      await this.outbox.add(m, 'ingest.version.published', {
        datasetId: dataset.id,
        entryId: dataset.entryId,
        deptId: dataset.deptId,
        version: version.version,
        catalogVersion: dataset.catalogVersion,
        rowCount: r.rowCount,
        rejectedCount: r.rejectedCount,
        columns: r.columns,
        qualityScore: r.quality.score,
        source: r.source.sha256 ? `sha256:${r.source.sha256}` : (r.source.endpoint ?? r.source.table ?? r.source.kind),
        actorId: job.createdBy,
        at: now.toISOString(),
        snapshot: r.snapshot,
        sensitiveBlockedColumns,
      });
      await this.outbox.add(m, 'ingest.quality.reported', { datasetId: dataset.id, deptId: dataset.deptId, version: version.version, score: r.quality.score, grade: r.quality.grade, report: r.quality });
    });
  }

  private async fail(dataset: Dataset, job: IngestJob, version: DatasetVersion | undefined, err: unknown, rejectPath: string): Promise<void> {
    const error =
      err instanceof SourceError
        ? { code: err.code, zh: err.zh, en: err.en }
        : { code: 'LOAD_FAILED', zh: `归集失败：${(err as Error).message}`, en: `The load failed: ${(err as Error).message}` };
    if (!(err instanceof SourceError)) this.logger.error(`job ${job.id} failed: ${(err as Error).stack}`);
    const rejectObject = version ? await this.storeRejects(dataset.id, version.version, rejectPath).catch(() => null) : null;
    await this.db.transaction(async (m) => {
      if (version) await m.update(DatasetVersion, { datasetId: dataset.id, version: version.version }, { status: 'failed', error, rejectObject, completedAt: new Date() });
      await m.update(IngestJob, { id: job.id }, { state: 'failed', error, finishedAt: new Date() });
      await this.outbox.add(m, 'ingest.version.failed', { datasetId: dataset.id, deptId: dataset.deptId, jobId: job.id, version: version?.version ?? null, code: error.code, reason: error.zh, actorId: job.createdBy });
    });
  }

  private async storeRejects(datasetId: string, version: number, path: string): Promise<string | null> {
    const key = `rejects/${datasetId}/${version}.csv`;
    if (!(await stat(path).catch(() => null))?.size) return null;
    try {
      await this.storage.put(key, createReadStream(path), { contentType: 'text/csv; charset=utf-8' });
      return key;
    } catch {
      return null;
    }
  }

  /** Keeps the tables of the newest versions only; the version records (lineage, quality) stay. */
  private async prune(dataset: Dataset): Promise<void> {
    const keep = dataset.settings.keepVersions ?? DEFAULT_KEEP_VERSIONS;
    const old: { version: number; table_name: string }[] = await this.db.query(
      `SELECT version, table_name FROM ingest.dataset_version WHERE dataset_id = $1 AND status = 'superseded' ORDER BY version DESC OFFSET $2`,
      [dataset.id, Math.max(keep - 1, 0)],
    );
    for (const v of old)
      await this.db.transaction(async (m) => {
        await m.query(`DROP TABLE IF EXISTS ingest.${quoteIdent(v.table_name)}`);
        await m.query(`UPDATE ingest.dataset_version SET status = 'dropped' WHERE dataset_id = $1 AND version = $2`, [dataset.id, v.version]);
      });
  }

  private async reportProgress(jobId: string, p: { rowsRead: number; rowsRejected: number; bytesRead: number }): Promise<void> {
    await this.db
      .query(`UPDATE ingest.job SET rows_read = $2, rows_rejected = $3, bytes_read = $4, heartbeat_at = now() WHERE id = $1 AND state = 'running'`, [jobId, p.rowsRead, p.rowsRejected, p.bytesRead])
      .catch(() => undefined);
  }

  /** A dedicated connection from the service's pool, for COPY. */
  private async connect(): Promise<PoolClient> {
    const driver = this.db.driver as unknown as { master: { connect(): Promise<PoolClient> } };
    return driver.master.connect();
  }
}

