import {
  CatalogMetadata,
  DATA_ITEM_TYPE_CODES,
  DataItem,
  EntryClassification,
  FORMAT_CLASS_CODES,
  MASK_KINDS,
  NATIONAL_DATA_LEVEL_CODES,
  OPEN_TYPE_CODES,
  OpenAttribute,
  PLATFORM_METHOD_TYPE_CODES,
  RESOURCE_CLASS_CODES,
  SECURITY_GRADE_CODES,
  SHARE_METHOD_CLASS_CODES,
  SHARE_TYPE_CODES,
  ShareAttribute,
  UPDATE_CYCLE_CODES,
} from '@gov/shared';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/**
 * The metadata as a client sends it. Every field is optional (drafts may be incomplete; the
 * compliance check reports what is missing), but a value that is present must be well-formed:
 * an unknown enumeration value is refused at once.
 */
export class ClassificationDto implements EntryClassification {
  @ApiPropertyOptional({ enum: RESOURCE_CLASS_CODES, description: '类：1 基础 2 主题 3 部门' }) @IsOptional() @IsIn(RESOURCE_CLASS_CODES) classCode?: string;
  @ApiPropertyOptional({ example: '02', description: '项（2 位）' }) @IsOptional() @Matches(/^\d{2}$/) itemCode?: string;
  @ApiPropertyOptional({ example: '001', description: '目（3 位）' }) @IsOptional() @Matches(/^\d{3}$/) categoryCode?: string;
  @ApiPropertyOptional({ description: '细目（数字，不定长）' }) @IsOptional() @Matches(/^\d{0,12}$/) subCategoryCode?: string;
}

export class FormatDto {
  @ApiPropertyOptional({ enum: FORMAT_CLASS_CODES, description: '格式分类：1 电子文件 2 电子表格 3 数据库 4 图形图像 5 流媒体 6 自描述格式 7 服务接口' })
  @IsOptional()
  @IsIn(FORMAT_CLASS_CODES)
  classCode?: string;
  @ApiPropertyOptional({ example: 'xlsx' }) @IsOptional() @IsString() @MaxLength(50) type?: string;
}

export class DataItemDto implements DataItem {
  @ApiPropertyOptional({ example: '统一社会信用代码' }) @IsString() @MaxLength(100) name: string;
  @ApiPropertyOptional({ enum: DATA_ITEM_TYPE_CODES }) @IsOptional() @IsIn(DATA_ITEM_TYPE_CODES) dataType?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(1_000_000_000) length?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string | null;
  @ApiPropertyOptional({ description: '是否个人信息' }) @IsOptional() @IsBoolean() personal?: boolean;
  @ApiPropertyOptional({ description: '数据元代码' }) @IsOptional() @IsString() @MaxLength(64) dataElementCode?: string | null;
  @ApiPropertyOptional({ enum: MASK_KINDS, description: '脱敏方式' }) @IsOptional() @IsIn(MASK_KINDS) masking?: (typeof MASK_KINDS)[number] | null;
  @ApiPropertyOptional({ description: '重复采集理由（一数一源）' }) @IsOptional() @IsString() @MaxLength(500) duplicateJustification?: string | null;
}

export class ShareAttributeDto implements ShareAttribute {
  @ApiPropertyOptional({ enum: SHARE_TYPE_CODES }) @IsOptional() @IsIn(SHARE_TYPE_CODES) type?: string;
  @ApiPropertyOptional({ description: '共享条件' }) @IsOptional() @IsString() @MaxLength(1000) condition?: string | null;
  @ApiPropertyOptional({ description: '不予共享依据' }) @IsOptional() @IsString() @MaxLength(1000) basis?: string | null;
  @ApiPropertyOptional({ enum: SHARE_METHOD_CLASS_CODES }) @IsOptional() @IsIn(SHARE_METHOD_CLASS_CODES) methodClass?: string;
  @ApiPropertyOptional({ enum: PLATFORM_METHOD_TYPE_CODES }) @IsOptional() @IsIn(PLATFORM_METHOD_TYPE_CODES) methodType?: string | null;
}

export class OpenAttributeDto implements OpenAttribute {
  @ApiPropertyOptional({ enum: OPEN_TYPE_CODES }) @IsOptional() @IsIn(OPEN_TYPE_CODES) type?: string;
  @ApiPropertyOptional({ description: '开放条件' }) @IsOptional() @IsString() @MaxLength(1000) condition?: string | null;
  @ApiPropertyOptional({ description: '不予开放依据及理由' }) @IsOptional() @IsString() @MaxLength(1000) basis?: string | null;
}

export class CatalogMetadataDto implements CatalogMetadata {
  @ApiPropertyOptional({ type: ClassificationDto }) @IsOptional() @ValidateNested() @Type(() => ClassificationDto) classification?: ClassificationDto;
  @ApiPropertyOptional({ example: '市场主体登记信息' }) @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) abstract?: string;
  @ApiPropertyOptional({ type: FormatDto }) @IsOptional() @ValidateNested() @Type(() => FormatDto) format?: FormatDto;
  @ApiPropertyOptional({ type: [DataItemDto] }) @IsOptional() @IsArray() @ArrayMaxSize(2000) @ValidateNested({ each: true }) @Type(() => DataItemDto) items?: DataItemDto[];
  @ApiPropertyOptional({ type: ShareAttributeDto }) @IsOptional() @ValidateNested() @Type(() => ShareAttributeDto) share?: ShareAttributeDto;
  @ApiPropertyOptional({ type: OpenAttributeDto }) @IsOptional() @ValidateNested() @Type(() => OpenAttributeDto) open?: OpenAttributeDto;
  @ApiPropertyOptional({ enum: UPDATE_CYCLE_CODES }) @IsOptional() @IsIn(UPDATE_CYCLE_CODES) updateCycle?: string;
  @ApiPropertyOptional({ example: '2026-11-24' }) @IsOptional() @Matches(/^\d{4}-\d{2}-\d{2}$/) publishDate?: string | null;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) relatedResourceCodes?: string[];
  @ApiPropertyOptional({ enum: SECURITY_GRADE_CODES }) @IsOptional() @IsIn(SECURITY_GRADE_CODES) securityGrade?: string;
  @ApiPropertyOptional({ enum: NATIONAL_DATA_LEVEL_CODES }) @IsOptional() @IsIn(NATIONAL_DATA_LEVEL_CODES) nationalLevel?: string | null;
  @ApiPropertyOptional({ example: '01' }) @IsOptional() @IsString() @MaxLength(16) domainCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() systemId?: string | null;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ApiPropertyOptional() @IsOptional() @IsUUID() referenceItemId?: string | null;
}
