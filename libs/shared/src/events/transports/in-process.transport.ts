import { EventEmitter } from 'node:events';
import { Pool, PoolClient } from 'pg';
import { EventTransport, sleep, Subscription, TransportRecord } from '../transport';

const SCHEMA = 'eventbus';
const NOTIFY_CHANNEL = 'eventbus_appended';

/**
 * Embedded-mode transport. Delivery happens inside the process, but the log itself is a table in
 * the embedded PostgreSQL, so it survives a crash exactly like a Kafka topic: a record published
 * before SIGKILL is delivered after restart, and a group's committed offset only moves after its
 * handler resolved. One consumer per group at a time (advisory lock), which gives total order.
 */
export class InProcessTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  private readonly appended = new EventEmitter();
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private ready?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly opts: { pollMs?: number; batch?: number } = {},
  ) {
    this.appended.setMaxListeners(100);
  }

  private ensureSchema(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect();
      try {
        await client.query(`SELECT pg_advisory_lock(hashtext('eventbus:ddl'))`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.log (
            record_offset bigserial PRIMARY KEY,
            topic text NOT NULL,
            record_key text NOT NULL,
            value jsonb NOT NULL,
            appended_at timestamptz NOT NULL DEFAULT now())`);
        await client.query(`CREATE INDEX IF NOT EXISTS log_topic_offset ON ${SCHEMA}.log (topic, record_offset)`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.group_offset (
            group_id text NOT NULL, topic text NOT NULL, committed bigint NOT NULL,
            PRIMARY KEY (group_id, topic))`);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext('eventbus:ddl'))`).catch(() => undefined);
        client.release();
      }
    })();
    return this.ready;
  }

  async publish(records: TransportRecord[]): Promise<void> {
    if (!records.length) return;
    await this.ensureSchema();
    // One JSON array of [topic, key, value] in publish order: as text[]/jsonb[] parameters, pg escaped
    // every value for the array literal in JavaScript; JSON.stringify does it natively, in one pass.
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.log (topic, record_key, value)
       SELECT x.r->>0, x.r->>1, (x.r->>2)::jsonb FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, n) ORDER BY x.n`,
      [JSON.stringify(records.map((r) => [r.topic, r.key, r.value]))],
    );
    await this.pool.query(`SELECT pg_notify($1, '')`, [NOTIFY_CHANNEL]).catch(() => undefined);
    this.appended.emit('appended');
  }

  async subscribe(sub: Subscription): Promise<void> {
    await this.ensureSchema();
    this.loops.push(this.consume(sub));
  }

  private async commit(group: string, topics: string[], offsets: string[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${SCHEMA}.group_offset (group_id, topic, committed) SELECT $1, * FROM unnest($2::text[], $3::bigint[])
       ON CONFLICT (group_id, topic) DO UPDATE SET committed = EXCLUDED.committed`,
      [group, topics, offsets],
    );
  }

  private async consume(sub: Subscription): Promise<void> {
    const signal = this.stopping.signal;
    const pollMs = this.opts.pollMs ?? 1000;
    const batch = this.opts.batch ?? 200;
    while (!signal.aborted) {
      let lockClient: PoolClient | undefined;
      try {
        lockClient = await this.pool.connect();
        const { rows } = await lockClient.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`eventbus:group:${sub.group}`]);
        if (!rows[0].locked) {
          lockClient.release();
          lockClient = undefined;
          await this.wait(pollMs * 3);
          continue;
        }
        await lockClient.query(`LISTEN ${NOTIFY_CHANNEL}`);
        const wake = () => this.appended.emit('appended');
        lockClient.on('notification', wake);
        try {
          while (!signal.aborted) {
            // The value as PostgreSQL's text of the jsonb: consumers parse it once, where pg would parse it and this re-serialize it.
            const { rows: records } = await this.pool.query<{ record_offset: string; topic: string; record_key: string; value: string }>(
              `SELECT l.record_offset, l.topic, l.record_key, l.value::text AS value
                 FROM ${SCHEMA}.log l
                 LEFT JOIN ${SCHEMA}.group_offset o ON o.group_id = $1 AND o.topic = l.topic
                WHERE l.topic = ANY($2) AND l.record_offset > COALESCE(o.committed, 0)
                ORDER BY l.record_offset LIMIT $3`,
              [sub.group, sub.topics, batch],
            );
            if (!records.length) {
              await this.wait(pollMs);
              continue;
            }
            if (signal.aborted) return;
            const batchHandler = sub.handleBatch;
            if (batchHandler && records.length > 1) {
              // The whole batch in one go, then one offset per topic it touched.
              await batchHandler(records.map((r) => ({ topic: r.topic, key: r.record_key, value: r.value })));
              const last = new Map(records.map((r) => [r.topic, r.record_offset]));
              await this.commit(sub.group, [...last.keys()], [...last.values()]);
              continue;
            }
            for (const r of records) {
              if (signal.aborted) return;
              await sub.handle({ topic: r.topic, key: r.record_key, value: r.value });
              await this.commit(sub.group, [r.topic], [r.record_offset]);
            }
          }
        } finally {
          lockClient.off('notification', wake);
        }
      } catch (err) {
        if (signal.aborted) return;
        // A failed handler or a lost connection: back off and re-read from the committed offset.
        await this.wait(Math.min(pollMs, 500));
      } finally {
        if (lockClient) {
          await lockClient.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
          await lockClient.query(`UNLISTEN *`).catch(() => undefined);
          lockClient.release();
        }
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('appended', done);
        this.stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.appended.once('appended', done);
      this.stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  async healthy(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
    await sleep(0);
  }
}
