import { Roles } from '@gov/shared';
import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsString, Matches } from 'class-validator';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { AssessmentReport } from './assessment';
import { ReportsService } from './reports.service';

export class PeriodQuery {
  @ApiProperty({ example: '2026-03', description: '月 2026-03 / 季 2026-Q1 / 年 2026' }) @IsString() @Matches(/^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$/, { message: 'period must be 2026-03, 2026-Q1 or 2026' }) period: string;
}

/** 考核评估: auditors and the data bureau (read-only figures, no record content). */
@ApiTags('考核评估 assessment')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('assessment')
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '月度/季度/年度考核评估（部门、区域、排名）/ assessment by department and region, ranked' })
  assessment(@Query() q: PeriodQuery): Promise<AssessmentReport> {
    return this.reports.assessment(q.period);
  }

  @Get('assessment.xlsx')
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '考核评估导出 XLSX / the assessment as a workbook' })
  async xlsx(@Query() q: PeriodQuery, @Res() res: Response): Promise<void> {
    await this.reports.assessmentXlsx(q.period, res);
  }
}
