import { hostname } from 'node:os';
import Redis from 'ioredis';
import { EventTransport, sleep, Subscription, TransportRecord } from '../transport';

type StreamEntries = [id: string, fields: string[]][];
type ReadReply = [stream: string, entries: StreamEntries][] | null;


/**
 * Redis Streams transport: one stream per topic, consumer groups created at id 0 (so a new
 * group replays from the beginning), XACK only after the handler resolved. A consumer first
 * re-reads its own pending entries after a restart and periodically claims entries that a dead
 * consumer left pending. Order per key holds with one consumer per group, which is how the
 * services run in the multi-process test topology; Kafka partitions give it at scale.
 */
export class RedisStreamsTransport implements EventTransport {
  readonly kind = 'redis' as const;
  private readonly blocking: Redis[] = [];
  private readonly loops: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly opts: { consumerName?: string; blockMs?: number; claimIdleMs?: number; streamPrefix?: string } = {},
  ) {}

  /** Streams are `<prefix><topic>`; a prefix keeps test runs and environments apart on one Redis. */
  private streamOf(topic: string): string {
    return `${this.opts.streamPrefix ?? 'evt:'}${topic}`;
  }

  private topicOf(stream: string): string {
    return stream.slice((this.opts.streamPrefix ?? 'evt:').length);
  }

  async publish(records: TransportRecord[]): Promise<void> {
    if (!records.length) return;
    const pipeline = this.redis.multi();
    for (const r of records) pipeline.xadd(this.streamOf(r.topic), '*', 'key', r.key, 'value', r.value);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async subscribe(sub: Subscription): Promise<void> {
    for (const topic of sub.topics) {
      try {
        await this.redis.xgroup('CREATE', this.streamOf(topic), sub.group, '0', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
    const conn = this.redis.duplicate();
    this.blocking.push(conn);
    this.loops.push(this.consume(conn, sub));
  }

  private async consume(conn: Redis, sub: Subscription): Promise<void> {
    const consumer = this.opts.consumerName ?? `${sub.group}@${hostname()}`;
    const streams = sub.topics.map((t) => this.streamOf(t));
    const blockMs = this.opts.blockMs ?? 1000;
    const claimIdleMs = this.opts.claimIdleMs ?? 60_000;
    let readPending = true; // after (re)start, redeliver what this consumer had not acknowledged
    let lastClaim = 0;
    while (!this.stopped) {
      try {
        if (Date.now() - lastClaim > claimIdleMs / 2) {
          lastClaim = Date.now();
          for (const s of streams) await conn.xautoclaim(s, sub.group, consumer, claimIdleMs, '0-0', 'COUNT', 100);
          readPending = true;
        }
        const ids = streams.map(() => (readPending ? '0' : '>'));
        const reply = (await conn.call(
          'XREADGROUP', 'GROUP', sub.group, consumer, 'COUNT', 100,
          ...(readPending ? [] : ['BLOCK', blockMs]),
          'STREAMS', ...streams, ...ids,
        )) as ReadReply;
        const entries = (reply ?? []).flatMap(([stream, list]) => list.map((e) => ({ stream, entry: e })));
        if (readPending && entries.length === 0) {
          readPending = false;
          continue;
        }
        for (const { stream, entry } of entries) {
          const [id, fields] = entry;
          const f = Object.fromEntries(fields.reduce<[string, string][]>((acc, v, i) => (i % 2 ? acc : [...acc, [v, fields[i + 1]]]), []));
          await sub.handle({ topic: this.topicOf(stream), key: f.key ?? '', value: f.value ?? '' });
          await conn.xack(stream, sub.group, id);
        }
      } catch {
        if (this.stopped) return;
        readPending = true;
        await sleep(500);
      }
    }
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const c of this.blocking) c.disconnect();
    await Promise.allSettled(this.loops);
  }
}
