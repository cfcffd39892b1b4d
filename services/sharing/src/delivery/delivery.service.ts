import { departmentScopeOf, setActor, StaffPrincipal } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource, EntityManager } from 'typeorm';
import { AccessFacts, AccessLog } from '../access/access-log';
import { DatasetStore, SharedDataset } from '../datasets/dataset-store';
import { iso } from '../db';
import type { Grant } from '../grants/grant.model';
import { GrantsService } from '../grants/grants.service';
import { openSecret, sealSecret } from '../notifications/secret-seal';
import { SharingErrors } from '../sharing.errors';
import { SHARING_SETTINGS, SharingClock, SharingSettings } from '../sharing.settings';
import { signLink, verifyLink } from './download-links';
import { CONTENT_TYPES, ExtractFormat, scopedBatches, writeExtract } from './extract';
import { PushConnection, pushRows, TABLE_NAME } from './push-writers';
import { RecordsService } from './records.service';

export interface PushTargetInput {
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  table: string;
}

export interface HandoverInput {
  fileName: string;
  sha256: string;
  rows: number;
  medium: string;
  handedTo: string;
  handedAt?: string;
  version?: number;
}

const grantFacts = (g: Grant, kind: AccessFacts['kind']): AccessFacts => ({ kind, grantId: g.id, entryId: g.entryId, consumerDeptId: g.consumerDeptId, providerDeptId: g.providerDeptId, systemId: g.systemName });

