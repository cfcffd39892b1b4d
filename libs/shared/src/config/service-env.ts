import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';

export const EVENT_TRANSPORTS = ['in-process', 'redis', 'kafka'] as const;
export type EventTransportKind = (typeof EVENT_TRANSPORTS)[number];

/**
 * A 32-byte key written as 64 hex digits or as base64 (44 characters with its `=`, or 43 without;
 * the URL-safe alphabet is accepted too), e.g. `openssl rand -base64 32` or `openssl rand -hex 32`.
 * Answers undefined for anything else, a near miss included, so that a truncated key is never used.
 */
export function decodeKey32(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  // Only the canonical spelling: the unused low bits of the last character must be zero.
  const canonical = key.toString('base64').slice(0, 43);
  if (key.length !== 32 || canonical !== value.slice(0, 43).replace(/-/g, '+').replace(/_/g, '/')) return undefined;
  return key;
}

/** The key that encrypts stored connection credentials, from a validated CREDENTIALS_KEY. */
export function credentialsKey(env: Pick<ServiceEnv, 'CREDENTIALS_KEY'>): Buffer | undefined {
  if (env.CREDENTIALS_KEY === undefined) return undefined;
  const key = decodeKey32(env.CREDENTIALS_KEY);
  if (!key) throw new Error('CREDENTIALS_KEY is not a 32-byte key (64 hex digits or base64)');
  return key;
}

const IsKey32 = () =>
  ValidateBy({
    name: 'isKey32',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && decodeKey32(value) !== undefined,
      defaultMessage: () => 'must be a 32-byte key: 64 hex digits or base64 (openssl rand -base64 32)',
    },
  });

/** Environment of one service process in distributed mode. */
export class ServiceEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL: string;

  @IsIn(EVENT_TRANSPORTS as unknown as string[])
  EVENT_TRANSPORT: EventTransportKind = 'kafka';

  @ValidateIf((o: ServiceEnv) => o.EVENT_TRANSPORT === 'kafka')
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be a comma-separated host:port list' })
  KAFKA_BROKERS?: string;

  @ValidateIf((o: ServiceEnv) => o.EVENT_TRANSPORT === 'redis' || o.REDIS_URL !== undefined)
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL?: string;

  @IsOptional() @Matches(/^https?:\/\/.+/, { message: 'must be an http(s) URL of the MinIO/S3 endpoint' })
  S3_ENDPOINT?: string;

  @ValidateIf((o: ServiceEnv) => o.S3_ENDPOINT !== undefined) @IsString()
  S3_ACCESS_KEY?: string;

  @ValidateIf((o: ServiceEnv) => o.S3_ENDPOINT !== undefined) @IsString()
  S3_SECRET_KEY?: string;

  @IsString()
  S3_BUCKET = 'govdata';

  @IsString()
  S3_REGION = 'us-east-1';

  /** Where objects live when no S3 endpoint is configured. */
  @IsString()
  OBJECT_DIR = './.data/objects';

  @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET: string;

  @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  API_KEY_PEPPER: string;

  /** Encrypts stored connection credentials: 32 bytes as 64 hex digits or base64 (see decodeKey32). */
  @IsOptional() @IsKey32()
  CREDENTIALS_KEY?: string;

  /** HMAC key of the audit log's hash chain; at least 32 characters. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  AUDIT_SIGNING_KEY?: string;

  @Matches(/^\d+(kb|mb)$/i, { message: 'must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsIn(['true', 'false'])
  MIGRATE_ON_START = 'true';
}
