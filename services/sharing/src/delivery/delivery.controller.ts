import { CurrentStaff, Public, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, Headers, Ip, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Response } from 'express';
import { DeliveryService } from './delivery.service';
import { EXTRACT_FORMATS, ExtractFormat } from './extract';
import { RecordsQueryParam } from './records-query';
import { RecordsQuery, RecordsService } from './records.service';

export class DownloadLinkDto {
  @ApiProperty({ enum: EXTRACT_FORMATS }) @IsIn(EXTRACT_FORMATS) format: ExtractFormat;
}

export class PushTargetDto {
  @ApiProperty({ enum: ['postgres', 'mysql'] }) @IsIn(['postgres', 'mysql']) kind: 'postgres' | 'mysql';
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(255) host: string;
  @ApiProperty() @IsInt() @Min(1) @Max(65535) port: number;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) user: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) password?: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) database: string;
  @ApiProperty({ description: '目标表名（字母、数字、下划线）' }) @IsString() @MaxLength(63) table: string;
}

export class HandoverDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(255) fileName: string;
  @ApiProperty({ description: '文件 SHA-256（64 位十六进制）' }) @Matches(/^[0-9a-fA-F]{64}$/) sha256: string;
  @ApiProperty() @IsInt() @Min(0) rows: number;
  @ApiProperty({ description: '介质，如 光盘、移动硬盘' }) @IsString() @MinLength(1) @MaxLength(100) medium: string;
  @ApiProperty({ description: '接收人' }) @IsString() @MinLength(1) @MaxLength(200) handedTo: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() handedAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) version?: number;
}

@ApiTags('共享交付 delivery')
@Controller()
export class DeliveryController {
  constructor(
    private readonly records: RecordsService,
    private readonly delivery: DeliveryService,
  ) {}

  @Get('records/:entryId')
  @Public()
  @ApiHeader({ name: 'X-Grant-Key', required: true, description: '授权凭证 sgk_…' })
  @ApiOperation({ summary: '接口方式：按授权读取数据（仅授权信息项与行，分页、筛选）/ grant-scoped records' })
  @ApiQuery({ name: 'after', required: false, type: Number, description: '游标翻页：上一页返回的 next（深翻页时用）；≥ 0' })
  @ApiQuery({ name: 'page', required: false, type: Number, description: '页码，1–100000，默认 1' })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: '每页行数，1–1000，默认 100' })
  @ApiQuery({ name: 'fields', required: false, type: String, description: '返回的信息项，逗号分隔（须在授权范围内）' })
  @ApiQuery({ name: 'filter', required: false, type: String, description: 'JSON 筛选条件：[{"column":"区划","op":"eq|in|prefix|range","value":…}]' })
  @ApiOkResponse({ description: '{ entryId, version, page, pageSize, fields, rows, hasMore, next }' })
  async read(@Headers('x-grant-key') key: string | undefined, @Param('entryId', ParseUUIDPipe) entryId: string, @RecordsQueryParam() q: RecordsQuery, @Ip() ip: string, @Res() res: Response): Promise<void> {
    // The body is JSON text already: written as is, without Express serialising or hashing it again.
    const body = await this.records.read(key, entryId, q, ip);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  @Post('grants/:id/downloads')
  @ApiBearerAuth()
  @Roles('dept_operator')
  @ApiOperation({ summary: '生成限时签名下载链接（CSV/XLSX/JSON）/ a time-limited signed download link' })
  link(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: DownloadLinkDto) {
    return this.delivery.createLink(staff, id, dto.format);
  }

  @Get('downloads/:token')
  @Public()
  @ApiOperation({ summary: '下载（签名链接，过期后拒绝）/ download by signed link' })
  download(@Param('token') token: string, @Res() res: Response, @Ip() ip: string): Promise<void> {
    return this.delivery.download(token, res, ip);
  }

  @Post('grants/:id/push-targets')
  @ApiBearerAuth()
  @Roles('dept_operator')
  @ApiOperation({ summary: '登记推送目标库（PostgreSQL / MySQL / MariaDB），每个新版本自动推送 / register a push target' })
  addPushTarget(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: PushTargetDto) {
    return this.delivery.addPushTarget(staff, id, dto);
  }

  @Get('grants/:id/push-targets')
  @ApiBearerAuth()
  @ApiOperation({ summary: '推送目标与最近一次推送 / push targets and their last push' })
  pushTargets(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.delivery.pushTargets(staff, id);
  }

  @Post('grants/:id/handovers')
  @ApiBearerAuth()
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '登记离线交换（文件、哈希、接收人、时间）/ record an offline handover' })
  handover(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: HandoverDto) {
    return this.delivery.recordHandover(staff, id, dto);
  }

  @Get('grants/:id/handovers')
  @ApiBearerAuth()
  @ApiOperation({ summary: '离线交换记录 / offline handovers' })
  handovers(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.delivery.handovers(staff, id);
  }
}
