import { CatalogEntryPublishedV1, CatalogEntryTransitionV1, CurrentStaff, EventContext, Page, pageOf, PageQuery, StaffPrincipal } from '@gov/shared';
import { Controller, Get, Injectable, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { DatasetStore } from '../datasets/dataset-store';
import { GrantsService } from '../grants/grants.service';
import { SharingErrors } from '../sharing.errors';

export interface EntryItem {
  name: string;
  personal: boolean;
  dataType?: string | null;
}

/** Sharing's copy of a published catalog entry (from catalog.entry.published / retired). */
export interface SharedEntry {
  entryId: string;
  version: number;
  deptId: string;
  deptName: string;
  regionCode: string;
  resourceCode: string;
  name: string;
  /** 共享类型 UNCONDITIONAL | CONDITIONAL | NOT_SHARED */
  shareType: string;
  shareCondition: string | null;
  shareBasis: string | null;
  methodType: string | null;
  items: EntryItem[];
  status: 'published' | 'retired';
}

export const SHARE_TYPE_LABELS: Record<string, string> = { UNCONDITIONAL: '无条件共享', CONDITIONAL: '有条件共享', NOT_SHARED: '不予共享' };

const mapEntry = (r: Record<string, any>): SharedEntry => ({
  entryId: r.entry_id,
  version: r.version,
  deptId: r.dept_id,
  deptName: r.dept_name,
  regionCode: r.region_code,
  resourceCode: r.resource_code,
  name: r.name,
  shareType: r.share_type,
  shareCondition: r.share_condition,
  shareBasis: r.share_basis,
  methodType: r.method_type,
  items: r.items,
  status: r.status,
});

@Injectable()
export class CatalogReadModel {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async applyPublished(m: EntityManager, e: CatalogEntryPublishedV1): Promise<void> {
    const md = e.metadata ?? {};
    const items: EntryItem[] = (md.items ?? []).map((i) => ({ name: i.name, personal: !!i.personal, dataType: i.dataType ?? null }));
    // Versions only move forward: a redelivered older publication never overwrites a newer one.
    await m.query(
      `INSERT INTO sharing.catalog_entry (entry_id, version, dept_id, dept_name, region_code, resource_code, name, share_type, share_condition, share_basis, method_type, items, status, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'published',now())
       ON CONFLICT (entry_id) DO UPDATE SET version=EXCLUDED.version, dept_id=EXCLUDED.dept_id, dept_name=EXCLUDED.dept_name, region_code=EXCLUDED.region_code,
         resource_code=EXCLUDED.resource_code, name=EXCLUDED.name, share_type=EXCLUDED.share_type, share_condition=EXCLUDED.share_condition,
         share_basis=EXCLUDED.share_basis, method_type=EXCLUDED.method_type, items=EXCLUDED.items, status='published', updated_at=now()
       WHERE sharing.catalog_entry.version <= EXCLUDED.version`,
      [e.entryId, e.version, e.deptId, e.deptName, e.regionCode, e.resourceCode, md.name ?? e.name, md.share?.type ?? 'NOT_SHARED', md.share?.condition ?? null, md.share?.basis ?? null, md.share?.methodType ?? null, JSON.stringify(items)],
    );
  }

  async applyRetired(m: EntityManager, e: CatalogEntryTransitionV1): Promise<void> {
    await m.query(`UPDATE sharing.catalog_entry SET status='retired', updated_at=now() WHERE entry_id=$1`, [e.entryId]);
  }

  async find(m: EntityManager | undefined, entryId: string): Promise<SharedEntry | undefined> {
    const rows = await (m ?? this.dataSource.manager).query(`SELECT * FROM sharing.catalog_entry WHERE entry_id=$1`, [entryId]);
    return rows[0] ? mapEntry(rows[0]) : undefined;
  }

  async get(m: EntityManager | undefined, entryId: string): Promise<SharedEntry> {
    const entry = await this.find(m, entryId);
    if (!entry) throw SharingErrors.entryNotFound(entryId);
    return entry;
  }

  /** Published entries by name (entry id as tie-break), one page at a time. */
  async list(q: { shareType?: string; q?: string; deptId?: string; excludeDeptId?: string } & PageQuery): Promise<Page<SharedEntry>> {
    const where = [`status='published'`];
    const params: unknown[] = [];
    if (q.shareType) where.push(`share_type = $${params.push(q.shareType)}`);
    if (q.deptId) where.push(`dept_id = $${params.push(q.deptId)}`);
    if (q.excludeDeptId) where.push(`dept_id <> $${params.push(q.excludeDeptId)}`);
    if (q.q) where.push(`(name ILIKE $${params.push(`%${q.q.replace(/[%_\\]/g, '\\$&')}%`)} OR items::text ILIKE $${params.length})`);
    return pageOf(this.dataSource, { select: '*', from: `FROM sharing.catalog_entry WHERE ${where.join(' AND ')}`, orderBy: 'name, entry_id' }, params, q, mapEntry);
  }

  /** All published entries (供需对接 suggestions rank them in memory). */
  async allPublished(): Promise<SharedEntry[]> {
    return (await this.dataSource.query(`SELECT * FROM sharing.catalog_entry WHERE status='published'`)).map(mapEntry);
  }
}

export class EntryListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['UNCONDITIONAL', 'CONDITIONAL', 'NOT_SHARED'] }) @IsOptional() @IsIn(['UNCONDITIONAL', 'CONDITIONAL', 'NOT_SHARED']) shareType?: string;
  @ApiPropertyOptional({ description: '名称或信息项关键字' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() deptId?: string;
  @ApiPropertyOptional({ description: '排除某部门的目录（如申请方自己的）/ leave out one department\'s entries' }) @IsOptional() @IsUUID() excludeDeptId?: string;
}

@ApiTags('共享目录 shareable entries')
@ApiBearerAuth()
@Controller('entries')
export class CatalogReadModelController {
  constructor(
    private readonly entries: CatalogReadModel,
    private readonly grants: GrantsService,
    private readonly datasets: DatasetStore,
  ) {}

  @EventPattern('catalog.entry.published')
  onPublished(@Payload() e: CatalogEntryPublishedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.entries.applyPublished(ctx.manager, e);
  }

  @EventPattern('catalog.entry.retired')
  async onRetired(@Payload() e: CatalogEntryTransitionV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.entries.applyRetired(ctx.manager, e);
    await this.grants.suspendForRetiredEntry(ctx.manager, e.entryId);
  }

  @Get()
  @ApiOperation({ summary: '可申请共享的目录（共享类型、共享条件、信息项；按名称，分页）/ entries one may request, by name, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() _staff: StaffPrincipal, @Query() q: EntryListQuery) {
    return this.entries.list(q);
  }

  @Get(':id')
  @ApiOperation({ summary: '目录详情 / one entry' })
  async get(@CurrentStaff() _staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    const entry = await this.entries.get(undefined, id);
    const ds = await this.datasets.forEntry(id);
    return { ...entry, dataset: ds ? { datasetId: ds.datasetId, version: ds.version, rowCount: ds.rowCount } : null };
  }
}
