import { PageQuery } from '@gov/shared';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** 追溯查询条件: every filter is optional; results are always paged (newest first). */
export class TraceQuery {
  @ApiPropertyOptional({ description: '操作者（用户、应用、系统）id / actor id' }) @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @ApiPropertyOptional({ description: '部门 id：操作者、使用方或提供方 / department as actor, consumer or provider' }) @IsOptional() @IsString() @MaxLength(128) deptId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) appId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) datasetId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) entryId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) grantId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) requestId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) correlationId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) eventName?: string;
  @ApiPropertyOptional({ description: '对象 id / object id (e.g. a department id)' }) @IsOptional() @IsString() @MaxLength(200) objectId?: string;
  @ApiPropertyOptional({ enum: ['allowed', 'denied'] }) @IsOptional() @IsIn(['allowed', 'denied']) outcome?: 'allowed' | 'denied';
  @ApiPropertyOptional({ description: 'occurredAt ≥ from (ISO-8601)' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'occurredAt < to (ISO-8601)' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ description: '翻页游标：上一页的 nextCursor / seq to continue below' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) cursor?: number;
  @ApiPropertyOptional({ default: 100, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @ApiPropertyOptional({
    description:
      '含归档记录：true 总是，false 从不；缺省时 from 早于归档截止时间则包含 / search archived segments too: true always, false never; by default when `from` reaches back into the archive',
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeArchived?: boolean;
}

export class ExportQuery extends TraceQuery {
  @ApiPropertyOptional({ enum: ['csv', 'xlsx'], default: 'csv' }) @IsOptional() @IsIn(['csv', 'xlsx']) format?: 'csv' | 'xlsx';
}

export class AccessorQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) appId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) deptId?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() to?: string;
}

/** Paging of a dataset chain's reads (`?page=&pageSize=`, as /api/catalog/entries): oldest first by seq. */
export class ChainReadsQuery {
  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 10_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
  @ApiPropertyOptional({ enum: ['allowed', 'denied'] }) @IsOptional() @IsIn(['allowed', 'denied']) outcome?: 'allowed' | 'denied';
}
