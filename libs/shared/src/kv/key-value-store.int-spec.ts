import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { testRedis } from '../../../../test/test-database';
import { KeyValueStore, MemoryKeyValueStore, RedisKeyValueStore } from './key-value-store';

/**
 * One contract, every reachable store: memory always, Redis when REDIS_URL is set. The Redis case
 * works under a prefix unique to this run and deletes only its own keys (never FLUSHALL).
 */
const RUN_PREFIX = `test:kv:${randomBytes(4).toString('hex')}:`;

/** Decided when the file is collected, so an unconfigured store shows as skipped, with its reason. */
const SKIP: Record<'memory' | 'redis', string | undefined> = {
  memory: undefined,
  redis: process.env.REDIS_URL ? undefined : 'REDIS_URL is not set',
};
for (const [name, reason] of Object.entries(SKIP)) if (reason) process.stdout.write(`[kv contract] skipping ${name}: ${reason}\n`);

const ran: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unique = () => randomBytes(4).toString('hex');

afterAll(() => {
  const skipped = Object.entries(SKIP).filter(([, r]) => r).map(([n, r]) => `${n} (${r})`);
  process.stdout.write(`\n[kv contract] ran: ${ran.join(', ') || 'none'}; skipped: ${skipped.join('; ') || 'none'}\n`);
});

for (const name of Object.keys(SKIP) as ('memory' | 'redis')[]) {
  (SKIP[name] ? describe.skip : describe)(`key-value store contract: ${name}`, () => {
    let store: KeyValueStore;
    let redis: Redis | undefined;

    beforeAll(async () => {
      if (name === 'memory') {
        store = new MemoryKeyValueStore();
      } else {
        const r = await testRedis();
        // REDIS_URL set but unreachable is a failure, not a skip.
        if (!r.redis) throw new Error(`Redis contract cannot run: ${r.skipReason}`);
        redis = r.redis;
        store = new RedisKeyValueStore(redis, RUN_PREFIX);
      }
      ran.push(name);
    });

    afterAll(async () => {
      await store?.close();
      if (redis) {
        const keys = await redis.keys(`${RUN_PREFIX}*`);
        if (keys.length) await redis.del(...keys);
        expect(await redis.keys(`${RUN_PREFIX}*`)).toEqual([]);
        redis.disconnect();
      }
    });

    it('reports itself healthy and of its kind', async () => {
      expect(store.kind).toBe(name);
      await expect(store.healthy()).resolves.toBe(true);
    });

    it('gets what was set, undefined for a missing key, and nothing after delete', async () => {
      const key = `k.${unique()}`;
      await expect(store.get(key)).resolves.toBeUndefined();
      await store.set(key, '值 value');
      await expect(store.get(key)).resolves.toBe('值 value');
      await store.set(key, 'second');
      await expect(store.get(key)).resolves.toBe('second');
      await store.delete(key);
      await expect(store.get(key)).resolves.toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined(); // deleting a missing key is fine
    });

    it('keeps an empty string as a value, distinct from a missing key', async () => {
      const key = `k.${unique()}`;
      await store.set(key, '');
      await expect(store.get(key)).resolves.toBe('');
      await store.delete(key);
    });

    it('forgets a value after its TTL, keeps one without TTL', async () => {
      const short = `ttl.${unique()}`;
      const forever = `ttl.${unique()}`;
      await store.set(short, 'x', 150);
      await store.set(forever, 'y');
      await expect(store.get(short)).resolves.toBe('x');
      await sleep(300);
      await expect(store.get(short)).resolves.toBeUndefined();
      await expect(store.get(forever)).resolves.toBe('y');
      await store.delete(forever);
    });

    it('a set without TTL replaces an earlier TTL', async () => {
      const key = `ttl.${unique()}`;
      await store.set(key, 'a', 150);
      await store.set(key, 'b');
      await sleep(300);
      await expect(store.get(key)).resolves.toBe('b');
      await store.delete(key);
    });

    it('counts in a fixed window and starts again after it', async () => {
      const key = `rate.${unique()}`;
      const first = await store.increment(key, 400);
      expect(first.count).toBe(1);
      expect(first.resetInMs).toBeGreaterThan(300);
      expect(first.resetInMs).toBeLessThanOrEqual(400);

      await sleep(120);
      const second = await store.increment(key, 400);
      const third = await store.increment(key, 400);
      expect([second.count, third.count]).toEqual([2, 3]);
      // the window is fixed by the first call: later calls do not extend it
      expect(third.resetInMs).toBeLessThanOrEqual(first.resetInMs - 100);
      expect(third.resetInMs).toBeGreaterThan(0);

      await sleep(third.resetInMs + 150);
      const after = await store.increment(key, 400);
      expect(after.count).toBe(1);
      expect(after.resetInMs).toBeGreaterThan(300);
      await store.delete(key);
    });

    it('keeps separate counters per key', async () => {
      const a = `rate.${unique()}`;
      const b = `rate.${unique()}`;
      await store.increment(a, 5000);
      await store.increment(a, 5000);
      expect((await store.increment(b, 5000)).count).toBe(1);
      expect((await store.increment(a, 5000)).count).toBe(3);
      await store.delete(a);
      await store.delete(b);
      expect((await store.increment(a, 5000)).count).toBe(1);
      await store.delete(a);
    });

    it('counts 50 concurrent increments exactly, each seeing a distinct count', async () => {
      const key = `rate.${unique()}`;
      const results = await Promise.all(Array.from({ length: 50 }, () => store.increment(key, 10_000)));
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect((await store.increment(key, 10_000)).count).toBe(51);
      for (const r of results) expect(r.resetInMs).toBeGreaterThan(0);
      await store.delete(key);
    });
  });
}

describe('RedisKeyValueStore key prefix', () => {
  (SKIP.redis ? it.skip : it)('stores under its prefix and leaves other keys alone', async () => {
    const { redis, skipReason } = await testRedis();
    if (!redis) throw new Error(`Redis unreachable: ${skipReason}`);
    try {
      const a = new RedisKeyValueStore(redis, `${RUN_PREFIX}a:`);
      const b = new RedisKeyValueStore(redis, `${RUN_PREFIX}b:`);
      await a.set('same', '1');
      await b.set('same', '2');
      await expect(a.get('same')).resolves.toBe('1');
      await expect(redis.get(`${RUN_PREFIX}b:same`)).resolves.toBe('2');
      await a.delete('same');
      await expect(b.get('same')).resolves.toBe('2');
    } finally {
      const keys = await redis.keys(`${RUN_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
  });
});

describe('MemoryKeyValueStore with a controlled clock', () => {
  it('expires exactly at the TTL and resets the window exactly at its end', async () => {
    let now = 1_000_000;
    const store = new MemoryKeyValueStore(() => now);
    await store.set('k', 'v', 1000);
    now += 999;
    await expect(store.get('k')).resolves.toBe('v');
    now += 1;
    await expect(store.get('k')).resolves.toBeUndefined();

    expect(await store.increment('r', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 59_000;
    expect(await store.increment('r', 60_000)).toEqual({ count: 2, resetInMs: 1000 });
    now += 1000;
    expect(await store.increment('r', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });
});
