import { PageQuery } from '@gov/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';

/** 数据元登记/变更 (data_admin). */
export class UpsertDataElementDto {
  @ApiProperty({ example: '统一社会信用代码' }) @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) aliases?: string[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ description: '数源部门' }) @IsOptional() @IsUUID() sourceDeptId?: string | null;
  @ApiPropertyOptional({ description: '数源部门的目录条目' }) @IsOptional() @IsUUID() sourceEntryId?: string | null;
}

export const DATA_ELEMENT_CODE = /^[A-Z0-9_]{2,64}$/;
export class DataElementCodeParam {
  @Matches(DATA_ELEMENT_CODE, { message: 'code must be 2–64 of A–Z, 0–9, _' }) code: string;
}

/** 冲突处理: 指定数源 / 合并 / 说明理由 */
export class ResolveConflictDto {
  @ApiProperty({ enum: ['designate_source', 'merge', 'justify'] }) @IsIn(['designate_source', 'merge', 'justify']) resolution: 'designate_source' | 'merge' | 'justify';
  @ApiProperty({ description: '处理说明' }) @IsString() @MinLength(2) @MaxLength(1000) note: string;
  @ApiPropertyOptional({ description: 'designate_source: 指定的数源部门' }) @IsOptional() @IsUUID() sourceDeptId?: string;
  @ApiPropertyOptional({ description: 'merge: 保留的目录条目（另一条下架）' }) @IsOptional() @IsUUID() keepEntryId?: string;
}

export class ListElementsQuery extends PageQuery {
  @ApiPropertyOptional({ description: '代码、名称或别名的一部分' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
}

export class ListConflictsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved'] }) @IsOptional() @IsIn(['open', 'resolved']) status?: 'open' | 'resolved';
  @ApiPropertyOptional({ enum: ['duplicate_collection', 'near_duplicate'] }) @IsOptional() @IsIn(['duplicate_collection', 'near_duplicate']) kind?: string;
}
