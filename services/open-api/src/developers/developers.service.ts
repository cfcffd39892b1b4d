import { hashPassword, OutboxWriter, StaffPrincipal, toShanghaiDate, verifyPassword } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ApiKeyResolverService } from '../access/api-key.resolver';
import { returning } from '../db';
import { OpenErrors } from '../open.errors';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';
import { DeveloperAuth, DeveloperPrincipal } from './developer-auth';
import { developerSubmissions, SubmissionsPage, SubmissionsQuery } from './developer-submissions';

async function updated(m: EntityManager, sql: string, params: unknown[]): Promise<any> {
  return (await returning(m, sql, params))[0];
}

/** Developers (开发者), their apps and API keys, usage and 大规模利用登记. */
@Injectable()
export class DevelopersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly auth: DeveloperAuth,
    private readonly keys: ApiKeyResolverService,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
  ) {}

  async register(dto: { email: string; password: string; name: string; organisation?: string }) {
    const email = dto.email.trim().toLowerCase();
    const hash = await hashPassword(dto.password);
    return this.db.transaction(async (m) => {
      const [exists] = await m.query(`SELECT 1 FROM openapi.developer WHERE email = $1`, [email]);
      if (exists) throw OpenErrors.emailTaken();
      const [d] = await m.query(`INSERT INTO openapi.developer (email, name, organisation, password_hash) VALUES ($1,$2,$3,$4) RETURNING id, name, created_at`, [email, dto.name, dto.organisation ?? null, hash]);
      await this.outbox.add(m, 'open.developer.registered', { developerId: d.id, name: d.name, organisation: dto.organisation ?? null, at: new Date(d.created_at).toISOString() });
      return { id: d.id, name: d.name, email, ...this.auth.sign({ developerId: d.id, name: d.name }) };
    });
  }

  /** 我的提交: the caller's own ratings, comments, feedback and showcase apps, one page at a time. */
  submissions(dev: DeveloperPrincipal, q: SubmissionsQuery): Promise<SubmissionsPage> {
    return developerSubmissions(this.db, dev.developerId, q);
  }

  async login(email: string, password: string) {
    const [d] = await this.db.query(`SELECT id, name, password_hash FROM openapi.developer WHERE email = $1`, [email.trim().toLowerCase()]);
    // Same answer for an unknown e-mail and a wrong password (no account enumeration).
    if (!d || !(await verifyPassword(password, d.password_hash))) throw OpenErrors.badLogin();
    return { id: d.id, name: d.name, ...this.auth.sign({ developerId: d.id, name: d.name }) };
  }

  private async ownApp(m: EntityManager | DataSource, dev: DeveloperPrincipal, appId: string, lock = false) {
    if (!/^[0-9a-f-]{36}$/i.test(appId)) throw OpenErrors.appNotFound();
    const [app] = await m.query(`SELECT * FROM openapi.app WHERE id = $1 AND developer_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [appId, dev.developerId]);
    if (!app) throw OpenErrors.appNotFound();
    return app;
  }

  /** A new app comes with its first key, shown this once. */
  async createApp(dev: DeveloperPrincipal, dto: { name: string; description?: string }) {
    return this.db.transaction(async (m) => {
      const [app] = await m.query(`INSERT INTO openapi.app (developer_id, name, description) VALUES ($1,$2,$3) RETURNING *`, [dev.developerId, dto.name, dto.description ?? null]);
      await this.outbox.add(m, 'open.app.changed', { appId: app.id, developerId: dev.developerId, action: 'app_created', tier: app.tier, at: new Date().toISOString() });
      const key = await this.newKey(m, dev, app.id, 'key_created');
      return { ...this.appView(app), key };
    });
  }

  private async newKey(m: EntityManager, dev: DeveloperPrincipal, appId: string, action: 'key_created' | 'key_rotated') {
    const issued = this.keys.issue();
    const [k] = await m.query(`INSERT INTO openapi.api_key (app_id, prefix, hash) VALUES ($1,$2,$3) RETURNING id, created_at`, [appId, issued.prefix, issued.hash]);
    await this.outbox.add(m, 'open.app.changed', { appId, developerId: dev.developerId, action, keyPrefix: issued.prefix, at: new Date().toISOString() });
    return { id: k.id, prefix: issued.prefix, apiKey: issued.key, createdAt: new Date(k.created_at).toISOString(), notice: '密钥只显示这一次，请妥善保存 / shown once: store it now' };
  }

  async listApps(dev: DeveloperPrincipal) {
    const apps = await this.db.query(`SELECT * FROM openapi.app WHERE developer_id = $1 ORDER BY created_at`, [dev.developerId]);
    const keys = await this.db.query(`SELECT id, app_id, prefix, status, created_at, revoked_at FROM openapi.api_key WHERE app_id = ANY($1::uuid[]) ORDER BY created_at`, [apps.map((a: { id: string }) => a.id)]);
    return apps.map((a: any) => ({
      ...this.appView(a),
      keys: keys
        .filter((k: any) => k.app_id === a.id)
        .map((k: any) => ({ id: k.id, prefix: k.prefix, status: k.status, createdAt: new Date(k.created_at).toISOString(), revokedAt: k.revoked_at ? new Date(k.revoked_at).toISOString() : null })),
    }));
  }

  /** Rotation: a new key now, the old one revoked at once (the caller deploys the new key first). */
  async rotateKey(dev: DeveloperPrincipal, appId: string, keyId: string) {
    const result = await this.db.transaction(async (m) => {
      await this.ownApp(m, dev, appId, true);
      await this.revokeIn(m, dev, appId, keyId);
      return this.newKey(m, dev, appId, 'key_rotated');
    });
    this.keys.forgetApp(appId);
    return result;
  }

  async createKey(dev: DeveloperPrincipal, appId: string) {
    return this.db.transaction(async (m) => {
      await this.ownApp(m, dev, appId, true);
      return this.newKey(m, dev, appId, 'key_created');
    });
  }

  async revokeKey(dev: DeveloperPrincipal, appId: string, keyId: string) {
    await this.db.transaction(async (m) => {
      await this.ownApp(m, dev, appId, true);
      await this.revokeIn(m, dev, appId, keyId);
    });
    this.keys.forgetApp(appId);
    return { id: keyId, status: 'revoked' };
  }

  private async revokeIn(m: EntityManager, dev: DeveloperPrincipal, appId: string, keyId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(keyId)) throw OpenErrors.keyNotFound();
    const [k] = await m.query(`SELECT * FROM openapi.api_key WHERE id = $1 AND app_id = $2 FOR UPDATE`, [keyId, appId]);
    if (!k) throw OpenErrors.keyNotFound();
    if (k.status === 'revoked') throw OpenErrors.keyRevoked();
    await m.query(`UPDATE openapi.api_key SET status = 'revoked', revoked_at = now() WHERE id = $1`, [keyId]);
    await this.outbox.add(m, 'open.app.changed', { appId, developerId: dev.developerId, action: 'key_revoked', keyPrefix: k.prefix, at: new Date().toISOString() });
  }

  /** 调用统计: calls, rows and refusals per day, with today's quota. */
  async usage(dev: DeveloperPrincipal, appId: string, days = 30) {
    const app = await this.ownApp(this.db, dev, appId);
    const rows = await this.db.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day, calls, rows, errors FROM openapi.usage_daily WHERE app_id = $1 AND day >= (now() AT TIME ZONE 'Asia/Shanghai')::date - $2::int ORDER BY day DESC`, [appId, days]);
    const tier = this.settings.tiers[app.tier] ?? this.settings.tiers.basic;
    return {
      appId,
      tier: app.tier,
      limits: tier,
      today: toShanghaiDate(new Date()),
      days: rows.map((r: any) => ({ day: r.day, calls: Number(r.calls), rows: Number(r.rows), errors: Number(r.errors) })),
    };
  }

  async registerLargeVolume(dev: DeveloperPrincipal, appId: string, dto: { purpose: string; expectedDailyCalls: number }) {
    return this.db.transaction(async (m) => {
      await this.ownApp(m, dev, appId);
      const [r] = await m.query(`INSERT INTO openapi.large_volume_registration (app_id, purpose, expected_daily_calls) VALUES ($1,$2,$3) RETURNING *`, [appId, dto.purpose, dto.expectedDailyCalls]);
      await this.outbox.add(m, 'open.large-volume.changed', { registrationId: r.id, appId, status: 'pending' });
      return registrationView(r);
    });
  }

  async listLargeVolume(status?: string) {
    const rows = await this.db.query(`SELECT r.*, a.name AS app_name FROM openapi.large_volume_registration r JOIN openapi.app a ON a.id = r.app_id ${status ? 'WHERE r.status = $1' : ''} ORDER BY r.created_at`, status ? [status] : []);
    return rows.map(registrationView);
  }

  /** The data bureau approves (the app moves to the tier) or refuses. */
  async decideLargeVolume(staff: StaffPrincipal, id: string, dto: { approve: boolean; tier?: string }) {
    const tier = dto.tier ?? 'registered';
    if (dto.approve && !this.settings.tiers[tier]) throw OpenErrors.unknownTier(tier);
    const result = await this.db.transaction(async (m) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw OpenErrors.registrationNotFound();
      const [r] = await m.query(`SELECT * FROM openapi.large_volume_registration WHERE id = $1 FOR UPDATE`, [id]);
      if (!r) throw OpenErrors.registrationNotFound();
      if (r.status !== 'pending') throw OpenErrors.applicationDecided();
      const status = dto.approve ? 'approved' : 'refused';
      const u = await updated(m, `UPDATE openapi.large_volume_registration SET status = $2, tier = $3, decided_by = $4, decided_at = now() WHERE id = $1 RETURNING *`, [id, status, dto.approve ? tier : null, staff.userId]);
      await this.outbox.add(m, 'open.large-volume.changed', { registrationId: id, appId: r.app_id, status, tier: dto.approve ? tier : null });
      if (dto.approve) {
        const app = await updated(m, `UPDATE openapi.app SET tier = $2 WHERE id = $1 RETURNING developer_id`, [r.app_id, tier]);
        await this.outbox.add(m, 'open.app.changed', { appId: r.app_id, developerId: app.developer_id, action: 'tier_changed', tier, at: new Date().toISOString() });
      }
      return registrationView(u);
    });
    this.keys.forgetApp(result.appId);
    return result;
  }

  private appView(a: any) {
    return { id: a.id, name: a.name, description: a.description, tier: a.tier, createdAt: new Date(a.created_at).toISOString() };
  }
}

function registrationView(r: any) {
  return {
    id: r.id,
    appId: r.app_id,
    appName: r.app_name,
    purpose: r.purpose,
    expectedDailyCalls: r.expected_daily_calls,
    status: r.status,
    tier: r.tier,
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
