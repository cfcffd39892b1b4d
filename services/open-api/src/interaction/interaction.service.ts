import { departmentScopeOf, OutboxWriter, Page, pageOf, PageQuery, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OpenCatalogService } from '../catalog/open-catalog.service';
import { DeveloperPrincipal } from '../developers/developer-auth';
import { returning } from '../db';
import { OpenErrors } from '../open.errors';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';

export const RATING_DIMENSIONS = ['usability', 'completeness', 'accuracy', 'timeliness'] as const;
export type FeedbackKind = 'error_report' | 'data_request' | 'suggestion';

function feedbackView(r: any, today = toShanghaiDate(new Date())) {
  const due = toShanghaiDate(r.due_on);
  return {
    id: r.id,
    kind: r.kind,
    datasetId: r.entry_id,
    datasetName: r.dataset_name ?? null,
    title: r.title,
    body: r.body,
    status: r.status,
    answer: r.answer,
    answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
    dueOn: due,
    overdue: r.status === 'open' && today > due,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/**
 * 互动反馈 and 成果展示: ratings on four dimensions (鄂州 2017), comments, 数据纠错 routed to the
 * providing department as a task with a public answer, 需求征集 answered by the data bureau,
 * and the app showcase.
 */
@Injectable()
export class InteractionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly catalog: OpenCatalogService,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
  ) {}

  async rate(dev: DeveloperPrincipal, datasetId: string, r: Record<(typeof RATING_DIMENSIONS)[number], number>) {
    const d = await this.catalog.get(datasetId);
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO openapi.rating (entry_id, developer_id, usability, completeness, accuracy, timeliness) VALUES ($1,$2,$3,$4,$5,$6)
         ON CONFLICT (entry_id, developer_id) DO UPDATE SET usability = EXCLUDED.usability, completeness = EXCLUDED.completeness, accuracy = EXCLUDED.accuracy, timeliness = EXCLUDED.timeliness, created_at = now()`,
        [d.entry_id, dev.developerId, r.usability, r.completeness, r.accuracy, r.timeliness],
      );
      await m.query(
        `UPDATE openapi.open_dataset o SET rating_avg = s.avg, rating_count = s.n
         FROM (SELECT avg((usability + completeness + accuracy + timeliness) / 4.0) AS avg, count(*)::int AS n FROM openapi.rating WHERE entry_id = $1) s WHERE o.entry_id = $1`,
        [d.entry_id],
      );
    });
    this.catalog.forget(d.entry_id);
    return this.ratingSummary(d.entry_id);
  }

  async ratingSummary(entryId: string) {
    const [s] = await this.db.query(
      `SELECT count(*)::int AS n, avg(usability) AS usability, avg(completeness) AS completeness, avg(accuracy) AS accuracy, avg(timeliness) AS timeliness FROM openapi.rating WHERE entry_id = $1`,
      [entryId],
    );
    const round = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
    const dims = { usability: round(s.usability), completeness: round(s.completeness), accuracy: round(s.accuracy), timeliness: round(s.timeliness) };
    const values = Object.values(dims).filter((v): v is number => v !== null);
    return { count: s.n, average: values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : null, ...dims };
  }

  async comment(dev: DeveloperPrincipal, datasetId: string, body: string) {
    const d = await this.catalog.get(datasetId);
    const [c] = await this.db.query(`INSERT INTO openapi.comment (entry_id, developer_id, body) VALUES ($1,$2,$3) RETURNING *`, [d.entry_id, dev.developerId, body]);
    return { id: c.id, author: dev.name, body: c.body, createdAt: new Date(c.created_at).toISOString() };
  }

  /** Newest first, one page at a time (ties broken by id so pages never overlap). */
  async comments(datasetId: string, q: PageQuery = {}): Promise<Page<{ id: string; author: string; body: string; createdAt: string }>> {
    const d = await this.catalog.get(datasetId);
    return pageOf(
      this.db,
      { select: 'c.id, c.body, c.created_at, dv.name AS author', from: 'FROM openapi.comment c JOIN openapi.developer dv ON dv.id = c.developer_id WHERE c.entry_id = $1', orderBy: 'c.created_at DESC, c.id DESC' },
      [d.entry_id],
      q,
      (c: any) => ({ id: c.id, author: c.author, body: c.body, createdAt: new Date(c.created_at).toISOString() }),
    );
  }

  /** 数据纠错 (about a dataset, to its department), 需求征集 and 意见建议 (to the data bureau). */
  async submitFeedback(dev: DeveloperPrincipal | undefined, kind: FeedbackKind, dto: { datasetId?: string; title: string; body: string }) {
    const d = dto.datasetId ? await this.catalog.get(dto.datasetId) : undefined;
    if (kind === 'error_report' && !d) throw OpenErrors.datasetNotFound(dto.datasetId ?? '');
    const dueOn = this.settings.calendar.addWorkingDays(toShanghaiDate(new Date()), this.settings.feedbackWorkingDays);
    return this.db.transaction(async (m) => {
      const [r] = await m.query(
        `INSERT INTO openapi.feedback (kind, entry_id, dept_id, developer_id, title, body, due_on) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
        [kind, d?.entry_id ?? null, d?.dept_id ?? null, dev?.developerId ?? null, dto.title, dto.body, dueOn],
      );
      await this.outbox.add(m, 'open.feedback.changed', { feedbackId: r.id, kind, entryId: d?.entry_id ?? null, deptId: d?.dept_id ?? null, status: 'open', dueOn });
      return feedbackView({ ...r, dataset_name: d?.name });
    });
  }

  /** Public list: questions and their answers (答复公开), newest first, one page at a time. */
  async publicFeedback(f: { kind?: FeedbackKind; datasetId?: string; status?: string }, q: PageQuery = {}) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (f.kind) where.push(`f.kind = $${params.push(f.kind)}`);
    if (f.datasetId) where.push(`f.entry_id = $${params.push(f.datasetId)}`);
    if (f.status) where.push(`f.status = $${params.push(f.status)}`);
    return pageOf(
      this.db,
      { select: 'f.*, d.name AS dataset_name', from: `FROM openapi.feedback f LEFT JOIN openapi.open_dataset d ON d.entry_id = f.entry_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'f.created_at DESC, f.id DESC' },
      params,
      q,
      (r: any) => feedbackView(r),
    );
  }

  /** 整改任务 of a department: error reports on its datasets; the bureau also sees requests and suggestions. Earliest due first. */
  async tasks(staff: StaffPrincipal, status?: string, q: PageQuery = {}) {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`f.dept_id = ANY($${params.push(scope.deptIds)}::uuid[])`);
    if (status) where.push(`f.status = $${params.push(status)}`);
    return pageOf(
      this.db,
      { select: 'f.*, d.name AS dataset_name', from: `FROM openapi.feedback f LEFT JOIN openapi.open_dataset d ON d.entry_id = f.entry_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'f.due_on, f.created_at, f.id' },
      params,
      q,
      (r: any) => feedbackView(r),
    );
  }

  async answer(staff: StaffPrincipal, id: string, answer: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw OpenErrors.feedbackNotFound();
    return this.db.transaction(async (m) => {
      const [r] = await m.query(`SELECT * FROM openapi.feedback WHERE id = $1 FOR UPDATE`, [id]);
      if (!r) throw OpenErrors.feedbackNotFound();
      const scope = departmentScopeOf(staff);
      // Error reports belong to the providing department; requests and suggestions to the bureau.
      if (!scope.all && r.dept_id !== staff.deptId) throw OpenErrors.notYourDepartment();
      if (r.status === 'answered') throw OpenErrors.applicationDecided();
      const [u] = await returning(m, `UPDATE openapi.feedback SET status = 'answered', answer = $2, answered_by = $3, answered_at = now() WHERE id = $1 RETURNING *`, [id, answer, staff.userId]);
      await this.outbox.add(m, 'open.feedback.changed', { feedbackId: id, kind: r.kind, entryId: r.entry_id, deptId: r.dept_id, status: 'answered', dueOn: toShanghaiDate(r.due_on) });
      return feedbackView(u);
    });
  }

  async submitShowcase(dev: DeveloperPrincipal, dto: { title: string; description: string; url?: string; datasetIds: string[] }) {
    for (const id of dto.datasetIds) await this.catalog.get(id);
    const [s] = await this.db.query(`INSERT INTO openapi.showcase (developer_id, title, description, url, entry_ids, status) VALUES ($1,$2,$3,$4,$5,'published') RETURNING *`, [
      dev.developerId,
      dto.title,
      dto.description,
      dto.url ?? null,
      dto.datasetIds,
    ]);
    return { id: s.id, title: s.title, description: s.description, url: s.url, datasetIds: s.entry_ids, createdAt: new Date(s.created_at).toISOString() };
  }

  /** Published apps, newest first, one page at a time. */
  async showcase(datasetId?: string, q: PageQuery = {}) {
    return pageOf(
      this.db,
      { select: 's.*, dv.name AS author', from: `FROM openapi.showcase s JOIN openapi.developer dv ON dv.id = s.developer_id WHERE s.status = 'published' ${datasetId ? 'AND $1::uuid = ANY(s.entry_ids)' : ''}`, orderBy: 's.created_at DESC, s.id DESC' },
      datasetId ? [datasetId] : [],
      q,
      (s: any) => ({ id: s.id, title: s.title, description: s.description, url: s.url, author: s.author, datasetIds: s.entry_ids, createdAt: new Date(s.created_at).toISOString() }),
    );
  }
}
