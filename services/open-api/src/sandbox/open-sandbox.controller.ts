import { CurrentStaff, PageQuery, Public, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Request, Response } from 'express';
import { DeveloperAuth } from '../developers/developer-auth';
import { OpenSandboxJob, OpenSandboxService } from './open-sandbox.service';

export class OpenSandboxJobDto {
  @ApiProperty({ description: 'SQL 中使用的表名 → 已批准的数据沙箱申请 ID，如 {"people":"<applicationId>"}', example: { people: '00000000-0000-0000-0000-000000000000' } })
  @IsObject()
  tables: Record<string, string>;
  @ApiProperty({ description: '只读聚合查询（SELECT … GROUP BY …）；中文信息项用双引号', example: 'SELECT "区县", count(*) AS n FROM people GROUP BY "区县"' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  sql: string;
}

export class OpenSandboxListQuery {
  @ApiPropertyOptional({ enum: ['released', 'refused', 'failed'] }) @IsOptional() @IsIn(['released', 'refused', 'failed']) status?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class OpenSandboxResultQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

export class OpenSandboxOversightQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['released', 'refused', 'failed'], description: '默认：被拒绝和被终止的作业' }) @IsOptional() @IsIn(['released', 'refused', 'failed']) status?: string;
  @ApiPropertyOptional({ description: '拒绝代码，如 SANDBOX_DIFFERENCING' }) @IsOptional() @IsString() @MaxLength(60) code?: string;
  @ApiPropertyOptional({ description: '起始日期 YYYY-MM-DD' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: '截止日期 YYYY-MM-DD（含）' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @ApiPropertyOptional({ description: '导出 CSV 的最大行数（默认 10000）；JSON 按页返回' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10000) limit?: number;
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

/** Developers' sandbox jobs: `Authorization: Bearer <developer token>`, under applications approved with access type `sandbox`. */
@ApiTags('数据沙箱 developer sandbox')
@ApiBearerAuth()
@Controller('v1/sandbox/jobs')
export class OpenSandboxController {
  constructor(
    private readonly sandbox: OpenSandboxService,
    private readonly auth: DeveloperAuth,
  ) {}

  @Post()
  @Public()
  @ApiOperation({ summary: '提交沙箱计算（有条件开放·数据沙箱：只放行满足最小分组的聚合结果）/ run a sandbox job' })
  submit(@Req() req: Request, @Body() dto: OpenSandboxJobDto): Promise<OpenSandboxJob> {
    return this.sandbox.submit(this.auth.require(req), dto);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: '我的沙箱作业 / my sandbox jobs' })
  mine(@Req() req: Request, @Query() q: OpenSandboxListQuery): Promise<OpenSandboxJob[]> {
    return this.sandbox.mine(this.auth.require(req), q);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: '沙箱作业详情 / one job' })
  get(@Req() req: Request, @Param('id', ParseUUIDPipe) id: string): Promise<OpenSandboxJob> {
    return this.sandbox.get(this.auth.require(req), id);
  }

  @Get(':id/result')
  @Public()
  @ApiOperation({ summary: '下载放行的结果（保存期限内，JSON 或 CSV）/ download a released result' })
  async result(@Req() req: Request, @Param('id', ParseUUIDPipe) id: string, @Query() q: OpenSandboxResultQuery, @Res({ passthrough: true }) res: Response) {
    const r = await this.sandbox.result(this.auth.require(req), id);
    if (q.format !== 'csv') return r;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="sandbox-${id}.csv"`);
    return this.sandbox.resultCsv(r);
  }
}

/** 数据安全官 (and the providing departments' reviewers, for their own data): developers' refused and stopped jobs. */
@ApiTags('数据沙箱 developer sandbox')
@ApiBearerAuth()
@Controller('v1/admin/sandbox/jobs')
export class OpenSandboxOversightController {
  constructor(private readonly sandbox: OpenSandboxService) {}

  @Get()
  @Roles('security_officer', 'data_admin', 'auditor', 'dept_reviewer')
  @ApiOperation({ summary: '开发者沙箱作业（默认：被拒绝和被终止的），分页 { items, total, page, pageSize }；format=csv 导出全部 / developers’ sandbox jobs, paged' })
  async list(@CurrentStaff() staff: StaffPrincipal, @Query() q: OpenSandboxOversightQuery, @Res({ passthrough: true }) res: Response) {
    if (q.format !== 'csv') return this.sandbox.oversight(staff, q);
    const jobs = await this.sandbox.oversightRows(staff, q);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="open-sandbox-jobs.csv"');
    const columns = ['id', 'createdAt', 'developerId', 'appId', 'deptId', 'entryId', 'status', 'reasonCode', 'reason', 'resultRows', 'durationMs', 'sql'] as const;
    return this.sandbox.resultCsv({ columns: [...columns], rows: jobs.map((j) => columns.map((c) => j[c])) });
  }
}
