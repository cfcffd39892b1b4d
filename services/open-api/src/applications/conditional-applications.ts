import { CurrentStaff, departmentScopeOf, normalizeUscc, OutboxWriter, pageOf, PageQuery, Public, Roles, StaffPrincipal, toShanghaiDate, validateUscc } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Inject, Injectable, Param, Post, Query, Req } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { OpenCatalogService } from '../catalog/open-catalog.service';
import { DeveloperAuth, DeveloperPrincipal } from '../developers/developer-auth';
import { returning } from '../db';
import { OpenErrors } from '../open.errors';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';

export class ApplyDto {
  @ApiProperty({ description: '数据集 id' }) @IsUUID() datasetId: string;
  @ApiProperty({ description: '用于访问的应用 id' }) @IsUUID() appId: string;
  @ApiProperty({ description: '申请单位' }) @IsString() @MinLength(2) @MaxLength(200) organisation: string;
  @ApiProperty({ description: '申请单位统一社会信用代码' }) @IsString() @MaxLength(40) creditCode: string;
  @ApiProperty({ description: '用途' }) @IsString() @MinLength(5) @MaxLength(2000) purpose: string;
  @ApiProperty({ description: '应用场景' }) @IsString() @MinLength(5) @MaxLength(2000) scenario: string;
  @ApiProperty({ description: '安全承诺（不再识别个人、不转让、按期销毁等）' }) @IsString() @MinLength(10) @MaxLength(4000) commitments: string;
  @ApiPropertyOptional({ enum: ['records', 'sandbox'], description: '使用方式：records 接口与下载；sandbox 数据沙箱（可用不可见，只放行聚合结果）' }) @IsOptional() @IsIn(['records', 'sandbox']) accessType?: 'records' | 'sandbox';
}

export class DecideApplicationDto {
  @ApiProperty() @IsBoolean() approve: boolean;
  @ApiPropertyOptional({ description: '拒绝理由（拒绝时必填）' }) @IsOptional() @IsString() @MinLength(5) @MaxLength(2000) reasons?: string;
  @ApiPropertyOptional({ description: '使用条款（批准时必填）' }) @IsOptional() @IsString() @MinLength(2) @MaxLength(4000) terms?: string;
  @ApiPropertyOptional({ description: '授权截止日期 YYYY-MM-DD（批准时必填）' }) @IsOptional() @IsDateString() endDate?: string;
}

export class ListApplicationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'refused'] }) @IsOptional() @IsIn(['pending', 'approved', 'refused']) status?: string;
}

