import { Roles } from '@gov/shared';
import { Controller, Get, Param, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { AccessorQuery, ChainReadsQuery, ExportQuery, TraceQuery } from './dto/trace-query.dto';
import { TracePage, TracesService } from './traces.service';

/** 追溯: only auditors read the audit log; everyone else gets 403, which is itself recorded. */
@ApiTags('审计追溯 traces')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Roles('auditor')
@Controller('traces')
export class TracesController {
  constructor(private readonly traces: TracesService) {}

  @Get()
  @Roles('auditor')
  @ApiOperation({ summary: '按操作者、部门、应用、数据集、授权、申请、关联号、时间检索（分页）/ search, paged' })
  search(@Query() q: TraceQuery): Promise<TracePage> {
    return this.traces.search(q);
  }

  @Get('export')
  @Roles('auditor')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOperation({ summary: '导出检索结果（CSV / XLSX，流式）/ export the matching records' })
  async export(@Query() q: ExportQuery, @Res() res: Response): Promise<void> {
    const { format, ...filters } = q;
    if (format === 'xlsx') await this.traces.exportXlsx(filters, res);
    else await this.traces.exportCsv(filters, res);
  }

  @Get('datasets/:datasetId/readers')
  @Roles('auditor')
  @ApiOperation({ summary: '谁访问了这个数据集（最近访问在前，分页）/ who accessed this dataset, paged: { items, total, page, pageSize }' })
  readers(@Param('datasetId') datasetId: string, @Query() q: AccessorQuery) {
    return this.traces.readersOf(datasetId, q);
  }

  @Get('accessed')
  @Roles('auditor')
  @ApiOperation({ summary: '这个用户 / 应用 / 部门访问了什么（最近访问在前，分页）/ what did this actor, app or department access, paged: { items, total, page, pageSize }' })
  accessed(@Query() q: AccessorQuery) {
    return this.traces.accessedBy(q);
  }

  @Get('datasets/:datasetId/chain')
  @Roles('auditor')
  @ApiOperation({
    summary: '数据链条：目录版本 → 归集版本 → 授权 → 读取（分页）/ the chain of a dataset, its reads paged',
    description: 'reads 为第一页（或 page/pageSize 指定的页）{ items, total, page, pageSize }，按 seq 从早到晚；summary 的读取次数在库内统计。/ `reads` is one page, oldest first; the summary counts all reads.',
  })
  chain(@Param('datasetId') datasetId: string, @Query() q: ChainReadsQuery) {
    return this.traces.chain(datasetId, q);
  }

  @Get('datasets/:datasetId/chain/reads')
  @Roles('auditor')
  @ApiOperation({ summary: '数据链条 ④ 读取，分页（按 seq 从早到晚，可按结果筛选）/ the reads of a dataset, paged: { items, total, page, pageSize }' })
  chainReads(@Param('datasetId') datasetId: string, @Query() q: ChainReadsQuery) {
    return this.traces.chainReads(datasetId, q);
  }
}
