import { CurrentStaff, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { Operator, OperatorsService, OperatorUsage } from './operators.service';

export class OperatorDto {
  @ApiProperty({ description: '运营主体名称' }) @IsString() @MinLength(2) @MaxLength(200) name: string;
  @ApiProperty({ description: '统一社会信用代码（GB 32100 校验）' }) @IsString() @MaxLength(18) creditCode: string;
  @ApiProperty({ description: '运营主体在平台上的部门账号（其工作人员提交沙箱作业）' }) @IsUUID() deptId: string;
  @ApiProperty({ description: '合同期限起 YYYY-MM-DD' }) @IsISO8601({ strict: true }) contractFrom: string;
  @ApiProperty({ description: '合同期限止 YYYY-MM-DD' }) @IsISO8601({ strict: true }) contractTo: string;
  @ApiProperty({ type: [String], description: '授权运营的数据目录' }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(200) @IsUUID('all', { each: true }) entryIds: string[];
  @ApiProperty({ type: [String], description: '允许的应用场景，如 普惠金融信用评估' }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(200, { each: true }) scenarios: string[];
  @ApiPropertyOptional({ description: '每月沙箱作业次数上限' }) @IsOptional() @IsInt() @Min(1) monthlyJobQuota?: number;
  @ApiPropertyOptional({ description: '每月计算涉及的源记录数上限' }) @IsOptional() @IsInt() @Min(1) monthlyRowQuota?: number;
}

export class OperatorStatusDto {
  @ApiProperty({ enum: ['active', 'suspended', 'ended'] }) @IsIn(['active', 'suspended', 'ended']) status: 'active' | 'suspended' | 'ended';
}

export class UsageQuery {
  @ApiProperty({ description: '月份 YYYY-MM' }) @Matches(/^\d{4}-(0[1-9]|1[0-2])$/) month: string;
}

export class OperatorListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['active', 'suspended', 'ended'] }) @IsOptional() @IsIn(['active', 'suspended', 'ended']) status?: string;
}

@ApiTags('授权运营 operation')
@ApiBearerAuth()
@Controller('operators')
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @Post()
  @Roles('data_admin')
  @ApiOperation({ summary: '登记授权运营主体（数据局）/ register an operator' })
  register(@CurrentStaff() staff: StaffPrincipal, @Body() dto: OperatorDto): Promise<Operator> {
    return this.operators.register(staff, dto);
  }

  @Get()
  @Roles('data_admin', 'auditor', 'security_officer')
  @ApiOperation({ summary: '授权运营主体，分页 { items, total, page, pageSize } / operators, paged' })
  list(@Query() q: OperatorListQuery) {
    return this.operators.list(q);
  }

  @Post(':id/status')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '暂停、恢复或终止运营授权 / change an operator’s status' })
  status(@Param('id', ParseUUIDPipe) id: string, @Body() dto: OperatorStatusDto): Promise<Operator> {
    return this.operators.setStatus(id, dto.status);
  }

  @Post(':id/grants/:grantId')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '将运营主体的共享授权标记为授权运营 / flag a grant as operation' })
  flag(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Param('grantId', ParseUUIDPipe) grantId: string) {
    return this.operators.flagGrant(staff, id, grantId);
  }

  @Get(':id/usage')
  @Roles('data_admin', 'auditor', 'security_officer')
  @ApiOperation({ summary: '月度使用报告 / monthly usage report' })
  usage(@Param('id', ParseUUIDPipe) id: string, @Query() q: UsageQuery): Promise<OperatorUsage> {
    return this.operators.usage(id, q.month);
  }
}
