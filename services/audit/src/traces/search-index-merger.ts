import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { Sql } from '../log/log-store';

export const SEARCH_INDEX = 'audit.audit_record_search';

/** Merges the GIN pending list of the search index; answers the pages merged. */
export async function mergeSearchIndex(db: Sql): Promise<number> {
  const r = await db.query(`SELECT gin_clean_pending_list($1::regclass) AS pages`, [SEARCH_INDEX]);
  return Number((Array.isArray(r) ? r : r.rows)[0].pages);
}

/**
 * Appends only add search keys to the GIN pending list; this merges the list into the index in
 * bulk every few seconds, outside the sequencer's transactions, so appends stay cheap and queries
 * do not scan a long list. Autovacuum does the same, less often.
 */
@Injectable()
export class SearchIndexMerger implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditSearchIndex');
  private timer?: NodeJS.Timeout;
  private closed = false;
  private running?: Promise<unknown>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.closed) return;
      this.running = mergeSearchIndex(this.ds)
        .catch((err) => this.logger.warn(`merging the search index pending list: ${(err as Error).message}`))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, this.settings.searchMergeIntervalMs);
        });
    };
    this.timer = setTimeout(tick, this.settings.searchMergeIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
