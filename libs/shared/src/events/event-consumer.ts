import { Logger } from '@nestjs/common';
import { AsyncResource } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { runWithContext } from '../http/request-context';
import { deadLetterTopic, EventName } from './contracts/event-catalog';
import { EventEnvelope, InvalidEventError, parseEnvelope } from './envelope';
import { EventTransport, sleep, TransportRecord } from './transport';

/**
 * Rows that the events of one consumer transaction add to the same table, written as one statement
 * just before it commits: a busy topic (the open API's access events, all into the audit intake)
 * costs one insert per batch instead of one per event. Exactly-once holds as for any other write.
 */
export class TransactionBatch {
  private readonly pending = new Map<string, { items: unknown[]; write: (m: EntityManager, items: any[]) => Promise<void> }>();

  constructor(private readonly manager: EntityManager) {}

  /** Adds an item; `write` (the same for every item of a key) gets them all, in order, before the commit. */
  add<T>(key: string, item: T, write: (m: EntityManager, items: T[]) => Promise<void>): void {
    const p = this.pending.get(key) ?? this.pending.set(key, { items: [], write }).get(key)!;
    p.items.push(item);
  }

  async flush(): Promise<void> {
    for (const [key, { items, write }] of this.pending) {
      this.pending.delete(key);
      await write(this.manager, items);
    }
  }
}

/** What a handler gets besides the payload: the envelope and the transaction its effects must use. */
export class EventContext {
  constructor(
    readonly envelope: EventEnvelope,
    /** Writes through this manager commit together with the inbox row: exactly once in effect. */
    readonly manager: EntityManager,
    /** Writes gathered over the transaction's events (one event alone on the one-by-one path). */
    readonly batch: TransactionBatch = new TransactionBatch(manager),
  ) {}
}

export type EventHandlerFn = (payload: unknown, ctx: EventContext) => Promise<unknown>;

export interface ConsumerMetrics {
  consumed(event: string, outcome: 'processed' | 'duplicate' | 'dead_lettered' | 'retried'): void;
}

export interface EventConsumerOptions {
  maxAttempts?: number;
  backoffMs?: number;
  metrics?: ConsumerMetrics;
}

/**
 * Runs one consumer group's handlers with the platform's delivery rules:
 * - the payload is validated against its contract; a poison record goes straight to dead letters;
 * - the handler runs in a transaction together with the inbox row (group, event id), so a
 *   redelivered event has no second effect;
 * - a failing handler is retried with exponential backoff, then dead-lettered (table + DLQ topic)
 *   so the group moves on and an operator can list and replay it.
 */
