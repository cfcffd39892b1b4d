import { CatalogEntryPublishedV1, CatalogEntryTransitionV1, DepartmentScope, DomainException, OutboxWriter, Page, PageQuery, scopeAllows } from '@gov/shared';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dataset, DatasetSettings, DatasetVersion } from './dataset.entities';
import { IngestErrors } from './ingest.errors';

export interface DatasetFilter {
  /** A part of the name or resource code. */
  q?: string;
  entryId?: string;
}

/** 数据集 read model of the catalog, fed by catalog events (never by reading catalog tables). */
@Injectable()
export class DatasetsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** A published entry (or a new version of it) creates or updates its dataset. */
  async applyPublished(m: EntityManager, e: CatalogEntryPublishedV1): Promise<void> {
    const repo = m.getRepository(Dataset);
    const existing = await repo.findOne({ where: { entryId: e.entryId }, lock: { mode: 'pessimistic_write' } });
    if (existing && existing.catalogVersion >= e.version && !existing.retired) return; // redelivered or older
    const fields = {
      deptId: e.deptId,
      resourceCode: e.resourceCode,
      name: e.metadata.name ?? e.name,
      catalogVersion: e.version,
      items: e.metadata.items ?? [],
      formatClass: e.metadata.format?.classCode ?? null,
      updateCycle: e.metadata.updateCycle ?? null,
      retired: false,
      updatedAt: new Date(),
    };
    if (existing) {
      await repo.update({ id: existing.id }, fields);
      return;
    }
    const dataset = await repo.save(repo.create({ entryId: e.entryId, ...fields, settings: {} }));
    await this.outbox.add(m, 'ingest.dataset.created', { datasetId: dataset.id, entryId: e.entryId, deptId: e.deptId, resourceCode: e.resourceCode, name: dataset.name });
  }

  async applyRetired(m: EntityManager, e: CatalogEntryTransitionV1): Promise<void> {
    await m.getRepository(Dataset).update({ entryId: e.entryId }, { retired: true, updatedAt: new Date() });
  }

  /** Every dataset the caller may see, by name (unpaged: kept for scripts and the bench; the portal pages). */
  list(scope: DepartmentScope, f: DatasetFilter = {}): Promise<Dataset[]> {
    return this.query(scope, f).getMany();
  }

  /** One page of the datasets the caller may see, by name (id tie-break), narrowed by `q` (name or resource code) and `entryId`. */
  async page(scope: DepartmentScope, f: DatasetFilter & PageQuery): Promise<Page<Dataset>> {
    const page = f.page ?? 1;
    const pageSize = f.pageSize ?? 20;
    const [items, total] = await this.query(scope, f)
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, total, page, pageSize };
  }

  private query(scope: DepartmentScope, f: DatasetFilter) {
    const qb = this.db.getRepository(Dataset).createQueryBuilder('d').orderBy('d.name').addOrderBy('d.id');
    if (!scope.all) qb.andWhere('d.dept_id IN (:...d)', { d: scope.deptIds.length ? scope.deptIds : ['00000000-0000-0000-0000-000000000000'] });
    if (f.q) qb.andWhere(`(strpos(d.name, :q) > 0 OR strpos(d.resource_code, :q) > 0)`, { q: f.q });
    if (f.entryId) qb.andWhere('d.entry_id = :entryId', { entryId: f.entryId });
    return qb;
  }

  /** A dataset the caller's department owns (or any, for the data bureau and auditors). */
  async get(scope: DepartmentScope, id: string, m: EntityManager = this.db.manager): Promise<Dataset> {
    const dataset = /^[0-9a-f-]{36}$/i.test(id) ? await m.getRepository(Dataset).findOneBy({ id }) : null;
    if (!dataset || !scopeAllows(scope, dataset.deptId)) throw IngestErrors.datasetNotFound(id);
    return dataset;
  }

  async updateSettings(scope: DepartmentScope, id: string, settings: DatasetSettings): Promise<Dataset> {
    const dataset = await this.get(scope, id);
    const names = new Set(dataset.items.map((i) => i.name));
    // A header mapped to '' is ignored on load.
    const unknown = [...(settings.keys ?? []), ...(settings.required ?? []), ...Object.values(settings.mapping ?? {}).filter((n) => n !== '')].filter((n) => !names.has(n));
    if (unknown.length > 0) {
      throw new DomainException('SETTINGS_UNKNOWN_ITEM', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `以下名称不是该目录的信息项：${unknown.join('、')}`, en: `Not data items of the entry: ${unknown.join(', ')}` });
    }
    dataset.settings = { ...dataset.settings, ...settings };
    dataset.updatedAt = new Date();
    return this.db.getRepository(Dataset).save(dataset);
  }

  versions(datasetId: string): Promise<DatasetVersion[]> {
    return this.db.getRepository(DatasetVersion).find({ where: { datasetId }, order: { version: 'DESC' } });
  }

  async version(datasetId: string, version: number): Promise<DatasetVersion> {
    const v = await this.db.getRepository(DatasetVersion).findOneBy({ datasetId, version });
    if (!v) throw IngestErrors.versionNotFound(version);
    return v;
  }
}
