import { departmentScopeOf, OutboxWriter, Page, pageOf, PageQuery, ShareFeedbackChangedV1, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DatasetStore } from '../datasets/dataset-store';
import { dateText, iso, updateReturning } from '../db';
import { GrantsService } from '../grants/grants.service';
import { NotificationsService } from '../notifications/notifications.service';
import { SharingErrors } from '../sharing.errors';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../sharing.settings';

export const FEEDBACK_KINDS = ['wrong_value', 'missing_rows', 'stale', 'other'] as const;
/** 校核纠错 states: 待处理 → 已受理 → 已更正（新版本）/ 已答复（说明理由）→ 已确认 */
type FeedbackStatus = 'open' | 'acknowledged' | 'fixed' | 'answered' | 'confirmed';

export interface FeedbackInput {
  grantId: string;
  kind: (typeof FEEDBACK_KINDS)[number];
  rowRef?: string;
  column?: string;
  description: string;
}

const mapFeedback = (r: Record<string, any>) => ({
  id: r.id,
  grantId: r.grant_id,
  entryId: r.entry_id,
  /** 谁使用谁负责: who reported, for which department */
  reporterDeptId: r.reporter_dept_id,
  reporterUserId: r.reporter_user_id,
  /** 谁提供谁负责: the department that must rectify */
  providerDeptId: r.provider_dept_id,
  kind: r.kind,
  rowRef: r.row_ref,
  column: r.column_name,
  description: r.description,
  status: r.status as FeedbackStatus,
  dueDate: dateText(r.due_date),
  answer: r.answer,
  fixedVersion: r.fixed_version,
  history: r.history,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
type Feedback = ReturnType<typeof mapFeedback>;

/** 校核纠错: the user of shared data reports a problem; the provider rectifies it within N working days. */
@Injectable()
export class FeedbackService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly grants: GrantsService,
    private readonly datasets: DatasetStore,
    private readonly notifications: NotificationsService,
    private readonly clock: SharingClock,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
  ) {}

  private event(m: EntityManager, f: Feedback) {
    const payload: ShareFeedbackChangedV1 = {
      feedbackId: f.id,
      entryId: f.entryId,
      reporterDeptId: f.reporterDeptId,
      providerDeptId: f.providerDeptId,
      status: f.status,
      kind: f.kind,
      dueDate: f.dueDate,
      fixedVersion: f.fixedVersion,
      answer: f.answer,
      at: new Date().toISOString(),
    };
    return this.outbox.add(m, 'sharing.feedback.changed', payload);
  }

  async report(staff: StaffPrincipal, input: FeedbackInput): Promise<Feedback> {
    const g = await this.grants.get(departmentScopeOf(staff), input.grantId);
    if (g.consumerDeptId !== staff.deptId) throw SharingErrors.notRequester();
    if (input.column && !g.items.includes(input.column)) throw SharingErrors.feedbackColumn(input.column);
    const due = this.settings.calendar.addWorkingDays(toShanghaiDate(this.clock.now()), this.settings.feedbackDays);
    return this.dataSource.transaction(async (m) => {
      const history = [{ at: new Date().toISOString(), by: staff.userId, deptId: staff.deptId, status: 'open', note: input.description }];
      const [row] = await m.query(
        `INSERT INTO sharing.feedback (grant_id, entry_id, reporter_dept_id, reporter_user_id, provider_dept_id, kind, row_ref, column_name, description, due_date, history)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
        [g.id, g.entryId, staff.deptId, staff.userId, g.providerDeptId, input.kind, input.rowRef ?? null, input.column ?? null, input.description, due, JSON.stringify(history)],
      );
      const f = mapFeedback(row);
      await this.event(m, f);
      await this.notifications.notify(m, { deptId: f.providerDeptId, kind: 'feedback.opened', title: '收到数据纠错反馈', body: `${input.column ? `信息项"${input.column}"` : '数据'}问题：${input.description}（请于 ${due} 前处理）`, subjectType: 'feedback', subjectId: f.id });
      return f;
    });
  }

  /**
   * Feedback the department reported or must handle (all for the bureau and auditors), newest first,
   * one page at a time; `side` narrows it: provider 待我方整改 (for the bureau: all), reporter 我方反馈的.
   */
  async list(staff: StaffPrincipal, q: { side?: 'provider' | 'reporter' } & PageQuery = {}): Promise<Page<Feedback & { entryName: string | null }>> {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) {
      const p = `$${params.push(scope.deptIds)}`;
      where.push(`(reporter_dept_id = ANY(${p}) OR provider_dept_id = ANY(${p}))`);
      if (q.side === 'provider') where.push(`provider_dept_id = ANY(${p})`);
      if (q.side === 'reporter') where.push(`reporter_dept_id = ANY(${p})`);
    } else if (q.side === 'reporter') where.push(`reporter_dept_id = $${params.push(staff.deptId)}`);
    return pageOf(
      this.dataSource,
      { select: '*, (SELECT e.name FROM sharing.catalog_entry e WHERE e.entry_id = feedback.entry_id) AS entry_name', from: `FROM sharing.feedback ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'created_at DESC, id DESC' },
      params,
      q,
      (r) => ({ ...mapFeedback(r), entryName: (r.entry_name as string | null) ?? null }),
    );
  }

  private async transition(staff: StaffPrincipal, id: string, side: 'provider' | 'reporter', from: FeedbackStatus[], to: FeedbackStatus, patch: { answer?: string; fixedVersion?: number }, note: string): Promise<Feedback> {
    return this.dataSource.transaction(async (m) => {
      const [cur] = await m.query(`SELECT * FROM sharing.feedback WHERE id=$1 FOR UPDATE`, [id]);
      const scope = departmentScopeOf(staff);
      if (!cur || (!scope.all && cur.reporter_dept_id !== staff.deptId && cur.provider_dept_id !== staff.deptId)) throw SharingErrors.feedbackNotFound(id);
      if (side === 'provider' && cur.provider_dept_id !== staff.deptId) throw SharingErrors.notProvider();
      if (side === 'reporter' && cur.reporter_dept_id !== staff.deptId) throw SharingErrors.notRequester();
      if (!from.includes(cur.status)) throw SharingErrors.feedbackState(cur.status, to);
      const step = { at: new Date().toISOString(), by: staff.userId, deptId: staff.deptId, status: to, note };
      const [row] = await updateReturning(
        m,
        `UPDATE sharing.feedback SET status=$2, answer=coalesce($3, answer), fixed_version=coalesce($4, fixed_version), history = history || $5::jsonb, updated_at=now() WHERE id=$1 RETURNING *`,
        [id, to, patch.answer ?? null, patch.fixedVersion ?? null, JSON.stringify([step])],
      );
      const f = mapFeedback(row);
      await this.event(m, f);
      const notifyDept = side === 'provider' ? f.reporterDeptId : f.providerDeptId;
      await this.notifications.notify(m, { deptId: notifyDept, kind: `feedback.${to}`, title: '数据纠错反馈进展', body: `反馈 ${id}：${note}`, subjectType: 'feedback', subjectId: id });
      return f;
    });
  }

  /** Reminds providers of rectification tasks due soon, and tells them (and the bureau) of overdue ones. */
  async sweepDeadlines(): Promise<{ approaching: number; overdue: number }> {
    const today = toShanghaiDate(this.clock.now());
    return this.dataSource.transaction(async (m) => {
      const overdue = await updateReturning(m, `UPDATE sharing.feedback SET overdue_notified=true WHERE status IN ('open','acknowledged') AND NOT overdue_notified AND due_date < $1 RETURNING *`, [today]);
      for (const r of overdue) {
        const f = mapFeedback(r);
        await this.notifications.notify(m, { deptId: f.providerDeptId, kind: 'feedback.overdue', title: '数据纠错任务已超期', body: `反馈 ${f.id} 已超过整改时限 ${f.dueDate}。`, subjectType: 'feedback', subjectId: f.id });
        await this.notifications.notify(m, { deptId: null, role: 'data_admin', kind: 'feedback.overdue', title: '数据纠错任务超期', body: `反馈 ${f.id} 已超过整改时限 ${f.dueDate}。`, subjectType: 'feedback', subjectId: f.id });
      }
      const soon = await m.query(`SELECT * FROM sharing.feedback WHERE status IN ('open','acknowledged') AND NOT approaching_notified AND due_date >= $1`, [today]);
      let approaching = 0;
      for (const r of soon) {
        const f = mapFeedback(r);
        const left = this.settings.calendar.workingDaysBetween(today, f.dueDate);
        if (left > this.settings.approachingDays) continue;
        approaching++;
        await m.query(`UPDATE sharing.feedback SET approaching_notified=true WHERE id=$1`, [f.id]);
        await this.notifications.notify(m, { deptId: f.providerDeptId, kind: 'feedback.due_soon', title: '数据纠错任务即将到期', body: `反馈 ${f.id} 须于 ${f.dueDate} 前处理（剩余 ${left} 个工作日）。`, subjectType: 'feedback', subjectId: f.id });
      }
      return { approaching, overdue: overdue.length };
    });
  }

  acknowledge(staff: StaffPrincipal, id: string) {
    return this.transition(staff, id, 'provider', ['open'], 'acknowledged', {}, '提供部门已受理');
  }

  /** 已更正: names the dataset version that carries the correction (it must be published already). */
  async fix(staff: StaffPrincipal, id: string, version: number, note?: string) {
    const [cur] = await this.dataSource.query(`SELECT entry_id FROM sharing.feedback WHERE id=$1`, [id]);
    if (!cur) throw SharingErrors.feedbackNotFound(id);
    const ds = await this.datasets.forEntry(cur.entry_id);
    if (!ds || version > ds.version) throw SharingErrors.feedbackVersion(version);
    return this.transition(staff, id, 'provider', ['open', 'acknowledged'], 'fixed', { fixedVersion: version }, note ?? `已在第 ${version} 版更正`);
  }

  answer(staff: StaffPrincipal, id: string, answer: string) {
    return this.transition(staff, id, 'provider', ['open', 'acknowledged'], 'answered', { answer }, answer);
  }

  confirm(staff: StaffPrincipal, id: string, note?: string) {
    return this.transition(staff, id, 'reporter', ['fixed', 'answered'], 'confirmed', {}, note ?? '反馈方已确认');
  }
}
