import { CatalogMetadata, FieldProblem, OutboxWriter, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogEntry } from '../entries/catalog-entry.entity';
import { OrganizationService } from '../organization/organization.service';
import { SearchIndexWriter } from '../search/search-index.writer';
import { CascadeErrors } from './cascade.errors';
import { canonicalJson, departmentCodeFor, departmentLevelFor } from './cascade.format';
import { assertChildRegion, checkEntries, ImportEntry, readDocument } from './cascade-import.validation';
import { PlatformIdentity, PlatformIdentityResolver } from './platform-identity';

export type ImportAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface ImportChange {
  index: number;
  resourceCode: string;
  sourceRegion: string;
  action: Exclude<ImportAction, 'unchanged'>;
  entryId?: string;
  /** Version on this platform after the import. */
  version?: number;
  /** Why an entry was skipped. */
  reason?: string;
}

export interface ImportResult {
  dryRun: boolean;
  platform: PlatformIdentity;
  source: { regionCode: string; name?: string; exportedAt?: string };
  counts: Record<ImportAction, number> & { total: number };
  departments: { matched: number; registered: { name: string; creditCode: string; regionCode: string; level: 'city' | 'district' }[] };
  /** Entries created, updated or skipped (unchanged ones are only counted). */
  changes: ImportChange[];
}

interface Dept {
  id: string;
  name: string;
  creditCode: string;
  regionCode: string;
}

interface Existing {
  id: string;
  deptId: string;
  status: string;
  changeStatus: string | null;
  latestVersion: number;
  publishedVersion: number | null;
  regionKey: string;
  resourceCode: string;
  metadata: CatalogMetadata | null;
}

const LOOKUP_CHUNK = 1000;
const IMPORT_LOCK = 'catalog.cascade-import';

/**
 * 级联导入: a lower-level platform's export becomes published entries of this platform, keeping
 * the lower platform's resource codes with `source_region` = where each code was issued.
 * All checks run before any write and the writes run in one transaction, so a refused import
 * writes nothing; a dry run does the same work and rolls back.
 */
