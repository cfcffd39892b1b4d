import { CurrentStaff, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Response } from 'express';
import { SandboxJob, SandboxService } from './sandbox.service';

export class SandboxJobDto {
  @ApiProperty({ description: 'SQL 中使用的表名 → 数据沙箱授权 ID，如 {"people":"<grantId>"}', example: { people: '00000000-0000-0000-0000-000000000000' } })
  @IsObject()
  tables: Record<string, string>;
  @ApiProperty({ description: '只读聚合查询（SELECT … GROUP BY …）；中文信息项用双引号', example: 'SELECT "区县", count(*) AS n FROM people GROUP BY "区县"' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  sql: string;
  @ApiPropertyOptional({ description: '应用场景（授权运营时须为授权场景之一）' }) @IsOptional() @IsString() @MaxLength(200) scenario?: string;
}

export class SandboxJobListQuery {
  @ApiPropertyOptional({ enum: ['released', 'refused', 'failed'] }) @IsOptional() @IsIn(['released', 'refused', 'failed']) status?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class SandboxResultQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'] }) @IsOptional() @IsIn(['json', 'csv']) format?: 'json' | 'csv';
}

@ApiTags('数据沙箱 sandbox')
@ApiBearerAuth()
@Controller('sandbox')
export class SandboxController {
  constructor(private readonly sandbox: SandboxService) {}

  @Post('jobs')
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '提交沙箱计算（可用不可见：只放行满足最小分组的聚合结果）/ run a sandbox job' })
  submit(@CurrentStaff() staff: StaffPrincipal, @Body() dto: SandboxJobDto): Promise<SandboxJob> {
    return this.sandbox.submit(staff, dto);
  }

  @Get('jobs')
  @ApiOperation({ summary: '沙箱作业（本部门；数据局、审计员看全部）/ sandbox jobs' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: SandboxJobListQuery): Promise<SandboxJob[]> {
    return this.sandbox.list(staff, q);
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: '沙箱作业详情 / one job' })
  get(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<SandboxJob> {
    return this.sandbox.get(staff, id);
  }

  @Get('jobs/:id/result')
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '下载放行的结果（保存期限内，JSON 或 CSV）/ download a released result' })
  async result(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Query() q: SandboxResultQuery, @Res({ passthrough: true }) res: Response) {
    const r = await this.sandbox.result(staff, id);
    if (q.format !== 'csv') return r;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="sandbox-${id}.csv"`);
    return this.sandbox.resultCsv(r);
  }
}
