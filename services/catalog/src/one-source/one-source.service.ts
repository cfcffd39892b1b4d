import { DepartmentScope, OutboxWriter, Page, PageQuery, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CatalogErrors } from '../entries/catalog.errors';
import { EntriesService, actorOf } from '../entries/entries.service';
import { ListConflictsQuery, ResolveConflictDto, UpsertDataElementDto } from './dto/one-source.dto';
import { DataElementRecord, SourceConflict } from './one-source.entities';
import { OneSourceErrors } from './one-source.errors';

/** 一数一源 administration: the data element registry and the conflicts workflow. */
@Injectable()
export class OneSourceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly entries: EntriesService,
  ) {}

  /** Data elements by code (the primary key), paged; `q` matches a part of the code (any case), the name or an alias. */
  async listElements(q: { q?: string } & PageQuery = {}): Promise<Page<DataElementRecord>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const qb = this.db.getRepository(DataElementRecord).createQueryBuilder('e').orderBy('e.code', 'ASC');
    if (q.q) qb.andWhere('(strpos(e.code, upper(:q)) > 0 OR strpos(e.name, :q) > 0 OR EXISTS (SELECT 1 FROM unnest(e.aliases) AS a WHERE strpos(a, :q) > 0))', { q: q.q });
    const [items, total] = await qb.offset((page - 1) * pageSize).limit(pageSize).getManyAndCount();
    return { items, total, page, pageSize };
  }

  async upsertElement(staff: StaffPrincipal, code: string, dto: UpsertDataElementDto): Promise<DataElementRecord> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(DataElementRecord);
      const clash = await repo.findOneBy({ name: dto.name });
      if (clash && clash.code !== code) throw OneSourceErrors.elementNameTaken(dto.name);
      if (dto.sourceDeptId) {
        const [dept] = await m.query(`SELECT 1 FROM catalog.department WHERE id = $1`, [dto.sourceDeptId]);
        if (!dept) throw CatalogErrors.departmentNotFound(dto.sourceDeptId);
      }
      if (dto.sourceEntryId) {
        const [entry] = await m.query(`SELECT dept_id FROM catalog.catalog_entry WHERE id = $1 AND status = 'published'`, [dto.sourceEntryId]);
        if (!entry || entry.dept_id !== dto.sourceDeptId) throw OneSourceErrors.sourceEntryMismatch();
      }
      const existing = await repo.findOneBy({ code });
      return repo.save(
        repo.create({
          ...existing,
          code,
          name: dto.name,
          aliases: dto.aliases ?? existing?.aliases ?? [],
          description: dto.description ?? existing?.description ?? null,
          sourceDeptId: dto.sourceDeptId ?? null,
          // A new source department has to name its own entry: the old one would point elsewhere.
          sourceEntryId: dto.sourceEntryId ?? (existing?.sourceDeptId === dto.sourceDeptId ? existing?.sourceEntryId ?? null : null),
          updatedBy: staff.userId,
          updatedAt: new Date(),
        }),
      );
    });
  }

  /** Conflicts the caller may see (the bureau: all; a department: those it is a party to), newest first (id tie-break), paged. */
  async listConflicts(scope: DepartmentScope, q: ListConflictsQuery): Promise<Page<SourceConflict>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const qb = this.db.getRepository(SourceConflict).createQueryBuilder('c').orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC');
    if (!scope.all) qb.andWhere('(c.dept_id IN (:...d) OR c.other_dept_id IN (:...d))', { d: scope.deptIds.length ? scope.deptIds : ['00000000-0000-0000-0000-000000000000'] });
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.kind) qb.andWhere('c.kind = :kind', { kind: q.kind });
    const [items, total] = await qb.offset((page - 1) * pageSize).limit(pageSize).getManyAndCount();
    return { items, total, page, pageSize };
  }

  /**
   * 冲突处理:
   *  - designate_source: one of the two departments becomes the 数源部门 (of the element, for duplicate collection);
   *  - merge: the entry to keep stays, the other is retired with a pointer to it;
   *  - justify: both stay, with the bureau's note.
   */
  async resolve(staff: StaffPrincipal, id: string, dto: ResolveConflictDto): Promise<SourceConflict> {
    return this.db.transaction(async (m) => {
      const conflict = await m.getRepository(SourceConflict).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!conflict) throw OneSourceErrors.conflictNotFound(id);
      if (conflict.status === 'resolved') throw OneSourceErrors.alreadyResolved();
      if (dto.resolution === 'designate_source') {
        if (!dto.sourceDeptId || ![conflict.deptId, conflict.otherDeptId].includes(dto.sourceDeptId))
          throw OneSourceErrors.resolutionIncomplete('指定数源时须在冲突双方中选择数源部门', 'designate_source needs sourceDeptId, one of the two departments');
        if (conflict.elementCode) {
          const keepEntry = dto.sourceDeptId === conflict.deptId ? conflict.entryId : conflict.otherEntryId;
          await m.query(`UPDATE catalog.data_element SET source_dept_id = $1, source_entry_id = $2, updated_by = $3, updated_at = now() WHERE code = $4`, [
            dto.sourceDeptId,
            keepEntry,
            staff.userId,
            conflict.elementCode,
          ]);
        }
      }
      if (dto.resolution === 'merge') {
        const pair = [conflict.entryId, conflict.otherEntryId].filter(Boolean);
        if (!dto.keepEntryId || !pair.includes(dto.keepEntryId) || pair.length < 2)
          throw OneSourceErrors.resolutionIncomplete('合并时须指定冲突双方中保留的目录条目', 'merge needs keepEntryId, one of the two entries');
        const retireId = pair.find((e) => e !== dto.keepEntryId)!;
        const [kept] = await m.query(`SELECT resource_code FROM catalog.catalog_entry WHERE id = $1`, [dto.keepEntryId]);
        const [toRetire] = await m.query(`SELECT status FROM catalog.catalog_entry WHERE id = $1`, [retireId]);
        // An entry still in the review path cannot be retired; "merged" it would go on to be published.
        if (toRetire && toRetire.status !== 'published' && toRetire.status !== 'retired') throw OneSourceErrors.mergeTargetUnpublished(toRetire.status);
        if (toRetire?.status === 'published') await this.entries.retireIn(m, actorOf(staff), retireId, `一数一源合并至 ${kept?.resource_code ?? dto.keepEntryId}：${dto.note}`);
      }
      Object.assign(conflict, { status: 'resolved', resolution: dto.resolution, resolutionNote: dto.note, resolvedBy: staff.userId, resolvedAt: new Date() });
      await m.getRepository(SourceConflict).save(conflict);
      await this.outbox.add(m, 'catalog.conflict.changed', {
        conflictId: conflict.id,
        kind: conflict.kind,
        entryId: conflict.entryId,
        deptId: conflict.deptId,
        otherEntryId: conflict.otherEntryId,
        otherDeptId: conflict.otherDeptId,
        elementCode: conflict.elementCode,
        score: conflict.score,
        status: 'resolved',
        resolution: dto.resolution,
        actorId: staff.userId,
      });
      return conflict;
    });
  }
}