export class EventConsumer {
  private readonly logger: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly group: string,
    private readonly transport: EventTransport,
    private readonly handlers: Map<string, EventHandlerFn>,
    private readonly opts: EventConsumerOptions = {},
  ) {
    this.logger = new Logger(`EventConsumer:${group}`);
  }

  get topics(): EventName[] {
    return [...this.handlers.keys()] as EventName[];
  }

  async start(): Promise<void> {
    if (this.handlers.size === 0) return;
    // Bound to the caller's async context (the service's scope): a shared transport's poll loop
    // would otherwise run every group's handlers in the context of whoever started it.
    await this.transport.subscribe({
      group: this.group,
      topics: this.topics,
      handle: AsyncResource.bind((r: TransportRecord) => this.handleRecord(r)),
      handleBatch: AsyncResource.bind((rs: TransportRecord[]) => this.handleBatch(rs)),
    });
  }

  /**
   * Several records in one transaction (one inbox insert, the handlers in order, one commit): a
   * busy topic such as the open API's access events costs a few statements per batch instead of
   * per event. Any poison record or failing handler sends the batch down the one-by-one path,
   * which validates, retries and dead-letters each record exactly as before.
   */
  async handleBatch(records: TransportRecord[]): Promise<void> {
    let envelopes: EventEnvelope[] | undefined;
    try {
      envelopes = records.map((r) => parseEnvelope(r.value));
      await this.processAll(envelopes);
      return;
    } catch (err) {
      if (envelopes) this.logger.warn(`batch of ${records.length} fell back to one by one: ${(err as Error).message}`);
    }
    for (const r of records) await this.handleRecord(r);
  }

  private async processAll(all: EventEnvelope[]): Promise<void> {
    const mine = all.filter((e) => this.handlers.has(e.name));
    if (mine.length === 0) return;
    const outcomes = await this.dataSource.transaction(async (manager) => {
      const inserted: { event_id: string }[] = await manager.query(
        `INSERT INTO ${this.schema}.inbox (group_id, event_id, event_name) SELECT $1, * FROM unnest($2::uuid[], $3::text[])
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [this.group, mine.map((e) => e.id), mine.map((e) => e.name)],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      const batch = new TransactionBatch(manager);
      const processed: boolean[] = [];
      for (const envelope of mine) {
        // A redelivered event, or the same event twice in this batch, has no second effect.
        const first = fresh.delete(envelope.id);
        if (first) await runWithContext(this.contextOf(envelope), () => this.handlers.get(envelope.name)!(envelope.payload, new EventContext(envelope, manager, batch)));
        processed.push(first);
      }
      await batch.flush();
      return processed;
    });
    mine.forEach((e, i) => this.opts.metrics?.consumed(e.name, outcomes[i] ? 'processed' : 'duplicate'));
  }

  private contextOf(envelope: EventEnvelope) {
    return { correlationId: envelope.correlationId ?? envelope.id, actor: { type: 'system' as const, id: this.group } };
  }

  /** Transport entry point. Rejects only when even dead-lettering failed (e.g. database down). */
  async handleRecord(record: TransportRecord): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = parseEnvelope(record.value);
    } catch (err) {
      const reason = err instanceof InvalidEventError || err instanceof SyntaxError ? err.message : String(err);
      await this.deadLetter(record, undefined, reason, 0);
      return;
    }
    const maxAttempts = this.opts.maxAttempts ?? 5;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        await this.process(envelope);
        return;
      } catch (err) {
        lastError = err;
        this.opts.metrics?.consumed(envelope.name, 'retried');
        if (attempt < maxAttempts) await sleep((this.opts.backoffMs ?? 200) * 2 ** (attempt - 1));
      }
    }
    this.logger.error(`${envelope.name} ${envelope.id} failed ${maxAttempts} times: ${(lastError as Error)?.message}`);
    await this.deadLetter(record, envelope, (lastError as Error)?.stack ?? String(lastError), maxAttempts);
  }

  /** Processes an envelope once per group; returns false when it had already been processed. */
  async process(envelope: EventEnvelope): Promise<boolean> {
    const handler = this.handlers.get(envelope.name);
    if (!handler) return false;
    const processed = await runWithContext(
      this.contextOf(envelope),
      () =>
        this.dataSource.transaction(async (manager) => {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO ${this.schema}.inbox (group_id, event_id, event_name) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.group, envelope.id, envelope.name],
          );
          if (inserted.length === 0) return false;
          const ctx = new EventContext(envelope, manager);
          await handler(envelope.payload, ctx);
          await ctx.batch.flush();
          return true;
        }),
    );
    this.opts.metrics?.consumed(envelope.name, processed ? 'processed' : 'duplicate');
    return processed;
  }

  private async deadLetter(record: TransportRecord, envelope: EventEnvelope | undefined, error: string, attempts: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.dead_letter (group_id, event_id, event_name, topic, record_value, error, attempts)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [this.group, envelope?.id ?? null, envelope?.name ?? null, record.topic, record.value, error.slice(0, 8000), attempts],
    );
    this.opts.metrics?.consumed(envelope?.name ?? record.topic, 'dead_lettered');
    await this.transport
      .publish([{ topic: deadLetterTopic(this.group), key: record.key, value: JSON.stringify({ topic: record.topic, error: error.slice(0, 2000), record: record.value }) }])
      .catch((err) => this.logger.warn(`could not publish to ${deadLetterTopic(this.group)}: ${(err as Error).message}`));
  }
}
