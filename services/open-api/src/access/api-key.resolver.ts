import { apiKeyPrefix, ApiKeyResolver, AppPrincipal, hashApiKey, IssuedApiKey, issueApiKey, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';
import { AccessLog } from './access-log';

export interface ResolvedKey {
  principal: AppPrincipal;
  keyId: string;
  keyPrefix: string;
  tier: string;
}

/**
 * Turns X-API-Key into the app (the platform's auth guard calls it). Keys are looked up by their
 * HMAC (pepper from the runtime) and cached briefly; revocation clears this replica's cache at
 * once, other replicas within `keyCacheMs`.
 */
@Injectable()
export class ApiKeyResolverService implements ApiKeyResolver {
  private readonly cache = new Map<string, { value: ResolvedKey | null; until: number }>();
  /** The guard puts the principal on the request; this finds its key details without hashing again. */
  private readonly byPrincipal = new WeakMap<AppPrincipal, ResolvedKey>();
  private readonly pepper: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
    private readonly access: AccessLog,
  ) {
    this.pepper = runtime.settings.apiKeyPepper;
  }

  /** A new key hashed with this deployment's pepper (shown once, stored as its hash). */
  issue(): IssuedApiKey {
    return issueApiKey(this.pepper);
  }

  hash(key: string): string {
    return hashApiKey(key, this.pepper);
  }

  async lookup(key: string): Promise<ResolvedKey | null> {
    const prefix = apiKeyPrefix(key);
    if (!prefix) return null;
    const hash = this.hash(key);
    const hit = this.cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.value;
    const [row] = await this.db.query(
      `SELECT k.id, k.prefix, k.status, a.id AS app_id, a.name, a.developer_id, a.tier FROM openapi.api_key k JOIN openapi.app a ON a.id = k.app_id WHERE k.hash = $1`,
      [hash],
    );
    const value: ResolvedKey | null =
      row && row.status === 'active'
        ? { principal: { kind: 'app', appId: row.app_id, developerId: row.developer_id, appName: row.name }, keyId: row.id, keyPrefix: row.prefix, tier: row.tier }
        : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { value, until: Date.now() + this.settings.keyCacheMs });
    if (value) this.byPrincipal.set(value.principal, value);
    if (!value) this.access.record({ kind: 'records', outcome: 'denied', appId: row?.app_id ?? null, keyPrefix: prefix, reasonCode: row ? 'KEY_REVOKED' : 'KEY_INVALID', reason: row ? '密钥已吊销' : '密钥无效' });
    return value;
  }

  /** Key details of a principal this resolver produced (on this request). */
  ofPrincipal(p: AppPrincipal): ResolvedKey | undefined {
    return this.byPrincipal.get(p);
  }

  async resolve(key: string): Promise<AppPrincipal | undefined> {
    return (await this.lookup(key))?.principal;
  }

  /** Forget cached keys of an app (revocation, rotation, tier change). */
  forgetApp(appId: string): void {
    for (const [hash, entry] of this.cache) if (entry.value?.principal.appId === appId) this.cache.delete(hash);
  }
}
