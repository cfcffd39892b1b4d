import { DepartmentScope, OutboxWriter, Page, PageQuery, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Not } from 'typeorm';
import { CATALOG_SETTINGS, CatalogSettings, limitsFor } from '../catalog.settings';
import { Deadline, DeadlineKind } from './deadline.entity';

export interface DeadlineView {
  id: string;
  kind: DeadlineKind;
  kindLabel: string;
  deptId: string;
  subjectType: 'system' | 'entry';
  subjectId: string;
  reason: string | null;
  startedOn: string;
  limitWorkingDays: number;
  dueOn: string;
  status: 'open' | 'met' | 'overdue';
  /** Working days left (0 = due today); negative once overdue. */
  remainingWorkingDays: number | null;
}

const KIND_LABELS: Record<DeadlineKind, string> = {
  register_linked_resource: '新增系统关联资源编目',
  update_changed_entry: '目录信息变更更新',
};

const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * 时限管理: obligations with limits in Chinese working days. The limit is taken from the region's
 * policy when the obligation opens, so a later policy change does not move existing due dates.
 */
@Injectable()
export class DeadlinesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlinesService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(CATALOG_SETTINGS) private readonly settings: CatalogSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep().catch((err) => this.logger.error(`deadline sweep failed: ${err.message}`)), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async open(
    m: EntityManager,
    o: { kind: DeadlineKind; deptId: string; subjectType: 'system' | 'entry'; subjectId: string; reason?: string | null; now?: Date },
  ): Promise<Deadline> {
    const [{ region_code }] = await m.query(`SELECT region_code FROM catalog.department WHERE id = $1`, [o.deptId]);
    const limits = limitsFor(this.settings, region_code);
    const limit = o.kind === 'register_linked_resource' ? limits.registerLinkedResource : limits.updateChangedEntry;
    const startedOn = toShanghaiDate(o.now ?? new Date());
    const repo = m.getRepository(Deadline);
    return repo.save(
      repo.create({
        kind: o.kind,
        deptId: o.deptId,
        subjectType: o.subjectType,
        subjectId: o.subjectId,
        reason: o.reason ?? null,
        startedOn,
        limitWorkingDays: limit,
        dueOn: this.settings.calendar.addWorkingDays(startedOn, limit),
      }),
    );
  }

  /** Marks the open (or overdue) obligations of a subject as met. */
  async meet(m: EntityManager, kind: DeadlineKind, subjectType: 'system' | 'entry', subjectId: string): Promise<number> {
    const result = await m.update(Deadline, { kind, subjectType, subjectId, status: Not('met') }, { status: 'met', metAt: new Date() });
    return result.affected ?? 0;
  }

  /** Flags every obligation whose due date has passed, once, with a `catalog.deadline.overdue` event. */
  async sweep(now: Date = new Date()): Promise<number> {
    const today = toShanghaiDate(now);
    return this.db.transaction(async (m) => {
      const due: Deadline[] = await m
        .getRepository(Deadline)
        .createQueryBuilder('d')
        .where(`d.status = 'open' AND d.due_on < :today`, { today })
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const d of due) {
        await m.update(Deadline, { id: d.id }, { status: 'overdue', overdueAt: now });
        await this.outbox.add(m, 'catalog.deadline.overdue', {
          deadlineId: d.id,
          kind: d.kind,
          deptId: d.deptId,
          subjectType: d.subjectType,
          subjectId: d.subjectId,
          dueDate: d.dueOn,
          limitWorkingDays: d.limitWorkingDays,
        });
      }
      return due.length;
    });
  }

  /** Obligations the caller may see, earliest due first (id tie-break), paged. */
  async list(scope: DepartmentScope, filter: { status?: string; deptId?: string } & PageQuery, now: Date = new Date()): Promise<Page<DeadlineView>> {
    const page = filter.page ?? 1;
    const pageSize = filter.pageSize ?? 20;
    const qb = this.db.getRepository(Deadline).createQueryBuilder('d').orderBy('d.due_on').addOrderBy('d.id');
    if (!scope.all) qb.andWhere('d.dept_id IN (:...depts)', { depts: scope.deptIds.length ? scope.deptIds : ['00000000-0000-0000-0000-000000000000'] });
    if (filter.deptId) qb.andWhere('d.dept_id = :dept', { dept: filter.deptId });
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    const today = toShanghaiDate(now);
    const [rows, total] = await qb.offset((page - 1) * pageSize).limit(pageSize).getManyAndCount();
    const items = rows.map((d) => ({
      id: d.id,
      kind: d.kind,
      kindLabel: KIND_LABELS[d.kind],
      deptId: d.deptId,
      subjectType: d.subjectType,
      subjectId: d.subjectId,
      reason: d.reason,
      startedOn: d.startedOn,
      limitWorkingDays: d.limitWorkingDays,
      dueOn: d.dueOn,
      status: d.status,
      remainingWorkingDays: d.status === 'met' ? null : this.settings.calendar.workingDaysBetween(today, d.dueOn),
    }));
    return { items, total, page, pageSize };
  }

  /** Counts per department of overdue obligations, for statistics. */
  async overdueCounts(): Promise<Map<string, number>> {
    const rows = await this.db.query(`SELECT dept_id, count(*)::int AS n FROM catalog.deadline WHERE status = 'overdue' GROUP BY dept_id`);
    return new Map(rows.map((r: { dept_id: string; n: number }) => [r.dept_id, r.n]));
  }
}
