import { CurrentStaff, PageQuery, Public, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Request } from 'express';
import { DeveloperAuth } from '../developers/developer-auth';
import { FeedbackKind, InteractionService } from './interaction.service';

export class RatingDto {
  @ApiProperty({ minimum: 1, maximum: 5, description: '易用性' }) @Type(() => Number) @IsInt() @Min(1) @Max(5) usability: number;
  @ApiProperty({ minimum: 1, maximum: 5, description: '完整性' }) @Type(() => Number) @IsInt() @Min(1) @Max(5) completeness: number;
  @ApiProperty({ minimum: 1, maximum: 5, description: '准确性' }) @Type(() => Number) @IsInt() @Min(1) @Max(5) accuracy: number;
  @ApiProperty({ minimum: 1, maximum: 5, description: '及时性' }) @Type(() => Number) @IsInt() @Min(1) @Max(5) timeliness: number;
}

export class CommentDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) body: string;
}

export class FeedbackDto {
  @ApiProperty({ enum: ['error_report', 'data_request', 'suggestion'], description: '数据纠错 / 需求征集 / 意见建议' })
  @IsIn(['error_report', 'data_request', 'suggestion'])
  kind: FeedbackKind;
  @ApiPropertyOptional({ description: '数据集 id（数据纠错必填）' }) @IsOptional() @IsUUID() datasetId?: string;
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(200) title: string;
  @ApiProperty() @IsString() @MinLength(5) @MaxLength(4000) body: string;
}

export class AnswerDto {
  @ApiProperty({ description: '公开答复' }) @IsString() @MinLength(5) @MaxLength(4000) answer: string;
}

export class ShowcaseDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(200) title: string;
  @ApiProperty() @IsString() @MinLength(10) @MaxLength(4000) description: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }) @MaxLength(500) url?: string;
  @ApiProperty({ type: [String], description: '使用的数据集 id' }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsUUID('all', { each: true }) datasetIds: string[];
}

export class FeedbackQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['error_report', 'data_request', 'suggestion'] }) @IsOptional() @IsIn(['error_report', 'data_request', 'suggestion']) kind?: FeedbackKind;
  @ApiPropertyOptional() @IsOptional() @IsUUID() datasetId?: string;
  @ApiPropertyOptional({ enum: ['open', 'answered'], description: '待答复 / 已答复' }) @IsOptional() @IsIn(['open', 'answered']) status?: string;
}

export class TasksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'answered'] }) @IsOptional() @IsIn(['open', 'answered']) status?: string;
}

export class ShowcaseQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() datasetId?: string;
}

@ApiTags('互动反馈 public interaction')
@Controller('v1')
export class InteractionController {
  constructor(
    private readonly interaction: InteractionService,
    private readonly auth: DeveloperAuth,
  ) {}

  @Post('datasets/:id/ratings')
  @Public()
  @ApiBearerAuth()
  @HttpCode(200)
  @ApiOperation({ summary: '评分（易用性、完整性、准确性、及时性，1–5）/ rate a dataset' })
  rate(@Req() req: Request, @Param('id') id: string, @Body() dto: RatingDto) {
    return this.interaction.rate(this.auth.require(req), id, dto);
  }

  @Get('datasets/:id/comments')
  @Public()
  @ApiOperation({ summary: '评论（最新在前，分页）/ comments, newest first, paged: { items, total, page, pageSize }' })
  comments(@Param('id') id: string, @Query() q: PageQuery) {
    return this.interaction.comments(id, q);
  }

  @Post('datasets/:id/comments')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '发表评论 / comment' })
  comment(@Req() req: Request, @Param('id') id: string, @Body() dto: CommentDto) {
    return this.interaction.comment(this.auth.require(req), id, dto.body);
  }

  @Post('feedback')
  @Public()
  @ApiOperation({ summary: '数据纠错、需求征集、意见建议（可匿名）/ error report, data request or suggestion' })
  feedback(@Req() req: Request, @Body() dto: FeedbackDto) {
    return this.interaction.submitFeedback(this.auth.optional(req), dto.kind, dto);
  }

  @Get('feedback')
  @Public()
  @ApiOperation({ summary: '反馈与公开答复（最新在前，分页）/ feedback and public answers, newest first, paged: { items, total, page, pageSize }' })
  publicFeedback(@Query() q: FeedbackQuery) {
    return this.interaction.publicFeedback({ kind: q.kind, datasetId: q.datasetId, status: q.status }, q);
  }

  @Get('showcase')
  @Public()
  @ApiOperation({ summary: '应用成果展示（最新在前，分页）/ app showcase, newest first, paged: { items, total, page, pageSize }' })
  showcase(@Query() q: ShowcaseQuery) {
    return this.interaction.showcase(q.datasetId, q);
  }

  @Post('showcase')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '提交应用成果 / submit what you built' })
  submitShowcase(@Req() req: Request, @Body() dto: ShowcaseDto) {
    return this.interaction.submitShowcase(this.auth.require(req), dto);
  }
}

@ApiTags('互动反馈 public interaction')
@ApiBearerAuth()
@Controller('v1/admin/feedback')
export class FeedbackAdminController {
  constructor(private readonly interaction: InteractionService) {}

  @Get()
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '本部门的纠错整改任务（数据局另见需求与建议；期限最早在前，分页）/ tasks of the department, earliest due first, paged' })
  tasks(@CurrentStaff() staff: StaffPrincipal, @Query() q: TasksQuery) {
    return this.interaction.tasks(staff, q.status, q);
  }

  @Post(':id/answer')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @HttpCode(200)
  @ApiOperation({ summary: '公开答复 / answer publicly' })
  answer(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: AnswerDto) {
    return this.interaction.answer(staff, id, dto.answer);
  }
}
