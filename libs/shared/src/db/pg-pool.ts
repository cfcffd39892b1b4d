import { Pool, PoolConfig } from 'pg';
import type { Logger } from 'pino';

/**
 * A pg Pool that survives the server closing idle connections (restart, failover, DROP DATABASE):
 * pg-pool reports those as 'error' on the pool, which crashes the process when nobody listens.
 * The next checkout simply opens a new connection.
 */
export function createPgPool(config: PoolConfig, logger?: Pick<Logger, 'warn'>): Pool {
  const pool = new Pool(config);
  pool.on('error', (err) => logger?.warn({ err: err.message }, 'idle PostgreSQL connection closed by the server'));
  return pool;
}
