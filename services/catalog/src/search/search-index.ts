import { DepartmentScope } from '@gov/shared';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SearchEntriesQuery, SearchResult } from './dto/search.dto';
import { IndexedEntry, MemoryIndexStats, MemorySearchIndex } from './memory-search-index';
import { isCodePointCollation, lowerModeOf } from './pg-text';
import { unknownDomain } from './search-facets';

/** Rows per statement of the initial load (keyset pages on the primary key). */
const LOAD_BATCH = 5000;
/** Rows per statement when fetching changed rows. */
const FETCH_BATCH = 1000;
/**
 * The safety window of the catch-up: a row committed after a catch-up's snapshot carries
 * updated_at = now() = the start of its transaction, which may be well before the catch-up.
 * With the window alone, every transaction is assumed to last less than 5 minutes.
 */
export const SAFETY_WINDOW_MS = 5 * 60_000;
/** Slack under the oldest open transaction's start, for the instant between its start and its appearance in pg_stat_activity. */
const HORIZON_MARGIN_MS = 10_000;
/** After a failed load, how long searches stay on SQL before the next attempt. */
const RETRY_AFTER_MS = 30_000;

const us = (column: string) => `round(extract(epoch FROM ${column}) * 1000000)::float8`;
const ROW = `entry_id, dept_id, dept_name, status, version, resource_code, name, abstract, item_names, tags, haystack, domain_code, class_code,
  share_type, open_type, format_class, update_cycle, security_grade, ${us('published_at')} AS published_us, ${us('updated_at')} AS updated_us, xmin::text::float8 AS xmin`;
/**
 * Read before every data snapshot: the database clock, the start of the oldest open transaction
 * in this database, whether that is known (every session's activity visible to this role and
 * tracked, no prepared transaction), and the configured domains. The functions under the
 * pg_stat_activity and pg_prepared_xacts views, without their joins.
 */
const CLOCK = `SELECT ${us('clock_timestamp()')} AS now_us,
  ${us('min(a.xact_start) FILTER (WHERE a.pid <> pg_backend_pid())')} AS oldest_us,
  (current_setting('track_activities') = 'on'
    AND NOT coalesce(bool_or(a.backend_type = 'client backend' AND (a.state IS NULL OR a.state = 'disabled')), false)
    AND NOT EXISTS (SELECT 1 FROM pg_prepared_xact() p WHERE p.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()))) AS observable,
  (SELECT coalesce(json_agg(json_build_array(code, label)), '[]'::json) FROM catalog.data_domain) AS domains
  FROM pg_stat_get_activity(NULL) a WHERE a.datid = (SELECT oid FROM pg_database WHERE datname = current_database())`;
const CHANGED = `SELECT entry_id, ${us('updated_at')} AS updated_us, xmin::text::float8 AS xmin FROM catalog.entry_search
  WHERE updated_at >= 'epoch'::timestamptz + $1::float8 * interval '1 microsecond'`;

interface ClockRow {
  now_us: number;
  oldest_us: number | null;
  observable: boolean;
  domains: [string, string][];
}

export interface SearchIndexLoad {
  entries: number;
  ms: number;
}

/**
 * The catalog's search index in this process: catalog.entry_search loaded into a
 * MemorySearchIndex at bootstrap, then kept in step by a catch-up before every search.
 *
 * Catch-up: rows with updated_at ≥ a lower bound L are listed (entry_id, updated_at, xmin — the
 * index on entry_search(updated_at) makes that a range scan), and the rows whose version differs
 * from the indexed one are fetched whole and replace it; applying the same row twice changes
 * nothing, so the overlap between catch-ups is harmless. L is the database clock read before the
 * previous catch-up's snapshot minus the safety window (5 minutes), narrowed to the start of the
 * oldest transaction then open in the database minus 10 seconds when pg_stat_activity shows every
 * session (no row can come from an older transaction). So a search sees every row committed
 * before it started, in particular this process's own writes, and usually lists only the rows of
 * the last seconds.
 *
 * Until the initial load is done (or after it failed) `search` returns undefined and
 * SearchService answers with SqlSearch.
 */
