import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DepartmentScope, departmentScopeOf, GrantChangedV1, GrantCredentialChangedV1, OutboxWriter, Page, pageOf, PageQuery, StaffPrincipal, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '../db';
import type { RowFilter } from '../delivery/record-filter';
import { NotificationsService } from '../notifications/notifications.service';
import { SharingErrors } from '../sharing.errors';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../sharing.settings';
import { Grant, mapGrant } from './grant.model';

export interface NewGrant {
  requestId: string;
  consumerDeptId: string;
  providerDeptId: string;
  systemName: string;
  entryId: string;
  items: string[];
  rowFilter: RowFilter[];
  catalogCondition: string | null;
  validFrom: string;
  validTo: string;
  rateLimitPerMinute: number | null;
  quotaRows: number | null;
  deliveryMethod: Grant['deliveryMethod'];
}

type GrantEvent = 'sharing.grant.created' | 'sharing.grant.suspended' | 'sharing.grant.resumed' | 'sharing.grant.revoked' | 'sharing.grant.renewed' | 'sharing.grant.expired';

export interface IssuedCredential {
  id: string;
  key: string;
  keyPrefix: string;
  grantId: string;
}

const KEY_PATTERN = /^sgk_([0-9a-f]{12})_([A-Za-z0-9_-]{32,64})$/;

