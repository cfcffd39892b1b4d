import { PageQuery, Roles } from '@gov/shared';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { SecurityOfficerService } from './security-officer.service';

export class OfficerQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: '起始日期 YYYY-MM-DD' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: '截止日期 YYYY-MM-DD（含）' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() deptId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() entryId?: string;
  @ApiPropertyOptional({ description: '状态（发现：open/flagged/justified…；作业：refused/failed）' }) @IsOptional() @IsString() @MaxLength(40) status?: string;
  @ApiPropertyOptional({ description: '拒绝代码，如 SANDBOX_DIFFERENCING' }) @IsOptional() @IsString() @MaxLength(60) code?: string;
  @ApiPropertyOptional({ description: '导出 CSV 的最大行数（默认 10000）；JSON 按页返回' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10000) limit?: number;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

/**
 * 数据安全官 view: the security officer (security_officer) reads it, as do the data bureau (data_admin)
 * and auditors (auditor); all read-only. Operators' usage is at /operators/:id/usage.
 */
@ApiTags('数据安全 security officer')
@ApiBearerAuth()
@Controller('security')
export class SecurityOfficerController {
  constructor(private readonly officer: SecurityOfficerService) {}

  private csv(rows: Record<string, unknown>[], res: Response, name: string) {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
    return this.officer.toCsv(rows);
  }

  @Get('findings')
  @Roles('security_officer', 'data_admin', 'auditor')
  @ApiOperation({ summary: '敏感字段发现结果（来自归集扫描），分页 { items, total, page, pageSize }；format=csv 导出全部 / sensitive-field findings' })
  async findings(@Query() q: OfficerQueryDto, @Res({ passthrough: true }) res: Response) {
    return q.format === 'csv' ? this.csv(await this.officer.findings(q, true), res, 'sensitive-findings') : this.officer.findings(q);
  }

  @Get('sandbox-refusals')
  @Roles('security_officer', 'data_admin', 'auditor')
  @ApiOperation({ summary: '被拒绝或终止的沙箱作业，分页；format=csv 导出全部 / refused and stopped sandbox jobs' })
  async sandbox(@Query() q: OfficerQueryDto, @Res({ passthrough: true }) res: Response) {
    return q.format === 'csv' ? this.csv(await this.officer.refusedJobs(q, true), res, 'sandbox-refusals') : this.officer.refusedJobs(q);
  }

  @Get('aggregation-refusals')
  @Roles('security_officer', 'data_admin', 'auditor')
  @ApiOperation({ summary: '聚合风险拒绝记录，分页；format=csv 导出全部 / aggregation-risk refusals' })
  async aggregation(@Query() q: OfficerQueryDto, @Res({ passthrough: true }) res: Response) {
    return q.format === 'csv' ? this.csv(await this.officer.aggregationRefusals(q, true), res, 'aggregation-refusals') : this.officer.aggregationRefusals(q);
  }
}
