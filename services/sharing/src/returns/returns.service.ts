import { OBJECT_STORAGE, ObjectStorage, OutboxWriter, quoteIdent, setActor, StaffPrincipal } from '@gov/shared';
import { PassThrough } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessLog } from '../access/access-log';
import { CatalogReadModel } from '../catalog/catalog-read-model';
import { DatasetStore, SharedDataset } from '../datasets/dataset-store';
import { iso } from '../db';
import { writeExtract } from '../delivery/extract';
import { filterSql } from '../delivery/record-filter';
import { NotificationsService } from '../notifications/notifications.service';
import { SharingErrors } from '../sharing.errors';

export interface Subscription {
  id: string;
  subscriberDeptId: string;
  providerDeptId: string;
  entryId: string;
  regionColumn: string;
  regionValue: string;
  status: string;
  createdAt: string | null;
}

const mapSub = (r: Record<string, any>): Subscription => ({
  id: r.id,
  subscriberDeptId: r.subscriber_dept_id,
  providerDeptId: r.provider_dept_id,
  entryId: r.entry_id,
  regionColumn: r.region_column,
  regionValue: r.region_value,
  status: r.status,
  createdAt: iso(r.created_at),
});

/**
 * 数据回流: a lower-level department (区县) subscribes to city data about its own jurisdiction —
 * rows whose region column starts with its region code — and gets every new version as a file.
 */
