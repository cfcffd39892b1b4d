import { DynamicModule } from '@nestjs/common';
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { ConfigValidationError, loadConfig } from '../config/load-config';
import { ServiceEnv } from '../config/service-env';
import type { ServiceName } from '../events/contracts/services';
import type { EventTransport } from '../events/transport';
import { InProcessTransport } from '../events/transports/in-process.transport';
import { KafkaTransport } from '../events/transports/kafka.transport';
import { RedisStreamsTransport } from '../events/transports/redis-streams.transport';
import { KeyValueStore, MemoryKeyValueStore, RedisKeyValueStore } from '../kv/key-value-store';
import { createPgPool } from '../db/pg-pool';
import { createLogger } from '../observability/logger';
import { FileSystemObjectStorage } from '../storage/filesystem.storage';
import { MinioObjectStorage } from '../storage/minio.storage';
import type { ObjectStorage } from '../storage/object-storage';
import { createServiceApp } from './bootstrap';
import type { ServiceRuntime } from './service-runtime';

export interface DistributedRuntime {
  runtime: ServiceRuntime;
  env: ServiceEnv;
  dispose(): Promise<void>;
}

/** Builds the runtime of one service process from validated environment variables. */
export function distributedRuntime(service: ServiceName, env: ServiceEnv, raw: NodeJS.ProcessEnv = process.env): DistributedRuntime {
  const logger = createLogger(service, env.LOG_LEVEL);
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false }) : undefined;
  let pool: Pool | undefined;
  let transport: EventTransport;
  switch (env.EVENT_TRANSPORT) {
    case 'kafka':
      transport = new KafkaTransport(env.KAFKA_BROKERS!.split(','), { clientId: `govdata-${service}` });
      break;
    case 'redis':
      transport = new RedisStreamsTransport(redis!, { consumerName: `${service}@${raw.HOSTNAME ?? 'local'}`, streamPrefix: raw.REDIS_STREAM_PREFIX });
      break;
    case 'in-process':
      // Multi-process over the PostgreSQL-backed log: useful when neither Kafka nor Redis exists.
      pool = createPgPool({ connectionString: env.DATABASE_URL, max: 4 }, logger);
      transport = new InProcessTransport(pool);
      break;
  }
  const objectStorage: ObjectStorage = env.S3_ENDPOINT
    ? new MinioObjectStorage({ endpoint: env.S3_ENDPOINT, accessKey: env.S3_ACCESS_KEY!, secretKey: env.S3_SECRET_KEY!, bucket: env.S3_BUCKET, region: env.S3_REGION })
    : new FileSystemObjectStorage(env.OBJECT_DIR);
  const keyValue: KeyValueStore = redis ? new RedisKeyValueStore(redis) : new MemoryKeyValueStore();
  return {
    env,
    runtime: {
      mode: 'distributed',
      databaseUrl: env.DATABASE_URL,
      transport,
      objectStorage,
      keyValue,
      logger,
      settings: {
        jwtSecret: env.JWT_SECRET,
        apiKeyPepper: env.API_KEY_PEPPER,
        bodyLimit: env.BODY_LIMIT,
        outboxStartDelayMs: Number(raw.OUTBOX_START_DELAY_MS ?? 0),
        extra: raw,
      },
    },
    dispose: async () => {
      await transport.close();
      await pool?.end();
      redis?.disconnect();
    },
  };
}

function loadOrExit(): ServiceEnv {
  try {
    return loadConfig(ServiceEnv);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** `node dist/services/<name>/main.js`: one service, its own port, real infrastructure. */
export async function runService(service: ServiceName, rootModule: (rt: ServiceRuntime) => DynamicModule, opts: { combinedDocs?: boolean } = {}): Promise<void> {
  const env = loadOrExit();
  const { runtime, dispose } = distributedRuntime(service, env);
  const app = await createServiceApp(rootModule(runtime), service, runtime, { migrate: env.MIGRATE_ON_START === 'true', combinedDocs: opts.combinedDocs });
  keepConnectionsLongerThanClients(app.getHttpServer());
  await app.listen(env.PORT);
  runtime.logger.info({ port: env.PORT, transport: runtime.transport.kind }, `${service} listening`);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    runtime.logger.info({ signal }, 'shutting down');
    await app.close();
    await dispose();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * `node dist/services/<name>/migrate.js`: run the service's migrations and exit (k8s initContainer).
 * `--revert` undoes the last applied migration instead.
 */
export async function runMigrationsOnly(service: ServiceName, rootModule: (rt: ServiceRuntime) => DynamicModule): Promise<void> {
  const env = loadOrExit();
  const { runtime, dispose } = distributedRuntime(service, env);
  const { NestFactory } = await import('@nestjs/core');
  const { DataSource } = await import('typeorm');
  const { migrateServiceSchema } = await import('../db/data-source');
  const { SERVICES } = await import('../events/contracts/services');
  const app = await NestFactory.createApplicationContext(rootModule(runtime), { logger: ['error', 'warn'] });
  if (process.argv.includes('--revert')) {
    await app.get(DataSource).undoLastMigration({ transaction: 'each' });
    runtime.logger.info(`${service}: last migration reverted`);
  } else {
    const ran = await migrateServiceSchema(app.get(DataSource), SERVICES[service].schema);
    runtime.logger.info({ ran }, `${service}: ${ran.length} migration(s) applied`);
  }
  await app.close();
  await dispose();
}

/**
 * Idle keep-alive connections outlive the clients' and proxies' own idle timeouts (60 s is common
 * for load balancers; undici keeps 4 s), so the client always closes first. Otherwise a request can
 * be sent on a socket the server is closing at that moment and fail with ECONNRESET.
 */
export function keepConnectionsLongerThanClients(server: { keepAliveTimeout: number; headersTimeout: number }): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}