@Injectable()
export class CatalogSearchIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CatalogSearchIndex.name);
  private index?: MemorySearchIndex;
  private loading?: Promise<SearchIndexLoad>;
  private retryAt = 0;
  private closed = false;
  /** ORDER BY name is left to SQL when the database does not collate by code point. */
  private nameSortInSql = false;
  private lowerUs = 0;
  private running?: Promise<ReadonlyMap<string, string>>;
  private queued?: Promise<ReadonlyMap<string, string>>;
  /** Rows applied by catch-ups since the load. */
  caughtUp = 0;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.load().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.loading?.catch(() => undefined);
  }

  get ready(): boolean {
    return this.index !== undefined;
  }

  /** Loads the index (once; again after a failure). */
  load(): Promise<SearchIndexLoad> {
    this.loading ??= this.loadAll().catch((err: Error) => {
      this.loading = undefined;
      this.retryAt = Date.now() + RETRY_AFTER_MS;
      if (!this.closed) this.logger.warn(`search index not loaded, searching in SQL: ${err.message}`);
      throw err;
    });
    return this.loading;
  }

  stats(): MemoryIndexStats | undefined {
    return this.index?.stats();
  }

  /** The result from memory, or undefined when the caller must search in SQL. */
  async search(scope: DepartmentScope, query: SearchEntriesQuery): Promise<SearchResult | undefined> {
    const index = this.index;
    if (!index) {
      if (!this.loading && !this.closed && Date.now() >= this.retryAt) this.load().catch(() => undefined);
      return undefined;
    }
    if (query.sort === 'name' && this.nameSortInSql) return undefined;
    const domains = await this.fresh();
    if (query.domain && !domains.has(query.domain)) throw unknownDomain(query.domain);
    return index.search(scope, query, domains);
  }

  private async loadAll(): Promise<SearchIndexLoad> {
    const started = performance.now();
    const [locale] = await this.db.query(`SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()`);
    const index = new MemorySearchIndex(lowerModeOf(locale.datctype));
    this.nameSortInSql = !isCodePointCollation(locale.datcollate);
    const lower = this.nextLowerBound(await this.clock());
    const page = (after: string | null): Promise<Record<string, any>[]> =>
      after === null
        ? this.db.query(`SELECT ${ROW} FROM catalog.entry_search ORDER BY entry_id LIMIT ${LOAD_BATCH}`)
        : this.db.query(`SELECT ${ROW} FROM catalog.entry_search WHERE entry_id > $1 ORDER BY entry_id LIMIT ${LOAD_BATCH}`, [after]);
    // One page in hand and the next one on its way: the database works while this process indexes.
    let next = page(null);
    try {
      for (;;) {
        const rows = await next;
        if (this.closed) throw new Error('shutting down');
        next = rows.length < LOAD_BATCH ? Promise.resolve([]) : page(rows[rows.length - 1].entry_id);
        if (rows.length === 0) break;
        for (const row of rows) index.upsert(entryOf(row));
      }
    } finally {
      next.catch(() => undefined);
    }
    index.compact(); // trims the lists' growth room
    this.lowerUs = lower;
    this.index = index;
    const load = { entries: index.entries, ms: performance.now() - started };
    this.logger.log(`search index loaded: ${load.entries} entries in ${Math.round(load.ms)} ms`);
    return load;
  }

  private async clock(): Promise<ClockRow> {
    const [row] = await this.prepared<ClockRow>('catalog_search_clock', CLOCK);
    return row;
  }

  /**
   * The two statements of every catch-up as named prepared statements on the pool's connections
   * (planned once per connection); through TypeORM when its driver has no pg pool.
   */
  private async prepared<T>(name: string, text: string, values: unknown[] = []): Promise<T[]> {
    const pool = (this.db.driver as unknown as { master?: { query?: (q: { name: string; text: string; values: unknown[] }) => Promise<{ rows: T[] }> } }).master;
    if (typeof pool?.query === 'function') return (await pool.query({ name, text, values })).rows;
    return this.db.query(text, values);
  }

  private nextLowerBound(clock: ClockRow): number {
    const window = clock.now_us - SAFETY_WINDOW_MS * 1000;
    if (!clock.observable) return window;
    const horizon = Math.min(clock.now_us, clock.oldest_us ?? Infinity) - HORIZON_MARGIN_MS * 1000;
    return Math.max(horizon, window);
  }

  /**
   * A catch-up that started after this call: one already running may have taken its snapshot
   * before the caller's last write committed, so callers then wait for the next one (shared).
   */
  private fresh(): Promise<ReadonlyMap<string, string>> {
    if (!this.running) return this.startCatchUp();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.startCatchUp();
      });
    return this.queued;
  }

  private startCatchUp(): Promise<ReadonlyMap<string, string>> {
    const run: Promise<ReadonlyMap<string, string>> = this.catchUp().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Applies the rows changed since the last catch-up; returns the domain labels. */
  private async catchUp(): Promise<ReadonlyMap<string, string>> {
    const index = this.index!;
    const clock = await this.clock();
    const listed = await this.prepared<{ entry_id: string; updated_us: number; xmin: number }>('catalog_search_changed', CHANGED, [this.lowerUs]);
    const changed = listed.filter((r) => !index.isCurrent(r.entry_id, r.updated_us, r.xmin)).map((r) => r.entry_id);
    for (let i = 0; i < changed.length; i += FETCH_BATCH) {
      const rows: Record<string, any>[] = await this.db.query(`SELECT ${ROW} FROM catalog.entry_search WHERE entry_id = ANY($1::uuid[])`, [changed.slice(i, i + FETCH_BATCH)]);
      for (const row of rows) index.upsert(entryOf(row));
      this.caughtUp += rows.length;
    }
    this.lowerUs = this.nextLowerBound(clock);
    return new Map(clock.domains);
  }
}

function entryOf(r: Record<string, any>): IndexedEntry {
  return {
    entryId: r.entry_id,
    deptId: r.dept_id,
    deptName: r.dept_name,
    status: r.status,
    version: r.version,
    resourceCode: r.resource_code,
    name: r.name,
    abstract: r.abstract,
    itemNames: r.item_names,
    tags: r.tags,
    haystack: r.haystack,
    domainCode: r.domain_code,
    classCode: r.class_code,
    shareType: r.share_type,
    openType: r.open_type,
    formatClass: r.format_class,
    updateCycle: r.update_cycle,
    securityGrade: r.security_grade,
    publishedUs: r.published_us,
    updatedUs: r.updated_us,
    xmin: r.xmin,
  };
}