/** 文件下载 (signed links), 数据库推送 (on each new version) and 离线交换 records. */
@Injectable()
export class DeliveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly grants: GrantsService,
    private readonly records: RecordsService,
    private readonly datasets: DatasetStore,
    private readonly access: AccessLog,
    private readonly clock: SharingClock,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
  ) {}

  // -- file download --

  async createLink(staff: StaffPrincipal, grantId: string, format: ExtractFormat): Promise<{ url: string; expiresAt: string; format: ExtractFormat }> {
    const g = await this.grants.get(departmentScopeOf(staff), grantId);
    if (g.consumerDeptId !== staff.deptId) throw SharingErrors.notRequester();
    await this.records.checkUsable(g, 'download', grantFacts(g, 'download'));
    const x = this.clock.now().getTime() + this.settings.linkTtlSeconds * 1000;
    const token = signLink(this.settings.linkKey, { g: g.id, f: format, x, u: staff.userId });
    return { url: `/api/sharing/downloads/${token}`, expiresAt: new Date(x).toISOString(), format };
  }

  async download(token: string, res: Response, ip?: string): Promise<void> {
    const claims = verifyLink(this.settings.linkKey, token);
    setActor(claims ? { type: 'user', id: claims.u, ip } : { type: 'anonymous', id: `ip:${ip ?? 'unknown'}`, ip });
    if (!claims) throw await this.access.denied({ kind: 'download' }, SharingErrors.linkInvalid());
    const g = await this.grants.get({ all: true }, claims.g);
    const facts = grantFacts(g, 'download');
    if (claims.x < this.clock.now().getTime()) throw await this.access.denied(facts, SharingErrors.linkExpired());
    await this.records.checkUsable(g, 'download', facts);
    const s = await this.records.scope(g, facts);
    res.setHeader('content-type', CONTENT_TYPES[claims.f]);
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`共享数据-v${s.dataset.version}.${claims.f}`)}`);
    res.setHeader('x-dataset-version', String(s.dataset.version));
    const out = await writeExtract(this.dataSource, s, claims.f, res);
    await this.dataSource.transaction((m) => this.access.allowed(m, { ...facts, datasetId: s.dataset.datasetId, version: s.dataset.version, fields: s.fields, rowCount: out.rows, reason: `sha256=${out.sha256}` }));
  }

  // -- database push --

  async addPushTarget(staff: StaffPrincipal, grantId: string, t: PushTargetInput) {
    const g = await this.grants.get(departmentScopeOf(staff), grantId);
    if (g.consumerDeptId !== staff.deptId) throw SharingErrors.notRequester();
    if (g.deliveryMethod !== 'push') throw SharingErrors.deliveryMethod('push');
    if (!this.settings.credentialsKey) throw SharingErrors.credentialsKeyMissing();
    if (this.settings.pushAllowedHosts && !this.settings.pushAllowedHosts.includes(t.host.toLowerCase()))
      throw SharingErrors.pushTargetInvalid(`主机 ${t.host} 不在允许推送的主机清单中（SHARING_PUSH_ALLOWED_HOSTS）`, `host ${t.host} is not in SHARING_PUSH_ALLOWED_HOSTS`);
    if (!TABLE_NAME.test(t.table)) throw SharingErrors.pushTargetInvalid('表名只能包含字母、数字和下划线，且不以数字开头', 'the table name must be a plain identifier');
    const conn: PushConnection = { kind: t.kind, host: t.host, port: t.port, user: t.user, password: t.password, database: t.database };
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`INSERT INTO sharing.push_target (grant_id, kind, sealed, table_name) VALUES ($1,$2,'',$3) RETURNING id`, [grantId, t.kind, t.table]);
      await m.query(`UPDATE sharing.push_target SET sealed=$2 WHERE id=$1`, [row.id, sealSecret({ ...conn }, this.settings.credentialsKey!, `push:${row.id}`)]);
      const ds = await this.datasets.forEntry(g.entryId, m);
      if (ds) await this.enqueue(m, 'push', row.id, ds);
      return { id: row.id, grantId, kind: t.kind, host: t.host, port: t.port, database: t.database, table: t.table };
    });
  }

  async pushTargets(staff: StaffPrincipal, grantId: string) {
    await this.grants.get(departmentScopeOf(staff), grantId);
    const rows = await this.dataSource.query(`SELECT * FROM sharing.push_target WHERE grant_id=$1 ORDER BY updated_at`, [grantId]);
    return rows.map((r: Record<string, any>) => ({ id: r.id, kind: r.kind, table: r.table_name, lastVersion: r.last_version, lastStatus: r.last_status, lastError: r.last_error, lastRows: r.last_rows === null ? null : Number(r.last_rows), updatedAt: iso(r.updated_at) }));
  }

  enqueue(m: EntityManager, kind: 'push' | 'return', targetId: string, ds: SharedDataset) {
    return m.query(`INSERT INTO sharing.delivery_job (kind, target_id, dataset_id, version) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`, [kind, targetId, ds.datasetId, ds.version]);
  }

  /** On a new current version: queue a push for every push target of a usable grant on the entry. */
  async onNewVersion(m: EntityManager, ds: SharedDataset): Promise<void> {
    const targets = await m.query(
      `SELECT t.id FROM sharing.push_target t JOIN sharing.grant_ g ON g.id = t.grant_id WHERE g.entry_id=$1 AND g.status='active' AND g.delivery_method='push'`,
      [ds.entryId],
    );
    for (const t of targets) await this.enqueue(m, 'push', t.id, ds);
  }

  /** Runs one queued push; throws to be retried. */
  async runPush(targetId: string, version: number): Promise<'done' | 'skipped'> {
    const [t] = await this.dataSource.query(`SELECT * FROM sharing.push_target WHERE id=$1`, [targetId]);
    if (!t) return 'skipped';
    const g = await this.grants.get({ all: true }, t.grant_id);
    // The requesting system receives the push: it is the party accountable for this access.
    setActor({ type: 'app', id: g.id, name: g.systemName, deptId: g.consumerDeptId });
    const facts = grantFacts(g, 'push');
    try {
      await this.records.checkUsable(g, 'push', facts);
    } catch {
      await this.dataSource.query(`UPDATE sharing.push_target SET last_status='skipped', last_error=$2, updated_at=now() WHERE id=$1`, [targetId, `授权不可用（${g.status}）`]);
      return 'skipped';
    }
    const s = await this.records.scope(g, facts);
    if (s.dataset.version !== version) return 'skipped'; // a newer version is queued already
    const conn = openSecret<PushConnection & Record<string, unknown>>(t.sealed, this.settings.credentialsKey!, `push:${targetId}`);
    try {
      const rows = await pushRows(conn, t.table_name, s.fields, version, scopedBatches(this.dataSource, s));
      await this.dataSource.transaction(async (m) => {
        await m.query(`UPDATE sharing.push_target SET last_version=$2, last_status='done', last_error=NULL, last_rows=$3, updated_at=now() WHERE id=$1`, [targetId, version, rows]);
        await this.access.allowed(m, { ...facts, datasetId: s.dataset.datasetId, version, fields: s.fields, rowCount: rows, reason: `${conn.kind}://${conn.host}:${conn.port}/${conn.database}.${t.table_name}` });
      });
      return 'done';
    } catch (err) {
      await this.dataSource.query(`UPDATE sharing.push_target SET last_status='failed', last_error=$2, updated_at=now() WHERE id=$1`, [targetId, (err as Error).message.slice(0, 500)]);
      throw err;
    }
  }

  // -- offline handover --

  async recordHandover(staff: StaffPrincipal, grantId: string, h: HandoverInput) {
    const g = await this.grants.get(departmentScopeOf(staff), grantId);
    if (g.providerDeptId !== staff.deptId) throw SharingErrors.notProvider();
    const facts = grantFacts(g, 'handover');
    await this.records.checkUsable(g, 'handover', facts);
    const ds = await this.datasets.forEntry(g.entryId);
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO sharing.handover (grant_id, version, file_name, sha256, rows, medium, handed_to, handed_at, recorded_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
        [grantId, h.version ?? ds?.version ?? null, h.fileName, h.sha256.toLowerCase(), h.rows, h.medium, h.handedTo, h.handedAt ?? this.clock.now().toISOString(), staff.userId],
      );
      await this.access.allowed(m, { ...facts, datasetId: ds?.datasetId ?? null, version: row.version, fields: g.items, rowCount: h.rows, reason: `${h.medium} → ${h.handedTo}; ${h.fileName} sha256=${row.sha256}` });
      return this.mapHandover(row);
    });
  }

  private mapHandover(r: Record<string, any>) {
    return { id: r.id, grantId: r.grant_id, version: r.version, fileName: r.file_name, sha256: r.sha256, rows: Number(r.rows), medium: r.medium, handedTo: r.handed_to, handedAt: iso(r.handed_at), recordedBy: r.recorded_by };
  }

  async handovers(staff: StaffPrincipal, grantId: string) {
    await this.grants.get(departmentScopeOf(staff), grantId);
    return (await this.dataSource.query(`SELECT * FROM sharing.handover WHERE grant_id=$1 ORDER BY handed_at`, [grantId])).map((r: Record<string, any>) => this.mapHandover(r));
  }
}
