import { bigramsOf } from './text-match';
import { DataNeedChangedV1, OutboxWriter, Page, pageOf, PageQuery, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogReadModel } from '../catalog/catalog-read-model';
import { iso, updateReturning } from '../db';
import { NotificationsService } from '../notifications/notifications.service';
import { SharingErrors } from '../sharing.errors';

export interface Suggestion {
  entryId: string;
  entryName: string;
  deptId: string;
  deptName: string;
  score: number;
}

const mapNeed = (r: Record<string, any>) => ({
  id: r.id,
  deptId: r.dept_id,
  userId: r.user_id,
  title: r.title,
  description: r.description,
  items: r.items,
  /** open 待分派 | assigned 已分派 | answered 已答复 */
  status: r.status as 'open' | 'assigned' | 'answered',
  suggestions: r.suggestions as Suggestion[],
  assignedDeptId: r.assigned_dept_id,
  answer: r.answer,
  answerEntryId: r.answer_entry_id,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});
type Need = ReturnType<typeof mapNeed>;

/** Overlap of Chinese character bigrams (and whole words) between the need and an entry's name and items. */
export function suggestProviders(text: string, entries: { entryId: string; name: string; deptId: string; deptName: string; items: { name: string }[] }[], limit = 5): Suggestion[] {
  const want = bigramsOf(text);
  if (want.size === 0) return [];
  const scored = entries.map((e) => {
    const have = bigramsOf([e.name, ...e.items.map((i) => i.name)].join(' '));
    let hit = 0;
    for (const g of want) if (have.has(g)) hit++;
    return { entryId: e.entryId, entryName: e.name, deptId: e.deptId, deptName: e.deptName, score: Math.round((hit / want.size) * 1000) / 1000 };
  });
  return scored.filter((s) => s.score > 0).sort((x, y) => y.score - x.score || x.entryName.localeCompare(y.entryName)).slice(0, limit);
}

