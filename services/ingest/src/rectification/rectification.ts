import { CurrentStaff, DepartmentScope, DomainException, OutboxWriter, pageOf, PageQuery, Roles, SERVICE_RUNTIME, ServiceRuntime, StaffPrincipal, WorkingDayCalendar, departmentScopeOf, toShanghaiDate } from '@gov/shared';
import { Body, Controller, Get, HttpStatus, Inject, Injectable, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { DatasetsService } from '../datasets/datasets.service';

export class ReportProblemDto {
  @ApiProperty({ description: '问题描述（哪些数据、什么问题）' }) @IsString() @MinLength(5) @MaxLength(2000) description: string;
}

export class CloseTaskDto {
  @ApiPropertyOptional({ description: '修正后的新版本号' }) @IsOptional() @IsInt() @Min(1) version?: number;
  @ApiPropertyOptional({ description: '无需修正时的说明理由' }) @IsOptional() @IsString() @MinLength(10) @MaxLength(2000) answer?: string;
}

export class ListTasksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed']) status?: string;
}

const DEFAULT_RECTIFY_DAYS = 10;

/**
 * 问题数据可反馈、质量问题可定责: a data user reports a problem; the providing department gets a
 * task due in working days, closed only by a new version loaded after the report or a reasoned answer.
 */
@Injectable()
export class RectificationService {
  private readonly calendar = new WorkingDayCalendar();
  private readonly limitDays: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly datasets: DatasetsService,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.limitDays = Number(runtime.settings.extra?.INGEST_RECTIFY_WORKING_DAYS ?? DEFAULT_RECTIFY_DAYS);
  }

  /** Any staff member who uses the data may report; the dataset must exist (not necessarily theirs). */
  async report(staff: StaffPrincipal, datasetId: string, description: string, reporterService = 'ingest') {
    const dataset = await this.datasets.get({ all: true }, datasetId);
    return this.db.transaction(async (m) => {
      const dueOn = this.calendar.addWorkingDays(toShanghaiDate(new Date()), this.limitDays);
      const [task] = await m.query(
        `INSERT INTO ingest.rectification_task (dataset_id, dept_id, reported_by, reporter_service, description, due_on) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
        [dataset.id, dataset.deptId, staff.userId, reporterService, description, dueOn],
      );
      await this.outbox.add(m, 'ingest.rectification.changed', { taskId: task.id, datasetId: dataset.id, deptId: dataset.deptId, status: 'open', dueOn });
      return view(task);
    });
  }

  /** Tasks of the caller's departments and those the caller reported (all, for the bureau and auditors), earliest due first (id tie-break), paged. */
  async list(scope: DepartmentScope, staff: StaffPrincipal, q: { status?: string } & PageQuery = {}) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`(t.dept_id = ANY($${params.push(scope.deptIds)}::uuid[]) OR t.reported_by = $${params.push(staff.userId)})`);
    if (q.status) where.push(`t.status = $${params.push(q.status)}`);
    const today = toShanghaiDate(new Date());
    return pageOf(
      this.db,
      {
        select: 't.*, d.name AS dataset_name',
        from: `FROM ingest.rectification_task t LEFT JOIN ingest.dataset d ON d.id = t.dataset_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
        orderBy: 't.due_on, t.created_at, t.id',
      },
      params,
      q,
      (r: any) => ({ ...view(r), datasetName: (r.dataset_name as string | null) ?? null, overdue: r.status === 'open' && toShanghaiDate(r.due_on) < today }),
    );
  }

  async close(staff: StaffPrincipal, id: string, dto: CloseTaskDto) {
    return this.db.transaction(async (m) => {
      const [task] = await m.query(`SELECT * FROM ingest.rectification_task WHERE id = $1 FOR UPDATE`, [id]);
      if (!task || !(departmentScopeOf(staff).all || task.dept_id === staff.deptId))
        throw new DomainException('TASK_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `整改任务不存在：${id}`, en: `Task not found: ${id}` });
      if (task.status === 'closed') throw new DomainException('TASK_CLOSED', HttpStatus.CONFLICT, { zh: '整改任务已关闭', en: 'The task is closed' });
      if (dto.version) {
        const [v] = await m.query(`SELECT 1 FROM ingest.dataset_version WHERE dataset_id = $1 AND version = $2 AND status IN ('current', 'superseded', 'dropped') AND completed_at > $3`, [
          task.dataset_id,
          dto.version,
          task.created_at,
        ]);
        if (!v)
          throw new DomainException('TASK_VERSION_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, {
            zh: `版本 ${dto.version} 不是问题反馈之后成功归集的版本`,
            en: `Version ${dto.version} was not loaded successfully after the report`,
          });
      } else if (!dto.answer)
        throw new DomainException('TASK_CLOSE_REASON_REQUIRED', HttpStatus.BAD_REQUEST, { zh: '关闭整改任务须提供修正后的新版本或说明理由', en: 'Closing needs a new version or a reasoned answer' });
      const [row] = await m.query(
        `WITH u AS (UPDATE ingest.rectification_task SET status = 'closed', closed_by_version = $2, answer = $3, closed_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`,
        [id, dto.version ?? null, dto.answer ?? null],
      );
      await this.outbox.add(m, 'ingest.rectification.changed', { taskId: id, datasetId: task.dataset_id, deptId: task.dept_id, status: 'closed', dueOn: toShanghaiDate(task.due_on), closedByVersion: dto.version ?? null, answer: dto.answer ?? null });
      return view(row);
    });
  }
}

function view(r: any) {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    deptId: r.dept_id,
    reportedBy: r.reported_by,
    description: r.description,
    dueOn: typeof r.due_on === 'string' ? r.due_on : toShanghaiDate(r.due_on),
    status: r.status,
    closedByVersion: r.closed_by_version ?? null,
    answer: r.answer ?? null,
  };
}

@ApiTags('整改 rectification')
@ApiBearerAuth()
@Controller()
export class RectificationController {
  constructor(private readonly tasks: RectificationService) {}

  @Post('datasets/:id/problems')
  @ApiOperation({ summary: '反馈问题数据，为提供部门生成整改任务（工作日时限）/ report a data problem' })
  report(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReportProblemDto) {
    return this.tasks.report(staff, id, dto.description);
  }

  @Get('rectifications')
  @ApiOperation({ summary: '整改任务（本部门的和本人反馈的），期限最早在前，分页 / rectification tasks, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListTasksQuery) {
    return this.tasks.list(departmentScopeOf(staff), staff, q);
  }

  @Post('rectifications/:id/close')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '关闭整改任务：提供新版本号或说明理由 / close a task with a new version or an answer' })
  close(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseTaskDto) {
    return this.tasks.close(staff, id, dto);
  }
}
