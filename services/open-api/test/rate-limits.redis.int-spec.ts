import { randomBytes } from 'node:crypto';
import { RedisKeyValueStore } from '@gov/shared';
import Redis from 'ioredis';
import { testRedis } from '../../../test/test-database';
import { RateLimiter } from '../src/access/rate-limiter';

/**
 * Rate limits on real Redis, as in distributed mode: several replicas (each its own connection)
 * count against the same windows, and a burst from many connections never lets more through
 * than the limit. Skipped, with the reason printed, when REDIS_URL is not set or unreachable.
 */
const PREFIX = `test:open-rl:${randomBytes(4).toString('hex')}:`;
let redis: Redis | undefined;
let skipReason: string | undefined;
const replicas: Redis[] = [];
/** Decided when the file is collected, so an unconfigured Redis shows as skipped tests. */
const SKIP = process.env.REDIS_URL ? undefined : 'REDIS_URL is not set';
if (SKIP) process.stdout.write(`[open-api rate limits] skipping Redis tests: ${SKIP}\n`);
const redisIt = SKIP ? it.skip : it;

beforeAll(async () => {
  ({ redis, skipReason } = await testRedis());
  if (skipReason) process.stdout.write(`[open-api rate limits] skipping Redis tests: ${skipReason}\n`);
  if (redis) for (let i = 0; i < 4; i++) replicas.push(new Redis(process.env.REDIS_URL!));
});

afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  for (const r of replicas) r.disconnect();
});

const limiter = (i: number, now?: () => number) => new RateLimiter(new RedisKeyValueStore(replicas[i % replicas.length], PREFIX), now);

redisIt('lets exactly the per-second limit through a burst from many connections across replicas', async () => {
  if (!redis) return;
  const limits = { perSecond: 50, perDay: 1_000_000, maxDownloadRows: 1 };
  // Pin the clock inside one second so the burst cannot straddle two windows.
  const t = Math.floor(Date.now() / 1000) * 1000 + 100;
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => limiter(i, () => t).check({ kind: 'app', id: 'burst' }, limits)));
  expect(results.filter((r) => r.allowed)).toHaveLength(50);
  const refused = results.filter((r) => !r.allowed);
  expect(refused).toHaveLength(150);
  expect(refused.every((r) => r.refusedBy === 'second' && Number(r.headers['Retry-After']) >= 1)).toBe(true);
});

redisIt('shares the daily quota between replicas, warns once at 80% and refuses above it', async () => {
  if (!redis) return;
  const limits = { perSecond: 1_000, perDay: 20, maxDownloadRows: 1 };
  const results = [];
  for (let i = 0; i < 24; i++) results.push(await limiter(i).check({ kind: 'ip', id: '203.0.113.7' }, limits));
  expect(results.filter((r) => r.allowed)).toHaveLength(20);
  expect(results.filter((r) => r.crossedWarning)).toHaveLength(1);
  expect(results.findIndex((r) => r.crossedWarning)).toBe(15);
  expect(results[23]).toMatchObject({ allowed: false, refusedBy: 'day' });
  const ttl = await redis.pttl(`${PREFIX}rl:d:ip:203.0.113.7:${new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)}`);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(86_400_000);
});