function view(r: any, today = toShanghaiDate(new Date())) {
  const due = toShanghaiDate(r.due_on);
  return {
    id: r.id,
    datasetId: r.entry_id,
    datasetName: r.dataset_name ?? null,
    appId: r.app_id,
    organisation: r.organisation,
    creditCode: r.credit_code,
    purpose: r.purpose,
    scenario: r.scenario,
    commitments: r.commitments,
    accessType: r.access_type,
    status: r.status,
    dueOn: due,
    overdue: r.status === 'pending' && today > due,
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    reasons: r.reasons,
    terms: r.terms,
    endDate: r.end_date ? toShanghaiDate(r.end_date) : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * 有条件开放: a developer applies for a dataset for one of their apps; the providing department
 * answers within N working days (绵阳: 5), approving with terms and an end date or refusing with
 * reasons. Acceptance and on-time rates per department.
 */
@Injectable()
export class ConditionalApplicationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly catalog: OpenCatalogService,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
  ) {}

  async apply(dev: DeveloperPrincipal, dto: ApplyDto) {
    const code = normalizeUscc(dto.creditCode);
    const check = validateUscc(code);
    if (!check.valid) throw OpenErrors.badCreditCode(check.reason);
    const d = await this.catalog.get(dto.datasetId);
    if (d.open_type !== 'CONDITIONAL') throw OpenErrors.notConditional();
    return this.db.transaction(async (m) => {
      const [app] = await m.query(`SELECT id FROM openapi.app WHERE id = $1 AND developer_id = $2`, [dto.appId, dev.developerId]);
      if (!app) throw OpenErrors.appNotFound();
      const [pending] = await m.query(`SELECT 1 FROM openapi.conditional_application WHERE app_id = $1 AND entry_id = $2 AND status = 'pending'`, [dto.appId, d.entry_id]);
      if (pending) throw OpenErrors.applicationPending();
      const dueOn = this.settings.calendar.addWorkingDays(toShanghaiDate(new Date()), this.settings.reviewWorkingDays);
      const [r] = await m.query(
        `INSERT INTO openapi.conditional_application (entry_id, dept_id, app_id, developer_id, organisation, credit_code, purpose, scenario, commitments, due_on, access_type)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
        [d.entry_id, d.dept_id, dto.appId, dev.developerId, dto.organisation, code, dto.purpose, dto.scenario, dto.commitments, dueOn, dto.accessType ?? 'records'],
      );
      await this.outbox.add(m, 'open.application.changed', { applicationId: r.id, entryId: d.entry_id, deptId: d.dept_id, appId: dto.appId, status: 'pending', dueOn });
      return view(r);
    });
  }

  /** The developer's own applications, newest first, one page at a time. */
  async mine(dev: DeveloperPrincipal, q: PageQuery = {}) {
    return pageOf(
      this.db,
      { select: 'a.*, d.name AS dataset_name', from: 'FROM openapi.conditional_application a LEFT JOIN openapi.open_dataset d ON d.entry_id = a.entry_id WHERE a.developer_id = $1', orderBy: 'a.created_at DESC, a.id DESC' },
      [dev.developerId],
      q,
      (r: any) => view(r),
    );
  }

  /** Applications for the staff member's departments (all for the bureau), earliest due first, one page at a time. */
  async list(staff: StaffPrincipal, status?: string, q: PageQuery = {}) {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`a.dept_id = ANY($${params.push(scope.deptIds)}::uuid[])`);
    if (status) where.push(`a.status = $${params.push(status)}`);
    return pageOf(
      this.db,
      { select: 'a.*, d.name AS dataset_name', from: `FROM openapi.conditional_application a LEFT JOIN openapi.open_dataset d ON d.entry_id = a.entry_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'a.due_on, a.created_at, a.id' },
      params,
      q,
      (r: any) => view(r),
    );
  }

  async decide(staff: StaffPrincipal, id: string, dto: DecideApplicationDto) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw OpenErrors.applicationNotFound();
    const today = toShanghaiDate(new Date());
    if (dto.approve && (!dto.terms || !dto.endDate || dto.endDate.slice(0, 10) < today)) throw OpenErrors.decisionIncomplete('批准须写明使用条款和不早于今天的截止日期', 'Approval needs terms and an end date not in the past');
    if (!dto.approve && !dto.reasons) throw OpenErrors.decisionIncomplete('拒绝须说明理由', 'Refusal needs reasons');
    return this.db.transaction(async (m) => {
      const [r] = await m.query(`SELECT * FROM openapi.conditional_application WHERE id = $1 FOR UPDATE`, [id]);
      if (!r) throw OpenErrors.applicationNotFound();
      if (!departmentScopeOf(staff).all && r.dept_id !== staff.deptId) throw OpenErrors.notYourDepartment();
      if (r.status !== 'pending') throw OpenErrors.applicationDecided();
      const status = dto.approve ? 'approved' : 'refused';
      const [u] = await returning(
        m,
        `UPDATE openapi.conditional_application SET status = $2, decided_at = now(), decided_by = $3, reasons = $4, terms = $5, end_date = $6 WHERE id = $1 RETURNING *`,
        [id, status, staff.userId, dto.approve ? null : dto.reasons, dto.approve ? dto.terms : null, dto.approve ? dto.endDate!.slice(0, 10) : null],
      );
      const dueOn = toShanghaiDate(r.due_on);
      await this.outbox.add(m, 'open.application.changed', {
        applicationId: id,
        entryId: r.entry_id,
        deptId: r.dept_id,
        appId: r.app_id,
        status,
        dueOn,
        onTime: today <= dueOn,
        reasons: u.reasons,
        endDate: u.end_date ? toShanghaiDate(u.end_date) : null,
      });
      return view(u, today);
    });
  }

  /** 受理率 and 按时答复率 per providing department. */
  async stats(staff: StaffPrincipal) {
    const scope = departmentScopeOf(staff);
    const today = toShanghaiDate(new Date());
    const rows = await this.db.query(
      `SELECT a.dept_id, max(d.dept_name) AS dept_name, count(*)::int AS total,
              count(*) FILTER (WHERE a.status <> 'pending')::int AS decided,
              count(*) FILTER (WHERE a.status = 'approved')::int AS approved,
              count(*) FILTER (WHERE a.status <> 'pending' AND (a.decided_at AT TIME ZONE 'Asia/Shanghai')::date <= a.due_on)::int AS on_time,
              count(*) FILTER (WHERE a.status = 'pending' AND a.due_on < $1::date)::int AS overdue
       FROM openapi.conditional_application a LEFT JOIN openapi.open_dataset d ON d.entry_id = a.entry_id
       ${scope.all ? '' : 'WHERE a.dept_id = ANY($2::uuid[])'} GROUP BY a.dept_id ORDER BY 2`,
      scope.all ? [today] : [today, scope.deptIds],
    );
    return rows.map((r: any) => ({
      deptId: r.dept_id,
      deptName: r.dept_name,
      total: r.total,
      decided: r.decided,
      approved: r.approved,
      acceptanceRate: r.decided ? r.approved / r.decided : null,
      onTimeRate: r.decided ? r.on_time / r.decided : null,
      overduePending: r.overdue,
    }));
  }
}

