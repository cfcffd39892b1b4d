import { DELIVERY_METHODS, DeliveryMethod, PageQuery } from '@gov/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class RequestedEntryDto {
  @ApiProperty() @IsUUID() entryId: string;
  @ApiProperty({ type: [String], description: '申请的信息项（目录信息项的子集）' }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(500) @IsString({ each: true }) items: string[];
}

export class CartItemDto extends RequestedEntryDto {}

/** 共享申请: one submission covers one or several entries (the cart); each provider gets its part. */
export class SubmitRequestDto {
  @ApiPropertyOptional({ type: [RequestedEntryDto], description: '申请的目录及信息项；省略时提交申请清单（购物车）' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => RequestedEntryDto)
  entries?: RequestedEntryDto[];
  @ApiPropertyOptional({ description: '提交申请清单中的全部目录' }) @IsOptional() @IsBoolean() fromCart?: boolean;
  @ApiProperty({ description: '用途' }) @IsString() @MinLength(4) @MaxLength(1000) purpose: string;
  @ApiProperty({ description: '履职依据（法律法规、三定方案等）' }) @IsString() @MinLength(4) @MaxLength(1000) legalBasis: string;
  @ApiProperty({ description: '应用场景' }) @IsString() @MinLength(2) @MaxLength(500) scenario: string;
  @ApiProperty({ description: '使用期限起 YYYY-MM-DD' }) @IsISO8601({ strict: true }) periodFrom: string;
  @ApiProperty({ description: '使用期限止 YYYY-MM-DD' }) @IsISO8601({ strict: true }) periodTo: string;
  @ApiProperty({ enum: DELIVERY_METHODS, description: '交付方式：interface 接口 / download 文件下载 / push 数据库推送 / handover 离线交换' })
  @IsIn(DELIVERY_METHODS) deliveryMethod: DeliveryMethod;
  @ApiPropertyOptional({ description: '预计数据量' }) @IsOptional() @IsString() @MaxLength(200) expectedVolume?: string;
  @ApiPropertyOptional({ description: '使用频度' }) @IsOptional() @IsString() @MaxLength(200) frequency?: string;
  @ApiProperty({ description: '申请使用的信息系统' }) @IsString() @MinLength(2) @MaxLength(200) systemName: string;
}

export class RowFilterDto {
  @ApiProperty() @IsString() @MaxLength(63) column: string;
  @ApiProperty({ enum: ['eq', 'in', 'prefix', 'range'] }) @IsIn(['eq', 'in', 'prefix', 'range']) op: 'eq' | 'in' | 'prefix' | 'range';
  @ApiPropertyOptional() @IsOptional() value?: string | number;
  @ApiPropertyOptional() @IsOptional() @IsArray() values?: (string | number)[];
  @ApiPropertyOptional() @IsOptional() from?: string | number;
  @ApiPropertyOptional() @IsOptional() to?: string | number;
}

/** 同意 / 缩小范围同意: only narrower than asked, never a new condition (禁止擅自增设共享条件). */
export class ApproveDto {
  @ApiPropertyOptional({ type: [String], description: '同意的信息项（申请信息项的子集）' }) @IsOptional() @IsArray() @ArrayMinSize(1) @IsString({ each: true }) items?: string[];
  @ApiPropertyOptional({ type: [RowFilterDto], description: '行范围，如某一区划' }) @IsOptional() @IsArray() @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => RowFilterDto) rowFilter?: RowFilterDto[];
  @ApiPropertyOptional({ description: '缩短的使用期限止' }) @IsOptional() @IsISO8601({ strict: true }) validTo?: string;
  @ApiPropertyOptional({ description: '每分钟请求上限' }) @IsOptional() @IsInt() @Min(1) @Max(100000) rateLimitPerMinute?: number;
  @ApiPropertyOptional({ description: '数据量配额（行）' }) @IsOptional() @IsInt() @Min(1) quotaRows?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) comment?: string;
  @ApiPropertyOptional({ description: '附加条件：不接受（条例禁止擅自增设共享条件），有值即拒绝' }) @IsOptional() @IsArray() conditions?: unknown[];
}

/** 拒绝: a legal ground from the maintained list plus reasons; without one the API refuses. */
export class RefuseDto {
  @ApiProperty({ description: '法定事由代码（GET /refusal-grounds）' }) @IsOptional() @IsString() @MaxLength(64) groundCode?: string;
  @ApiProperty({ description: '理由' }) @IsOptional() @IsString() @MaxLength(2000) text?: string;
}

export class CoordinateDto {
  @ApiProperty({ description: '协调意见' }) @IsString() @MinLength(2) @MaxLength(2000) note: string;
}

export class RefusalGroundDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(64) code: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(200) label: string;
  @ApiProperty({ description: '法律依据' }) @IsString() @MinLength(2) @MaxLength(500) basis: string;
}

export class RequestListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['requester', 'provider'] }) @IsOptional() @IsIn(['requester', 'provider']) side?: 'requester' | 'provider';
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'refused', 'withdrawn'] }) @IsOptional() @IsIn(['pending', 'approved', 'refused', 'withdrawn']) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) escalated?: string;
}
