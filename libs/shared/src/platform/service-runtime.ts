import type { Logger } from 'pino';
import type { EventTransport } from '../events/transport';
import type { KeyValueStore } from '../kv/key-value-store';
import type { ObjectStorage } from '../storage/object-storage';

/**
 * The infrastructure a service runs on, chosen by the entry point: embedded (one process,
 * embedded PostgreSQL, in-process events, files on disk, memory store) or distributed
 * (DATABASE_URL, Kafka or Redis Streams, MinIO, Redis). Services only see these ports.
 */
export interface ServiceRuntime {
  mode: 'embedded' | 'distributed';
  databaseUrl: string;
  transport: EventTransport;
  objectStorage: ObjectStorage;
  keyValue: KeyValueStore;
  logger: Logger;
  settings: RuntimeSettings;
}

export interface RuntimeSettings {
  jwtSecret: string;
  apiKeyPepper: string;
  bodyLimit: string;
  /** Delay before the outbox relay starts (fault-injection in the crash test; 0 otherwise). */
  outboxStartDelayMs?: number;
  outboxPollMs?: number;
  consumerBackoffMs?: number;
  consumerMaxAttempts?: number;
  dbPoolSize?: number;
  /** Service-specific settings, validated by each service's own config class. */
  extra?: Record<string, string | undefined>;
}

export const SERVICE_RUNTIME = Symbol('SERVICE_RUNTIME');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
