import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createLogger, createPgPool, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, ServiceRuntime } from '@gov/shared';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { EmbeddedEnv } from './embedded-env';
import { startEmbeddedPostgres } from './embedded-postgres';

interface Secrets {
  jwtSecret: string;
  apiKeyPepper: string;
  pgPassword: string;
  /** 32 bytes, hex: seals stored source credentials. Added later, so older files get one on start. */
  credentialsKey?: string;
  /** Ed25519 private key (PKCS8 PEM) that signs the audit log's tree heads. Added later, like credentialsKey. */
  auditSigningKey?: string;
}

const newAuditSigningKey = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** Secrets the embedded mode generates on first start and keeps (mode 600) for the next ones. */
async function loadSecrets(dataDir: string): Promise<Secrets> {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const secrets = JSON.parse(await readFile(file, 'utf8')) as Secrets;
    if (secrets.credentialsKey && secrets.auditSigningKey) return secrets;
    secrets.credentialsKey ??= randomBytes(32).toString('hex');
    secrets.auditSigningKey ??= newAuditSigningKey();
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }
  const secrets: Secrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    apiKeyPepper: randomBytes(32).toString('base64url'),
    pgPassword: randomBytes(18).toString('base64url'),
    credentialsKey: randomBytes(32).toString('hex'),
    auditSigningKey: newAuditSigningKey(),
  };
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return secrets;
}

/** AUDIT_* (signing key, tree-head interval, retention, alert rules) override the generated key and defaults. */
const auditSettingsFromEnv = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('AUDIT_')));

/** Service policy settings (deadline limits, goals, calendar overrides) pass through from the environment. */
function serviceSettingsFromEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => /^(CATALOG|CALENDAR|INGEST|SHARING|OPEN|CREDENTIALS|SECURITY)_/.test(k)));
}

export interface EmbeddedInfrastructure {
  runtime: ServiceRuntime;
  logger: Logger;
  dispose(): Promise<void>;
}

/** Everything the five services share in embedded mode: one PostgreSQL, one event log, one disk. */
export async function startEmbeddedInfrastructure(env: EmbeddedEnv): Promise<EmbeddedInfrastructure> {
  const dataDir = resolve(env.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  // Lines name the service they were written for; the process's own lines say "platform".
  const logger = createLogger('platform', env.LOG_LEVEL, { fromScope: true });
  const secrets = await loadSecrets(dataDir);
  const db = env.DATABASE_URL
    ? { url: env.DATABASE_URL, stop: async () => undefined }
    : await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: env.PG_PORT, password: secrets.pgPassword, log: (m) => logger.warn({ postgres: m }) });
  // One connection per consumer group (advisory lock), one for LISTEN, the rest for appends and reads.
  const pool = createPgPool({ connectionString: db.url, max: 12 }, logger);
  const transport = new InProcessTransport(pool, { pollMs: 1000 });
  const keyValue = new MemoryKeyValueStore();
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: db.url,
    transport,
    objectStorage: new FileSystemObjectStorage(join(dataDir, 'objects')),
    keyValue,
    logger,
    settings: {
      jwtSecret: env.JWT_SECRET ?? secrets.jwtSecret,
      apiKeyPepper: env.API_KEY_PEPPER ?? secrets.apiKeyPepper,
      bodyLimit: env.BODY_LIMIT,
      outboxStartDelayMs: env.OUTBOX_START_DELAY_MS,
      dbPoolSize: 5,
      extra: { CREDENTIALS_KEY: secrets.credentialsKey, AUDIT_SIGNING_KEY: secrets.auditSigningKey, ...auditSettingsFromEnv(process.env), ...serviceSettingsFromEnv(process.env), SEED_DEMO: env.SEED_DEMO, SEED_DEMO_CATALOG: process.env.SEED_DEMO_CATALOG ?? env.SEED_DEMO },
    },
  };
  return {
    runtime,
    logger,
    dispose: async () => {
      await transport.close();
      await keyValue.close();
      await pool.end();
      await db.stop();
    },
  };
}
