import { AppAuth, AuthedRequest, CatalogEntryPublishedV1, CatalogEntryTransitionV1, DatasetVersionPublishedV1, EventContext, Public, SensitiveFindingsChangedV1 } from '@gov/shared';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { AccessLog } from '../access/access-log';
import { OpenGate } from '../access/open-gate';
import { InteractionService } from '../interaction/interaction.service';
import { codeSamples } from '../records/dataset-openapi';
import { OpenRecordsService } from '../records/open-records.service';
import { CATALOG_SORTS, CatalogSort, OpenCatalogService, summaryOf } from './open-catalog.service';
import { OpenCatalogProjection } from './open-catalog.projection';

export class CatalogSearchQuery {
  @ApiPropertyOptional({ description: '关键词（中文按字切分检索）' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional({ description: '数据领域代码' }) @IsOptional() @IsString() @MaxLength(20) domain?: string;
  @ApiPropertyOptional({ description: '提供部门 id' }) @IsOptional() @IsString() @MaxLength(40) dept?: string;
  @ApiPropertyOptional({ description: '格式' }) @IsOptional() @IsString() @MaxLength(40) format?: string;
  @ApiPropertyOptional({ description: '更新周期' }) @IsOptional() @IsString() @MaxLength(20) updateCycle?: string;
  @ApiPropertyOptional({ enum: ['UNCONDITIONAL', 'CONDITIONAL'] }) @IsOptional() @IsIn(['UNCONDITIONAL', 'CONDITIONAL']) openType?: string;
  @ApiPropertyOptional({ enum: CATALOG_SORTS }) @IsOptional() @IsIn(CATALOG_SORTS) sort?: CatalogSort;
  @ApiPropertyOptional({ minimum: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

@ApiTags('开放数据 open data')
@Controller('v1/datasets')
export class OpenCatalogController {
  constructor(
    private readonly catalog: OpenCatalogService,
    private readonly projection: OpenCatalogProjection,
    private readonly records: OpenRecordsService,
    private readonly interaction: InteractionService,
    private readonly gate: OpenGate,
    private readonly access: AccessLog,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '开放目录检索（关键词、分面、排序）/ search the open catalog with facets and sorts' })
  search(@Query() q: CatalogSearchQuery) {
    return this.catalog.search(q);
  }

  /** 数据集页面: metadata, items, licence, counts, ratings and a masked preview (an audited read). */
  @Get(':id')
  @Public()
  @AppAuth({ optional: true })
  @ApiOperation({ summary: '数据集详情与预览 / dataset page: metadata, items, preview, counts, ratings' })
  async page(@Param('id') id: string, @Req() req: Request & AuthedRequest, @Res({ passthrough: true }) res: Response) {
    const d = await this.catalog.get(id);
    // The page of a 有条件开放 dataset is public; its preview only for an app with an approval.
    const caller = await this.gate.admit(req, res, 'preview', d.open_type === 'CONDITIONAL' ? undefined : d);
    const mayPreview = d.open_type !== 'CONDITIONAL' || (await this.gate.approved(caller.appId, d.entry_id));
    const preview =
      d.release_state === 'refused'
        ? { fields: [], rows: [], note: '当前版本因重新识别风险未予开放 / the current version is withheld (re-identification risk)' }
        : mayPreview
          ? await this.records.preview(d)
          : { fields: [], rows: [], note: '有条件开放：申请获批后可预览和调用 / conditionally open: preview after approval' };
    if (d.table_name && mayPreview)
      this.access.record({ ...this.gate.target(d), kind: 'preview', outcome: 'allowed', appId: caller.appId, keyPrefix: caller.keyPrefix, fields: preview.fields.map((f) => f.name), rowCount: preview.rows.length, personalData: preview.fields.some((f) => f.masked) });
    const base = baseUrlOf(req);
    const items = (d.metadata.items ?? []) as { name: string; dataType?: string; description?: string; personal?: boolean }[];
    const masked = new Set((d.columns ?? []).filter((c) => c.mask).map((c) => c.name));
    return {
      ...summaryOf(d),
      openCondition: d.open_condition,
      securityGrade: d.security_grade,
      qualityScore: d.quality_score === null ? null : Number(d.quality_score),
      licence: d.licence,
      version: d.data_version,
      items: items.map((i) => ({ name: i.name, dataType: i.dataType ?? null, description: i.description ?? null, personal: !!i.personal, masked: masked.has(i.name) || !!i.personal })),
      preview,
      ratings: await this.interaction.ratingSummary(d.entry_id),
      links: {
        records: `${base}/api/open/v1/datasets/${d.entry_id}/records`,
        openapi: `${base}/api/open/v1/datasets/${d.entry_id}/openapi.json`,
        downloads: ['csv', 'xlsx', 'json'].map((f) => ({ format: f, url: `${base}/api/open/v1/datasets/${d.entry_id}/download?format=${f}` })),
        apply: d.open_type === 'CONDITIONAL' ? `${base}/api/open/v1/applications` : null,
      },
      examples: d.table_name ? codeSamples(base, d) : null,
    };
  }

  @EventPattern('catalog.entry.published')
  onPublished(@Payload() e: CatalogEntryPublishedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.projection.applyPublished(ctx.manager, e);
  }

  @EventPattern('catalog.entry.retired')
  onRetired(@Payload() e: CatalogEntryTransitionV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.projection.applyRetired(ctx.manager, e);
  }

  @EventPattern('ingest.version.published')
  onVersion(@Payload() e: DatasetVersionPublishedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.projection.applyVersion(ctx.manager, e);
  }

  @EventPattern('ingest.sensitive.changed')
  onSensitive(@Payload() e: SensitiveFindingsChangedV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.projection.applySensitive(ctx.manager, e);
  }
}
