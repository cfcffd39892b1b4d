import { CurrentStaff, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { NeedsService } from './needs.service';

export class PostNeedDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(200) title: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) description: string;
  @ApiPropertyOptional({ type: [String], description: '需要的信息项' }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) items?: string[];
}
export class AssignNeedDto {
  @ApiProperty() @IsUUID() deptId: string;
}
export class AnswerNeedDto {
  @ApiPropertyOptional({ description: '为此需求编目的目录' }) @IsOptional() @IsUUID() entryId?: string;
  @ApiPropertyOptional({ description: '不能提供的理由' }) @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

export class NeedListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['mine', 'assigned'], description: 'mine 本部门提出的；assigned 分派给本部门的；缺省为可见的全部' }) @IsOptional() @IsIn(['mine', 'assigned']) view?: 'mine' | 'assigned';
  @ApiPropertyOptional({ enum: ['open', 'assigned', 'answered'] }) @IsOptional() @IsIn(['open', 'assigned', 'answered']) status?: string;
}

@ApiTags('供需对接 data needs')
@ApiBearerAuth()
@Controller('needs')
export class NeedsController {
  constructor(private readonly needs: NeedsService) {}

  @Post()
  @Roles('dept_operator')
  @ApiOperation({ summary: '提出数据需求（返回建议的提供部门）/ post a data need' })
  post(@CurrentStaff() staff: StaffPrincipal, @Body() dto: PostNeedDto) {
    return this.needs.post(staff, dto);
  }

  @Get()
  @ApiOperation({ summary: '数据需求（最新在前，分页）/ needs, newest first, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: NeedListQuery) {
    return this.needs.list(staff, q);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '数据局分派给提供部门 / the bureau assigns a provider' })
  assign(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AssignNeedDto) {
    return this.needs.assign(staff, id, dto.deptId);
  }

  @Post(':id/answer')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '提供部门答复：编目或说明理由 / the provider answers' })
  answer(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AnswerNeedDto) {
    return this.needs.answer(staff, id, dto);
  }
}