@Injectable()
export class CascadeImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly platform: PlatformIdentityResolver,
    private readonly organization: OrganizationService,
    private readonly index: SearchIndexWriter,
    private readonly outbox: OutboxWriter,
  ) {}

  async import(staff: StaffPrincipal, body: unknown, dryRun: boolean): Promise<ImportResult> {
    const doc = readDocument(body);
    const qr = this.db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const m = qr.manager;
      // One import at a time: two imports of overlapping exports would race on the same keys.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [IMPORT_LOCK]);
      const platform = await this.platform.resolve(m);
      assertChildRegion(doc.source.regionCode, platform.regionCode);
      const { entries, problems } = checkEntries(doc.entries, doc.source.regionCode);
      const depts = await this.departments(m, entries, problems);
      if (problems.length) throw CascadeErrors.entriesInvalid(sortProblems(problems), doc.entries.length);

      const result: ImportResult = {
        dryRun,
        platform,
        source: doc.source,
        counts: { total: entries.length, created: 0, updated: 0, unchanged: 0, skipped: 0 },
        departments: { matched: depts.matched.size, registered: [] },
        changes: [],
      };
      for (const p of depts.toRegister.values()) {
        const level = departmentLevelFor(p.regionCode);
        const d = await this.organization.registerIn(m, { name: p.name, creditCode: p.creditCode, code: departmentCodeFor(p.creditCode), regionCode: p.regionCode, level });
        depts.matched.set(p.creditCode, { id: d.id, name: d.name, creditCode: d.creditCode, regionCode: d.regionCode });
        result.departments.registered.push({ name: d.name, creditCode: d.creditCode, regionCode: d.regionCode, level });
      }

      const existing = await this.existingEntries(m, entries);
      const now = new Date();
      for (const e of entries) {
        const dept = depts.matched.get(e.provider.creditCode)!;
        const change = await this.apply(m, staff, e, dept, existing.get(key(e.sourceRegion, e.resourceCode)), now);
        result.counts[change.action]++;
        if (change.action !== 'unchanged') result.changes.push(change as ImportChange);
      }

      if (dryRun) await qr.rollbackTransaction();
      else await qr.commitTransaction();
      return result;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      throw err;
    } finally {
      await qr.release();
    }
  }

  /**
   * Providers by credit code: existing departments are matched; the others will be registered
   * (in the provider's region, no parent). A new provider whose name is taken in its region by
   * another department is a problem of the entry that names it.
   */
  private async departments(m: EntityManager, entries: ImportEntry[], problems: FieldProblem[]) {
    const codes = [...new Set(entries.map((e) => e.provider.creditCode))];
    const matched = new Map<string, Dept>();
    for (let i = 0; i < codes.length; i += LOOKUP_CHUNK) {
      const rows: Dept[] = await m.query(
        `SELECT id, name, credit_code AS "creditCode", region_code AS "regionCode" FROM catalog.department WHERE credit_code = ANY($1::text[])`,
        [codes.slice(i, i + LOOKUP_CHUNK)],
      );
      for (const r of rows) matched.set(r.creditCode.trim(), { ...r, creditCode: r.creditCode.trim(), regionCode: r.regionCode.trim() });
    }
    const toRegister = new Map<string, ImportEntry['provider'] & { index: number }>();
    for (const e of entries) if (!matched.has(e.provider.creditCode) && !toRegister.has(e.provider.creditCode)) toRegister.set(e.provider.creditCode, { ...e.provider, index: e.index });

    const byName = new Map<string, string>();
    for (const p of toRegister.values()) {
      const nameKey = `${p.regionCode}|${p.name}`;
      const other = byName.get(nameKey);
      if (other) problems.push(nameTaken(p, other));
      else byName.set(nameKey, p.creditCode);
    }
    const pending = [...toRegister.values()];
    for (let i = 0; i < pending.length; i += LOOKUP_CHUNK) {
      const chunk = pending.slice(i, i + LOOKUP_CHUNK);
      const taken: { regionCode: string; name: string; creditCode: string; code: string }[] = await m.query(
        `SELECT d.region_code AS "regionCode", d.name, d.credit_code AS "creditCode", d.code FROM catalog.department d
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(region, name, code) ON (d.region_code = k.region AND d.name = k.name) OR d.code = k.code`,
        [chunk.map((p) => p.regionCode), chunk.map((p) => p.name), chunk.map((p) => departmentCodeFor(p.creditCode))],
      );
      for (const t of taken)
        for (const p of chunk) {
          if (t.code === departmentCodeFor(p.creditCode))
            problems.push({ field: `entries[${p.index}].provider.creditCode`, code: 'PROVIDER_CODE_TAKEN', zh: `第 ${p.index} 条 provider.creditCode：部门简码"${t.code}"已被其他部门使用`, en: `entry ${p.index} provider.creditCode: department code ${t.code} is taken` });
          else if (t.regionCode.trim() === p.regionCode && t.name === p.name) problems.push(nameTaken(p, t.creditCode.trim()));
        }
    }
    return { matched, toRegister };
  }

  /** Entries already imported under the same (source region, code), locked for this transaction. */
  private async existingEntries(m: EntityManager, entries: ImportEntry[]): Promise<Map<string, Existing>> {
    const found = new Map<string, Existing>();
    for (let i = 0; i < entries.length; i += LOOKUP_CHUNK) {
      const chunk = entries.slice(i, i + LOOKUP_CHUNK);
      const rows: Existing[] = await m.query(
        `SELECT e.id, e.dept_id AS "deptId", e.status, e.change_status AS "changeStatus", e.latest_version AS "latestVersion",
                e.published_version AS "publishedVersion", coalesce(e.source_region, '')::text AS "regionKey", e.resource_code AS "resourceCode", v.metadata
         FROM catalog.catalog_entry e
         JOIN unnest($1::text[], $2::text[]) AS k(region, code) ON coalesce(e.source_region, '')::text = k.region AND e.resource_code = k.code
         LEFT JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.published_version
         FOR UPDATE OF e`,
        [chunk.map((e) => e.sourceRegion), chunk.map((e) => e.resourceCode)],
      );
      for (const r of rows) found.set(key(r.regionKey, r.resourceCode), r);
    }
    return found;
  }

  private async apply(m: EntityManager, staff: StaffPrincipal, e: ImportEntry, dept: Dept, existing: Existing | undefined, now: Date): Promise<ImportChange | { action: 'unchanged' }> {
    const base = { index: e.index, resourceCode: e.resourceCode, sourceRegion: e.sourceRegion };
    const reason = `级联导入：${e.sourceRegion} 第 ${e.version} 版 / cascade import from ${e.sourceRegion}, version ${e.version}`;
    let entry: CatalogEntry;
    if (!existing) {
      const [row] = await m.query(
        `INSERT INTO catalog.catalog_entry (dept_id, status, resource_code, source_region, latest_version, published_version, published_at, created_by)
         VALUES ($1, 'published', $2, $3, 1, 1, $4, $5) RETURNING id`,
        [dept.id, e.resourceCode, e.sourceRegion, e.publishedAt, staff.userId],
      );
      await this.insertVersion(m, row.id, 1, e.metadata, reason, staff.userId, now);
      entry = this.entryOf(row.id, dept.id, e, 1);
    } else if (existing.status !== 'published') {
      // Retired here (the lower platform never reuses a code, so this copy was retired on purpose).
      return { ...base, action: 'skipped', entryId: existing.id, reason: existing.status };
    } else if (existing.deptId === dept.id && existing.metadata && canonicalJson(existing.metadata) === canonicalJson(e.metadata)) {
      return { action: 'unchanged' };
    } else {
      const version = existing.latestVersion + 1;
      // A change started here is overtaken by the lower platform's new version.
      await m.query(
        `UPDATE catalog.entry_version SET state = 'superseded', updated_at = now() WHERE entry_id = $1 AND (version = $2 OR (version = $3 AND state <> 'approved'))`,
        [existing.id, existing.publishedVersion, existing.latestVersion],
      );
      await this.insertVersion(m, existing.id, version, e.metadata, reason, staff.userId, now);
      await m.query(
        `UPDATE catalog.catalog_entry SET dept_id = $2, change_status = NULL, latest_version = $3, published_version = $3, published_at = $4, updated_at = now() WHERE id = $1`,
        [existing.id, dept.id, version, e.publishedAt],
      );
      entry = this.entryOf(existing.id, dept.id, e, version);
    }

    await this.index.upsert(m, entry, e.metadata, dept.name);
    await this.outbox.add(m, 'catalog.entry.published', {
      entryId: entry.id,
      version: entry.publishedVersion!,
      deptId: dept.id,
      name: e.metadata.name ?? '',
      resourceCode: e.resourceCode,
      status: 'published',
      actorId: staff.userId,
      at: now.toISOString(),
      comment: reason,
      deptName: dept.name,
      providerCode: dept.creditCode,
      regionCode: e.sourceRegion,
      metadata: e.metadata,
      publishedAt: e.publishedAt.toISOString(),
    });
    return { ...base, action: existing ? 'updated' : 'created', entryId: entry.id, version: entry.publishedVersion! };
  }

  private async insertVersion(m: EntityManager, entryId: string, version: number, metadata: CatalogMetadata, reason: string, actorId: string, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO catalog.entry_version (entry_id, version, state, metadata, findings, change_reason, created_by, reviewed_by, reviewed_at)
       VALUES ($1, $2, 'approved', $3, '[]', $4, $5, $5, $6)`,
      [entryId, version, JSON.stringify(metadata), reason, actorId, now],
    );
  }

  private entryOf(id: string, deptId: string, e: ImportEntry, version: number): CatalogEntry {
    return Object.assign(new CatalogEntry(), {
      id,
      deptId,
      status: 'published',
      changeStatus: null,
      resourceCode: e.resourceCode,
      sourceRegion: e.sourceRegion,
      latestVersion: version,
      publishedVersion: version,
      publishedAt: e.publishedAt,
    });
  }
}

const key = (region: string, code: string) => `${region.trim()}|${code}`;

function nameTaken(p: { index: number; name: string; regionCode: string }, otherCreditCode: string): FieldProblem {
  return {
    field: `entries[${p.index}].provider.name`,
    code: 'PROVIDER_NAME_TAKEN',
    zh: `第 ${p.index} 条 provider.name：区划 ${p.regionCode} 已有同名部门"${p.name}"（统一社会信用代码 ${otherCreditCode}），与本条提供方的信用代码不符`,
    en: `entry ${p.index} provider.name: region ${p.regionCode} already has a department named ${p.name} with credit code ${otherCreditCode}`,
  };
}

/** By entry index, then as found. */
function sortProblems(problems: FieldProblem[]): FieldProblem[] {
  const idx = (p: FieldProblem) => Number(/^entries\[(\d+)\]/.exec(p.field)?.[1] ?? -1);
  return problems.map((p, i) => [p, i] as const).sort((a, b) => idx(a[0]) - idx(b[0]) || a[1] - b[1]).map(([p]) => p);
}
