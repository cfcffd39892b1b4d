import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

export const EVENT_TRANSPORTS = ['in-process', 'redis', 'kafka'] as const;
export type EventTransportKind = (typeof EVENT_TRANSPORTS)[number];

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

  @Matches(/^\d+(kb|mb)$/i, { message: 'must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsIn(['true', 'false'])
  MIGRATE_ON_START = 'true';
}
