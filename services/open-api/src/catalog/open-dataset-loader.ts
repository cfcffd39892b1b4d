import { randomUUID } from 'node:crypto';
import {
  AggregationRiskRefusedV1,
  checkKAnonymity,
  createSnapshotTableSql,
  loadSnapshot,
  OBJECT_STORAGE,
  ObjectStorage,
  OutboxWriter,
  quoteIdent,
  runWithContext,
  SERVICE_RUNTIME,
  ServiceRuntime,
} from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';
import { ColumnPlan, rowMasker } from './masking-plan';
import { OpenCatalogService } from './open-catalog.service';
import { dataTableName, planOf, SnapshotRef } from './open-table';

/** Object keys of the files built for byte-range downloads: `open-downloads/<table>/<format>-<encoding>.<ext>`. */
export const DOWNLOADS_PREFIX = 'open-downloads/';

/** What the k-anonymity check found for a loaded version (kept on the dataset row as `release_check`). */
export interface ReleaseCheck {
  quasiIdentifiers: string[];
  /** Smallest group over the quasi-identifiers; null when there are none (nothing to single out). */
  k: number | null;
  requiredK: number;
  rowsAtRisk: number;
  offending: string[] | null;
  /** False for a 有条件开放 dataset without OPEN_CONDITIONAL_MIN_K: recorded, not refused. */
  enforced: boolean;
  version: number;
  checkedAt: string;
}

export type LoadOutcome = 'loaded' | 'refused' | 'stale' | 'skipped' | 'busy' | 'failed';

/** Columns worth an index: not masked, filterable kinds; at most 8 so a big load stays fast. */
function indexedColumns(plan: readonly ColumnPlan[]): ColumnPlan[] {
  return plan.filter((p) => !p.mask && !/^boolean/.test(p.type)).slice(0, 8);
}

/** `od_<32 hex>_…` → the entry id it belongs to. */
function entryOfTable(table: string): string | undefined {
  const m = /^od_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})_/.exec(table);
  return m ? m.slice(1).join('-') : undefined;
}

/**
 * Loads open datasets outside the event handlers' transactions. A handler only raises the row's
 * `load_wanted`; this loader (woken by the handler, and polling) builds a new table for that
 * generation — masked on the way in, indexed, analysed — then checks the release's
 * quasi-identifiers (k-anonymity, 聚合风险) and swaps the row to the new table in one short
 * transaction. A refused version is swapped in too, marked `refused`: no row of it leaves through
 * records, previews or downloads, while the sandbox (aggregates only, each output group checked
 * against k itself) may still compute on it. Readers see the old version until the swap and never
 * a half-loaded table. A load that fails, or that a crash interrupts, is still wanted and is
 * retried with a backoff; one replica loads a dataset at a time (advisory lock). Replaced tables
 * and their download files are dropped after a grace period, and a sweep removes whatever a crash
 * left behind.
 */
