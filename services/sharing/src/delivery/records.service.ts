import { createHash } from 'node:crypto';
import { CommonErrors, createPgPool, DomainException, quoteIdent, SERVICE_RUNTIME, ServiceRuntime, setActor, toShanghaiDate } from '@gov/shared';
import type { Pool } from 'pg';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessFacts, AccessLog } from '../access/access-log';
import { CatalogReadModel } from '../catalog/catalog-read-model';
import { DatasetStore, SharedDataset } from '../datasets/dataset-store';
import type { Grant } from '../grants/grant.model';
import { GrantsService } from '../grants/grants.service';
import { SharingErrors } from '../sharing.errors';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../sharing.settings';
import { filterSql, parseFilters, RowFilter } from './record-filter';

export interface RecordsQuery {
  /** Keyset paging: the `next` of the previous page (cheap at any depth; `page` is ignored then). */
  after?: number;
  page?: number;
  pageSize?: number;
  fields?: string;
  filter?: string;
}

/** The records endpoint's body (written as JSON text by `read`). */
export interface RecordsPage {
  entryId: string;
  version: number;
  page: number | null;
  pageSize: number;
  fields: string[];
  rows: Record<string, unknown>[];
  hasMore: boolean;
  /** Pass as `after` for the next page (keyset). */
  next: number | null;
}

/** The grant's scope as SQL over the current version: granted columns and the grant's row filter. */
export interface ScopedSelect {
  dataset: SharedDataset;
  fields: string[];
  where: string[];
  params: unknown[];
}

/**
 * Grant-scoped reads (接口方式): a credential names one grant; only its entry, items and rows
 * are served; anything else is refused (403) and the attempt is audited.
 */
const CACHE_MS = 2000;

type ResolvedKey = { grant: Grant; keyPrefix: string };
type EntryFacts = { dataset: SharedDataset | undefined; personal: Set<string>; unconditional: boolean };

@Injectable()
export class RecordsService implements OnApplicationShutdown {
  /** Page reads use a pool of their own, so reads never queue behind the service's writes (and vice versa). */
  private readonly readPool: Pool;
  private readonly statementNames = new Map<string, string>();
  /**
   * Short-lived caches of what every read looks up (credential → grant, entry → dataset and items).
   * A change in this process (grant status, credential, new version) drops them at once; other
   * replicas see it within CACHE_MS. Each holds the lookup's promise, so the reads that find an
   * entry expired make one query between them, not one each.
   */
  private readonly keyCache = new Map<string, { at: number; gen: number; value: Promise<ResolvedKey | undefined> }>();
  private readonly entryCache = new Map<string, { at: number; value: Promise<EntryFacts> }>();
  /** Requests in the current minute, per grant (rate limit 频次). */
  private readonly windows = new Map<string, { minute: number; count: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly grants: GrantsService,
    private readonly datasets: DatasetStore,
    private readonly catalog: CatalogReadModel,
    private readonly access: AccessLog,
    private readonly clock: SharingClock,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
    @Inject(SHARING_SETTINGS) settings: SharingSettings,
  ) {
    this.readPool = createPgPool({ connectionString: runtime.databaseUrl, max: settings.readPoolSize, idleTimeoutMillis: 30_000 }, runtime.logger);
    datasets.onNewVersion(async (_m, ds) => this.forgetEntry(ds.entryId));
    datasets.onSensitiveChange((entryId) => this.forgetEntry(entryId));
  }

  private async resolveKey(key: string): Promise<ResolvedKey | undefined> {
    // The generation when the lookup starts: a grant or credential change after that makes it stale.
    const gen = this.grants.generation;
    const hit = this.keyCache.get(key);
    if (hit && hit.gen === gen && Date.now() - hit.at < CACHE_MS) {
      const shared = await hit.value;
      // A quota grant is read fresh by each read: its delivered-row count must not lag.
      return shared && shared.grant.quotaRows !== null ? this.grants.resolveKey(key) : shared;
    }
    const lookup = this.grants.resolveKey(key);
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    const entry = { at: Date.now(), gen, value: lookup };
    this.keyCache.set(key, entry);
    try {
      const value = await lookup;
      // Unknown keys and quota grants are not kept.
      if ((!value || value.grant.quotaRows !== null) && this.keyCache.get(key) === entry) this.keyCache.delete(key);
      return value;
    } catch (err) {
      if (this.keyCache.get(key) === entry) this.keyCache.delete(key);
      throw err;
    }
  }