/** 供需对接: a need no entry meets → suggested providers → the bureau assigns → the provider catalogs it or explains. */
@Injectable()
export class NeedsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly catalog: CatalogReadModel,
    private readonly notifications: NotificationsService,
  ) {}

  private event(m: EntityManager, n: Need) {
    const payload: DataNeedChangedV1 = { needId: n.id, deptId: n.deptId, status: n.status, title: n.title, assignedDeptId: n.assignedDeptId, answerEntryId: n.answerEntryId, answer: n.answer, at: new Date().toISOString() };
    return this.outbox.add(m, 'sharing.need.changed', payload);
  }

  async post(staff: StaffPrincipal, dto: { title: string; description: string; items?: string[] }): Promise<Need> {
    const suggestions = suggestProviders([dto.title, ...(dto.items ?? [])].join(' '), (await this.catalog.allPublished()).filter((e) => e.deptId !== staff.deptId && e.shareType !== 'NOT_SHARED'));
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`INSERT INTO sharing.data_need (dept_id, user_id, title, description, items, suggestions) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`, [
        staff.deptId,
        staff.userId,
        dto.title,
        dto.description,
        dto.items ?? [],
        JSON.stringify(suggestions),
      ]);
      const n = mapNeed(row);
      await this.event(m, n);
      await this.notifications.notify(m, { deptId: null, role: 'data_admin', kind: 'need.posted', title: '新的数据需求待分派', body: `${dto.title}（建议提供部门：${suggestions.map((s) => s.deptName).join('、') || '无'}）`, subjectType: 'need', subjectId: n.id });
      return n;
    });
  }

  /**
   * Needs the caller may see (the bureau and auditors: all; a department: those it posted or was
   * assigned), narrowed to `view` (mine: posted by the department, assigned: assigned to it), newest first.
   */
  async list(staff: StaffPrincipal, q: { view?: 'mine' | 'assigned'; status?: string } & PageQuery = {}): Promise<Page<Need & { answerEntryName: string | null }>> {
    const all = staff.roles.includes('data_admin') || staff.roles.includes('auditor');
    const params: unknown[] = [all, staff.deptId];
    const where = ['($1 OR dept_id=$2 OR assigned_dept_id=$2)'];
    if (q.view === 'mine') where.push('dept_id=$2');
    if (q.view === 'assigned') where.push('assigned_dept_id=$2');
    if (q.status) where.push(`status=$${params.push(q.status)}`);
    return pageOf(
      this.dataSource,
      { select: '*, (SELECT e.name FROM sharing.catalog_entry e WHERE e.entry_id = data_need.answer_entry_id) AS answer_entry_name', from: `FROM sharing.data_need WHERE ${where.join(' AND ')}`, orderBy: 'created_at DESC, id DESC' },
      params,
      q,
      (r) => ({ ...mapNeed(r), answerEntryName: (r.answer_entry_name as string | null) ?? null }),
    );
  }

  async assign(staff: StaffPrincipal, id: string, deptId: string): Promise<Need> {
    const [dept] = await this.dataSource.query(`SELECT dept_id, name FROM sharing.department_directory WHERE dept_id=$1`, [deptId]);
    if (!dept) throw SharingErrors.departmentUnknown(deptId);
    return this.dataSource.transaction(async (m) => {
      const [row] = await updateReturning(m, `UPDATE sharing.data_need SET status='assigned', assigned_dept_id=$2, updated_at=now() WHERE id=$1 AND status IN ('open','assigned') RETURNING *`, [id, deptId]);
      if (!row) return this.stateError(m, id);
      const n = mapNeed(row);
      await this.event(m, n);
      await this.notifications.notify(m, { deptId, kind: 'need.assigned', title: '数据局分派数据需求', body: `${n.title}：${n.description}`, subjectType: 'need', subjectId: id });
      await this.notifications.notify(m, { deptId: n.deptId, kind: 'need.assigned', title: '数据需求已分派', body: `${n.title} 已分派给 ${dept.name}`, subjectType: 'need', subjectId: id });
      return n;
    });
  }

  private async stateError(m: EntityManager, id: string): Promise<never> {
    const [cur] = await m.query(`SELECT status FROM sharing.data_need WHERE id=$1`, [id]);
    throw cur ? SharingErrors.needState(cur.status) : SharingErrors.needNotFound(id);
  }

  /** The assigned department answers: the entry it cataloged for the need, or why it cannot. */
  async answer(staff: StaffPrincipal, id: string, dto: { entryId?: string; reason?: string }): Promise<Need> {
    if (!!dto.entryId === !!dto.reason?.trim()) throw SharingErrors.needAnswer();
    if (dto.entryId) {
      const entry = await this.catalog.get(undefined, dto.entryId);
      if (entry.deptId !== staff.deptId) throw SharingErrors.notProvider();
    }
    return this.dataSource.transaction(async (m) => {
      const [cur] = await m.query(`SELECT * FROM sharing.data_need WHERE id=$1 FOR UPDATE`, [id]);
      if (!cur) throw SharingErrors.needNotFound(id);
      if (cur.assigned_dept_id !== staff.deptId) throw SharingErrors.notProvider();
      if (cur.status !== 'assigned') throw SharingErrors.needState(cur.status);
      const [row] = await updateReturning(m, `UPDATE sharing.data_need SET status='answered', answer=$2, answer_entry_id=$3, updated_at=now() WHERE id=$1 RETURNING *`, [id, dto.reason ?? '已编目', dto.entryId ?? null]);
      const n = mapNeed(row);
      await this.event(m, n);
      await this.notifications.notify(m, { deptId: n.deptId, kind: 'need.answered', title: '数据需求已答复', body: dto.entryId ? `已编目，可申请目录 ${dto.entryId}` : `不能提供：${dto.reason}`, subjectType: 'need', subjectId: id });
      return n;
    });
  }
}
