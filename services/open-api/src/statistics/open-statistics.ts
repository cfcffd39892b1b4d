import { DATA_DOMAINS, labelOf, Public } from '@gov/shared';
import { Controller, Get, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

/** 开放统计 (public): what is open, how much it is used, per department (黄石: 统计). */
@Injectable()
export class OpenStatisticsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async overview() {
    const [e] = await this.db.query(
      `SELECT count(*) FILTER (WHERE NOT retired)::int AS published, count(*) FILTER (WHERE NOT retired AND is_open)::int AS open FROM openapi.published_entry`,
    );
    const [d] = await this.db.query(
      `SELECT count(*)::int AS open, count(*) FILTER (WHERE table_name IS NOT NULL)::int AS with_data, coalesce(sum(row_count), 0)::bigint AS rows,
              coalesce(sum(download_count), 0)::bigint AS downloads, coalesce(sum(api_count), 0)::bigint AS api_calls, coalesce(sum(preview_count), 0)::bigint AS previews,
              count(*) FILTER (WHERE open_type = 'CONDITIONAL')::int AS conditional, count(DISTINCT domain_code)::int AS domains
       FROM openapi.open_dataset WHERE status = 'open'`,
    );
    const top = await this.db.query(
      `SELECT entry_id, name, dept_name, download_count, api_count FROM openapi.open_dataset WHERE status = 'open' ORDER BY download_count + api_count DESC, name LIMIT 10`,
    );
    const perDept = await this.db.query(
      `SELECT p.dept_id, max(p.dept_name) AS dept_name, count(*)::int AS published, count(*) FILTER (WHERE p.is_open)::int AS open,
              coalesce(sum(o.download_count), 0)::bigint AS downloads, coalesce(sum(o.api_count), 0)::bigint AS api_calls
       FROM openapi.published_entry p LEFT JOIN openapi.open_dataset o ON o.entry_id = p.entry_id AND o.status = 'open'
       WHERE NOT p.retired GROUP BY p.dept_id ORDER BY 4 DESC, 2`,
    );
    const domains = await this.db.query(`SELECT domain_code, count(*)::int AS n FROM openapi.open_dataset WHERE status = 'open' AND domain_code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC`);
    const rate = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 10000 : null);
    return {
      entriesPublished: e.published,
      entriesOpen: e.open,
      openRate: rate(e.open, e.published),
      datasetsOpen: d.open,
      datasetsWithData: d.with_data,
      conditionalDatasets: d.conditional,
      rows: Number(d.rows),
      downloads: Number(d.downloads),
      apiCalls: Number(d.api_calls),
      previews: Number(d.previews),
      // Every loaded dataset is served by the records API: the share opened by interface (上海: ≥ 50%).
      interfaceShare: rate(d.with_data, d.open),
      domainCoverage: { covered: d.domains, total: DATA_DOMAINS.length, rate: rate(d.domains, DATA_DOMAINS.length), domains: domains.map((x: any) => ({ code: x.domain_code, label: labelOf(DATA_DOMAINS, x.domain_code) ?? x.domain_code, datasets: x.n })) },
      topDatasets: top.map((t: any) => ({ id: t.entry_id, name: t.name, department: t.dept_name, downloads: Number(t.download_count), apiCalls: Number(t.api_count) })),
      departments: perDept.map((p: any) => ({ id: p.dept_id, name: p.dept_name, published: p.published, open: p.open, openRate: rate(p.open, p.published), downloads: Number(p.downloads), apiCalls: Number(p.api_calls) })),
    };
  }
}

@ApiTags('开放数据 open data')
@Controller('v1/statistics')
export class OpenStatisticsController {
  constructor(private readonly stats: OpenStatisticsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '开放统计：数量、开放率、领域覆盖、下载与调用、排行、各部门 / public statistics' })
  overview() {
    return this.stats.overview();
  }
}
