import { AccessKind, createEnvelope, currentContext, DataAccessV1, OutboxWriter, RequestContext, toShanghaiDate } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OPEN_SETTINGS, OpenSettings } from '../open-api.settings';

export interface OpenAccess {
  kind: AccessKind;
  outcome: 'allowed' | 'denied';
  entryId?: string | null;
  datasetId?: string | null;
  deptId?: string | null;
  version?: number | null;
  appId?: string | null;
  keyPrefix?: string | null;
  fields?: string[];
  rowCount?: number;
  reasonCode?: string | null;
  reason?: string | null;
  personalData?: boolean;
}

interface Buffered {
  payload: DataAccessV1;
  ctx: RequestContext | undefined;
}

/**
 * open.data.accessed, batched: a request only pushes to a buffer; every `accessFlushMs` (or
 * `accessBatch` events) one transaction writes the events to the outbox (each with its request's
 * correlation id and actor), the per-app daily usage and the dataset counters.
 */
@Injectable()
export class AccessLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AccessLog.name);
  private buffer: Buffered[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(OPEN_SETTINGS) private readonly settings: OpenSettings,
    private readonly outbox: OutboxWriter,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.settings.accessFlushMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(a: OpenAccess): void {
    const ctx = currentContext();
    this.buffer.push({
      ctx: ctx ? { correlationId: ctx.correlationId, actor: ctx.actor ? { ...ctx.actor } : undefined } : undefined,
      payload: {
        channel: 'open',
        kind: a.kind,
        outcome: a.outcome,
        entryId: a.entryId ?? null,
        datasetId: a.datasetId ?? null,
        providerDeptId: a.deptId ?? null,
        version: a.version ?? null,
        appId: a.appId ?? null,
        keyPrefix: a.keyPrefix ?? null,
        fields: a.fields ?? [],
        rowCount: a.rowCount ?? 0,
        reasonCode: a.reasonCode ?? null,
        reason: a.reason ?? null,
        personalData: a.personalData ?? false,
        at: new Date().toISOString(),
      },
    });
    if (this.buffer.length >= this.settings.accessBatch) void this.flush();
  }

  /** Writes what is buffered; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((err) => this.logger.error(`access events not written: ${(err as Error).message}`));
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const usage = new Map<string, { appId: string; day: string; calls: number; rows: number; errors: number }>();
    const counters = new Map<string, { download: number; api: number; preview: number }>();
    for (const { payload: p } of batch) {
      if (p.appId) {
        const day = toShanghaiDate(new Date(p.at));
        const k = `${p.appId}|${day}`;
        const u = usage.get(k) ?? { appId: p.appId, day, calls: 0, rows: 0, errors: 0 };
        u.calls++;
        u.rows += p.rowCount;
        if (p.outcome === 'denied') u.errors++;
        usage.set(k, u);
      }
      if (p.entryId && p.outcome === 'allowed') {
        const c = counters.get(p.entryId) ?? { download: 0, api: 0, preview: 0 };
        if (p.kind === 'download') c.download++;
        else if (p.kind === 'records') c.api++;
        else if (p.kind === 'preview') c.preview++;
        counters.set(p.entryId, c);
      }
    }
    try {
      await this.db.transaction(async (m) => {
        // One statement for the whole batch; each envelope keeps its own request's correlation id and actor.
        await this.outbox.addEnvelopes(
          m,
          batch.map((b) => createEnvelope('open.data.accessed', b.payload, { producer: 'open-api', correlationId: b.ctx?.correlationId, actor: b.ctx?.actor })),
        );
        for (const u of usage.values())
          await m.query(
            `INSERT INTO openapi.usage_daily (app_id, day, calls, rows, errors) VALUES ($1,$2,$3,$4,$5)
             ON CONFLICT (app_id, day) DO UPDATE SET calls = usage_daily.calls + EXCLUDED.calls, rows = usage_daily.rows + EXCLUDED.rows, errors = usage_daily.errors + EXCLUDED.errors`,
            [u.appId, u.day, u.calls, u.rows, u.errors],
          );
        for (const [entryId, c] of counters)
          await m.query(`UPDATE openapi.open_dataset SET download_count = download_count + $2, api_count = api_count + $3, preview_count = preview_count + $4 WHERE entry_id = $1`, [
            entryId,
            c.download,
            c.api,
            c.preview,
          ]);
      });
    } catch (err) {
      // Put the batch back so a passing database hiccup does not lose audit events.
      this.buffer = batch.concat(this.buffer);
      throw err;
    }
  }
}
