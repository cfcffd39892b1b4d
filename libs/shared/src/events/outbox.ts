import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { currentContext } from '../http/request-context';
import type { EventName, PayloadOf } from './contracts/event-catalog';
import type { ServiceName } from './contracts/services';
import { createEnvelope, EventEnvelope } from './envelope';
import { EventTransport, sleep } from './transport';

/** Where a transaction notes the outboxes it wrote to (its query runner's user data). */
const WRITTEN = 'outboxesWritten';

/**
 * Writes events in the caller's transaction (transactional outbox): the event exists if and only
 * if the state change committed. Correlation id and actor come from the request context. Once it
 * has committed, the relay is told (`committed`), so it need not poll often.
 */
export class OutboxWriter {
  constructor(
    private readonly schema: string,
    private readonly producer: ServiceName,
    private readonly committed: () => void = () => undefined,
  ) {}

  /**
   * Tells the relay about rows this schema's outbox got through `manager`: after the commit of its
   * transaction (see `OutboxRelay.nudgeOnCommit`), or now when the statement committed by itself.
   */
  noteWritten(manager: EntityManager | undefined): void {
    const runner = manager?.queryRunner;
    if (!runner?.isTransactionActive) return this.committed();
    const written = ((runner.data as Record<string, Set<string>>)[WRITTEN] ??= new Set());
    written.add(this.schema);
  }

  async add<N extends EventName>(manager: EntityManager, name: N, payload: PayloadOf<N>): Promise<EventEnvelope<N>> {
    const ctx = currentContext();
    const envelope = createEnvelope(name, payload, { producer: this.producer, correlationId: ctx?.correlationId, actor: ctx?.actor });
    await manager.query(`INSERT INTO ${this.schema}.outbox (event_id, event_name, event_key, envelope) VALUES ($1, $2, $3, $4)`, [
      envelope.id,
      envelope.name,
      envelope.key,
      JSON.stringify(envelope),
    ]);
    this.noteWritten(manager);
    return envelope;
  }

  /** Writes many events of one name with a single statement (bulk imports). */
  async addMany<N extends EventName>(manager: EntityManager, name: N, payloads: readonly PayloadOf<N>[]): Promise<number> {
    const ctx = currentContext();
    await this.addEnvelopes(
      manager,
      payloads.map((p) => createEnvelope(name, p, { producer: this.producer, correlationId: ctx?.correlationId, actor: ctx?.actor })),
    );
    return payloads.length;
  }

  /** Writes envelopes made by the caller (each with its own request's correlation id), 1,000 per statement. */
  async addEnvelopes(manager: EntityManager, envelopes: readonly EventEnvelope[]): Promise<void> {
    for (let i = 0; i < envelopes.length; i += 1000) {
      await manager.query(
        `INSERT INTO ${this.schema}.outbox (event_id, event_name, event_key, envelope)
         SELECT (e->>'id')::uuid, e->>'name', e->>'key', e FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(envelopes.slice(i, i + 1000))],
      );
    }
    this.noteWritten(manager);
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
  /** A nudge came since the last flush began: what it announced may have committed after that flush looked. */
  private nudged = false;

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

  /** Ask the relay to look now instead of at the next poll (again after the flush under way, if any). */
  nudge(): void {
    this.nudged = true;
    this.wakeUp?.();
  }

  /**
   * Nudges the relay when a transaction that wrote to this schema's outbox commits (the writer
   * noted it), so events leave right away and the poll is only a safety net.
   */
  nudgeOnCommit(): void {
    this.dataSource.subscribers.push({
      afterTransactionCommit: ({ queryRunner }) => {
        const written = (queryRunner.data as Record<string, Set<string>>)[WRITTEN];
        if (queryRunner.isTransactionActive || !written?.delete(this.schema)) return;
        this.nudge();
      },
    });
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
      let failed = false;
      this.nudged = false;
      try {
        sent = await this.flush();
      } catch (err) {
        if (this.stopped) return;
        failed = true;
        this.logger.warn(`publish failed, will retry: ${(err as Error).message}`);
      }
      if (failed || (sent === 0 && !this.nudged)) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs ?? 1000);
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
