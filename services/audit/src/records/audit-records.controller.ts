import { CurrentStaff, EventContext, Roles, StaffPrincipal, topicsConsumedBy } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { LogErrors } from '../log/log.errors';
import { TraceQuery } from '../traces/dto/trace-query.dto';
import { TracesService } from '../traces/traces.service';
import { AuditIngestion, QuarantineView } from './audit-ingestion.service';
import { AuditRecordView } from './audit-record.view';

export class ReleaseDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(2000) note: string;
}

@ApiTags('审计记录 audit records')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Controller()
export class AuditRecordsController {
  constructor(
    private readonly ingestion: AuditIngestion,
    private readonly traces: TracesService,
  ) {}

  /** Kept for existing callers: the newest records as a plain list (use /traces for paging). */
  @Get('records')
  @Roles('auditor')
  @ApiOperation({ summary: '查询审计记录（最新在前）/ search audit records, newest first' })
  async list(@Query() query: TraceQuery): Promise<AuditRecordView[]> {
    return (await this.traces.search(query)).items;
  }

  @Get('records/:seq')
  @Roles('auditor')
  @ApiOperation({ summary: '一条审计记录 / one audit record' })
  async one(@Param('seq', ParseIntPipe) seq: number): Promise<AuditRecordView> {
    const page = await this.traces.search({ cursor: seq + 1, limit: 1 });
    if (!page.items.length || page.items[0].seq !== seq) throw LogErrors.recordNotFound(seq);
    return page.items[0];
  }

  @Get('quarantine')
  @Roles('auditor')
  @ApiOperation({ summary: '隔离区：缺少操作者、未知类型或无效的事件 / events held back, with the reason' })
  quarantine(): Promise<QuarantineView[]> {
    return this.ingestion.quarantine(500);
  }

  @Post('quarantine/:id/release')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({ summary: '放行隔离事件入日志（附说明）/ let a held event into the log, with a note' })
  async release(@Param('id', ParseIntPipe) id: number, @Body() dto: ReleaseDto, @CurrentStaff() staff: StaffPrincipal): Promise<{ released: boolean }> {
    const released = await this.ingestion.release(id, { userId: staff.userId, name: staff.displayName, deptId: staff.deptId }, dto.note);
    if (!released) throw LogErrors.recordNotFound(`q-${id}`);
    return { released };
  }

  /** Every event of the catalog (derived, so none can be forgotten), from the beginning. */
  @EventPattern(topicsConsumedBy('audit'))
  onEvent(@Ctx() ctx: EventContext): Promise<void> {
    return this.ingestion.receive(ctx);
  }
}
