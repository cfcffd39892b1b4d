import { CurrentStaff, Page, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { RuleParams } from './alert-rules';
import { AlertsService, AlertView } from './alerts.service';
import { AlertListQuery, CloseAlertDto, RuleChangeDto } from './dto/alert.dto';

const auditorOf = (s: StaffPrincipal) => ({ userId: s.userId, name: s.displayName, deptId: s.deptId });

@ApiTags('审计告警 alerts')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Roles('auditor')
  @ApiOperation({ summary: '告警队列（最新在前，分页）/ the auditors’ alert queue, newest first, paged: { items, total, page, pageSize }' })
  list(@Query() q: AlertListQuery): Promise<Page<AlertView>> {
    return this.alerts.list({ status: q.status, rule: q.rule, page: q.page, pageSize: q.pageSize });
  }

  @Get('rules')
  @Roles('auditor')
  @ApiOperation({ summary: '告警规则及参数 / alert rules in effect' })
  rules(): Promise<RuleParams> {
    return this.alerts.params();
  }

  @Put('rules/:rule')
  @Roles('auditor')
  @ApiOperation({ summary: '调整告警规则（记入审计日志）/ change a rule (logged)' })
  setRule(@Param('rule') rule: string, @Body() dto: RuleChangeDto, @CurrentStaff() staff: StaffPrincipal): Promise<RuleParams> {
    return this.alerts.setRule(rule, dto, auditorOf(staff));
  }

  @Get(':id')
  @Roles('auditor')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<AlertView> {
    return this.alerts.get(id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({ summary: '确认告警 / acknowledge' })
  acknowledge(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: StaffPrincipal): Promise<AlertView> {
    return this.alerts.acknowledge(id, auditorOf(staff));
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({ summary: '关闭告警（须填写处理说明）/ close with a note' })
  close(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseAlertDto, @CurrentStaff() staff: StaffPrincipal): Promise<AlertView> {
    return this.alerts.close(id, auditorOf(staff), dto.note);
  }
}
