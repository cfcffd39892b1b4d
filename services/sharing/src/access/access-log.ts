import { createEnvelope, currentContext, DataAccessV1, DomainException, EventEnvelope, OutboxWriter } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type AccessFacts = Omit<DataAccessV1, 'channel' | 'at' | 'outcome' | 'fields' | 'rowCount'> & { fields?: string[]; rowCount?: number };

/** Every delivery, read and refused attempt leaves a `sharing.data.accessed` event for the audit service. */
@Injectable()
export class AccessLog {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  private queue: { envelope: EventEnvelope; done: (err?: unknown) => void }[] = [];
  private flushing = false;

  /**
   * A read's access event, durable before the read answers, with concurrent reads' events written
   * together (group commit: one INSERT and one WAL flush for all of them). The envelope carries the
   * reader's own actor and correlation id.
   */
  allowedNow(facts: AccessFacts): Promise<void> {
    const ctx = currentContext();
    const envelope = createEnvelope('sharing.data.accessed', { channel: 'grant', outcome: 'allowed', fields: [], rowCount: 0, ...facts, at: new Date().toISOString() }, {
      producer: 'sharing',
      correlationId: ctx?.correlationId,
      actor: ctx?.actor,
    });
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ envelope, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 500);
        try {
          await this.dataSource.query(
            `INSERT INTO sharing.outbox (event_id, event_name, event_key, envelope)
             SELECT (e->>'id')::uuid, e->>'name', e->>'key', e FROM jsonb_array_elements($1::jsonb) AS e`,
            [JSON.stringify(batch.map((b) => b.envelope))],
          );
          for (const b of batch) b.done();
        } catch (err) {
          for (const b of batch) b.done(err);
        }
      }
    } finally {
      this.flushing = false;
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
