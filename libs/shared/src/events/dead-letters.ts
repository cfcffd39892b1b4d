import { DataSource } from 'typeorm';
import { CommonErrors } from '../errors/problem';
import type { EventConsumer } from './event-consumer';
import { parseEnvelope } from './envelope';

export interface DeadLetterView {
  id: string;
  groupId: string;
  eventId: string | null;
  eventName: string | null;
  topic: string;
  error: string;
  attempts: number;
  failedAt: string;
  replayedAt: string | null;
  replayError: string | null;
}

/** Operator view of a service's dead letters: list them, replay one through the same consumer. */
export class DeadLetterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly consumer: () => EventConsumer | undefined,
  ) {}

  async list(opts: { pendingOnly?: boolean; limit?: number } = {}): Promise<DeadLetterView[]> {
    const rows = await this.dataSource.query(
      `SELECT id, group_id, event_id, event_name, topic, error, attempts, failed_at, replayed_at, replay_error
         FROM ${this.schema}.dead_letter ${opts.pendingOnly ? 'WHERE replayed_at IS NULL' : ''}
        ORDER BY failed_at DESC LIMIT $1`,
      [opts.limit ?? 100],
    );
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string,
      groupId: r.group_id as string,
      eventId: r.event_id as string | null,
      eventName: r.event_name as string | null,
      topic: r.topic as string,
      error: r.error as string,
      attempts: r.attempts as number,
      failedAt: (r.failed_at as Date).toISOString(),
      replayedAt: r.replayed_at ? (r.replayed_at as Date).toISOString() : null,
      replayError: (r.replay_error as string) ?? null,
    }));
  }

  /** Re-runs the handler once; the inbox still guarantees a single effect. */
  async replay(id: string): Promise<{ replayed: boolean; error?: string }> {
    const [row] = await this.dataSource.query(`SELECT record_value FROM ${this.schema}.dead_letter WHERE id = $1`, [id]);
    if (!row) throw CommonErrors.notFound({ zh: '死信记录', en: 'Dead letter' });
    const consumer = this.consumer();
    if (!consumer) throw CommonErrors.notFound({ zh: '消费者', en: 'Consumer' });
    try {
      await consumer.process(parseEnvelope(row.record_value));
      await this.dataSource.query(`UPDATE ${this.schema}.dead_letter SET replayed_at = now(), replay_error = NULL WHERE id = $1`, [id]);
      return { replayed: true };
    } catch (err) {
      const message = (err as Error).message;
      await this.dataSource.query(`UPDATE ${this.schema}.dead_letter SET replay_error = $2 WHERE id = $1`, [id, message]);
      return { replayed: false, error: message };
    }
  }
}
