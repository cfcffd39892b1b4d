import { CurrentStaff, PageQuery, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DeadlinesService } from './deadlines.service';

export class ListDeadlinesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'met', 'overdue'] }) @IsOptional() @IsIn(['open', 'met', 'overdue']) status?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() deptId?: string;
}

@ApiTags('时限 deadlines')
@ApiBearerAuth()
@Controller('deadlines')
export class DeadlinesController {
  constructor(private readonly deadlines: DeadlinesService) {}

  @Get()
  @ApiOperation({ summary: '时限事项（按工作日计算；overdue 为超期清单；期限最早在前，分页）/ obligations with working-day limits, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListDeadlinesQuery) {
    return this.deadlines.list(departmentScopeOf(staff), q);
  }

  @Post('sweep')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '立即检查超期（每小时自动运行）/ flag overdue obligations now' })
  async sweep(): Promise<{ flagged: number }> {
    return { flagged: await this.deadlines.sweep() };
  }
}
