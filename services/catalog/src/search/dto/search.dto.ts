import { ENTRY_STATUSES, FORMAT_CLASS_CODES, OPEN_TYPE_CODES, RESOURCE_CLASS_CODES, SECURITY_GRADE_CODES, SHARE_TYPE_CODES, UPDATE_CYCLE_CODES } from '@gov/shared';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export const SEARCH_SORTS = ['relevance', 'published', 'updated', 'name'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** 目录检索: keyword + facet filters. Absent status means published entries. */
export class SearchEntriesQuery {
  @ApiPropertyOptional({ description: '关键词（空格分隔，全部命中）', example: '营业执照' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(16) domain?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() deptId?: string;
  @ApiPropertyOptional({ enum: RESOURCE_CLASS_CODES }) @IsOptional() @IsIn(RESOURCE_CLASS_CODES) classCode?: string;
  @ApiPropertyOptional({ enum: SHARE_TYPE_CODES }) @IsOptional() @IsIn(SHARE_TYPE_CODES) shareType?: string;
  @ApiPropertyOptional({ enum: OPEN_TYPE_CODES }) @IsOptional() @IsIn(OPEN_TYPE_CODES) openType?: string;
  @ApiPropertyOptional({ enum: FORMAT_CLASS_CODES }) @IsOptional() @IsIn(FORMAT_CLASS_CODES) format?: string;
  @ApiPropertyOptional({ enum: UPDATE_CYCLE_CODES }) @IsOptional() @IsIn(UPDATE_CYCLE_CODES) updateCycle?: string;
  @ApiPropertyOptional({ enum: SECURITY_GRADE_CODES }) @IsOptional() @IsIn(SECURITY_GRADE_CODES) grade?: string;
  @ApiPropertyOptional({ enum: ENTRY_STATUSES }) @IsOptional() @IsIn(ENTRY_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: SEARCH_SORTS }) @IsOptional() @IsIn(SEARCH_SORTS) sort?: SearchSort;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

export interface FacetBucket {
  value: string;
  label: string;
  count: number;
}

export interface SearchHit {
  entryId: string;
  resourceCode: string | null;
  name: string;
  abstract: string;
  deptId: string;
  deptName: string;
  status: string;
  version: number;
  domainCode: string | null;
  shareType: string | null;
  openType: string | null;
  formatClass: string | null;
  updateCycle: string | null;
  securityGrade: string | null;
  matchedItems: string[];
  publishedAt: string | null;
}

export interface SearchResult {
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
  facets: Record<string, FacetBucket[]>;
}
