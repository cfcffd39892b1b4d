import { randomUUID } from 'node:crypto';
import { departmentScopeOf, EventPlumbing, OutboxWriter, Page, pageOf, ShareRequestChangedV1, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogReadModel, SharedEntry } from '../catalog/catalog-read-model';
import { updateReturning } from '../db';
import { parseFilters, RowFilter } from '../delivery/record-filter';
import { GrantsService } from '../grants/grants.service';
import { NotificationsService } from '../notifications/notifications.service';
import { AggregationGuard } from '../security/aggregation-guard';
import { SharingErrors } from '../sharing.errors';
import { responseDaysFor, SHARING_SETTINGS, SharingClock, SharingSettings } from '../sharing.settings';
import { ApproveDto, CartItemDto, RefusalGroundDto, RefuseDto, RequestedEntryDto, RequestListQuery, SubmitRequestDto } from './dto/request.dto';
import { mapRequest, ShareRequest } from './request.model';

type RequestEvent = 'sharing.request.submitted' | 'sharing.request.decided' | 'sharing.request.withdrawn' | 'sharing.request.escalated';

/**
 * 共享申请 and its answer. Rules by share type: 无条件 granted at once (still recorded), 有条件 to
 * the provider's reviewer within N working days, 不予共享 refused at once with the catalog's basis.
 */
