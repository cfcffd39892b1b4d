import { CatalogMetadata, FieldProblem, OutboxWriter, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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
const WRITE_CHUNK = 1000;
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
    // The checks that need no database run before a connection and the lock are taken.
    const { entries, problems } = await checkEntries(doc.entries, doc.source.regionCode);
    const qr = this.db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const m = qr.manager;
      // One import at a time: two imports of overlapping exports would race on the same keys.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [IMPORT_LOCK]);
      const platform = await this.platform.resolve(m);
      assertChildRegion(doc.source.regionCode, platform.regionCode);
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
      const plan = planChanges(entries, existing, depts.matched);
      await this.write(m, staff, plan);
      for (const e of entries) {
        const change = plan.changes.get(e.index);
        result.counts[change?.action ?? 'unchanged']++;
        if (change) result.changes.push(change);
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

  /**
   * Writes the plan with a few statements per thousand entries: new entries and their first
   * version, new versions of changed ones (the previous published version, and a change started
   * here, are superseded: the lower platform's version wins), the search rows and the events.
   */
  private async write(m: EntityManager, staff: StaffPrincipal, plan: Plan): Promise<void> {
    const now = new Date();
    for (let i = 0; i < plan.writes.length; i += WRITE_CHUNK) {
      const chunk = plan.writes.slice(i, i + WRITE_CHUNK);
      const created = chunk.filter((w) => !w.previous);
      const updated = chunk.filter((w) => w.previous);
      if (created.length)
        await m.query(
          `INSERT INTO catalog.catalog_entry (id, dept_id, status, resource_code, source_region, latest_version, published_version, published_at, created_by, created_at, updated_at)
           SELECT r.id, r.dept_id, 'published', r.resource_code, r.source_region, 1, 1, r.published_at, $2::uuid, $3, $3
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, dept_id uuid, resource_code text, source_region text, published_at timestamptz)`,
          [JSON.stringify(created.map((w) => ({ id: w.entry.id, dept_id: w.dept.id, resource_code: w.entry.resourceCode, source_region: w.entry.sourceRegion, published_at: w.entry.publishedAt }))), staff.userId, now],
        );
      if (updated.length) {
        const rows = JSON.stringify(
          updated.map((w) => ({ id: w.entry.id, dept_id: w.dept.id, published: w.previous!.publishedVersion, latest: w.previous!.latestVersion, version: w.entry.publishedVersion, published_at: w.entry.publishedAt })),
        );
        await m.query(
          `UPDATE catalog.entry_version v SET state = 'superseded', updated_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, published int, latest int)
           WHERE v.entry_id = r.id AND (v.version = r.published OR (v.version = r.latest AND v.state <> 'approved'))`,
          [rows, now],
        );
        await m.query(
          `UPDATE catalog.catalog_entry e SET dept_id = r.dept_id, change_status = NULL, latest_version = r.version, published_version = r.version, published_at = r.published_at, updated_at = $2
           FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, dept_id uuid, version int, published_at timestamptz)
           WHERE e.id = r.id`,
          [rows, now],
        );
      }
      await m.query(
        `INSERT INTO catalog.entry_version (entry_id, version, state, metadata, findings, change_reason, created_by, created_at, updated_at, reviewed_by, reviewed_at)
         SELECT (r->>'id')::uuid, (r->>'version')::int, 'approved', r->'metadata', '[]', r->>'reason', $2::uuid, $3, $3, $2::uuid, $3
         FROM jsonb_array_elements($1::jsonb) AS r`,
        [JSON.stringify(chunk.map((w) => ({ id: w.entry.id, version: w.entry.publishedVersion, metadata: w.item.metadata, reason: w.reason }))), staff.userId, now],
      );
      await this.index.upsertMany(m, chunk.map((w) => ({ entry: w.entry, metadata: w.item.metadata, deptName: w.dept.name })));
      await this.outbox.addMany(
        m,
        'catalog.entry.published',
        chunk.map((w) => ({
          entryId: w.entry.id,
          version: w.entry.publishedVersion!,
          deptId: w.dept.id,
          name: w.item.metadata.name ?? '',
          resourceCode: w.item.resourceCode,
          status: 'published' as const,
          actorId: staff.userId,
          at: now.toISOString(),
          comment: w.reason,
          deptName: w.dept.name,
          providerCode: w.dept.creditCode,
          regionCode: w.item.sourceRegion,
          metadata: w.item.metadata,
          publishedAt: w.item.publishedAt.toISOString(),
        })),
      );
    }
  }
}

interface Write {
  item: ImportEntry;
  dept: Dept;
  /** The entry as it will be (id generated for new ones). */
  entry: CatalogEntry;
  /** The entry before, when it is updated. */
  previous?: Existing;
  reason: string;
}

interface Plan {
  writes: Write[];
  /** Entry index → what happens to it; absent = unchanged. */
  changes: Map<number, ImportChange>;
}

/** Decides, without writing, what happens to each entry: created, updated (new version), unchanged or skipped. */
function planChanges(entries: ImportEntry[], existing: Map<string, Existing>, depts: Map<string, Dept>): Plan {
  const plan: Plan = { writes: [], changes: new Map() };
  for (const item of entries) {
    const dept = depts.get(item.provider.creditCode)!;
    const previous = existing.get(key(item.sourceRegion, item.resourceCode));
    const base = { index: item.index, resourceCode: item.resourceCode, sourceRegion: item.sourceRegion };
    if (previous && previous.status !== 'published') {
      // Retired here: the lower platform never reuses a code, so this copy was retired on purpose.
      plan.changes.set(item.index, { ...base, action: 'skipped', entryId: previous.id, reason: previous.status });
      continue;
    }
    if (previous && previous.deptId === dept.id && previous.metadata && canonicalJson(previous.metadata) === canonicalJson(item.metadata)) continue;
    const version = previous ? previous.latestVersion + 1 : 1;
    const entry = Object.assign(new CatalogEntry(), {
      id: previous?.id ?? randomUUID(),
      deptId: dept.id,
      status: 'published',
      changeStatus: null,
      resourceCode: item.resourceCode,
      sourceRegion: item.sourceRegion,
      latestVersion: version,
      publishedVersion: version,
      publishedAt: item.publishedAt,
    });
    const reason = `级联导入：${item.sourceRegion} 第 ${item.version} 版 / cascade import from ${item.sourceRegion}, version ${item.version}`;
    plan.writes.push({ item, dept, entry, previous, reason });
    plan.changes.set(item.index, { ...base, action: previous ? 'updated' : 'created', entryId: entry.id, version });
  }
  return plan;
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
