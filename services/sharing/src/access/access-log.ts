import { randomUUID } from 'node:crypto';
import { createEnvelope, createPgPool, currentContext, DataAccessV1, DomainException, EventEnvelope, InvalidEventError, OutboxWriter, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

export type AccessFacts = Omit<DataAccessV1, 'channel' | 'at' | 'outcome' | 'fields' | 'rowCount'> & { fields?: string[]; rowCount?: number };

/** Every delivery, read and refused attempt leaves a `sharing.data.accessed` event for the audit service. */
/** Group-commit INSERTs in flight at once (each on its own connection of the log's pool). */
const FLUSHES = 2;
const BATCH = 500;

@Injectable()
export class AccessLog implements OnApplicationShutdown {
  /**
   * The group commit's own connections: an access event never waits for a connection behind the
   * service's transactions, relay and consumer on the TypeORM pool.
   */
  private readonly pool: Pool;
  private queue: { envelope: EventEnvelope; done: (err?: unknown) => void }[] = [];
  private flushes = 0;
  /**
   * Validated envelopes by their payload without `rowCount` and `at` (a grant's reads differ only
   * in those): the contract's class-validator pass runs once per distinct read scope, not per read.
   */
  private readonly templates = new Map<string, EventEnvelope<'sharing.data.accessed'>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.pool = createPgPool({ connectionString: runtime.databaseUrl, max: FLUSHES, idleTimeoutMillis: 30_000 }, runtime.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /**
   * A read's access event, durable before the read answers, with concurrent reads' events written
   * together (group commit: one INSERT and one WAL flush for all of them). The envelope carries the
   * reader's own actor and correlation id.
   */
  allowedNow(facts: AccessFacts): Promise<void> {
    const ctx = currentContext();
    const payload: DataAccessV1 = { channel: 'grant', outcome: 'allowed', fields: [], rowCount: 0, ...facts, at: new Date().toISOString() };
    const { rowCount, at, ...stable } = payload;
    const templateKey = JSON.stringify(stable);
    let template = this.templates.get(templateKey);
    if (!template) {
      template = createEnvelope('sharing.data.accessed', payload, { producer: 'sharing' });
      if (this.templates.size >= 1000) this.templates.clear();
      this.templates.set(templateKey, template);
    }
    // What varies per read, checked as the contract does (@IsInt() @Min(0) rowCount, @IsString() at).
    if (!Number.isInteger(rowCount) || rowCount < 0) return Promise.reject(new InvalidEventError(`sharing.data.accessed payload invalid: rowCount: ${rowCount}`));
    const envelope: EventEnvelope<'sharing.data.accessed'> = {
      ...template,
      id: randomUUID(),
      occurredAt: at,
      correlationId: ctx?.correlationId,
      actor: ctx?.actor,
      payload: { ...template.payload, rowCount, at },
    };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ envelope, done: (err) => (err ? reject(err) : resolve()) });
      if (this.flushes < FLUSHES) void this.flush();
    });
  }

  /** Writes what is queued, one INSERT per batch; reads arriving meanwhile go into the next batch. */
  private async flush(): Promise<void> {
    this.flushes++;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, BATCH);
        try {
          await this.pool.query({
            name: 'access_log_batch',
            text: `INSERT INTO sharing.outbox (event_id, event_name, event_key, envelope)
             SELECT (e->>'id')::uuid, e->>'name', e->>'key', e FROM jsonb_array_elements($1::jsonb) AS e`,
            values: [JSON.stringify(batch.map((b) => b.envelope))],
          });
          this.outbox.noteWritten(undefined);
          for (const b of batch) b.done();
        } catch (err) {
          for (const b of batch) b.done(err);
        }
      }
    } finally {
      this.flushes--;
    }
  }

  allowed(m: EntityManager, facts: AccessFacts): Promise<unknown> {
    return this.outbox.add(m, 'sharing.data.accessed', { channel: 'grant', outcome: 'allowed', fields: [], rowCount: 0, ...facts, at: new Date().toISOString() });
  }

  /** Records the refused attempt in its own transaction (the request itself fails), then returns the error to throw. */
  async denied(facts: AccessFacts, err: DomainException): Promise<DomainException> {
    await this.dataSource.transaction((m) =>
      this.outbox.add(m, 'sharing.data.accessed', {
        channel: 'grant',
        outcome: 'denied',
        fields: [],
        rowCount: 0,
        ...facts,
        reasonCode: err.code,
        reason: err.messages.zh,
        at: new Date().toISOString(),
      }),
    );
    return err;
  }
}
