import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger, createPgPool, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, ServiceRuntime } from '@gov/shared';
import type { Pool } from 'pg';
import { PlatformServer, startPlatformServer } from '../apps/embedded/src/platform-server';
import { tempDir } from './pg-server';
import { createTestDatabase, TestDatabase } from './test-database';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const TEST_CREDENTIALS_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

export interface TestPlatform {
  baseUrl: string;
  db: TestDatabase;
  pool: Pool;
  runtime: ServiceRuntime;
  server: PlatformServer;
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The five services in this process on a fresh database, as the embedded mode runs them. */
export async function startTestPlatform(opts: { seedDemo?: boolean; bodyLimit?: string; extra?: Record<string, string> } = {}): Promise<TestPlatform> {
  const db = await createTestDatabase('platform');
  // The event log holds one connection per consumer group (its advisory lock) plus LISTEN: room for all five services and queries.
  const pool = createPgPool({ connectionString: db.url, max: 12 });
  const transport = new InProcessTransport(pool, { pollMs: 100 });
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: db.url,
    transport,
    objectStorage: new FileSystemObjectStorage(join(await tempDir('govdata-objects-'), 'objects')),
    keyValue: new MemoryKeyValueStore(),
    logger: createLogger('test', 'silent'),
    settings: {
      jwtSecret: TEST_JWT_SECRET,
      apiKeyPepper: 'test-pepper-0123456789',
      bodyLimit: opts.bodyLimit ?? '64kb',
      outboxPollMs: 50,
      consumerBackoffMs: 10,
      consumerMaxAttempts: 3,
      dbPoolSize: 3,
      extra: {
        SEED_DEMO: opts.seedDemo === false ? 'false' : 'true',
        CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
        // Test servers listen on loopback, which pull sources may only reach when listed.
        INGEST_ALLOWED_HOSTS: '127.0.0.1,localhost',
        ...opts.extra,
      },
    },
  };
  const server = await startPlatformServer(runtime, { port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  return {
    baseUrl,
    db,
    pool,
    runtime,
    server,
    login: async (username, password = 'Demo@2026') => {
      const res = await fetch(`${baseUrl}/api/catalog/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    },
    close: async () => {
      await server.close();
      await transport.close();
      await pool.end();
      await db.drop();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
