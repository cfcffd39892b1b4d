import type { CatalogMetadata, ComplianceFinding, EntryStatus } from '@gov/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import type { ChangeStatus, ReviewComments, VersionState } from '../catalog-entry.entity';
import type { FieldChange } from '../metadata-diff';
import { CatalogMetadataDto } from './catalog-metadata.dto';

export class CreateEntryDto {
  @ApiProperty({ type: CatalogMetadataDto }) @ValidateNested() @Type(() => CatalogMetadataDto) metadata: CatalogMetadataDto;
  @ApiPropertyOptional({ description: '数据管理员代部门编目时指定部门' }) @IsOptional() @IsUUID() deptId?: string;
}

export class SaveEntryDto {
  @ApiProperty({ type: CatalogMetadataDto }) @ValidateNested() @Type(() => CatalogMetadataDto) metadata: CatalogMetadataDto;
}

export class StartChangeDto {
  @ApiProperty({ description: '变更原因' }) @IsString() @MinLength(2) @MaxLength(1000) reason: string;
  @ApiPropertyOptional({ type: CatalogMetadataDto, description: '新版本内容；省略时复制已发布版本' }) @IsOptional() @ValidateNested() @Type(() => CatalogMetadataDto) metadata?: CatalogMetadataDto;
}

export class ApproveEntryDto {
  @ApiPropertyOptional({ description: '审核意见' }) @IsOptional() @IsString() @MaxLength(1000) comment?: string;
}

export class ReturnEntryDto {
  @ApiPropertyOptional({ description: '总体意见' }) @IsOptional() @IsString() @MaxLength(2000) summary?: string;
  @ApiPropertyOptional({ description: '逐字段意见，键为字段路径', example: { 'share.condition': '请写明共享范围' } })
  @IsOptional()
  @IsObject()
  fields?: Record<string, string>;
}

export class RetireEntryDto {
  @ApiProperty({ description: '下架原因' }) @IsString() @MinLength(2) @MaxLength(1000) reason: string;
}

export class ChangeNoticeDto {
  @ApiProperty({ description: '变更事由（职能、数据或系统发生变化）' }) @IsString() @MinLength(2) @MaxLength(1000) reason: string;
}

export interface EntryVersionView {
  version: number;
  state: VersionState;
  metadata: CatalogMetadata;
  findings: ComplianceFinding[];
  reviewComments: ReviewComments | null;
  changeReason: string | null;
  createdAt: string;
  submittedAt: string | null;
  reviewedAt: string | null;
}

export interface EntryView {
  id: string;
  deptId: string;
  deptName: string;
  status: EntryStatus;
  changeStatus: ChangeStatus | null;
  resourceCode: string | null;
  sourceRegion: string | null;
  publishedVersion: number | null;
  latestVersion: number;
  publishedAt: string | null;
  retiredReason: string | null;
  /** The version being worked on (latest); equals the published one when no change is pending. */
  working: EntryVersionView;
  published: EntryVersionView | null;
}

export interface VersionDiffView {
  from: number;
  to: number;
  changes: FieldChange[];
}
