import { CurrentStaff, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataElementCodeParam, ListConflictsQuery, ListElementsQuery, ResolveConflictDto, UpsertDataElementDto } from './dto/one-source.dto';
import { OneSourceService } from './one-source.service';

@ApiTags('一数一源 one data, one source')
@ApiBearerAuth()
@Controller()
export class OneSourceController {
  constructor(private readonly oneSource: OneSourceService) {}

  @Get('data-elements')
  @ApiOperation({ summary: '数据元及其数源部门（按编码，分页）/ data elements and their source departments, by code, paged: { items, total, page, pageSize }' })
  elements(@Query() q: ListElementsQuery) {
    return this.oneSource.listElements({ q: q.q?.trim() || undefined, page: q.page, pageSize: q.pageSize });
  }

  @Put('data-elements/:code')
  @Roles('data_admin')
  @ApiOperation({ summary: '登记或变更数据元、指定数源部门 / register an element, designate its source' })
  upsert(@CurrentStaff() staff: StaffPrincipal, @Param() p: DataElementCodeParam, @Body() dto: UpsertDataElementDto) {
    return this.oneSource.upsertElement(staff, p.code, dto);
  }

  @Get('conflicts')
  @ApiOperation({ summary: '一数一源冲突清单（最新在前，分页）/ conflicts list (the bureau sees all, departments their own), paged: { items, total, page, pageSize }' })
  conflicts(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListConflictsQuery) {
    return this.oneSource.listConflicts(departmentScopeOf(staff), q);
  }

  @Post('conflicts/:id/resolve')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '处理冲突：指定数源 / 合并 / 说明理由 / resolve a conflict' })
  resolve(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ResolveConflictDto) {
    return this.oneSource.resolve(staff, id, dto);
  }
}
