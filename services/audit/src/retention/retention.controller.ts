import { Roles } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { ArchiveResult, RetentionService } from './retention.service';

export class ArchiveDto {
  @ApiPropertyOptional({ description: '归档早于 N 天的记录（默认 AUDIT_RETENTION_DAYS）/ archive records older than N days' }) @IsOptional() @Type(() => Number) @IsInt() @Min(0) olderThanDays?: number;
}

/** Archiving moves records, never changes them: operated by the data bureau, visible to auditors. */
@ApiTags('审计日志 tamper-evident log')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Controller('retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '已归档至 / records archived so far' })
  async status(): Promise<{ archivedUpTo: number }> {
    return { archivedUpTo: await this.retention.archivedUpTo() };
  }

  @Post('archive')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '立即归档旧记录为签名段 / archive old records into signed segments now' })
  archive(@Body() dto: ArchiveDto): Promise<ArchiveResult> {
    return this.retention.archive(new Date(Date.now() - (dto.olderThanDays ?? 0) * 86_400_000));
  }
}