  private entryFacts(entryId: string): Promise<EntryFacts> {
    const hit = this.entryCache.get(entryId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = Promise.all([this.datasets.forEntry(entryId), this.catalog.find(undefined, entryId)]).then(([dataset, entry]) => ({
      dataset,
      personal: new Set((entry?.items ?? []).filter((i) => i.personal).map((i) => i.name)),
      unconditional: entry?.shareType === 'UNCONDITIONAL',
    }));
    if (this.entryCache.size > 10_000) this.entryCache.clear();
    const entry = { at: Date.now(), value };
    this.entryCache.set(entryId, entry);
    // A failed lookup is not kept (forgetEntry drops one in flight too: later reads look up anew).
    value.catch(() => {
      if (this.entryCache.get(entryId) === entry) this.entryCache.delete(entryId);
    });
    return value;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readPool.end();
  }

  /** A prepared statement per distinct page query (one per grant scope), capped. */
  private statementName(sql: string): string | undefined {
    let name = this.statementNames.get(sql);
    if (!name) {
      if (this.statementNames.size >= 500) return undefined;
      name = `rec_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
      this.statementNames.set(sql, name);
    }
    return name;
  }

  /** Drops cached entry facts (a new version became current). */
  forgetEntry(entryId: string): void {
    this.entryCache.delete(entryId);
  }

  /** Checks that the grant may deliver now by `method`; throws the audited refusal otherwise. */
  async checkUsable(grant: Grant, method: Grant['deliveryMethod'] | 'any', facts: AccessFacts): Promise<void> {
    const today = toShanghaiDate(this.clock.now());
    let err: DomainException | undefined;
    if (grant.status !== 'active') err = SharingErrors.grantInactive(grant.status);
    else if (grant.validTo < today) err = SharingErrors.grantInactive('expired');
    else if (grant.validFrom > today) err = SharingErrors.grantInactive('not yet valid');
    else if (method !== 'any' && grant.deliveryMethod !== method) err = SharingErrors.deliveryMethod(method);
    else if (grant.quotaRows !== null && grant.rowsDelivered >= grant.quotaRows) err = SharingErrors.quotaExceeded();
    if (err) throw await this.access.denied(facts, err);
  }

  /** Builds the scoped SELECT parts; `requestedFields`/`filters` are the caller's narrowing within the grant. */
  async scope(grant: Grant, facts: AccessFacts, requestedFields?: string[], rawFilter?: unknown): Promise<ScopedSelect> {
    const { dataset, unconditional } = await this.entryFacts(grant.entryId);
    if (!dataset) throw await this.access.denied(facts, SharingErrors.noData());
    // Unflagged personal data found by ingest's scan never leaves under unconditional sharing.
    const blocked = unconditional ? new Set(dataset.blockedColumns) : new Set<string>();
    const loaded = new Set(dataset.columns.map((c) => c.name).filter((c) => !blocked.has(c)));
    const hidden = (requestedFields ?? []).filter((f) => blocked.has(f));
    if (hidden.length) throw await this.access.denied({ ...facts, fields: requestedFields }, SharingErrors.sensitiveBlocked(hidden));
    const granted = grant.items.filter((i) => loaded.has(i));
    let fields = granted;
    if (requestedFields && requestedFields.length) {
      const outside = requestedFields.filter((f) => !grant.items.includes(f));
      if (outside.length) throw await this.access.denied({ ...facts, fields: requestedFields }, SharingErrors.scopeViolation(`未授权的信息项 ${outside.join('、')}`, `items not granted: ${outside.join(', ')}`));
      fields = requestedFields.filter((f) => loaded.has(f));
    }
    let userFilters: RowFilter[] = [];
    try {
      userFilters = parseFilters(rawFilter, dataset.columns.map((c) => c.name));
    } catch (err) {
      throw await this.access.denied(facts, err as DomainException);
    }
    const filteredHidden = userFilters.filter((f) => blocked.has(f.column)).map((f) => f.column);
    if (filteredHidden.length) throw await this.access.denied(facts, SharingErrors.sensitiveBlocked(filteredHidden));
    const ungranted = userFilters.filter((f) => !grant.items.includes(f.column)).map((f) => f.column);
    if (ungranted.length) throw await this.access.denied(facts, SharingErrors.scopeViolation(`按未授权的信息项筛选 ${ungranted.join('、')}`, `filter on items not granted: ${ungranted.join(', ')}`));
    const types = new Map(dataset.columns.map((c) => [c.name, c.type]));
    const params: unknown[] = [];
    let where: string[];
    try {
      where = [...filterSql(grant.rowFilter, params, types), ...filterSql(userFilters, params, types)];
    } catch (err) {
      throw await this.access.denied(facts, err as DomainException);
    }
    return { dataset, fields, where, params };
  }

  private rateLimit(grant: Grant, facts: AccessFacts): Promise<void> | void {
    if (!grant.rateLimitPerMinute) return;
    const minute = Math.floor(Date.now() / 60000);
    const w = this.windows.get(grant.id);
    if (!w || w.minute !== minute) {
      this.windows.set(grant.id, { minute, count: 1 });
      return;
    }
    if (++w.count > grant.rateLimitPerMinute)
      return this.access.denied(facts, CommonErrors.rateLimited(60 - Math.floor((Date.now() / 1000) % 60))).then((e) => {
        throw e;
      });
  }

  /**
   * One grant-scoped page as its JSON body (see RecordsPage): rows come from pg as arrays and are
   * written straight into the body with the field names serialised once, instead of row objects
   * that Express would serialise again.
   */
  async read(key: string | undefined, entryId: string, q: RecordsQuery, ip?: string): Promise<string> {
    const base: AccessFacts = { kind: 'records', entryId, fields: [] };
    // Until the credential names a grant, the caller is accountable by address (audit needs an actor).
    setActor({ type: 'anonymous', id: `ip:${ip ?? 'unknown'}`, ip });
    if (!key) throw await this.access.denied(base, SharingErrors.credentialMissing());
    const resolved = await this.resolveKey(key);
    if (!resolved) throw await this.access.denied({ ...base, keyPrefix: key.slice(0, 16) }, SharingErrors.credentialInvalid());
    const grant = resolved.grant;
    setActor({ type: 'app', id: grant.id, name: grant.systemName, deptId: grant.consumerDeptId, ip });
    const facts: AccessFacts = { ...base, grantId: grant.id, consumerDeptId: grant.consumerDeptId, providerDeptId: grant.providerDeptId, systemId: grant.systemName, keyPrefix: resolved.keyPrefix };
    if (grant.entryId !== entryId) throw await this.access.denied(facts, SharingErrors.scopeViolation('凭证不属于该目录的授权', 'the credential belongs to a grant for another entry'));
    await this.checkUsable(grant, 'interface', facts);
    await this.rateLimit(grant, facts);
    // A name asked twice is one column (the body is an object per row).
    const requested = q.fields ? [...new Set(q.fields.split(',').map((s) => s.trim()).filter(Boolean))] : undefined;
    const s = await this.scope(grant, facts, requested, q.filter);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 100;
    const { personal } = await this.entryFacts(entryId);
    const where = [...s.where];
    if (q.after !== undefined) where.push(`_row > $${s.params.push(q.after)}`);
    const offset = q.after !== undefined ? 0 : (page - 1) * pageSize;
    const sql = `SELECT ${['_row', ...s.fields.map(quoteIdent)].join(', ')} FROM ${s.dataset.qualifiedTable}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY _row LIMIT $${s.params.push(pageSize + 1)} OFFSET $${s.params.push(offset)}`;
    let rows: unknown[][];
    try {
      rows = (await this.readPool.query<unknown[]>({ name: this.statementName(sql), text: sql, values: s.params, rowMode: 'array' })).rows;
    } catch (err) {
      // A new version replaced the table between lookup and read: the caller retries on the new one.
      if ((err as { code?: string }).code === '42P01') {
        this.forgetEntry(entryId);
        throw SharingErrors.versionChanged();
      }
      throw err;
    }
    const hasMore = rows.length > pageSize;
    if (hasMore) rows.pop();
    const next = hasMore ? Number(rows[rows.length - 1][0]) : null;
    const event = { ...facts, datasetId: s.dataset.datasetId, version: s.dataset.version, fields: s.fields, rowCount: rows.length, personalData: s.fields.some((f) => personal.has(f)) };
    // The audit event is group-committed with concurrent reads'; with a quota the count and the event commit together.
    if (grant.quotaRows !== null)
      await this.dataSource.transaction(async (m) => {
        await m.query(`UPDATE sharing.grant_ SET rows_delivered = rows_delivered + $2 WHERE id=$1`, [grant.id, rows.length]);
        await this.access.allowed(m, event);
      });
    else await this.access.allowedNow(event);
    const head = JSON.stringify({ entryId, version: s.dataset.version, page: q.after !== undefined ? null : page, pageSize, fields: s.fields });
    return `${head.slice(0, -1)},"rows":${rowsJson(rows, s.fields)},"hasMore":${hasMore},"next":${next}}`;
  }
}

/** `[{"field":value,…},…]` from array rows whose first column is `_row` (left out). */
function rowsJson(rows: readonly unknown[][], fields: readonly string[]): string {
  const keys = fields.map((f, i) => `${i ? ',' : '{'}${JSON.stringify(f)}:`);
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (r) out += ',';
    if (!keys.length) out += '{';
    // JSON.stringify per value: what it does inside an object (null, numbers, strings, Date → ISO).
    for (let c = 0; c < keys.length; c++) out += keys[c] + JSON.stringify(row[c + 1]);
    out += '}';
  }
  return out + ']';
}
