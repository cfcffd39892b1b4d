import { CurrentStaff, departmentScopeOf, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min, MinLength } from 'class-validator';
import { FINDING_STATUSES, FindingStatus, SensitiveFindingsService } from './sensitive-findings.service';

export class JustifyFindingDto {
  @ApiProperty({ description: '说明：为什么该列不是个人信息，或为什么必须不脱敏' }) @IsString() @MinLength(10) @MaxLength(2000) reason: string;
}

export class DecideFindingDto {
  @ApiProperty({ description: '是否接受说明（接受后该列不再阻止开放和无条件共享）' }) @IsBoolean() accept: boolean;
  @ApiProperty({ description: '意见' }) @IsString() @MinLength(2) @MaxLength(2000) comment: string;
}

export class FindingsQuery {
  @ApiPropertyOptional({ description: '版本，默认当前版本' }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) version?: number;
}

export class OpenFindingsQuery extends PageQuery {
  @ApiPropertyOptional({ description: '部门（在调用者可见范围内）' }) @IsOptional() @IsUUID() deptId?: string;
  @ApiPropertyOptional({ description: '数据集' }) @IsOptional() @IsUUID() datasetId?: string;
  @ApiPropertyOptional({ enum: FINDING_STATUSES, description: '状态；默认待处理（blocking 与 justified）' }) @IsOptional() @IsIn(FINDING_STATUSES) status?: FindingStatus;
  @ApiPropertyOptional({ description: '发现日期起 YYYY-MM-DD' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: '发现日期止 YYYY-MM-DD（含）' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

@ApiTags('敏感字段发现 sensitive-field discovery')
@ApiBearerAuth()
@Controller()
export class SensitiveFindingsController {
  constructor(private readonly findings: SensitiveFindingsService) {}

  @Get('datasets/:id/sensitive-findings')
  @ApiOperation({ summary: '数据集当前版本的敏感字段发现结果与阻止开放的列 / findings of a version and the columns that block open output' })
  list(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Query() q: FindingsQuery) {
    return this.findings.list(departmentScopeOf(staff), id, q.version);
  }

  @Get('sensitive-findings')
  @ApiOperation({
    summary: '敏感字段发现（当前版本；默认待处理：未标注个人信息或待数据局决定），分页 { items, total, page, pageSize } / findings of current versions, paged',
  })
  open(@CurrentStaff() staff: StaffPrincipal, @Query() q: OpenFindingsQuery) {
    return this.findings.open(departmentScopeOf(staff), q);
  }

  @Post('sensitive-findings/:id/justify')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '提供部门说明理由，提交数据局 / the provider explains, for the data bureau to decide' })
  justify(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: JustifyFindingDto) {
    return this.findings.justify(staff, id, dto.reason);
  }

  @Post('sensitive-findings/:id/decide')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '数据局接受或驳回说明 / the data bureau accepts or rejects the explanation' })
  decide(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: DecideFindingDto) {
    return this.findings.decide(staff, id, dto.accept, dto.comment);
  }

  @Post('datasets/:id/sensitive-scan')
  @HttpCode(200)
  @Roles('data_admin', 'security_officer')
  @ApiOperation({ summary: '立即重新核查当前版本（每周自动核查一次）/ scan the current version again now' })
  async rescan(@Param('id', ParseUUIDPipe) id: string) {
    return { blockedColumns: await this.findings.rescan(id) };
  }
}
