import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { AuditLog } from '../log/audit-log';
import { rows, Sql } from '../log/log-store';
import { SEARCH_KEYS } from '../records/search-keys';

/** Any 64-bit constant: one projector at a time across processes. */
const PROJECTOR_LOCK = 7_240_700_002;
const PROJECT_BATCH = 20_000;

/**
 * Copies the search keys of newly appended records into audit.record_search, in seq order, up to
 * `max` records; answers how many. The projection stays a prefix of the log (the sequencer
 * commits seq ranges in order), which is what lets queries read "projection + the rest".
 */
export async function projectSearch(db: Sql, max = PROJECT_BATCH): Promise<number> {
  const [r] = await rows<{ n: string }>(
    db,
    `WITH upto AS (SELECT coalesce(max(seq) + 1, 0) AS s FROM audit.record_search),
          added AS (INSERT INTO audit.record_search (seq, keys)
            SELECT seq, ${SEARCH_KEYS} FROM audit.audit_record WHERE seq >= (SELECT s FROM upto) ORDER BY seq LIMIT $1
            ON CONFLICT (seq) DO NOTHING RETURNING 1)
     SELECT count(*) AS n FROM added`,
    [max],
  );
  return Number(r.n);
}

/** Folds the GIN pending list of the projection into its index (bulk, cheaper than per insert). */
export async function mergeSearchIndex(db: Sql): Promise<number> {
  const [r] = await rows<{ pages: string }>(db, `SELECT gin_clean_pending_list('audit.record_search_keys'::regclass) AS pages`);
  return Number(r.pages);
}

/**
 * 检索投影: keeps audit.record_search up with the log, off the sequencer's path: woken after each
 * append and every AUDIT_SEARCH_MERGE_INTERVAL_MS, merging the index's pending list as it goes.
 */
@Injectable()
export class SearchProjector implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditSearchProjection');
  private timer?: NodeJS.Timeout;
  private closed = false;
  private running?: Promise<void>;
  private again = false;
  private lastMerge = 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly log: AuditLog,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {}

  onModuleInit(): void {
    this.log.onAppended(async () => void this.catchUp());
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.closed) return;
      void this.catchUp().finally(() => {
        if (!this.closed) this.timer = setTimeout(tick, this.settings.searchMergeIntervalMs);
      });
    };
    tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Projects until caught up; concurrent calls share one run (and ask it to go round once more). */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.ds.transaction(async (m) => {
            const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [PROJECTOR_LOCK]);
            if (!locked) return;
            while (!this.closed && (await projectSearch(m)) === PROJECT_BATCH);
          });
          if (Date.now() - this.lastMerge >= this.settings.searchMergeIntervalMs) {
            this.lastMerge = Date.now();
            await mergeSearchIndex(this.ds);
          }
        } while (this.again && !this.closed);
      } catch (err) {
        this.logger.warn(`search projection: ${(err as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
