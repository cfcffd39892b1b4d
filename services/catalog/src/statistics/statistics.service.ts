import { OPEN_TYPES, RESOURCE_CLASSES, SHARE_TYPES, labelOf, resourceItemLabel } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CATALOG_SETTINGS, CatalogGoals, CatalogSettings } from '../catalog.settings';

export interface CountBucket {
  key: string;
  label: string;
  count: number;
}

export interface CatalogStatistics {
  /** Published entries (retired ones are not counted). */
  published: number;
  byDepartment: (CountBucket & { open: number; overdue: number })[];
  byDomain: CountBucket[];
  byClass: CountBucket[];
  byShareType: CountBucket[];
  byOpenType: CountBucket[];
  /** 开放率 = entries with an open attribute other than 不予开放 / all published entries. */
  openRate: number;
  openCount: number;
  /** Share of shareable entries served by interface (上海: at least 50%). */
  interfaceShare: number;
  overdue: number;
  pendingReview: number;
  goals: { target: CatalogGoals; progress: { openDatasets: number; openRate: number; interfaceShare: number } };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

/** 统计: the data bureau's view of the catalog (一本账). */
@Injectable()
export class StatisticsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CATALOG_SETTINGS) private readonly settings: CatalogSettings,
  ) {}

  async compute(): Promise<CatalogStatistics> {
    const published = `FROM catalog.entry_search WHERE status = 'published'`;
    const [[totals], depts, domains, classes, shares, opens, [{ overdue }], [{ pending }]] = await Promise.all([
      this.db.query(
        `SELECT count(*)::int AS published, count(*) FILTER (WHERE open_type IN ('UNCONDITIONAL','CONDITIONAL'))::int AS open,
                count(*) FILTER (WHERE share_type <> 'NOT_SHARED')::int AS shareable,
                count(*) FILTER (WHERE share_type <> 'NOT_SHARED' AND method_type = 'API')::int AS by_api ${published}`,
      ),
      this.db.query(
        `SELECT d.id AS key, d.name AS label, count(s.entry_id)::int AS count,
                count(s.entry_id) FILTER (WHERE s.open_type IN ('UNCONDITIONAL','CONDITIONAL'))::int AS open,
                (SELECT count(*)::int FROM catalog.deadline x WHERE x.dept_id = d.id AND x.status = 'overdue') AS overdue
         FROM catalog.department d LEFT JOIN catalog.entry_search s ON s.dept_id = d.id AND s.status = 'published'
         GROUP BY d.id, d.name ORDER BY count DESC, d.name`,
      ),
      this.db.query(`SELECT s.domain_code AS key, coalesce(dd.label, s.domain_code) AS label, count(*)::int AS count ${published.replace('FROM catalog.entry_search', 'FROM catalog.entry_search s LEFT JOIN catalog.data_domain dd ON dd.code = s.domain_code')} GROUP BY 1, 2 ORDER BY count DESC`),
      this.db.query(`SELECT class_code || '/' || item_code AS key, class_code, item_code, count(*)::int AS count ${published} GROUP BY class_code, item_code ORDER BY count DESC`),
      this.db.query(`SELECT share_type AS key, count(*)::int AS count ${published} GROUP BY 1 ORDER BY count DESC`),
      this.db.query(`SELECT open_type AS key, count(*)::int AS count ${published} GROUP BY 1 ORDER BY count DESC`),
      this.db.query(`SELECT count(*)::int AS overdue FROM catalog.deadline WHERE status = 'overdue'`),
      this.db.query(`SELECT count(*)::int AS pending FROM catalog.catalog_entry WHERE status = 'submitted' OR change_status = 'submitted'`),
    ]);
    const openRate = ratio(totals.open, totals.published);
    const interfaceShare = ratio(totals.by_api, totals.shareable);
    return {
      published: totals.published,
      openCount: totals.open,
      byDepartment: depts,
      byDomain: domains,
      byClass: classes.map((c: any) => ({ key: c.key, label: `${labelOf(RESOURCE_CLASSES, c.class_code) ?? c.class_code} / ${resourceItemLabel(c.class_code, c.item_code) ?? c.item_code}`, count: c.count })),
      byShareType: shares.map((s: any) => ({ key: s.key, label: labelOf(SHARE_TYPES, s.key) ?? s.key, count: s.count })),
      byOpenType: opens.map((o: any) => ({ key: o.key, label: labelOf(OPEN_TYPES, o.key) ?? o.key, count: o.count })),
      openRate,
      interfaceShare,
      overdue,
      pendingReview: pending,
      goals: {
        target: this.settings.goals,
        progress: {
          openDatasets: ratio(totals.open, this.settings.goals.openDatasets),
          openRate: ratio(openRate, this.settings.goals.openRate),
          interfaceShare: ratio(interfaceShare, this.settings.goals.interfaceShare),
        },
      },
    };
  }
}