@ApiTags('有条件开放 conditional opening')
@Controller('v1/applications')
export class ConditionalApplicationsController {
  constructor(
    private readonly applications: ConditionalApplicationsService,
    private readonly auth: DeveloperAuth,
  ) {}

  @Post()
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '申请有条件开放数据（开发者）/ apply for a conditionally open dataset' })
  apply(@Req() req: Request, @Body() dto: ApplyDto) {
    return this.applications.apply(this.auth.require(req), dto);
  }

  @Get('mine')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '我的申请（最新在前，分页）/ my applications, newest first, paged: { items, total, page, pageSize }' })
  mine(@Req() req: Request, @Query() q: PageQuery) {
    return this.applications.mine(this.auth.require(req), q);
  }
}

@ApiTags('有条件开放 conditional opening')
@ApiBearerAuth()
@Controller('v1/admin/applications')
export class ApplicationReviewController {
  constructor(private readonly applications: ConditionalApplicationsService) {}

  @Get()
  @Roles('dept_reviewer', 'dept_operator', 'data_admin')
  @ApiOperation({ summary: '本部门的有条件开放申请（期限最早在前，分页）/ applications for the department\'s data, earliest due first, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListApplicationsQuery) {
    return this.applications.list(staff, q.status, q);
  }

  @Get('stats')
  @Roles('dept_reviewer', 'dept_operator', 'data_admin', 'auditor')
  @ApiOperation({ summary: '受理率与按时答复率 / acceptance and on-time rates per department' })
  stats(@CurrentStaff() staff: StaffPrincipal) {
    return this.applications.stats(staff);
  }

  @Post(':id/decide')
  @Roles('dept_reviewer', 'data_admin')
  @HttpCode(200)
  @ApiOperation({ summary: '审核：批准（条款、截止日期）或拒绝（理由）/ approve with terms and end date, or refuse with reasons' })
  decide(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: DecideApplicationDto) {
    return this.applications.decide(staff, id, dto);
  }
}
