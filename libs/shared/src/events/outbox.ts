import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { currentContext } from '../http/request-context';
import type { EventName, PayloadOf } from './contracts/event-catalog';
import type { ServiceName } from './contracts/services';
import { createEnvelope, EventEnvelope } from './envelope';
import { EventTransport, sleep } from './transport';

/**
 * Writes events in the caller's transaction (transactional outbox): the event exists if and only
 * if the state change committed. Correlation id and actor come from the request context.
 */
export class OutboxWriter {
  constructor(
    private readonly schema: string,
    private readonly producer: ServiceName,
  ) {}

  async add<N extends EventName>(manager: EntityManager, name: N, payload: PayloadOf<N>): Promise<EventEnvelope<N>> {
    const ctx = currentContext();
    const envelope = createEnvelope(name, payload, { producer: this.producer, correlationId: ctx?.correlationId, actor: ctx?.actor });
    await manager.query(`INSERT INTO ${this.schema}.outbox (event_id, event_name, event_key, envelope) VALUES ($1, $2, $3, $4)`, [
      envelope.id,
      envelope.name,
      envelope.key,
      JSON.stringify(envelope),
    ]);
    return envelope;
  }

  /** Writes many events of one name with a single statement (bulk imports). */
  async addMany<N extends EventName>(manager: EntityManager, name: N, payloads: readonly PayloadOf<N>[]): Promise<number> {
    const ctx = currentContext();
    const envelopes = payloads.map((p) => createEnvelope(name, p, { producer: this.producer, correlationId: ctx?.correlationId, actor: ctx?.actor }));
    for (let i = 0; i < envelopes.length; i += 1000) {
      const batch = envelopes.slice(i, i + 1000);
      await manager.query(
        `INSERT INTO ${this.schema}.outbox (event_id, event_name, event_key, envelope)
         SELECT (e->>'id')::uuid, e->>'name', e->>'key', e FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(batch)],
      );
    }
    return envelopes.length;
  }
}

export interface OutboxRelayMetrics {
  published(count: number): void;
}

/**
 * Publishes committed outbox rows in order and marks them sent. A crash between publish and mark
 * republishes (at-least-once; consumers are idempotent). One relay per schema at a time
 * (advisory lock), so order per key is kept even with several replicas.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private stopped = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly transport: EventTransport,
    private readonly opts: { pollMs?: number; batch?: number; startDelayMs?: number; metrics?: OutboxRelayMetrics } = {},
  ) {
    this.logger = new Logger(`OutboxRelay:${schema}`);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ask the relay to look now instead of at the next poll. */
  nudge(): void {
    this.wakeUp?.();
  }

  /** Publish everything pending once; returns how many rows were sent. */
  async flush(): Promise<number> {
    const batch = this.opts.batch ?? 500;
    return this.dataSource.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`outbox:${this.schema}`]);
      if (!locked) return 0;
      const rows: { seq: string; event_key: string; event_name: string; envelope: unknown }[] = await m.query(
        `SELECT seq, event_name, event_key, envelope FROM ${this.schema}.outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [batch],
      );
      if (!rows.length) return 0;
      await this.transport.publish(rows.map((r) => ({ topic: r.event_name, key: r.event_key, value: JSON.stringify(r.envelope) })));
      await m.query(`UPDATE ${this.schema}.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      this.opts.metrics?.published(rows.length);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    if (this.opts.startDelayMs) await sleep(this.opts.startDelayMs);
    while (!this.stopped) {
      let sent = 0;
      try {
        sent = await this.flush();
      } catch (err) {
        if (this.stopped) return;
        this.logger.warn(`publish failed, will retry: ${(err as Error).message}`);
      }
      if (sent === 0) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs ?? 200);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }
}