@Injectable()
export class RequestsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogReadModel,
    private readonly grants: GrantsService,
    private readonly notifications: NotificationsService,
    private readonly clock: SharingClock,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
    private readonly plumbing: EventPlumbing,
    private readonly aggregation: AggregationGuard,
  ) {}

  /** Publish the committed events now rather than at the relay's next poll (a grant is news for the audit log at once). */
  private async published<T>(work: Promise<T>): Promise<T> {
    const out = await work;
    this.plumbing.relay.nudge();
    return out;
  }

  private today(): string {
    return toShanghaiDate(this.clock.now());
  }

  private event(m: EntityManager, name: RequestEvent, r: ShareRequest, extra: Partial<ShareRequestChangedV1> = {}) {
    return this.outbox.add(m, name, {
      requestId: r.id,
      batchId: r.batchId,
      entryId: r.entryId,
      requesterDeptId: r.requesterDeptId,
      providerDeptId: r.providerDeptId,
      shareType: r.shareType,
      status: r.status as ShareRequestChangedV1['status'],
      items: r.items,
      dueDate: r.dueDate,
      decision: r.decision,
      refusalGround: r.refusalGround,
      grantId: r.grantId,
      at: new Date().toISOString(),
      ...extra,
    });
  }

  // -- cart (申请清单) --

  private checkItems(entry: SharedEntry, items: string[]): void {
    const known = new Set(entry.items.map((i) => i.name));
    const unknown = items.filter((i) => !known.has(i));
    if (unknown.length) throw SharingErrors.itemsUnknown(unknown);
  }

  private async checkRequestable(m: EntityManager | undefined, staff: StaffPrincipal, e: RequestedEntryDto): Promise<SharedEntry> {
    const entry = await this.catalog.get(m, e.entryId);
    if (entry.status === 'retired') throw SharingErrors.entryRetired(entry.name);
    if (entry.deptId === staff.deptId) throw SharingErrors.ownData();
    this.checkItems(entry, e.items);
    return entry;
  }

  async addToCart(staff: StaffPrincipal, dto: CartItemDto) {
    await this.checkRequestable(undefined, staff, dto);
    await this.dataSource.query(
      `INSERT INTO sharing.cart_item (dept_id, user_id, entry_id, items) VALUES ($1,$2,$3,$4) ON CONFLICT (user_id, entry_id) DO UPDATE SET items=EXCLUDED.items`,
      [staff.deptId, staff.userId, dto.entryId, [...new Set(dto.items)]],
    );
    return this.cart(staff);
  }

  async cart(staff: StaffPrincipal) {
    return this.dataSource.query(
      `SELECT c.entry_id AS "entryId", c.items, e.name, e.dept_name AS "providerDeptName", e.share_type AS "shareType", e.status
         FROM sharing.cart_item c LEFT JOIN sharing.catalog_entry e USING (entry_id) WHERE c.user_id=$1 ORDER BY c.created_at`,
      [staff.userId],
    );
  }

  async removeFromCart(staff: StaffPrincipal, entryId: string) {
    await this.dataSource.query(`DELETE FROM sharing.cart_item WHERE user_id=$1 AND entry_id=$2`, [staff.userId, entryId]);
    return this.cart(staff);
  }

  // -- submission --

  async submit(staff: StaffPrincipal, dto: SubmitRequestDto): Promise<{ batchId: string; requests: ShareRequest[] }> {
    const today = this.today();
    if (dto.periodTo <= dto.periodFrom || dto.periodTo < today) throw SharingErrors.periodInvalid();
    return this.published(this.dataSource.transaction(async (m) => {
      let entries = dto.entries;
      if (!entries) {
        if (!dto.fromCart) throw SharingErrors.cartEmpty();
        const rows = await m.query(`SELECT entry_id, items FROM sharing.cart_item WHERE user_id=$1 ORDER BY created_at`, [staff.userId]);
        entries = rows.map((r: { entry_id: string; items: string[] }) => ({ entryId: r.entry_id, items: r.items }));
      }
      if (!entries || entries.length === 0) throw SharingErrors.cartEmpty();
      const checked: [RequestedEntryDto, SharedEntry][] = [];
      for (const e of entries) checked.push([e, await this.checkRequestable(m, staff, e)]); // all or nothing
      const batchId = randomUUID();
      const out: ShareRequest[] = [];
      for (const [e, entry] of checked) out.push(await this.createOne(m, staff, dto, batchId, e, entry, today));
      if (dto.fromCart) await m.query(`DELETE FROM sharing.cart_item WHERE user_id=$1`, [staff.userId]);
      return { batchId, requests: out };
    }));
  }

  private async createOne(m: EntityManager, staff: StaffPrincipal, dto: SubmitRequestDto, batchId: string, e: RequestedEntryDto, entry: SharedEntry, today: string): Promise<ShareRequest> {
    const conditional = entry.shareType === 'CONDITIONAL';
    const days = conditional ? responseDaysFor(this.settings, entry.regionCode) : null;
    const dueDate = days ? this.settings.calendar.addWorkingDays(today, days) : null;
    const [row] = await m.query(
      `INSERT INTO sharing.share_request (id, batch_id, requester_dept_id, requester_user_id, provider_dept_id, entry_id, entry_version, share_type, items, purpose, legal_basis, scenario,
         period_from, period_to, delivery_method, expected_volume, frequency, system_name, status, submitted_at, submitted_on, due_date)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,'pending',$19,$20,$21) RETURNING *`,
      [
        randomUUID(), batchId, staff.deptId, staff.userId, entry.deptId, entry.entryId, entry.version, entry.shareType, [...new Set(e.items)], dto.purpose, dto.legalBasis, dto.scenario,
        dto.periodFrom, dto.periodTo, dto.deliveryMethod, dto.expectedVolume ?? null, dto.frequency ?? null, dto.systemName, this.clock.now(), today, dueDate,
      ],
    );
    let r = mapRequest(row);
    await this.event(m, 'sharing.request.submitted', r);
    if (entry.shareType === 'UNCONDITIONAL') {
      r = await this.approveInTx(m, r, entry, 'system', { decision: 'auto_grant' });
    } else if (entry.shareType === 'NOT_SHARED') {
      r = await this.refuseInTx(m, r, 'system', 'CATALOG_NOT_SHARED', `目录共享属性为不予共享，依据：${entry.shareBasis ?? '（目录未注明）'}`, 'auto_refuse');
    } else {
      await this.notifications.notify(m, {
        deptId: r.providerDeptId,
        role: 'dept_reviewer',
        kind: 'request.submitted',
        title: '收到共享申请',
        body: `"${entry.name}"的共享申请待答复，请于 ${dueDate} 前（${days} 个工作日内）答复。`,
        subjectType: 'request',
        subjectId: r.id,
      });
    }
    return r;
  }

  // -- reading --

  /** Requests the caller's departments made or must answer (all for the bureau and auditors), newest first, one page at a time. */
  async list(staff: StaffPrincipal, q: RequestListQuery): Promise<Page<ShareRequest>> {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) {
      const p = `$${params.push(scope.deptIds)}`;
      where.push(q.side === 'requester' ? `requester_dept_id = ANY(${p})` : q.side === 'provider' ? `provider_dept_id = ANY(${p})` : `(requester_dept_id = ANY(${p}) OR provider_dept_id = ANY(${p}))`);
    }
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.escalated === 'true') where.push(`escalated_at IS NOT NULL`);
    return pageOf(this.dataSource, { select: '*', from: `FROM sharing.share_request ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'submitted_at DESC, id DESC' }, params, q, mapRequest);
  }

  async get(staff: StaffPrincipal, id: string, m?: EntityManager, lock = false): Promise<ShareRequest> {
    const rows = await (m ?? this.dataSource.manager).query(`SELECT * FROM sharing.share_request WHERE id=$1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    const r = rows[0] ? mapRequest(rows[0]) : undefined;
    const scope = departmentScopeOf(staff);
    if (!r || (!scope.all && !scope.deptIds.includes(r.requesterDeptId) && !scope.deptIds.includes(r.providerDeptId))) throw SharingErrors.requestNotFound(id);
    return r;
  }

  // -- decisions --

  /** Locks the request row: two reviewers deciding at once resolve to exactly one outcome. */
  private async lockForDecision(m: EntityManager, staff: StaffPrincipal, id: string): Promise<ShareRequest> {
    const r = await this.get(staff, id, m, true);
    const isProviderReviewer = staff.roles.includes('dept_reviewer') && r.providerDeptId === staff.deptId;
    const isBureau = staff.roles.includes('data_admin') && r.escalatedAt !== null;
    if (!isProviderReviewer && !isBureau) throw SharingErrors.notProvider();
    if (r.status === 'withdrawn') throw SharingErrors.withdrawn();
    if (r.status !== 'pending') throw SharingErrors.alreadyDecided(r.status);
    return r;
  }

  async approve(staff: StaffPrincipal, id: string, dto: ApproveDto): Promise<ShareRequest> {
    if (dto.conditions && dto.conditions.length > 0) throw SharingErrors.extraCondition();
    return this.published(this.dataSource.transaction(async (m) => {
      const r = await this.lockForDecision(m, staff, id);
      const entry = await this.catalog.get(m, r.entryId);
      if (entry.status === 'retired') throw SharingErrors.entryRetired(entry.name);
      const items = dto.items ? [...new Set(dto.items)] : r.items;
      const outside = items.filter((i) => !r.items.includes(i));
      if (outside.length) throw SharingErrors.narrowerItems(outside);
      if (dto.validTo && (dto.validTo > r.periodTo || dto.validTo < this.today())) throw SharingErrors.narrowerPeriod();
      const rowFilter = dto.rowFilter ? parseFilters(dto.rowFilter, entry.items.map((i) => i.name)) : [];
      const narrower = items.length < r.items.length || rowFilter.length > 0 || (dto.validTo !== undefined && dto.validTo < r.periodTo) || !!dto.rateLimitPerMinute || !!dto.quotaRows;
      return this.approveInTx(m, r, entry, staff.userId, {
        decision: narrower ? 'approve_narrower' : 'approve',
        items,
        rowFilter,
        validTo: dto.validTo,
        rateLimitPerMinute: dto.rateLimitPerMinute,
        quotaRows: dto.quotaRows,
        comment: dto.comment,
      });
    }));
  }

  private async approveInTx(
    m: EntityManager,
    r: ShareRequest,
    entry: SharedEntry,
    actor: string,
    d: { decision: string; items?: string[]; rowFilter?: RowFilter[]; validTo?: string; rateLimitPerMinute?: number; quotaRows?: number; comment?: string },
  ): Promise<ShareRequest> {
    const today = this.today();
    // 聚合风险: refuse a release whose quasi-identifiers single people out (below SECURITY_MIN_K).
    await this.aggregation.checkGrant(m, { requestId: r.id, entryId: r.entryId, consumerDeptId: r.requesterDeptId, items: d.items ?? r.items, rowFilter: d.rowFilter ?? [], deliveryMethod: r.deliveryMethod });
    const grant = await this.grants.create(m, {
      requestId: r.id,
      consumerDeptId: r.requesterDeptId,
      providerDeptId: r.providerDeptId,
      systemName: r.systemName,
      entryId: r.entryId,
      items: d.items ?? r.items,
      rowFilter: d.rowFilter ?? [],
      catalogCondition: entry.shareCondition,
      validFrom: r.periodFrom > today ? r.periodFrom : today,
      validTo: d.validTo ?? r.periodTo,
      rateLimitPerMinute: d.rateLimitPerMinute ?? null,
      quotaRows: d.quotaRows ?? null,
      deliveryMethod: r.deliveryMethod as never,
    });
    const detail = { items: grant.items, rowFilter: grant.rowFilter, validTo: grant.validTo, rateLimitPerMinute: grant.rateLimitPerMinute, quotaRows: grant.quotaRows, comment: d.comment ?? null };
    const [row] = await updateReturning(
      m,
      `UPDATE sharing.share_request SET status='approved', decided_at=$2, decided_on=$3, decided_by=$4, decision=$5, decision_detail=$6, grant_id=$7, response_days=$8
        WHERE id=$1 AND status='pending' RETURNING *`,
      [r.id, this.clock.now(), today, actor, d.decision, JSON.stringify(detail), grant.id, this.settings.calendar.workingDaysBetween(r.submittedOn, today)],
    );
    if (!row) throw SharingErrors.alreadyDecided('decided');
    const out = mapRequest(row);
    await this.event(m, 'sharing.request.decided', out, { comment: d.comment ?? null });
    if (d.decision !== 'auto_grant')
      await this.notifications.notify(m, { deptId: r.requesterDeptId, kind: 'request.approved', title: '共享申请已同意', body: `"${entry.name}"的共享申请已${d.decision === 'approve_narrower' ? '缩小范围' : ''}同意。`, subjectType: 'request', subjectId: r.id });
    return out;
  }

  async refuse(staff: StaffPrincipal, id: string, dto: RefuseDto): Promise<ShareRequest> {
    if (!dto.groundCode?.trim() || !dto.text?.trim()) throw SharingErrors.refusalGroundRequired();
    return this.dataSource.transaction(async (m) => {
      const r = await this.lockForDecision(m, staff, id);
      const [ground] = await m.query(`SELECT code FROM sharing.refusal_ground WHERE code=$1 AND active AND code <> 'CATALOG_NOT_SHARED'`, [dto.groundCode]);
      if (!ground) throw SharingErrors.refusalGroundUnknown(dto.groundCode!);
      return this.refuseInTx(m, r, staff.userId, dto.groundCode!, dto.text!.trim(), 'refuse');
    });
  }

  private async refuseInTx(m: EntityManager, r: ShareRequest, actor: string, ground: string, text: string, decision: string): Promise<ShareRequest> {
    const today = this.today();
    const [row] = await updateReturning(
      m,
      `UPDATE sharing.share_request SET status='refused', decided_at=$2, decided_on=$3, decided_by=$4, decision=$5, refusal_ground=$6, refusal_text=$7, response_days=$8
        WHERE id=$1 AND status='pending' RETURNING *`,
      [r.id, this.clock.now(), today, actor, decision, ground, text, this.settings.calendar.workingDaysBetween(r.submittedOn, today)],
    );
    if (!row) throw SharingErrors.alreadyDecided('decided');
    const out = mapRequest(row);
    await this.event(m, 'sharing.request.decided', out, { comment: text });
    await this.notifications.notify(m, { deptId: r.requesterDeptId, kind: 'request.refused', title: '共享申请未同意', body: `申请 ${r.id} 未同意，法定事由 ${ground}：${text}`, subjectType: 'request', subjectId: r.id });
    return out;
  }

  async withdraw(staff: StaffPrincipal, id: string): Promise<ShareRequest> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.get(staff, id, m, true);
      if (r.requesterDeptId !== staff.deptId) throw SharingErrors.notRequester();
      if (r.status !== 'pending') throw SharingErrors.alreadyDecided(r.status);
      const [row] = await updateReturning(m, `UPDATE sharing.share_request SET status='withdrawn', decided_at=$2, decided_by=$3 WHERE id=$1 AND status='pending' RETURNING *`, [id, this.clock.now(), staff.userId]);
      const out = mapRequest(row);
      await this.event(m, 'sharing.request.withdrawn', out);
      await this.notifications.notify(m, { deptId: r.providerDeptId, role: 'dept_reviewer', kind: 'request.withdrawn', title: '共享申请已撤回', body: `申请 ${id} 已由申请部门撤回。`, subjectType: 'request', subjectId: id });
      return out;
    });
  }

  /** 争议解决: the bureau records a coordination note on an escalated request; both sides are told. */
  async coordinate(staff: StaffPrincipal, id: string, note: string): Promise<ShareRequest> {
    return this.dataSource.transaction(async (m) => {
      const r = await this.get(staff, id, m, true);
      if (!r.escalatedAt) throw SharingErrors.notEscalated();
      const entry = { at: new Date().toISOString(), by: staff.userId, note };
      const [row] = await updateReturning(m, `UPDATE sharing.share_request SET coordination = coordination || $2::jsonb WHERE id=$1 RETURNING *`, [id, JSON.stringify([entry])]);
      for (const deptId of [r.providerDeptId, r.requesterDeptId])
        await this.notifications.notify(m, { deptId, kind: 'request.coordination', title: '数据局协调意见', body: note, subjectType: 'request', subjectId: id });
      return mapRequest(row);
    });
  }

  /**
   * Deadlines: notifies providers when the answer is due within `approachingDays` working days,
   * escalates pending requests past their due date to the data bureau (data_admin).
   */
  async sweepDeadlines(): Promise<{ escalated: number; approaching: number }> {
    const today = this.today();
    const cal = this.settings.calendar;
    return this.dataSource.transaction(async (m) => {
      const overdue = await updateReturning(m, `UPDATE sharing.share_request SET escalated_at=now() WHERE status='pending' AND escalated_at IS NULL AND due_date < $1 RETURNING *`, [today]);
      for (const row of overdue) {
        const r = mapRequest(row);
        await this.event(m, 'sharing.request.escalated', r);
        await this.notifications.notify(m, { deptId: null, role: 'data_admin', kind: 'request.escalated', title: '共享申请超期未答复', body: `申请 ${r.id} 已超过答复时限（${r.dueDate}），请协调或裁决。`, subjectType: 'request', subjectId: r.id });
        await this.notifications.notify(m, { deptId: r.providerDeptId, role: 'dept_reviewer', kind: 'request.overdue', title: '共享申请已超期', body: `申请 ${r.id} 已超过答复时限 ${r.dueDate}，已提交数据局协调。`, subjectType: 'request', subjectId: r.id });
        await this.notifications.notify(m, { deptId: r.requesterDeptId, kind: 'request.overdue', title: '共享申请已超期', body: `申请 ${r.id} 提供部门未在时限内答复，已提交数据局协调。`, subjectType: 'request', subjectId: r.id });
      }
      const soon = await m.query(`SELECT * FROM sharing.share_request WHERE status='pending' AND NOT approaching_notified AND escalated_at IS NULL AND due_date >= $1`, [today]);
      let approaching = 0;
      for (const row of soon) {
        const r = mapRequest(row);
        const left = cal.workingDaysBetween(today, r.dueDate!);
        if (left > this.settings.approachingDays) continue;
        approaching++;
        await m.query(`UPDATE sharing.share_request SET approaching_notified=true WHERE id=$1`, [r.id]);
        await this.notifications.notify(m, { deptId: r.providerDeptId, role: 'dept_reviewer', kind: 'request.due_soon', title: '共享申请即将到期', body: `申请 ${r.id} 须于 ${r.dueDate} 前答复（剩余 ${left} 个工作日）。`, subjectType: 'request', subjectId: r.id });
      }
      return { escalated: overdue.length, approaching };
    });
  }

  // -- 法定事由 list --

  refusalGrounds() {
    return this.dataSource.query(`SELECT code, label, basis, active FROM sharing.refusal_ground WHERE active ORDER BY code`);
  }

  async addRefusalGround(dto: RefusalGroundDto) {
    const rows = await this.dataSource.query(`INSERT INTO sharing.refusal_ground (code, label, basis) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING RETURNING code, label, basis, active`, [dto.code, dto.label, dto.basis]);
    if (!rows[0]) throw SharingErrors.refusalGroundExists(dto.code);
    return rows[0];
  }

  async retireRefusalGround(code: string) {
    await this.dataSource.query(`UPDATE sharing.refusal_ground SET active=false WHERE code=$1 AND code <> 'CATALOG_NOT_SHARED'`, [code]);
  }
}
