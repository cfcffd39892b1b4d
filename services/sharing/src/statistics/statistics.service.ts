import { CurrentStaff, Roles, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Controller, Get, Injectable, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { SharingClock } from '../sharing.settings';

export class StatisticsQuery {
  @ApiPropertyOptional({ description: '只看一个部门（作为提供方或申请方）' }) @IsOptional() @IsUUID() deptId?: string;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * 共享统计: requests by state and share type; response time in working days (reviewed requests
 * only: automatic grants and refusals are not answers), on-time rate, refusal grounds, most
 * requested entries, per providing department.
 */
@Injectable()
export class StatisticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: SharingClock,
  ) {}

  async compute(deptId?: string) {
    const today = toShanghaiDate(this.clock.now());
    const where = deptId ? `WHERE (r.provider_dept_id = $1 OR r.requester_dept_id = $1)` : '';
    const params = deptId ? [deptId] : [];
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT r.status, r.share_type, r.decision, r.response_days, r.due_date::text AS due, r.decided_on::text AS decided, r.refusal_ground, r.entry_id, r.provider_dept_id,
              r.escalated_at IS NOT NULL AS escalated, e.name AS entry_name, d.name AS dept_name
         FROM sharing.share_request r LEFT JOIN sharing.catalog_entry e USING (entry_id) LEFT JOIN sharing.department_directory d ON d.dept_id = r.provider_dept_id ${where}`,
      params,
    );
    const byStatus: Record<string, Record<string, number>> = {};
    const reviewed: number[] = [];
    let onTime = 0;
    let dueCount = 0;
    const grounds: Record<string, number> = {};
    const entries = new Map<string, { entryId: string; name: string; requests: number }>();
    const depts = new Map<string, { deptId: string; name: string; requests: number; pending: number; overdue: number; reviewed: number[]; onTime: number; due: number }>();
    for (const r of rows) {
      byStatus[r.status] ??= {};
      byStatus[r.status][r.share_type] = (byStatus[r.status][r.share_type] ?? 0) + 1;
      const d = depts.get(r.provider_dept_id) ?? { deptId: r.provider_dept_id as string, name: (r.dept_name ?? r.provider_dept_id) as string, requests: 0, pending: 0, overdue: 0, reviewed: [] as number[], onTime: 0, due: 0 };
      depts.set(r.provider_dept_id, d);
      d.requests++;
      if (r.status === 'pending') {
        d.pending++;
        if (r.due && r.due < today) d.overdue++;
      }
      const isReview = (r.decision === 'approve' || r.decision === 'approve_narrower' || r.decision === 'refuse') && r.response_days !== null;
      if (isReview) {
        reviewed.push(r.response_days);
        d.reviewed.push(r.response_days);
      }
      // On time: answered by the due date; pending and past it counts as late.
      if (r.due && (isReview || (r.status === 'pending' && r.due < today))) {
        dueCount++;
        d.due++;
        if (isReview && r.decided <= r.due) {
          onTime++;
          d.onTime++;
        }
      }
      if (r.status === 'refused' && r.refusal_ground) grounds[r.refusal_ground] = (grounds[r.refusal_ground] ?? 0) + 1;
      const e = entries.get(r.entry_id) ?? { entryId: r.entry_id, name: r.entry_name ?? r.entry_id, requests: 0 };
      e.requests++;
      entries.set(r.entry_id, e);
    }
    const summary = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      return { count: sorted.length, averageWorkingDays: sorted.length ? Math.round((sorted.reduce((s, v) => s + v, 0) / sorted.length) * 100) / 100 : null, p95WorkingDays: percentile(sorted, 95) };
    };
    return {
      total: rows.length,
      byStatus,
      responseTime: summary(reviewed),
      onTimeRate: dueCount ? Math.round((onTime / dueCount) * 1000) / 1000 : null,
      refusalGrounds: Object.entries(grounds).map(([code, count]) => ({ code, count })).sort((x, y) => y.count - x.count),
      mostRequested: [...entries.values()].sort((x, y) => y.requests - x.requests).slice(0, 10),
      byProvider: [...depts.values()]
        .map(({ reviewed: rv, onTime: ot, due, ...d }) => ({ ...d, responseTime: summary(rv), onTimeRate: due ? Math.round((ot / due) * 1000) / 1000 : null }))
        .sort((x, y) => y.requests - x.requests),
    };
  }
}

@ApiTags('共享统计 statistics')
@ApiBearerAuth()
@Controller('statistics')
export class StatisticsController {
  constructor(private readonly stats: StatisticsService) {}

  @Get()
  @Roles('data_admin', 'auditor', 'dept_reviewer', 'dept_operator')
  @ApiOperation({ summary: '共享统计（数据局、审计员看全市；部门看本部门）/ sharing statistics' })
  get(@CurrentStaff() staff: StaffPrincipal, @Query() q: StatisticsQuery) {
    const all = staff.roles.includes('data_admin') || staff.roles.includes('auditor');
    return this.stats.compute(all ? q.deptId : staff.deptId);
  }
}
