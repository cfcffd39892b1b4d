import { AccessKind, DomainException, KeyedRequest, OutboxWriter, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { OpenErrors } from '../open.errors';
import { OPEN_SETTINGS, OpenSettings, TierLimits } from '../open-api.settings';
import { AccessLog } from './access-log';
import { ApiKeyResolverService } from './api-key.resolver';
import { BlacklistCache } from './blacklist.service';
import { RateLimiter } from './rate-limiter';

/** Who is reading open data: an app by its key, or an anonymous IP. */
export interface OpenCaller {
  ip: string;
  appId: string | null;
  keyPrefix: string | null;
  tier: string;
  limits: TierLimits;
}

/** The dataset fields the gate needs (a row of openapi.open_dataset). */
export interface GatedDataset {
  entry_id: string;
  dataset_id: string | null;
  dept_id: string;
  open_type: string;
  data_version: number | null;
}

/** What the gate reads of a request: express's, or a fast route's (libs/shared/src/http/fast-routes.ts). */
export type GateRequest = KeyedRequest & { socket: { remoteAddress?: string } };

export function clientIp(req: GateRequest): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * Every open read passes here: blacklist, rate limit and quota (per key, or per IP without one),
 * then the dataset's open type (有条件开放 needs an approved, unexpired application of the app).
 * Every refusal is an access event too.
 */
@Injectable()
export class OpenGate {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly keys: ApiKeyResolverService,
    private readonly blacklist: BlacklistCache,
    private readonly limiter: RateLimiter,
    private readonly access: AccessLog,
    private readonly outbox: OutboxWriter,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
  ) {}

  async caller(req: GateRequest): Promise<OpenCaller> {
    const ip = clientIp(req);
    const key = req.header('x-api-key');
    const resolved = key && req.principal?.kind === 'app' ? (this.keys.ofPrincipal(req.principal) ?? (await this.keys.lookup(key))) : null;
    const tier = resolved?.tier ?? 'anonymous';
    return { ip, appId: resolved?.principal.appId ?? null, keyPrefix: resolved?.keyPrefix ?? null, tier, limits: this.settings.tiers[tier] ?? this.settings.tiers.basic };
  }

  /** Blacklist and rate limits; sets RateLimit-* headers; throws 403/429 after recording the refusal. */
  async admit(req: GateRequest, res: ServerResponse, kind: AccessKind, dataset?: GatedDataset): Promise<OpenCaller> {
    const c = await this.caller(req);
    const deny = (err: DomainException): never => {
      this.access.record({ ...this.target(dataset), kind, outcome: 'denied', appId: c.appId, keyPrefix: c.keyPrefix, reasonCode: err.code, reason: err.messages.zh });
      throw err;
    };
    const listed = await this.blacklist.match({ ip: c.ip, appId: c.appId ?? undefined, keyPrefix: c.keyPrefix ?? undefined });
    if (listed) deny(OpenErrors.blacklisted(listed));

    const subject = c.appId ? { kind: 'app' as const, id: c.appId } : { kind: 'ip' as const, id: c.ip };
    const decision = await this.limiter.check(subject, c.limits);
    for (const [h, v] of Object.entries(decision.headers)) res.setHeader(h, v);
    if (decision.crossedWarning) await this.warn(subject.kind, subject.id, decision.usedToday, c.limits.perDay);
    if (!decision.allowed) {
      const scope = `${subject.kind === 'app' ? '应用' : 'IP'} ${subject.id}，${decision.refusedBy === 'second' ? '每秒' : '每日'}`;
      deny(decision.refusedBy === 'second' ? OpenErrors.rateLimited(decision.retryAfterSeconds!, scope) : OpenErrors.quotaExceeded(decision.retryAfterSeconds!, scope));
    }

    if (kind === 'records' && !c.appId) deny(OpenErrors.keyRequired());
    if (dataset?.open_type === 'CONDITIONAL') {
      if (!c.appId) deny(OpenErrors.conditionalNeedsKey());
      if (!(await this.approved(c.appId!, dataset.entry_id))) deny(OpenErrors.conditionalNotApproved());
    }
    return c;
  }

  /** Whether the app holds an approved, unexpired 有条件开放 application for the dataset. */
  async approved(appId: string | null, entryId: string): Promise<boolean> {
    if (!appId) return false;
    const [ok] = await this.db.query(
      `SELECT 1 FROM openapi.conditional_application WHERE app_id = $1 AND entry_id = $2 AND status = 'approved' AND access_type = 'records' AND (end_date IS NULL OR end_date >= $3::date) LIMIT 1`,
      [appId, entryId, toShanghaiDate(new Date())],
    );
    return !!ok;
  }

  target(d?: GatedDataset) {
    return d ? { entryId: d.entry_id, datasetId: d.dataset_id, deptId: d.dept_id, version: d.data_version } : {};
  }

  private async warn(scope: 'app' | 'ip', subject: string, used: number, limit: number): Promise<void> {
    await this.db.transaction((m) => this.outbox.add(m, 'open.quota.warned', { scope, subject, used, limit, day: toShanghaiDate(new Date()) }));
  }
}