@Injectable()
export class ReturnsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogReadModel,
    private readonly datasets: DatasetStore,
    private readonly notifications: NotificationsService,
    private readonly access: AccessLog,
  ) {}

  async subscribe(staff: StaffPrincipal, entryId: string, regionColumn: string): Promise<Subscription> {
    const entry = await this.catalog.get(undefined, entryId);
    if (entry.status === 'retired') throw SharingErrors.entryRetired(entry.name);
    if (entry.shareType === 'NOT_SHARED') throw SharingErrors.subscriptionNotShared();
    if (!entry.items.some((i) => i.name === regionColumn)) throw SharingErrors.subscriptionColumn(regionColumn);
    const [me] = await this.dataSource.query(`SELECT * FROM sharing.department_directory WHERE dept_id=$1`, [staff.deptId]);
    const [provider] = await this.dataSource.query(`SELECT * FROM sharing.department_directory WHERE dept_id=$1`, [entry.deptId]);
    if (!me) throw SharingErrors.departmentUnknown(staff.deptId);
    const levels: Record<string, number> = { province: 1, city: 2, district: 3, county: 3 };
    if (!provider || (levels[me.level] ?? 0) <= (levels[provider.level] ?? 0)) throw SharingErrors.subscriptionNotLower();
    // The district's own jurisdiction: its region code, trailing zeros trimmed to the level (420703 stays, 420700 → 4207).
    const regionValue = String(me.region_code).replace(/(00)+$/, '');
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO sharing.return_subscription (subscriber_dept_id, provider_dept_id, entry_id, region_column, region_value, created_by) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (subscriber_dept_id, entry_id) DO UPDATE SET region_column=EXCLUDED.region_column, status='active' RETURNING *`,
        [staff.deptId, entry.deptId, entryId, regionColumn, regionValue, staff.userId],
      );
      const sub = mapSub(row);
      await this.outbox.add(m, 'sharing.subscription.changed', { subscriptionId: sub.id, entryId, subscriberDeptId: sub.subscriberDeptId, providerDeptId: sub.providerDeptId, regionColumn, regionValue, status: 'active', at: new Date().toISOString() });
      const ds = await this.datasets.forEntry(entryId, m);
      if (ds) await m.query(`INSERT INTO sharing.delivery_job (kind, target_id, dataset_id, version) VALUES ('return',$1,$2,$3) ON CONFLICT DO NOTHING`, [sub.id, ds.datasetId, ds.version]);
      return sub;
    });
  }

  async list(staff: StaffPrincipal): Promise<Subscription[]> {
    const rows = await this.dataSource.query(`SELECT * FROM sharing.return_subscription WHERE subscriber_dept_id=$1 OR provider_dept_id=$1 OR $2 ORDER BY created_at`, [staff.deptId, staff.roles.includes('data_admin')]);
    return rows.map(mapSub);
  }

  async deliveries(staff: StaffPrincipal, id: string) {
    const [row] = await this.dataSource.query(`SELECT * FROM sharing.return_subscription WHERE id=$1`, [id]);
    if (!row || (row.subscriber_dept_id !== staff.deptId && row.provider_dept_id !== staff.deptId && !staff.roles.includes('data_admin'))) throw SharingErrors.subscriptionNotFound(id);
    const rows = await this.dataSource.query(`SELECT * FROM sharing.return_delivery WHERE subscription_id=$1 ORDER BY version`, [id]);
    return rows.map((r: Record<string, any>) => ({ id: r.id, version: r.version, rows: Number(r.rows), sha256: r.sha256, deliveredAt: iso(r.delivered_at) }));
  }

  async file(staff: StaffPrincipal, id: string, version: number) {
    const [row] = await this.dataSource.query(
      `SELECT d.*, s.subscriber_dept_id, s.provider_dept_id, s.entry_id FROM sharing.return_delivery d JOIN sharing.return_subscription s ON s.id = d.subscription_id WHERE s.id=$1 AND d.version=$2`,
      [id, version],
    );
    if (!row || row.subscriber_dept_id !== staff.deptId) throw SharingErrors.subscriptionNotFound(id);
    return { stream: await this.storage.get(row.object_key), sha256: row.sha256 };
  }

  async onNewVersion(m: EntityManager, ds: SharedDataset): Promise<void> {
    const subs = await m.query(`SELECT id FROM sharing.return_subscription WHERE entry_id=$1 AND status='active'`, [ds.entryId]);
    for (const s of subs) await m.query(`INSERT INTO sharing.delivery_job (kind, target_id, dataset_id, version) VALUES ('return',$1,$2,$3) ON CONFLICT DO NOTHING`, [s.id, ds.datasetId, ds.version]);
  }

  /** Writes the subscriber's rows of `version` as CSV to object storage and tells the subscriber. */
  async deliver(subscriptionId: string, version: number): Promise<'done' | 'skipped'> {
    const [row] = await this.dataSource.query(`SELECT * FROM sharing.return_subscription WHERE id=$1 AND status='active'`, [subscriptionId]);
    if (!row) return 'skipped';
    const sub = mapSub(row);
    setActor({ type: 'system', id: `return-subscription:${sub.id}`, name: '数据回流', deptId: sub.subscriberDeptId });
    const ds = await this.datasets.forEntry(sub.entryId);
    if (!ds || ds.version !== version) return 'skipped';
    const entry = await this.catalog.find(undefined, sub.entryId);
    // 回流 has no reviewer: columns with unflagged personal data stay behind until cleared.
    const fields = ds.columns.map((c) => c.name).filter((c) => !ds.blockedColumns.includes(c));
    const params: unknown[] = [];
    const where = filterSql([{ column: sub.regionColumn, op: 'prefix', value: sub.regionValue }], params, new Map(ds.columns.map((c) => [c.name, c.type])));
    const key = `sharing/returns/${sub.id}/${version}.csv`;
    const body = new PassThrough();
    const stored = this.storage.put(key, body, { contentType: 'text/csv; charset=utf-8' });
    const out = await writeExtract(this.dataSource, { dataset: ds, fields, where, params }, 'csv', body);
    await stored;
    await this.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO sharing.return_delivery (subscription_id, version, object_key, rows, sha256) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING`, [sub.id, version, key, out.rows, out.sha256]);
      await this.notifications.notify(m, { deptId: sub.subscriberDeptId, kind: 'return.delivered', title: '回流数据已送达', body: `"${entry?.name ?? sub.entryId}"第 ${version} 版中本辖区 ${out.rows} 行已回流。`, subjectType: 'subscription', subjectId: sub.id });
      await this.access.allowed(m, {
        kind: 'push',
        entryId: sub.entryId,
        datasetId: ds.datasetId,
        version,
        providerDeptId: sub.providerDeptId,
        consumerDeptId: sub.subscriberDeptId,
        fields,
        rowCount: out.rows,
        reason: `回流 ${quoteIdent(sub.regionColumn)} prefix ${sub.regionValue}; sha256=${out.sha256}`,
      });
    });
    return 'done';
  }
}
