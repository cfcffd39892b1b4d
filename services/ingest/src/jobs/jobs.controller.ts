import { CurrentStaff, DomainException, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DatasetsService } from '../datasets/datasets.service';
import { JobRunner } from './job-runner';
import { JobView, JobsService, jobView } from './jobs.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

const SSE_POLL_MS = 500;

@ApiTags('归集任务 jobs')
@ApiBearerAuth()
@Controller()
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly datasets: DatasetsService,
    private readonly runner: JobRunner,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get('jobs/:id')
  @ApiOperation({ summary: '任务进度：状态、读取行数、问题行数、字节、百分比 / job progress' })
  async get(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string): Promise<JobView> {
    return jobView(await this.jobs.get(departmentScopeOf(staff), id));
  }

  @Get('jobs/:id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: '任务进度推送（Server-Sent Events，结束时发送 done）/ progress as server-sent events' })
  async events(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const scope = departmentScopeOf(staff);
    let job = jobView(await this.jobs.get(scope, id));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let last = '';
    let closed = false;
    req.on('close', () => (closed = true));
    while (!closed) {
      const payload = JSON.stringify(job);
      if (payload !== last) res.write(`event: progress\ndata: ${payload}\n\n`);
      last = payload;
      if (job.state === 'succeeded' || job.state === 'failed') {
        res.write(`event: done\ndata: ${payload}\n\n`);
        break;
      }
      await new Promise((r) => setTimeout(r, SSE_POLL_MS));
      job = jobView(await this.jobs.get(scope, id));
    }
    res.end();
  }

  @Get('datasets/:id/jobs')
  @ApiOperation({ summary: '数据集的归集任务 / jobs of a dataset' })
  async list(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string): Promise<JobView[]> {
    const dataset = await this.datasets.get(departmentScopeOf(staff), id);
    return (await this.jobs.list(dataset.id)).map(jobView);
  }

  @Post('jobs/:id/retry')
  @HttpCode(202)
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '重试失败的任务（原始文件不变，重新解析和校验）/ retry a failed job' })
  async retry(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string): Promise<JobView> {
    const job = await this.jobs.get(departmentScopeOf(staff), id);
    if (job.state !== 'failed')
      throw new DomainException('JOB_NOT_RETRYABLE', HttpStatus.CONFLICT, { zh: '只能重试失败的任务', en: 'Only a failed job can be retried' });
    await this.db.query(`UPDATE ingest.job SET state = 'queued', error = NULL, finished_at = NULL, version = NULL, attempts = 0 WHERE id = $1`, [job.id]);
    this.runner.nudge();
    return jobView(await this.jobs.get(departmentScopeOf(staff), id));
  }
}
