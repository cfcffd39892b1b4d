import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** Configuration of the one-process embedded mode; every variable has a working default. */
export class EmbeddedEnv {
  @Type(() => Number) @IsInt() @Min(1) @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '127.0.0.1';

  /** Embedded PostgreSQL data, objects and generated secrets live here. */
  @IsString()
  DATA_DIR = './.data';

  /** Use this PostgreSQL instead of starting the embedded one. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL?: string;

  @Type(() => Number) @IsInt() @Min(1024) @Max(65535)
  PG_PORT = 54329;

  /** Generated on first start and kept in DATA_DIR/secrets.json when unset. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional() @IsString() @MinLength(16, { message: 'must be at least 16 characters' })
  API_KEY_PEPPER?: string;

  @Matches(/^\d+(kb|mb)$/i, { message: 'must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Create the demo city on an empty database. */
  @IsIn(['true', 'false'])
  SEED_DEMO = 'true';

  /** Fault injection for the crash test: delay before the outbox relay starts. */
  @Type(() => Number) @IsInt() @Min(0)
  OUTBOX_START_DELAY_MS = 0;
}
