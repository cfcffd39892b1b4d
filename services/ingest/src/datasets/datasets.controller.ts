import { CurrentStaff, EventContext, CatalogEntryPublishedV1, CatalogEntryTransitionV1, OBJECT_STORAGE, ObjectStorage, PageQuery, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Body, Controller, Get, Inject, Param, ParseIntPipe, ParseUUIDPipe, Put, Query, Res } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { DatasetsService } from './datasets.service';
import { SensitiveFindingsService } from '../sensitive/sensitive-findings.service';
import { DatasetReader } from './dataset-reader';

export class DatasetSettingsDto {
  @ApiPropertyOptional({ type: [String], description: '主键信息项' }) @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) keys?: string[];
  @ApiPropertyOptional({ type: [String], description: '必填信息项' }) @IsOptional() @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) required?: string[];
  @ApiPropertyOptional({ description: '表头 → 信息项 的映射' }) @IsOptional() @IsObject() mapping?: Record<string, string>;
  @ApiPropertyOptional({ description: '允许的问题行比例，超过则本次归集失败', default: 0.05 }) @IsOptional() @IsNumber() @Min(0) @Max(1) maxRejectShare?: number;
  @ApiPropertyOptional({ description: '保留的版本数', default: 5 }) @IsOptional() @IsInt() @Min(1) @Max(100) keepVersions?: number;
}

export class DatasetListQuery extends PageQuery {
  @ApiPropertyOptional({ description: '名称或资源代码的一部分' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional({ description: '目录 id' }) @IsOptional() @IsUUID() entryId?: string;
}

export class RowsQuery {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
  @ApiPropertyOptional({ description: '版本，默认当前版本' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) version?: number;
}

@ApiTags('数据集 datasets')
@ApiBearerAuth()
@Controller('datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly reader: DatasetReader,
    private readonly sensitive: SensitiveFindingsService,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  @EventPattern('catalog.entry.published')
  async onPublished(@Payload() e: CatalogEntryPublishedV1, @Ctx() ctx: EventContext): Promise<void> {
    await this.datasets.applyPublished(ctx.manager, e);
    // A new catalog version may flag as personal a column discovery found: it stops blocking.
    await this.sensitive.reevaluate(ctx.manager, e.entryId);
  }

  @EventPattern('catalog.entry.retired')
  onRetired(@Payload() e: CatalogEntryTransitionV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.datasets.applyRetired(ctx.manager, e);
  }

  @Get()
  @ApiOperation({
    summary: '本部门数据集（数据管理员、审计员为全部），按名称 / datasets the caller may see, by name',
    description: '带 page 或 pageSize 时分页：{ items, total, page, pageSize }；不带时返回全部数组（供脚本与压测，门户总是分页）。',
  })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: DatasetListQuery) {
    const scope = departmentScopeOf(staff);
    const filter = { q: q.q?.trim() || undefined, entryId: q.entryId };
    return q.page !== undefined || q.pageSize !== undefined ? this.datasets.page(scope, { ...filter, page: q.page, pageSize: q.pageSize }) : this.datasets.list(scope, filter);
  }

  @Get(':id')
  @ApiOperation({ summary: '数据集详情 / a dataset' })
  get(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    return this.datasets.get(departmentScopeOf(staff), id);
  }

  @Put(':id/settings')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '归集设置：主键、必填、表头映射、问题行阈值、保留版本数' })
  settings(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: DatasetSettingsDto) {
    return this.datasets.updateSettings(departmentScopeOf(staff), id, dto);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: '版本列表（行数、问题行、质量评分、来源）/ versions' })
  async versions(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    return this.datasets.versions(dataset.id);
  }

  @Get(':id/versions/:version/rejects')
  @ApiOperation({ summary: '下载问题数据文件（行号、列、原因、原始行）/ the reject file of a version' })
  async rejects(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Param('version', ParseIntPipe) v: number, @Res() res: Response): Promise<void> {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    const version = await this.datasets.version(dataset.id, v);
    if (!version.rejectObject) {
      res.status(204).end();
      return;
    }
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="rejects-v${v}.csv"; filename*=UTF-8''${encodeURIComponent(`${dataset.name}-问题数据-v${v}.csv`)}`);
    (await this.storage.get(version.rejectObject)).pipe(res);
  }

  @Get(':id/rows')
  @ApiOperation({ summary: '预览数据（默认当前版本；提供部门与数据管理员）/ preview rows' })
  async rows(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Query() q: RowsQuery) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    return this.reader.page(staff, dataset, q.version ?? dataset.currentVersion ?? 0, q.page ?? 1, q.pageSize ?? 50);
  }

  @Get(':id/compare')
  @ApiOperation({ summary: '版本比对（按主键：新增、删除、变更行数）/ compare two versions' })
  async compare(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Query('from', ParseIntPipe) from: number, @Query('to', ParseIntPipe) to: number) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    return this.reader.compare(dataset, from, to);
  }

  @Get(':id/quality')
  @ApiOperation({ summary: '质量报告及趋势 / quality reports over versions' })
  async quality(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    const versions = await this.datasets.versions(dataset.id);
    return versions.filter((v) => v.quality).map((v) => ({ version: v.version, status: v.status, completedAt: v.completedAt, quality: v.quality }));
  }

  @Get(':id/lineage')
  @ApiOperation({ summary: '数据血缘 / lineage graph of a dataset' })
  async lineage(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    return this.reader.lineage(dataset);
  }
}