@Injectable()
export class OpenDatasetLoader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OpenDatasetLoader.name);
  private timer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly later = new Set<NodeJS.Timeout>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
    private readonly outbox: OutboxWriter,
    private readonly catalog: OpenCatalogService,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(0), this.settings.loadPollMs);
    this.timer.unref();
    // Leftovers of a crash and download files past their age, at boot and then hourly.
    this.sweepTimer = setInterval(() => void this.sweep().catch((err) => this.logger.warn(`sweep: ${(err as Error).message}`)), 3_600_000);
    this.sweepTimer.unref();
    this.kick(0);
    void this.sweep().catch((err) => this.logger.warn(`sweep: ${(err as Error).message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    clearTimeout(this.soon);
    for (const t of this.later) clearTimeout(t);
    await this.running;
  }

  /** Look for due loads shortly (a handler calls this before its transaction commits, hence the delay). */
  kick(delayMs = 50): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      if (!this.soon) this.soon = setTimeout(() => ((this.soon = undefined), this.kick(0)), delayMs);
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.logger.error(`loader: ${(err as Error).message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick(0);
        }
      });
  }

  /** Loads every due dataset, one at a time. */
  private async drain(): Promise<void> {
    for (let round = 0; round < 100 && !this.stopped; round++) {
      const due: { entry_id: string }[] = await this.db.query(
        `SELECT entry_id FROM openapi.open_dataset
         WHERE status = 'open' AND snapshot IS NOT NULL AND load_wanted > load_done AND (load_next_at IS NULL OR load_next_at <= now())
         ORDER BY updated_at LIMIT 10`,
      );
      if (!due.length) return;
      let progressed = false;
      for (const { entry_id } of due) {
        if (this.stopped) return;
        const outcome = await this.load(entry_id);
        if (outcome !== 'busy') progressed = true;
      }
      if (!progressed) return;
    }
  }

  /**
   * Loads the wanted generation of one dataset (when no other replica is at it), on a connection of
   * its own: a load that fails mid-COPY leaves its connection unusable, so it is closed, never
   * pooled again (the server then drops the half-filled table's transaction-less COPY).
   */
  async load(entryId: string): Promise<LoadOutcome> {
    return runWithContext({ correlationId: randomUUID(), actor: { type: 'system', id: 'open-api:loader' } }, async () => {
      const client = new Client({ connectionString: this.runtime.databaseUrl, application_name: 'open-api:loader' });
      client.on('error', (err) => this.logger.warn(`loader connection: ${err.message}`));
      await client.connect();
      const lock = `openapi:load:${entryId}`;
      try {
        const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [lock]);
        if (!rows[0].locked) return 'busy';
        try {
          return await this.build(client, entryId);
        } catch (err) {
          // Recorded on a fresh connection: this one may be stuck in a COPY. Closing it ends the lock too.
          await client.end().catch(() => undefined);
          await this.failed(entryId, err as Error);
          return 'failed';
        }
      } finally {
        await client.end().catch(() => undefined);
      }
    });
  }

  private async build(client: Client, entryId: string): Promise<LoadOutcome> {
    const q = async (text: string, params?: unknown[]) => (await client.query(text, params)).rows;
    const [row] = await q(`SELECT * FROM openapi.open_dataset WHERE entry_id = $1`, [entryId]);
    if (!row || row.status !== 'open' || !row.snapshot || row.load_wanted <= row.load_done) return 'skipped';
    const generation: number = row.load_wanted;
    const snapshot = row.snapshot as SnapshotRef;
    const plan = planOf(row);
    const table = dataTableName(entryId, row.snapshot_version, row.catalog_version, generation);
    const qualified = `openapi.${quoteIdent(table)}`;
    const started = Date.now();
    // The snapshot is opened before the COPY starts: a store that cannot serve it fails the load
    // here, not with a COPY left waiting for data on the connection.
    const source = await this.storage.get(snapshot.ref.key);
    const opened: ObjectStorage = Object.assign(Object.create(this.storage) as ObjectStorage, { get: async () => source });
    let rows: number;
    try {
      // Not in a transaction: the table is nobody's until the swap, and a crash leaves a table the next attempt replaces.
      await q(`DROP TABLE IF EXISTS ${qualified}`);
      await q(createSnapshotTableSql(qualified, plan.map((p) => ({ name: p.name, type: p.type }))));
      rows = await loadSnapshot(client as unknown as PoolClient, opened, { key: snapshot.ref.key, qualifiedTable: qualified, columns: plan, mapRow: rowMasker(plan) });
    } catch (err) {
      source.destroy();
      throw err;
    }
    await q(`ALTER TABLE ${qualified} ADD PRIMARY KEY (_row)`);
    for (const [i, c] of indexedColumns(plan).entries()) await q(`CREATE INDEX ${quoteIdent(`${table}_i${i}`)} ON ${qualified} (${quoteIdent(c.name)}, _row)`);
    await q(`ANALYZE ${qualified}`);
    const enforcedK = row.open_type === 'CONDITIONAL' ? this.settings.conditionalMinK : this.settings.minK;
    const check = await this.checkRelease(q, qualified, plan, row.snapshot_version, enforcedK);

    const refused = check.enforced && check.offending !== null;
    let replaced: string | null = null;
    await q('BEGIN');
    try {
      const [cur] = await q(`SELECT status, load_wanted, table_name FROM openapi.open_dataset WHERE entry_id = $1 FOR UPDATE`, [entryId]);
      if (!cur || cur.status !== 'open' || cur.load_wanted !== generation) {
        // Closed, or another change arrived while loading: that one's load follows.
        await q('ROLLBACK');
        await q(`DROP TABLE IF EXISTS ${qualified}`);
        return 'stale';
      }
      replaced = cur.table_name && cur.table_name !== table ? cur.table_name : null;
      await q(
        `UPDATE openapi.open_dataset SET table_name = $2, columns = $3, row_count = $4, data_version = $5, loaded_catalog_version = $6,
           load_done = $7, load_attempts = 0, load_error = NULL, load_next_at = NULL, release_state = $8, release_check = $9, updated_at = now()
         WHERE entry_id = $1`,
        [entryId, table, JSON.stringify(plan), rows, row.snapshot_version, row.catalog_version, generation, refused ? 'refused' : 'released', JSON.stringify(check)],
      );
      // The outbox writer only needs `query`: the event commits with the refusal, on this connection.
      if (refused) await this.outbox.add({ query: q } as unknown as EntityManager, 'security.aggregation.refused', this.refusal(entryId, check));
      await q('COMMIT');
    } catch (err) {
      await q('ROLLBACK').catch(() => undefined);
      throw err;
    }
    this.catalog.forget(entryId);
    if (refused) this.logger.warn(`refused to open ${entryId} v${row.snapshot_version}: ${check.offending!.join(' + ')} leave groups of ${check.k} < ${check.requiredK}`);
    else this.logger.log(`loaded ${rows} rows of ${entryId} v${row.snapshot_version} (masked ${plan.filter((p) => p.mask).length} columns) in ${Date.now() - started} ms`);
    if (replaced) this.dropLater(replaced);
    // Tables of this dataset a withdrawal or an interrupted load left behind.
    const leftovers = await q(`SELECT tablename FROM pg_tables WHERE schemaname = 'openapi' AND left(tablename, 36) = $1 AND tablename NOT IN ($2, $3)`, [
      table.slice(0, 36),
      table,
      replaced ?? table,
    ]);
    for (const l of leftovers) this.dropLater(l.tablename as string);
    return refused ? 'refused' : 'loaded';
  }

  /**
   * 聚合风险 (issue 10 §2) before a version is opened: the minimum group size over the released
   * quasi-identifiers, on the masked table exactly as it would be served.
   */
  private async checkRelease(
    run: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
    qualified: string,
    plan: readonly ColumnPlan[],
    version: number,
    enforcedK: number | null,
  ): Promise<ReleaseCheck> {
    const released = plan.filter((p) => p.mask !== 'full').map((p) => p.name);
    const requiredK = enforcedK ?? this.settings.minK;
    const r = await checkKAnonymity(run, qualified, released, requiredK);
    return {
      quasiIdentifiers: r.quasiIdentifiers,
      k: Number.isFinite(r.k) ? r.k : null,
      requiredK,
      rowsAtRisk: r.rowsAtRisk,
      offending: r.offending,
      enforced: enforcedK !== null,
      version,
      checkedAt: new Date().toISOString(),
    };
  }

  private refusal(entryId: string, check: ReleaseCheck): AggregationRiskRefusedV1 {
    return {
      context: 'open',
      requestId: null,
      entryId,
      consumerDeptId: null,
      columns: check.quasiIdentifiers,
      offending: check.offending ?? [],
      k: check.k ?? 0,
      requiredK: check.requiredK,
      rowsAtRisk: check.rowsAtRisk,
      at: check.checkedAt,
    };
  }

  private async failed(entryId: string, err: Error): Promise<void> {
    this.logger.error(`loading ${entryId} failed, will retry: ${err.message}`);
    // Doubling backoff, capped at 32× the base delay; the half-built table is replaced by the next attempt (or swept).
    await this.db
      .query(
        `UPDATE openapi.open_dataset SET load_attempts = load_attempts + 1, load_error = $2,
           load_next_at = now() + make_interval(secs => $3::double precision * power(2, least(load_attempts, 5)) / 1000)
         WHERE entry_id = $1`,
        [entryId, err.message.slice(0, 2000), this.settings.loadRetryMs],
      )
      .catch((e) => this.logger.error(`could not record the failure of ${entryId}: ${(e as Error).message}`));
  }

  /** Drops a replaced (or closed) table and its download files once reads that started on it have finished. */
  dropLater(table: string): void {
    if (this.stopped) return; // the boot sweep of the next start takes it
    const t = setTimeout(() => {
      this.later.delete(t);
      void this.dropTable(table).catch((err) => this.logger.warn(`dropping ${table}: ${(err as Error).message}`));
    }, this.settings.loadDropGraceMs);
    t.unref();
    this.later.add(t);
  }

  private async dropTable(table: string): Promise<void> {
    const [inUse] = await this.db.query(`SELECT 1 FROM openapi.open_dataset WHERE table_name = $1`, [table]);
    if (inUse) return;
    await this.db.query(`DROP TABLE IF EXISTS openapi.${quoteIdent(table)}`);
    await this.forgetDownloads(table);
  }

  /** Deletes the download files built from a table (a superseded or withdrawn version). */
  async forgetDownloads(table: string): Promise<number> {
    let n = 0;
    for await (const key of this.storage.list(`${DOWNLOADS_PREFIX}${table}/`)) {
      await this.storage.delete(key);
      n++;
    }
    return n;
  }

  /**
   * Removes what no dataset serves: data tables a crash or a withdrawal left behind (skipping any
   * a replica is loading), download files of tables that are gone, and download files older than
   * OPEN_DOWNLOAD_CACHE_DAYS (rebuilt on the next range request).
   */
  async sweep(now = new Date()): Promise<{ tables: number; files: number }> {
    const current = new Set<string>(
      (await this.db.query(`SELECT table_name FROM openapi.open_dataset WHERE table_name IS NOT NULL`)).map((r: { table_name: string }) => r.table_name),
    );
    let tables = 0;
    const existing: { tablename: string }[] = await this.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'openapi' AND tablename LIKE 'od\\_%'`);
    for (const { tablename } of existing) {
      if (current.has(tablename)) continue;
      const entryId = entryOfTable(tablename);
      if (!entryId) continue;
      const qr = this.db.createQueryRunner();
      await qr.connect();
      try {
        const [{ locked }] = await qr.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`openapi:load:${entryId}`]);
        if (!locked) continue; // being loaded right now
        try {
          const [inUse] = await qr.query(`SELECT 1 FROM openapi.open_dataset WHERE table_name = $1`, [tablename]);
          if (!inUse) {
            await qr.query(`DROP TABLE IF EXISTS openapi.${quoteIdent(tablename)}`);
            tables++;
          }
        } finally {
          await qr.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`openapi:load:${entryId}`]).catch(() => undefined);
        }
      } finally {
        await qr.release();
      }
    }
    const live = new Set<string>(
      (await this.db.query(`SELECT table_name FROM openapi.open_dataset WHERE table_name IS NOT NULL`)).map((r: { table_name: string }) => r.table_name),
    );
    const oldest = now.getTime() - this.settings.downloadCacheDays * 86_400_000;
    let files = 0;
    for await (const key of this.storage.list(DOWNLOADS_PREFIX)) {
      const table = key.slice(DOWNLOADS_PREFIX.length).split('/')[0];
      let stale = !live.has(table);
      if (!stale) stale = ((await this.storage.stat(key))?.lastModified.getTime() ?? now.getTime()) < oldest;
      if (stale) {
        await this.storage.delete(key);
        files++;
      }
    }
    if (tables || files) this.logger.log(`sweep: dropped ${tables} table(s), deleted ${files} download file(s)`);
    return { tables, files };
  }
}
