import { CurrentStaff, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength, Min, MinLength } from 'class-validator';
import { FEEDBACK_KINDS, FeedbackService } from './feedback.service';

export class ReportFeedbackDto {
  @ApiProperty() @IsUUID() grantId: string;
  @ApiProperty({ enum: FEEDBACK_KINDS, description: 'wrong_value 数据错误 / missing_rows 数据缺失 / stale 数据过期 / other' }) @IsIn(FEEDBACK_KINDS) kind: (typeof FEEDBACK_KINDS)[number];
  @ApiPropertyOptional({ description: '问题行（如主键值）' }) @IsOptional() @IsString() @MaxLength(200) rowRef?: string;
  @ApiPropertyOptional({ description: '问题信息项' }) @IsOptional() @IsString() @MaxLength(63) column?: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) description: string;
}
export class FixFeedbackDto {
  @ApiProperty({ description: '包含更正的数据集版本' }) @IsInt() @Min(1) version: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}
export class AnswerFeedbackDto {
  @ApiProperty({ description: '不更正的理由' }) @IsString() @MinLength(2) @MaxLength(2000) answer: string;
}
export class ConfirmFeedbackDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class FeedbackListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['provider', 'reporter'], description: 'provider 待本部门整改的；reporter 本部门反馈的；缺省为两者' }) @IsOptional() @IsIn(['provider', 'reporter']) side?: 'provider' | 'reporter';
}

@ApiTags('校核纠错 feedback')
@ApiBearerAuth()
@Controller('feedback')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Post()
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '反馈共享数据问题（行或信息项）/ report a problem with shared data' })
  report(@CurrentStaff() staff: StaffPrincipal, @Body() dto: ReportFeedbackDto) {
    return this.feedback.report(staff, dto);
  }

  @Get()
  @ApiOperation({ summary: '纠错反馈（本部门反馈的与待本部门处理的；最新在前，分页）/ feedback, newest first, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: FeedbackListQuery) {
    return this.feedback.list(staff, q);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '受理 / acknowledge' })
  acknowledge(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.feedback.acknowledge(staff, id);
  }

  @Post(':id/fix')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '已更正（新版本）/ fixed in a new version' })
  fix(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: FixFeedbackDto) {
    return this.feedback.fix(staff, id, dto.version, dto.note);
  }

  @Post(':id/answer')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '答复不更正的理由 / answer with reasons' })
  answer(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: AnswerFeedbackDto) {
    return this.feedback.answer(staff, id, dto.answer);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '反馈方确认 / the reporter confirms' })
  confirm(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ConfirmFeedbackDto) {
    return this.feedback.confirm(staff, id, dto.note);
  }
}
