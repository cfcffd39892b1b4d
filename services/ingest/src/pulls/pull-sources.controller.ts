import { CurrentStaff, DomainException, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional } from 'class-validator';
import { DatasetsService } from '../datasets/datasets.service';
import { IngestErrors } from '../datasets/ingest.errors';
import { jobView } from '../jobs/jobs.service';
import { PullSourcesService, SourceSecret } from './pull-sources.service';

export class RegisterSourceDto {
  @ApiProperty({ enum: ['http', 'database', 'logical'], description: 'http 接口拉取；database 库表交换；logical 逻辑接入（不复制数据）' })
  @IsIn(['http', 'database', 'logical'])
  kind: 'http' | 'database' | 'logical';
  @ApiProperty({ description: '非敏感配置：url/format/paging/recordsPath，或 kind/host/port/database/user/table|query/incremental' }) @IsObject() config: Record<string, any>;
  @ApiPropertyOptional({ description: '敏感信息（加密保存、不回显）：headers、query 中的密钥，或 password' }) @IsOptional() @IsObject() secret?: SourceSecret;
}

@ApiTags('接口与库表 pull sources')
@ApiBearerAuth()
@Controller()
export class PullSourcesController {
  constructor(
    private readonly sources: PullSourcesService,
    private readonly datasets: DatasetsService,
  ) {}

  @Post('datasets/:id/sources')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '登记接口、库表或逻辑接入数据源（凭据加密保存）/ register a pull source' })
  async register(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: RegisterSourceDto) {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    if (dataset.deptId !== staff.deptId && !staff.roles.includes('data_admin')) throw IngestErrors.notOwner();
    return this.sources.register(staff, dataset, dto.kind, dto.config, dto.secret);
  }

  @Get('datasets/:id/sources')
  @ApiOperation({ summary: '数据源列表（不含凭据）/ sources of a dataset, secrets redacted' })
  list(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    return this.sources.list(departmentScopeOf(staff), id);
  }

  @Post('sources/:id/pull')
  @HttpCode(202)
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '立即拉取（否则按更新周期自动拉取）/ pull now' })
  async pull(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    return jobView(await this.sources.pullNow(staff, departmentScopeOf(staff), id));
  }

  @Get('sources/:id/rows')
  @ApiOperation({ summary: '逻辑接入：实时读取源端数据（不落地，留痕审计）/ read a logical source live' })
  live(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Query() query: Record<string, string>) {
    // Filters are free-form names the source allows (checked by the proxy), so the query is not a DTO.
    const { page, pageSize, ...filters } = query;
    const p = Number(page ?? 1);
    const size = Number(pageSize ?? 50);
    if (!Number.isInteger(p) || p < 1 || !Number.isInteger(size) || size < 1 || size > 500)
      throw new DomainException('PAGE_INVALID', HttpStatus.BAD_REQUEST, { zh: 'page 须为正整数，pageSize 须在 1–500 之间', en: 'page must be ≥ 1 and pageSize 1–500' });
    return this.sources.readLive(staff, departmentScopeOf(staff), id, p, size, filters);
  }
}
