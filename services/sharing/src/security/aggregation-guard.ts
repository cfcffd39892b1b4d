import { AggregationRiskRefusedV1, checkKAnonymity, OutboxWriter, quasiIdentifiers } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DatasetStore } from '../datasets/dataset-store';
import { filterSql, RowFilter } from '../delivery/record-filter';
import { SecurityErrors } from './security.errors';
import { SECURITY_SETTINGS, SecuritySettings } from './security.settings';

export interface GrantRelease {
  requestId: string;
  entryId: string;
  consumerDeptId: string;
  items: string[];
  rowFilter: RowFilter[];
  deliveryMethod: string;
}

/**
 * 聚合风险 before a grant is created: the rows the consumer will be able to see, with the items it
 * will then hold on this entry (this grant plus its other live grants there), must leave every
 * combination of quasi-identifiers in groups of at least SECURITY_MIN_K people. A sandbox grant
 * releases no rows (each query is checked instead), so it is not checked here.
 */
@Injectable()
export class AggregationGuard {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly datasets: DatasetStore,
    @Inject(SECURITY_SETTINGS) private readonly settings: SecuritySettings,
  ) {}

  /** Runs in the approving transaction; a refusal is recorded (own transaction, the approval rolls back) and thrown. */
  async checkGrant(m: EntityManager, g: GrantRelease): Promise<void> {
    if (g.deliveryMethod === 'sandbox') return;
    const ds = await this.datasets.forEntry(g.entryId, m);
    if (!ds) return; // nothing loaded yet: nothing can be released before the next check
    const held: { items: string[] }[] = await m.query(
      `SELECT items FROM sharing.grant_ WHERE entry_id=$1 AND consumer_dept_id=$2 AND status IN ('active','suspended') AND delivery_method <> 'sandbox'`,
      [g.entryId, g.consumerDeptId],
    );
    const loaded = new Set(ds.columns.map((c) => c.name));
    const columns = [...new Set([...g.items, ...held.flatMap((h) => h.items)])].filter((c) => loaded.has(c));
    if (quasiIdentifiers(columns).length === 0) return;
    // Only the rows the grant's row filter lets through count; $1 stays the required k of checkKAnonymity.
    const params: unknown[] = [null];
    const where = filterSql(g.rowFilter, params, new Map(ds.columns.map((c) => [c.name, c.type])));
    const table = where.length ? `(SELECT * FROM ${ds.qualifiedTable} WHERE ${where.join(' AND ')}) AS released` : ds.qualifiedTable;
    const result = await checkKAnonymity((text, p) => m.query(text, [p?.[0], ...params.slice(1)]), table, columns, this.settings.minK);
    if (result.offending === null) return;
    const k = Number.isFinite(result.k) ? result.k : 0;
    await this.refused({ context: 'grant', requestId: g.requestId, entryId: g.entryId, consumerDeptId: g.consumerDeptId, columns: result.quasiIdentifiers, offending: result.offending, k, requiredK: this.settings.minK, rowsAtRisk: result.rowsAtRisk, at: new Date().toISOString() });
    throw SecurityErrors.aggregationRisk(result.offending, k, this.settings.minK, result.rowsAtRisk);
  }

  /** The refusal's event and the security officer's record, committed whatever happens to the caller's transaction. */
  async refused(e: AggregationRiskRefusedV1): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO sharing.security_refusal (kind, entry_id, request_id, consumer_dept_id, columns, offending, k, required_k, rows_at_risk) VALUES ('aggregation',$1,$2,$3,$4,$5,$6,$7,$8)`,
        [e.entryId, e.requestId ?? null, e.consumerDeptId ?? null, e.columns, e.offending, e.k, e.requiredK, e.rowsAtRisk],
      );
      await this.outbox.add(m, 'security.aggregation.refused', e);
    });
  }
}
