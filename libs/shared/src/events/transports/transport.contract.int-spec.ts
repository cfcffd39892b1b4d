import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { createTestDatabase, testRedis, TestDatabase } from '../../../../../test/test-database';
import { EventTransport, TransportRecord } from '../transport';
import { InProcessTransport } from './in-process.transport';
import { KafkaTransport } from './kafka.transport';
import { RedisStreamsTransport } from './redis-streams.transport';

/**
 * One contract, every reachable transport: in-process always, Redis Streams when REDIS_URL is
 * set, Kafka when KAFKA_BROKERS is set. Each case uses fresh topic and group names.
 */
interface TransportFactory {
  name: string;
  skipReason?: string;
  /** A new transport instance on the same backend (a "restarted process"). */
  create(): EventTransport;
  cleanup(): Promise<void>;
}

const unique = () => randomBytes(4).toString('hex');
const record = (topic: string, key: string, n: number): TransportRecord => ({ topic, key, value: JSON.stringify({ n, key }) });

async function waitFor(cond: () => boolean, timeoutMs = 15000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const factories: TransportFactory[] = [];
const ran: string[] = [];

let db: TestDatabase;
let pool: Pool;
let redis: Redis | undefined;
let redisSkip: string | undefined;

beforeAll(async () => {
  db = await createTestDatabase('transport');
  pool = new Pool({ connectionString: db.url, max: 8 });
  ({ redis, skipReason: redisSkip } = await testRedis());
});

afterAll(async () => {
  for (const f of factories) await f.cleanup();
  await pool.end();
  await db.drop();
  redis?.disconnect();
  const skippedNow = Object.entries(SKIP).filter(([, r]) => r).map(([n, r]) => `${n} (${r})`);
  process.stdout.write(`\n[transport contract] ran: ${ran.join(', ') || 'none'}; skipped: ${skippedNow.join('; ') || 'none'}\n`);
});

function transports(): TransportFactory[] {
  const list: TransportFactory[] = [];
  const made: EventTransport[] = [];
  list.push({
    name: 'in-process',
    create: () => {
      const t = new InProcessTransport(pool, { pollMs: 100 });
      made.push(t);
      return t;
    },
    cleanup: async () => void (await Promise.all(made.map((t) => t.close()))),
  });
  const prefix = `test:${unique()}:`;
  list.push({
    name: 'redis-streams',
    // REDIS_URL set but unreachable is a failure, not a skip.
    skipReason: SKIP['redis-streams'] ?? (redis ? undefined : redisSkip),
    create: () => {
      const t = new RedisStreamsTransport(redis!, { blockMs: 100, streamPrefix: prefix, consumerName: 'contract' });
      made.push(t);
      return t;
    },
    cleanup: async () => {
      if (!redis) return;
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    },
  });
  list.push({
    name: 'kafka',
    skipReason: SKIP.kafka,
    create: () => {
      const t = new KafkaTransport(process.env.KAFKA_BROKERS!.split(','), { clientId: `contract-${unique()}` });
      made.push(t);
      return t;
    },
    cleanup: async () => undefined,
  });
  factories.push(...list);
  return list;
}

/** Decided when the file is collected, so an unconfigured transport shows as skipped, with its reason. */
const SKIP: Record<string, string | undefined> = {
  'in-process': undefined,
  'redis-streams': process.env.REDIS_URL ? undefined : 'REDIS_URL is not set',
  kafka: process.env.KAFKA_BROKERS ? undefined : 'KAFKA_BROKERS is not set (docker compose -f docker-compose.test.yml up -d kafka)',
};
for (const [name, reason] of Object.entries(SKIP)) if (reason) process.stdout.write(`[transport contract] skipping ${name}: ${reason}\n`);

describe.each(Object.keys(SKIP))('event transport contract: %s', (name) => {
  let factory: TransportFactory;
  const live: EventTransport[] = [];
  const make = () => {
    const t = factory.create();
    live.push(t);
    return t;
  };

  beforeAll(() => {
    factory = transports().find((f) => f.name === name)!;
    if (!factory.skipReason) ran.push(name);
  });

  afterEach(async () => {
    await Promise.all(live.splice(0).map((t) => t.close()));
  });

  const maybe = (title: string, fn: () => Promise<void>, timeout = 30000) => (SKIP[name] ? it.skip : it)(title, fn, timeout);

  maybe('delivers every record to a group, in order per key, starting from the beginning', async () => {
    const topic = `t.${unique()}`;
    const producer = make();
    const records = Array.from({ length: 30 }, (_, i) => record(topic, `k${i % 3}`, i));
    await producer.publish(records);
    const seen: { key: string; n: number }[] = [];
    const consumer = make();
    await consumer.subscribe({ group: `g.${unique()}`, topics: [topic], handle: async (r) => void seen.push(JSON.parse(r.value)) });
    await waitFor(() => seen.length >= 30);
    expect(seen).toHaveLength(30);
    for (const key of ['k0', 'k1', 'k2']) {
      const ns = seen.filter((s) => s.key === key).map((s) => s.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
      expect(ns).toHaveLength(10);
    }
  });

  maybe('gives each consumer group its own copy of the stream', async () => {
    const topic = `t.${unique()}`;
    const t = make();
    const a: number[] = [];
    const b: number[] = [];
    await t.subscribe({ group: `ga.${unique()}`, topics: [topic], handle: async (r) => void a.push(JSON.parse(r.value).n) });
    await t.subscribe({ group: `gb.${unique()}`, topics: [topic], handle: async (r) => void b.push(JSON.parse(r.value).n) });
    await t.publish([record(topic, 'x', 1), record(topic, 'x', 2)]);
    await waitFor(() => a.length === 2 && b.length === 2);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
  });

  maybe('redelivers a record whose handler failed (at-least-once), without skipping it', async () => {
    const topic = `t.${unique()}`;
    const t = make();
    let failuresLeft = 2;
    const seen: number[] = [];
    await t.subscribe({
      group: `g.${unique()}`,
      topics: [topic],
      handle: async (r) => {
        const { n } = JSON.parse(r.value);
        if (n === 1 && failuresLeft-- > 0) throw new Error('transient');
        seen.push(n);
      },
    });
    await t.publish([record(topic, 'k', 1), record(topic, 'k', 2)]);
    await waitFor(() => seen.length >= 2, 20000);
    expect(seen.slice(0, 2)).toEqual([1, 2]);
  });

  maybe('a restarted consumer of the same group resumes after what it acknowledged', async () => {
    const topic = `t.${unique()}`;
    const group = `g.${unique()}`;
    const first = make();
    const seen1: number[] = [];
    await first.subscribe({ group, topics: [topic], handle: async (r) => void seen1.push(JSON.parse(r.value).n) });
    await first.publish([record(topic, 'k', 1), record(topic, 'k', 2)]);
    await waitFor(() => seen1.length === 2);
    await first.close();
    const second = make();
    await second.publish([record(topic, 'k', 3)]);
    const seen2: number[] = [];
    await second.subscribe({ group, topics: [topic], handle: async (r) => void seen2.push(JSON.parse(r.value).n) });
    await waitFor(() => seen2.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen2).toEqual([3]);
  });
});