@Injectable()
export class GrantsService {
  /** Bumped on every grant or credential change in this process: readers' caches drop their entries. */
  generation = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly notifications: NotificationsService,
    private readonly clock: SharingClock,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
  ) {}

  private event(m: EntityManager, name: GrantEvent, g: Grant, reason?: string | null) {
    this.generation++;
    const payload: GrantChangedV1 = {
      grantId: g.id,
      requestId: g.requestId,
      entryId: g.entryId,
      consumerDeptId: g.consumerDeptId,
      providerDeptId: g.providerDeptId,
      systemName: g.systemName,
      status: g.status,
      items: g.items,
      rowFilter: g.rowFilter,
      validTo: g.validTo,
      deliveryMethod: g.deliveryMethod,
      reason: reason ?? null,
      at: new Date().toISOString(),
    };
    return this.outbox.add(m, name, payload);
  }

  /** In the approving transaction: the grant exists iff the approval committed. */
  async create(m: EntityManager, n: NewGrant): Promise<Grant> {
    const [row] = await m.query(
      `INSERT INTO sharing.grant_ (id, request_id, consumer_dept_id, provider_dept_id, system_name, entry_id, items, row_filter, catalog_condition, valid_from, valid_to, rate_limit_per_minute, quota_rows, delivery_method, status)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'active') RETURNING *`,
      [randomUUID(), n.requestId, n.consumerDeptId, n.providerDeptId, n.systemName, n.entryId, n.items, JSON.stringify(n.rowFilter), n.catalogCondition, n.validFrom, n.validTo, n.rateLimitPerMinute, n.quotaRows, n.deliveryMethod],
    );
    const g = mapGrant(row);
    await this.event(m, 'sharing.grant.created', g);
    await this.notifications.notify(m, {
      deptId: g.consumerDeptId,
      kind: 'grant.created',
      title: '共享授权已生效',
      body: `授权 ${g.id} 已生效，信息项：${g.items.join('、')}，有效期至 ${g.validTo}。`,
      subjectType: 'grant',
      subjectId: g.id,
    });
    return g;
  }

  /** Grants the caller's departments are party to (all for the bureau and auditors), newest first, one page at a time. */
  async list(staff: StaffPrincipal, q: { side?: 'consumer' | 'provider'; status?: string } & PageQuery): Promise<Page<Grant & { entryName: string | null }>> {
    const scope = departmentScopeOf(staff);
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) {
      const p = `$${params.push(scope.deptIds)}`;
      where.push(q.side === 'consumer' ? `consumer_dept_id = ANY(${p})` : q.side === 'provider' ? `provider_dept_id = ANY(${p})` : `(consumer_dept_id = ANY(${p}) OR provider_dept_id = ANY(${p}))`);
    }
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    // The entry's name comes with each grant: the page needs no list of all entries to name them.
    return pageOf(
      this.dataSource,
      { select: '*, (SELECT e.name FROM sharing.catalog_entry e WHERE e.entry_id = grant_.entry_id) AS entry_name', from: `FROM sharing.grant_ ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, orderBy: 'created_at DESC, id DESC' },
      params,
      q,
      (r) => ({ ...mapGrant(r), entryName: (r.entry_name as string | null) ?? null }),
    );
  }

  /** A grant the caller's department is party to (consumer or provider), or any for the bureau and auditors. */
  async get(scope: DepartmentScope, id: string, m?: EntityManager): Promise<Grant> {
    const rows = await (m ?? this.dataSource.manager).query(`SELECT * FROM sharing.grant_ WHERE id=$1`, [id]);
    const g = rows[0] ? mapGrant(rows[0]) : undefined;
    if (!g || (!scope.all && !scope.deptIds.includes(g.consumerDeptId) && !scope.deptIds.includes(g.providerDeptId))) throw SharingErrors.grantNotFound(id);
    return g;
  }

  private async providerChange(staff: StaffPrincipal, id: string, from: string[], to: Grant['status'], name: GrantEvent, action: string, reason: string | null, extra?: { validTo?: string }): Promise<Grant> {
    return this.dataSource.transaction(async (m) => {
      const g = await this.get(departmentScopeOf(staff), id, m);
      if (!staff.roles.includes('data_admin') && g.providerDeptId !== staff.deptId) throw SharingErrors.notProvider();
      const [row] = await updateReturning(
        m,
        `UPDATE sharing.grant_ SET status=$2, status_reason=$3, valid_to=coalesce($5::date, valid_to), updated_at=now() WHERE id=$1 AND status = ANY($4) RETURNING *`,
        [id, to, reason, from, extra?.validTo ?? null],
      );
      if (!row) throw SharingErrors.grantState(g.status, action);
      const updated = mapGrant(row);
      await this.event(m, name, updated, reason);
      await this.notifications.notify(m, { deptId: updated.consumerDeptId, kind: name.replace('sharing.', ''), title: `共享授权${action}`, body: `授权 ${id}：${action}${reason ? `（${reason}）` : ''}`, subjectType: 'grant', subjectId: id });
      return updated;
    });
  }

  suspend(staff: StaffPrincipal, id: string, reason: string) {
    return this.providerChange(staff, id, ['active'], 'suspended', 'sharing.grant.suspended', '暂停', reason);
  }

  resume(staff: StaffPrincipal, id: string, reason: string | null) {
    return this.providerChange(staff, id, ['suspended'], 'active', 'sharing.grant.resumed', '恢复', reason);
  }

  revoke(staff: StaffPrincipal, id: string, reason: string) {
    return this.providerChange(staff, id, ['active', 'suspended'], 'revoked', 'sharing.grant.revoked', '撤销', reason);
  }

  /** 续期: a later end date; an expired grant comes back to active. */
  async renew(staff: StaffPrincipal, id: string, validTo: string, reason: string | null) {
    const g = await this.get(departmentScopeOf(staff), id);
    if (validTo <= g.validTo || validTo < toShanghaiDate(this.clock.now())) throw SharingErrors.grantRenewInvalid();
    const status = g.status === 'suspended' ? 'suspended' : 'active';
    return this.providerChange(staff, id, ['active', 'expired', 'suspended'], status, 'sharing.grant.renewed', '续期', reason, { validTo });
  }

  /** Grants past their end date expire by themselves (run by the sweeper). */
  async expireDue(): Promise<number> {
    const today = toShanghaiDate(this.clock.now());
    return this.dataSource.transaction(async (m) => {
      const rows = await updateReturning(m, `UPDATE sharing.grant_ SET status='expired', status_reason='有效期届满', updated_at=now() WHERE status IN ('active','suspended') AND valid_to < $1 RETURNING *`, [today]);
      for (const r of rows) {
        const g = mapGrant(r);
        await this.event(m, 'sharing.grant.expired', g, '有效期届满');
        await this.notifications.notify(m, { deptId: g.consumerDeptId, kind: 'grant.expired', title: '共享授权已到期', body: `授权 ${g.id} 已于 ${g.validTo} 到期。`, subjectType: 'grant', subjectId: g.id });
      }
      return rows.length;
    });
  }

  /** A retired entry stops flowing: its active grants are suspended (目录下架). */
  async suspendForRetiredEntry(m: EntityManager, entryId: string): Promise<void> {
    const rows = await updateReturning(m, `UPDATE sharing.grant_ SET status='suspended', status_reason='目录已下架', updated_at=now() WHERE entry_id=$1 AND status='active' RETURNING *`, [entryId]);
    for (const r of rows) await this.event(m, 'sharing.grant.suspended', mapGrant(r), '目录已下架');
  }

  // -- grant-scoped credentials (授权凭证): one per requesting system, shown once, stored hashed --

  private hash(secret: string): string {
    return createHmac('sha256', this.settings.linkKey).update(`grant-credential:${secret}`).digest('hex');
  }

  async issueCredential(staff: StaffPrincipal, grantId: string): Promise<IssuedCredential> {
    return this.dataSource.transaction(async (m) => {
      const g = await this.get(departmentScopeOf(staff), grantId, m);
      if (g.consumerDeptId !== staff.deptId) throw SharingErrors.notRequester();
      if (g.status !== 'active') throw SharingErrors.grantState(g.status, '签发凭证');
      const issued = await this.insertCredential(m, staff, grantId);
      await this.credentialEvent(m, g, 'issued', issued);
      return issued;
    });
  }

  /** Audited with the change, in its transaction; the key itself never leaves this service. */
  private credentialEvent(m: EntityManager, g: Grant, action: GrantCredentialChangedV1['action'], credential: { id: string; keyPrefix: string }, replaced?: { id: string; endsAt: string }) {
    const payload: GrantCredentialChangedV1 = {
      grantId: g.id,
      entryId: g.entryId,
      consumerDeptId: g.consumerDeptId,
      providerDeptId: g.providerDeptId,
      credentialId: credential.id,
      keyPrefix: credential.keyPrefix,
      action,
      replacedCredentialId: replaced?.id ?? null,
      replacedEndsAt: replaced?.endsAt ?? null,
      at: new Date().toISOString(),
    };
    return this.outbox.add(m, 'sharing.credential.changed', payload);
  }

  private async insertCredential(m: EntityManager, staff: StaffPrincipal, grantId: string): Promise<IssuedCredential> {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const [row] = await m.query(`INSERT INTO sharing.grant_credential (grant_id, key_prefix, key_hash, created_by) VALUES ($1,$2,$3,$4) RETURNING id`, [grantId, prefix, this.hash(secret), staff.userId]);
    this.generation++;
    return { id: row.id, key: `sgk_${prefix}_${secret}`, keyPrefix: prefix, grantId };
  }

  /**
   * 轮换: in one transaction, a new credential (its key returned once) and the old one revoked, at
   * once or after `overlapMinutes` so the using system can switch without a gap. The old row is
   * locked first: two rotations of the same credential cannot both succeed.
   */
  async rotateCredential(staff: StaffPrincipal, grantId: string, credentialId: string, overlapMinutes = 0): Promise<IssuedCredential & { replaced: { id: string; keyPrefix: string; revokedAt: string } }> {
    const result = await this.dataSource.transaction(async (m) => {
      const g = await this.get(departmentScopeOf(staff), grantId, m);
      if (g.consumerDeptId !== staff.deptId) throw SharingErrors.notRequester();
      if (g.status !== 'active') throw SharingErrors.grantState(g.status, '轮换凭证');
      const [old] = await m.query(`SELECT id, key_prefix, revoked_at FROM sharing.grant_credential WHERE id=$1 AND grant_id=$2 FOR UPDATE`, [credentialId, grantId]);
      if (!old) throw SharingErrors.credentialNotFound(credentialId);
      // Revoked, or already rotated (its end set): rotate the current credential instead.
      if (old.revoked_at !== null) throw SharingErrors.credentialRevoked();
      const fresh = await this.insertCredential(m, staff, grantId);
      const [ended] = await updateReturning<{ revoked_at: Date }>(m, `UPDATE sharing.grant_credential SET revoked_at = now() + make_interval(mins => $3::int) WHERE id=$1 AND grant_id=$2 RETURNING revoked_at`, [credentialId, grantId, overlapMinutes]);
      const revokedAt = new Date(ended.revoked_at).toISOString();
      await this.credentialEvent(m, g, 'rotated', fresh, { id: old.id as string, endsAt: revokedAt });
      return { ...fresh, replaced: { id: old.id as string, keyPrefix: old.key_prefix as string, revokedAt } };
    });
    this.generation++;
    return result;
  }

  async credentials(staff: StaffPrincipal, grantId: string): Promise<unknown[]> {
    await this.get(departmentScopeOf(staff), grantId);
    return this.dataSource.query(
      `SELECT id, key_prefix AS "keyPrefix", created_by AS "createdBy", created_at AS "createdAt", revoked_at AS "revokedAt" FROM sharing.grant_credential WHERE grant_id=$1 ORDER BY created_at`,
      [grantId],
    );
  }

  async revokeCredential(staff: StaffPrincipal, grantId: string, credentialId: string): Promise<void> {
    const g = await this.get(departmentScopeOf(staff), grantId);
    if (g.consumerDeptId !== staff.deptId && g.providerDeptId !== staff.deptId && !staff.roles.includes('data_admin')) throw SharingErrors.notRequester();
    await this.dataSource.transaction(async (m) => {
      // Also ends at once a credential still in its rotation overlap; one already ended stays as it was, unaudited.
      const [ended] = await updateReturning<{ id: string; key_prefix: string }>(
        m,
        `UPDATE sharing.grant_credential SET revoked_at = now() WHERE id=$1 AND grant_id=$2 AND (revoked_at IS NULL OR revoked_at > now()) RETURNING id, key_prefix`,
        [credentialId, grantId],
      );
      if (ended) await this.credentialEvent(m, g, 'revoked', { id: ended.id, keyPrefix: ended.key_prefix });
    });
    this.generation++;
  }

  /** The grant a presented key belongs to, or undefined (unknown, malformed or revoked key). */
  async resolveKey(key: string): Promise<{ grant: Grant; keyPrefix: string } | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const rows = await this.dataSource.query(
      `SELECT g.*, c.key_hash FROM sharing.grant_credential c JOIN sharing.grant_ g ON g.id = c.grant_id WHERE c.key_prefix=$1 AND (c.revoked_at IS NULL OR c.revoked_at > now())`,
      [match[1]],
    );
    if (!rows[0]) return undefined;
    const expected = Buffer.from(rows[0].key_hash, 'hex');
    const got = Buffer.from(this.hash(match[2]), 'hex');
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return undefined;
    return { grant: mapGrant(rows[0]), keyPrefix: match[1] };
  }
}
