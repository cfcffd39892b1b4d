import {
  CatalogMetadata,
  ComplianceContext,
  ComplianceFinding,
  DepartmentScope,
  EntryStatus,
  OutboxWriter,
  Page,
  PageQuery,
  ResourceClassification,
  StaffPrincipal,
  checkCatalogCompliance,
  departmentScopeOf,
  hasBlockingFindings,
  scopeAllows,
  toShanghaiDate,
} from '@gov/shared';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ResourceCodeAllocator } from '../codes/resource-code.allocator';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { SourceConflictDetector } from '../one-source/source-conflict.detector';
import { SearchIndexWriter } from '../search/search-index.writer';
import { CatalogEntry, EntryVersion, ReviewComments } from './catalog-entry.entity';
import { CatalogErrors } from './catalog.errors';
import { ComplianceContextLoader } from './compliance-context.loader';
import { EntryVersionView, EntryView, VersionDiffView } from './dto/entry.dto';
import { diffMetadata } from './metadata-diff';

/** Who acts: a staff member, or the platform itself (imports by the system, cascades). */
export interface Actor {
  id: string;
  scope: DepartmentScope;
  isAdmin: boolean;
}

export const actorOf = (p: StaffPrincipal): Actor => ({ id: p.userId, scope: departmentScopeOf(p), isAdmin: p.roles.includes('data_admin') });

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Strips undefined and empty strings so stored metadata compares and diffs cleanly. */
export function cleanMetadata<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (v === '' ? undefined : v)));
}

/**
 * 目录编制与审核: the lifecycle of a catalog entry.
 *   draft → submitted → published (approved) | returned → (edited) → submitted …
 *   published → change (new version: draft → submitted → published) | retired
 * Every transition writes the entry, its version, the search index and an outbox event in one
 * transaction.
 */
