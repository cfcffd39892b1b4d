import { EventContext, Roles, topicsConsumedBy } from '@gov/shared';
import { Controller, Get, Query } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditRecordsService } from './audit-records.service';
import { AuditRecordView, ListAuditRecordsQuery } from './dto/audit-records.dto';

@ApiTags('审计记录 audit records')
@ApiBearerAuth()
@Controller('records')
export class AuditRecordsController {
  constructor(private readonly records: AuditRecordsService) {}

  @Get()
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '查询审计记录 / search audit records' })
  list(@Query() query: ListAuditRecordsQuery): Promise<AuditRecordView[]> {
    return this.records.list(query);
  }

  /** The audit service consumes every event of the catalog (derived, so none can be forgotten). */
  @EventPattern(topicsConsumedBy('audit'))
  onEvent(@Ctx() ctx: EventContext): Promise<void> {
    return this.records.record(ctx.manager, ctx.envelope);
  }
}
