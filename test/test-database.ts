import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { Client } from 'pg';
import Redis from 'ioredis';
import { ADMIN_URL_FILE, DROP_LIST_FILE } from './pg-server';

function adminUrl(): string {
  return (JSON.parse(readFileSync(ADMIN_URL_FILE, 'utf8')) as { adminUrl: string }).adminUrl;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database per test file, so tests never see each other's schemas or rows. */
export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const name = `govdata_${label}_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // DROP DATABASE waits for an immediate checkpoint, seconds on a busy machine: the run drops
    // every database at its end (global teardown) instead of inside each file's afterAll.
    drop: async () => {
      await appendFile(DROP_LIST_FILE, `${name}\n`);
    },
  };
}

/** Redis for tests that need it, or the reason they are skipped (printed by the caller). */
export async function testRedis(): Promise<{ redis?: Redis; skipReason?: string }> {
  const url = process.env.REDIS_URL;
  if (!url) return { skipReason: 'REDIS_URL is not set' };
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return { redis };
  } catch (err) {
    redis.disconnect();
    return { skipReason: `REDIS_URL=${url} is unreachable (${(err as Error).message})` };
  }
}