@Injectable()
export class EntriesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly codes: ResourceCodeAllocator,
    private readonly compliance: ComplianceContextLoader,
    private readonly index: SearchIndexWriter,
    private readonly deadlines: DeadlinesService,
    private readonly conflicts: SourceConflictDetector,
  ) {}

  // ---------------------------------------------------------------------------------------------
  // Reading

  async get(actor: Actor, id: string): Promise<EntryView> {
    const entry = await this.db.getRepository(CatalogEntry).findOneBy({ id });
    if (!entry || !this.canSee(actor, entry)) throw CatalogErrors.entryNotFound(id);
    return this.view(this.db.manager, entry);
  }

  async versions(actor: Actor, id: string): Promise<EntryVersionView[]> {
    const entry = await this.db.getRepository(CatalogEntry).findOneBy({ id });
    if (!entry || !this.canSee(actor, entry)) throw CatalogErrors.entryNotFound(id);
    const versions = await this.db.getRepository(EntryVersion).find({ where: { entryId: id }, order: { version: 'ASC' } });
    // Other departments see published history only.
    return versions.filter((v) => scopeAllows(actor.scope, entry.deptId) || v.state === 'approved' || v.state === 'superseded').map(versionView);
  }

  async diff(actor: Actor, id: string, from: number, to: number): Promise<VersionDiffView> {
    const versions = await this.versions(actor, id);
    const a = versions.find((v) => v.version === from);
    const b = versions.find((v) => v.version === to);
    if (!a) throw CatalogErrors.versionNotFound(from);
    if (!b) throw CatalogErrors.versionNotFound(to);
    return { from, to, changes: diffMetadata(a.metadata, b.metadata) };
  }

  /** Entries waiting for the data bureau's review, oldest first. */
  /** Entries (or changes) waiting for review, longest waiting first (id tie-break), paged. */
  async reviewQueue(q: PageQuery = {}): Promise<Page<EntryView>> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const [entries, total] = await this.db
      .getRepository(CatalogEntry)
      .createQueryBuilder('e')
      .where(`(e.status = 'submitted' OR e.change_status = 'submitted')`)
      .orderBy('e.updated_at')
      .addOrderBy('e.id')
      .offset((page - 1) * pageSize)
      .limit(pageSize)
      .getManyAndCount();
    return { items: await Promise.all(entries.map((e) => this.view(this.db.manager, e))), total, page, pageSize };
  }

  // ---------------------------------------------------------------------------------------------
  // Editing

  async create(actor: Actor, deptId: string, metadata: CatalogMetadata): Promise<EntryView> {
    return this.db.transaction(async (m) => {
      if (!scopeAllows(actor.scope, deptId)) throw CatalogErrors.notOwner();
      const dept = await this.department(m, deptId);
      const content = cleanMetadata(metadata);
      const findings = await this.check(m, deptId, content);
      const entry = await m.getRepository(CatalogEntry).save(
        m.getRepository(CatalogEntry).create({ deptId, status: 'draft', changeStatus: null, latestVersion: 1, createdBy: actor.id, sourceRegion: null, resourceCode: null }),
      );
      await m.getRepository(EntryVersion).save(m.getRepository(EntryVersion).create({ entryId: entry.id, version: 1, state: 'draft', metadata: content, findings, createdBy: actor.id }));
      await this.index.upsert(m, entry, content, dept.name);
      await this.emit(m, 'catalog.entry.drafted', entry, content, 1, actor.id);
      return this.view(m, entry);
    });
  }

  /**
   * Creates many drafts of one department in the caller's transaction with a few statements per
   * thousand rows (目录确认表 import). The caller has already checked them.
   */
  async createDraftsIn(m: EntityManager, actor: Actor, deptId: string, drafts: readonly { metadata: CatalogMetadata; findings: ComplianceFinding[] }[]): Promise<string[]> {
    const dept = await this.department(m, deptId);
    const now = new Date();
    const entries = drafts.map(() =>
      m.getRepository(CatalogEntry).create({
        id: randomUUID(),
        deptId,
        status: 'draft',
        changeStatus: null,
        latestVersion: 1,
        publishedVersion: null,
        publishedAt: null,
        resourceCode: null,
        sourceRegion: null,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      }),
    );
    for (let i = 0; i < entries.length; i += 1000) {
      const slice = entries.slice(i, i + 1000);
      await m.query(
        `INSERT INTO catalog.catalog_entry (id, dept_id, status, latest_version, created_by)
         SELECT id, $2::uuid, 'draft', 1, $3::uuid FROM unnest($1::uuid[]) AS id`,
        [slice.map((e) => e.id), deptId, actor.id],
      );
      await m.query(
        `INSERT INTO catalog.entry_version (entry_id, version, state, metadata, findings, created_by)
         SELECT (v->>'id')::uuid, 1, 'draft', v->'metadata', v->'findings', $2::uuid FROM jsonb_array_elements($1::jsonb) AS v`,
        [JSON.stringify(slice.map((e, j) => ({ id: e.id, metadata: cleanMetadata(drafts[i + j].metadata), findings: drafts[i + j].findings }))), actor.id],
      );
    }
    await this.index.upsertMany(m, entries.map((entry, i) => ({ entry, metadata: drafts[i].metadata, deptName: dept.name })));
    await this.outbox.addMany(
      m,
      'catalog.entry.drafted',
      entries.map((e, i) => ({ entryId: e.id, version: 1, deptId, name: drafts[i].metadata.name ?? '', resourceCode: null, status: 'draft' as const, actorId: actor.id, at: now.toISOString(), comment: '目录确认表导入' })),
    );
    return entries.map((e) => e.id);
  }

  /** Saves the working version; runs the compliance check and returns its findings. */
  async save(actor: Actor, id: string, metadata: CatalogMetadata): Promise<EntryView> {
    return this.db.transaction(async (m) => {
      const entry = await this.lockOwned(m, actor, id);
      const working = await this.workingVersion(m, entry, { zh: '编辑', en: 'edit' });
      const content = cleanMetadata(metadata);
      working.metadata = content;
      working.findings = await this.check(m, entry.deptId, content);
      working.updatedAt = new Date();
      await m.getRepository(EntryVersion).save(working);
      await this.touch(m, entry, content);
      return this.view(m, entry);
    });
  }

  /** Starts a new version of a published entry (变更); the published version stays visible meanwhile. */
  async startChange(actor: Actor, id: string, reason: string, metadata?: CatalogMetadata): Promise<EntryView> {
    return this.db.transaction((m) => this.startChangeIn(m, actor, id, reason, metadata));
  }

  async startChangeIn(m: EntityManager, actor: Actor, id: string, reason: string, metadata?: CatalogMetadata): Promise<EntryView> {
    {
      const entry = await this.lockOwned(m, actor, id);
      if (entry.status !== 'published' || entry.changeStatus) throw CatalogErrors.wrongState({ zh: '发起变更', en: 'start a change' }, entry.changeStatus ?? entry.status);
      const published = await m.getRepository(EntryVersion).findOneByOrFail({ entryId: id, version: entry.publishedVersion! });
      const content = cleanMetadata(metadata ?? published.metadata);
      const version = entry.latestVersion + 1;
      const versions = m.getRepository(EntryVersion);
      await versions.save(
        versions.create({ entryId: id, version, state: 'draft', metadata: content, findings: await this.check(m, entry.deptId, content), changeReason: reason, createdBy: actor.id }),
      );
      entry.latestVersion = version;
      entry.changeStatus = 'draft';
      entry.updatedAt = new Date();
      await m.getRepository(CatalogEntry).save(entry);
      await this.emit(m, 'catalog.entry.drafted', entry, content, version, actor.id, reason);
      return this.view(m, entry);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Review

  /** 提交审核: refused with every blocking finding when the compliance check fails. */
  async submit(actor: Actor, id: string): Promise<EntryView> {
    return this.db.transaction(async (m) => {
      const entry = await this.lockOwned(m, actor, id);
      const working = await this.workingVersion(m, entry, { zh: '提交审核', en: 'submit' });
      const findings = await this.check(m, entry.deptId, working.metadata);
      if (hasBlockingFindings(findings)) throw CatalogErrors.noncompliant(findings);
      await this.assertReferenceItemBelongs(m, entry.deptId, working.metadata);
      Object.assign(working, { state: 'submitted', findings, submittedBy: actor.id, submittedAt: new Date(), updatedAt: new Date() });
      await m.getRepository(EntryVersion).save(working);
      this.setWorkingStatus(entry, 'submitted');
      await this.touch(m, entry, working.metadata);
      await this.conflicts.recordOnSubmit(m, entry.id, entry.deptId, working.metadata, findings, actor.id);
      if (working.metadata.systemId) await this.deadlines.meet(m, 'register_linked_resource', 'system', working.metadata.systemId);
      await this.emit(m, 'catalog.entry.submitted', entry, working.metadata, working.version, actor.id);
      return this.view(m, entry);
    });
  }

  /** 审核退回 with comments, overall and per field. */
  async returnForRevision(actor: Actor, id: string, comments: ReviewComments): Promise<EntryView> {
    if (!comments.summary?.trim() && Object.values(comments.fields ?? {}).every((c) => !String(c).trim())) throw CatalogErrors.commentsRequired();
    return this.db.transaction(async (m) => {
      const entry = await this.lock(m, id);
      const working = await this.submittedVersion(m, entry, { zh: '退回', en: 'return' });
      Object.assign(working, { state: 'returned', reviewComments: { summary: comments.summary, fields: comments.fields ?? {} }, reviewedBy: actor.id, reviewedAt: new Date(), updatedAt: new Date() });
      await m.getRepository(EntryVersion).save(working);
      this.setWorkingStatus(entry, 'returned');
      await this.touch(m, entry, working.metadata);
      await this.emit(m, 'catalog.entry.returned', entry, working.metadata, working.version, actor.id, comments.summary ?? Object.values(comments.fields ?? {}).join('；'));
      return this.view(m, entry);
    });
  }

  /** 审核通过: the version is published; the first approval issues the resource code. */
  async approve(actor: Actor, id: string, comment?: string): Promise<EntryView> {
    return this.db.transaction(async (m) => {
      const entry = await this.lock(m, id);
      const working = await this.submittedVersion(m, entry, { zh: '审核通过', en: 'approve' });
      // Rules may have changed since submission (a system removed, a source designated): check again.
      const findings = await this.check(m, entry.deptId, working.metadata);
      if (hasBlockingFindings(findings)) throw CatalogErrors.noncompliant(findings);
      const now = new Date();
      const metadata: CatalogMetadata = { ...working.metadata, publishDate: working.metadata.publishDate || toShanghaiDate(now) };
      if (!entry.resourceCode) entry.resourceCode = await this.codes.issue(m, metadata.classification as ResourceClassification, entry.id);
      if (entry.publishedVersion) await m.getRepository(EntryVersion).update({ entryId: id, version: entry.publishedVersion }, { state: 'superseded' });
      Object.assign(working, { state: 'approved', metadata, findings, reviewedBy: actor.id, reviewedAt: now, updatedAt: now, reviewComments: comment ? { summary: comment, fields: {} } : working.reviewComments });
      await m.getRepository(EntryVersion).save(working);
      Object.assign(entry, { status: 'published', changeStatus: null, publishedVersion: working.version, publishedAt: now, updatedAt: now });
      await m.getRepository(CatalogEntry).save(entry);
      const dept = await this.department(m, entry.deptId);
      await this.index.upsert(m, entry, metadata, dept.name);
      await this.deadlines.meet(m, 'update_changed_entry', 'entry', entry.id);
      await this.linkSourceElements(m, entry, metadata);
      await this.outbox.add(m, 'catalog.entry.published', {
        entryId: entry.id,
        version: working.version,
        deptId: entry.deptId,
        name: metadata.name ?? '',
        resourceCode: entry.resourceCode,
        status: 'published',
        actorId: actor.id,
        at: now.toISOString(),
        comment: comment ?? null,
        deptName: dept.name,
        providerCode: dept.creditCode,
        regionCode: entry.sourceRegion ?? dept.regionCode,
        metadata,
        publishedAt: now.toISOString(),
      });
      return this.view(m, entry);
    });
  }

  /** 下架: the entry leaves the catalog; its code stays issued and is never reused. */
  async retire(actor: Actor, id: string, reason: string): Promise<EntryView> {
    return this.db.transaction((m) => this.retireIn(m, actor, id, reason));
  }

  async retireIn(m: EntityManager, actor: Actor, id: string, reason: string): Promise<EntryView> {
    const entry = actor.isAdmin ? await this.lock(m, id) : await this.lockOwned(m, actor, id);
    if (entry.status !== 'published') throw CatalogErrors.wrongState({ zh: '下架', en: 'retire' }, entry.status);
    if (entry.changeStatus) await m.getRepository(EntryVersion).update({ entryId: id, version: entry.latestVersion }, { state: 'superseded', updatedAt: new Date() });
    Object.assign(entry, { status: 'retired', changeStatus: null, retiredReason: reason, retiredAt: new Date(), updatedAt: new Date() });
    await m.getRepository(CatalogEntry).save(entry);
    const published = await m.getRepository(EntryVersion).findOneByOrFail({ entryId: id, version: entry.publishedVersion! });
    await this.touch(m, entry, published.metadata);
    await m.query(`UPDATE catalog.deadline SET status = 'met', met_at = now() WHERE subject_type = 'entry' AND subject_id = $1 AND status <> 'met'`, [id]);
    // Other departments must not be pointed at a retired entry; the source department publishes another.
    await m.query(`UPDATE catalog.data_element SET source_entry_id = NULL, updated_at = now() WHERE source_entry_id = $1`, [id]);
    await this.emit(m, 'catalog.entry.retired', entry, published.metadata, entry.publishedVersion!, actor.id, reason);
    return this.view(m, entry);
  }

  /** 变更告知: data or duties changed, so the entry must be updated within the region's limit. */
  async noticeChange(actor: Actor, id: string, reason: string) {
    return this.db.transaction(async (m) => {
      const entry = await this.lockOwned(m, actor, id, true);
      if (entry.status !== 'published') throw CatalogErrors.wrongState({ zh: '登记变更', en: 'record a change notice' }, entry.status);
      return this.deadlines.open(m, { kind: 'update_changed_entry', deptId: entry.deptId, subjectType: 'entry', subjectId: id, reason });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Runs the compliance self-check for a department (pass a loaded context to check many entries). */
  async check(m: EntityManager, deptId: string, metadata: CatalogMetadata, context?: ComplianceContext): Promise<ComplianceFinding[]> {
    const findings = checkCatalogCompliance(metadata, context ?? (await this.compliance.load(m, deptId)));
    if (metadata.open?.type === 'NOT_OPEN' && metadata.referenceItemId && !metadata.open.basis?.trim())
      findings.push({ field: 'open.basis', code: 'REFERENCE_NOT_OPEN_BASIS_REQUIRED', severity: 'error', zh: '参考清单事项不予开放时须填写不开放依据及理由', en: 'A reference-list item that is not opened needs a basis' });
    return findings;
  }

  private canSee(actor: Actor, entry: CatalogEntry): boolean {
    return entry.status === 'published' || entry.status === 'retired' || scopeAllows(actor.scope, entry.deptId);
  }

  private async lock(m: EntityManager, id: string): Promise<CatalogEntry> {
    const entry = await m.getRepository(CatalogEntry).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!entry) throw CatalogErrors.entryNotFound(id);
    return entry;
  }

  /** Locks an entry the actor's department owns; other departments' drafts do not exist for them. */
  private async lockOwned(m: EntityManager, actor: Actor, id: string, publishedVisible = false): Promise<CatalogEntry> {
    const entry = await this.lock(m, id);
    if (!scopeAllows(actor.scope, entry.deptId)) {
      if (publishedVisible || entry.status === 'published' || entry.status === 'retired') throw CatalogErrors.notOwner();
      throw CatalogErrors.entryNotFound(id);
    }
    return entry;
  }

  /** The latest version, if it may be edited or submitted. */
  private async workingVersion(m: EntityManager, entry: CatalogEntry, action: { zh: string; en: string }): Promise<EntryVersion> {
    const state = entry.status === 'published' ? entry.changeStatus : entry.status;
    if (state !== 'draft' && state !== 'returned') throw CatalogErrors.wrongState(action, state ?? entry.status);
    return m.getRepository(EntryVersion).findOneByOrFail({ entryId: entry.id, version: entry.latestVersion });
  }

  private async submittedVersion(m: EntityManager, entry: CatalogEntry, action: { zh: string; en: string }): Promise<EntryVersion> {
    const state = entry.status === 'published' ? entry.changeStatus : entry.status;
    if (state !== 'submitted') throw CatalogErrors.wrongState(action, state ?? entry.status);
    return m.getRepository(EntryVersion).findOneByOrFail({ entryId: entry.id, version: entry.latestVersion });
  }

  private setWorkingStatus(entry: CatalogEntry, state: 'submitted' | 'returned' | 'draft'): void {
    if (entry.status === 'published') entry.changeStatus = state;
    else entry.status = state as EntryStatus;
  }

  /** Saves the entry and refreshes its search row (published entries keep showing the published version). */
  private async touch(m: EntityManager, entry: CatalogEntry, workingMetadata: CatalogMetadata): Promise<void> {
    entry.updatedAt = new Date();
    await m.getRepository(CatalogEntry).save(entry);
    const dept = await this.department(m, entry.deptId);
    const shown =
      entry.publishedVersion && entry.latestVersion !== entry.publishedVersion
        ? (await m.getRepository(EntryVersion).findOneByOrFail({ entryId: entry.id, version: entry.publishedVersion })).metadata
        : workingMetadata;
    await this.index.upsert(m, entry, shown, dept.name);
  }

  private async department(m: EntityManager, id: string): Promise<{ id: string; name: string; creditCode: string; regionCode: string }> {
    const [dept] = await m.query(`SELECT id, name, credit_code AS "creditCode", region_code AS "regionCode" FROM catalog.department WHERE id = $1`, [id]);
    if (!dept) throw CatalogErrors.departmentNotFound(id);
    return dept;
  }

  private async assertReferenceItemBelongs(m: EntityManager, deptId: string, metadata: CatalogMetadata): Promise<void> {
    if (!metadata.referenceItemId) return;
    const rows = await m.query(`SELECT 1 FROM catalog.reference_item WHERE id = $1 AND dept_id = $2`, [metadata.referenceItemId, deptId]);
    if (rows.length === 0)
      throw CatalogErrors.noncompliant([{ field: 'referenceItemId', code: 'REFERENCE_ITEM_UNKNOWN', severity: 'error', zh: '参考清单事项不存在或不属于本部门', en: 'Unknown reference-list item' }]);
  }

  /** A published entry of the source department becomes the place others are pointed to. */
  private async linkSourceElements(m: EntityManager, entry: CatalogEntry, metadata: CatalogMetadata): Promise<void> {
    const names = (metadata.items ?? []).map((i) => i.name);
    const codes = (metadata.items ?? []).map((i) => i.dataElementCode).filter(Boolean);
    await m.query(
      `UPDATE catalog.data_element SET source_entry_id = $1, updated_at = now()
       WHERE source_dept_id = $2 AND source_entry_id IS NULL AND (name = ANY($3) OR aliases && $3 OR code = ANY($4))`,
      [entry.id, entry.deptId, names, codes],
    );
  }

  private async emit(
    m: EntityManager,
    name: 'catalog.entry.drafted' | 'catalog.entry.submitted' | 'catalog.entry.returned' | 'catalog.entry.retired',
    entry: CatalogEntry,
    metadata: CatalogMetadata,
    version: number,
    actorId: string,
    comment?: string,
  ): Promise<void> {
    await this.outbox.add(m, name, {
      entryId: entry.id,
      version,
      deptId: entry.deptId,
      name: metadata.name ?? '',
      resourceCode: entry.resourceCode,
      status: entry.status,
      actorId,
      at: new Date().toISOString(),
      comment: comment ?? null,
    });
  }

  async view(m: EntityManager, entry: CatalogEntry): Promise<EntryView> {
    const versions = await m.getRepository(EntryVersion).find({ where: [{ entryId: entry.id, version: entry.latestVersion }, ...(entry.publishedVersion ? [{ entryId: entry.id, version: entry.publishedVersion }] : [])] });
    const working = versions.find((v) => v.version === entry.latestVersion)!;
    const published = versions.find((v) => v.version === entry.publishedVersion);
    const [dept] = await m.query(`SELECT name FROM catalog.department WHERE id = $1`, [entry.deptId]);
    return {
      id: entry.id,
      deptId: entry.deptId,
      deptName: dept?.name ?? '',
      status: entry.status,
      changeStatus: entry.changeStatus,
      resourceCode: entry.resourceCode,
      sourceRegion: entry.sourceRegion,
      publishedVersion: entry.publishedVersion,
      latestVersion: entry.latestVersion,
      publishedAt: iso(entry.publishedAt),
      retiredReason: entry.retiredReason,
      working: versionView(working),
      published: published ? versionView(published) : null,
    };
  }
}

function versionView(v: EntryVersion): EntryVersionView {
  return {
    version: v.version,
    state: v.state,
    metadata: v.metadata,
    findings: v.findings,
    reviewComments: v.reviewComments,
    changeReason: v.changeReason,
    createdAt: iso(v.createdAt)!,
    submittedAt: iso(v.submittedAt),
    reviewedAt: iso(v.reviewedAt),
  };
}
