import { ConfigValidationError, loadConfig } from './load-config';
import { ServiceEnv } from './service-env';

/** The smallest environment a distributed service boots with (Kafka is the default transport). */
const VALID: NodeJS.ProcessEnv = {
  DATABASE_URL: 'postgres://svc:pw@db:5432/govdata',
  JWT_SECRET: 'x'.repeat(32),
  API_KEY_PEPPER: 'p'.repeat(16),
  KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
};

function configError(env: NodeJS.ProcessEnv): ConfigValidationError {
  try {
    loadConfig(ServiceEnv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return err as ConfigValidationError;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

const variablesOf = (err: ConfigValidationError) => [...new Set(err.problems.map((p) => p.variable))];

describe('loadConfig(ServiceEnv)', () => {
  it('applies the defaults to everything not given', () => {
    const cfg = loadConfig(ServiceEnv, VALID);
    expect(cfg).toBeInstanceOf(ServiceEnv);
    expect(cfg).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      EVENT_TRANSPORT: 'kafka',
      S3_BUCKET: 'govdata',
      S3_REGION: 'us-east-1',
      OBJECT_DIR: './.data/objects',
      BODY_LIMIT: '1mb',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: 'true',
      DATABASE_URL: VALID.DATABASE_URL,
      KAFKA_BROKERS: VALID.KAFKA_BROKERS,
    });
    expect(cfg.S3_ENDPOINT).toBeUndefined();
    expect(cfg.REDIS_URL).toBeUndefined();
  });

  it('converts PORT to a number and keeps given values over defaults', () => {
    const cfg = loadConfig(ServiceEnv, { ...VALID, PORT: '8081', NODE_ENV: 'production', LOG_LEVEL: 'warn', BODY_LIMIT: '512kb' });
    expect(cfg.PORT).toBe(8081);
    expect(cfg).toMatchObject({ NODE_ENV: 'production', LOG_LEVEL: 'warn', BODY_LIMIT: '512kb' });
  });

  it('does not read process.env when an environment is passed', () => {
    const before = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://from-process-env/db';
    try {
      expect(loadConfig(ServiceEnv, VALID).DATABASE_URL).toBe(VALID.DATABASE_URL);
    } finally {
      if (before === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before;
    }
  });

  it('refuses a missing DATABASE_URL and names it', () => {
    const { DATABASE_URL: _omit, ...env } = VALID;
    const err = configError(env);
    expect(variablesOf(err)).toEqual(['DATABASE_URL']);
    expect(err.message).toContain('DATABASE_URL');
    expect(err.message).toContain('postgres://');
  });

  it('refuses a DATABASE_URL that is not a postgres URL', () => {
    const err = configError({ ...VALID, DATABASE_URL: 'mysql://db/govdata' });
    expect(variablesOf(err)).toEqual(['DATABASE_URL']);
  });

  it('refuses a JWT_SECRET shorter than 32 characters and names it', () => {
    const err = configError({ ...VALID, JWT_SECRET: 'x'.repeat(31) });
    expect(variablesOf(err)).toEqual(['JWT_SECRET']);
    expect(err.message).toMatch(/JWT_SECRET: must be at least 32 characters/);
    expect(loadConfig(ServiceEnv, { ...VALID, JWT_SECRET: 'y'.repeat(32) }).JWT_SECRET).toBe('y'.repeat(32));
  });

  it('refuses a short API_KEY_PEPPER', () => {
    expect(variablesOf(configError({ ...VALID, API_KEY_PEPPER: 'short' }))).toEqual(['API_KEY_PEPPER']);
  });

  it('requires KAFKA_BROKERS only when the transport is kafka', () => {
    const { KAFKA_BROKERS: _omit, ...withoutBrokers } = VALID;
    const missing = configError({ ...withoutBrokers, EVENT_TRANSPORT: 'kafka' });
    expect(variablesOf(missing)).toEqual(['KAFKA_BROKERS']);
    expect(missing.message).toContain('KAFKA_BROKERS: must be a comma-separated host:port list');

    // kafka is the default transport, so leaving EVENT_TRANSPORT out needs brokers too
    expect(variablesOf(configError(withoutBrokers))).toEqual(['KAFKA_BROKERS']);
    expect(variablesOf(configError({ ...VALID, KAFKA_BROKERS: 'kafka-1' }))).toEqual(['KAFKA_BROKERS']);

    expect(loadConfig(ServiceEnv, { ...withoutBrokers, EVENT_TRANSPORT: 'in-process' }).EVENT_TRANSPORT).toBe('in-process');
  });

  it('requires REDIS_URL when the transport is redis', () => {
    const { KAFKA_BROKERS: _omit, ...env } = VALID;
    expect(variablesOf(configError({ ...env, EVENT_TRANSPORT: 'redis' }))).toEqual(['REDIS_URL']);
    expect(loadConfig(ServiceEnv, { ...env, EVENT_TRANSPORT: 'redis', REDIS_URL: 'redis://cache:6379' }).REDIS_URL).toBe('redis://cache:6379');
  });

  it('refuses an unknown EVENT_TRANSPORT', () => {
    expect(variablesOf(configError({ ...VALID, EVENT_TRANSPORT: 'rabbitmq' }))).toContain('EVENT_TRANSPORT');
  });

  it.each([
    ['not a number', 'http'],
    ['zero', '0'],
    ['above 65535', '65536'],
    ['fractional', '3000.5'],
    ['negative', '-1'],
  ])('refuses a PORT that is %s and names it', (_label, port) => {
    const err = configError({ ...VALID, PORT: port });
    expect(variablesOf(err)).toEqual(['PORT']);
    expect(err.message).toContain('PORT');
  });

  it('counts an empty string as unset: defaults apply, required variables are reported missing', () => {
    expect(loadConfig(ServiceEnv, { ...VALID, PORT: '', LOG_LEVEL: '', S3_ENDPOINT: '' })).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info' });
    expect(loadConfig(ServiceEnv, { ...VALID, S3_ENDPOINT: '' }).S3_ENDPOINT).toBeUndefined();

    const err = configError({ ...VALID, DATABASE_URL: '', JWT_SECRET: '' });
    expect(variablesOf(err).sort()).toEqual(['DATABASE_URL', 'JWT_SECRET']);
  });

  it('requires S3 credentials once an S3 endpoint is set', () => {
    const err = configError({ ...VALID, S3_ENDPOINT: 'http://minio:9000' });
    expect(variablesOf(err).sort()).toEqual(['S3_ACCESS_KEY', 'S3_SECRET_KEY']);
    expect(variablesOf(configError({ ...VALID, S3_ENDPOINT: 'minio:9000', S3_ACCESS_KEY: 'a', S3_SECRET_KEY: 'b' }))).toEqual(['S3_ENDPOINT']);
  });

  it('lists every bad variable at once, one line each', () => {
    const err = configError({ PORT: 'abc', JWT_SECRET: 'short', EVENT_TRANSPORT: 'kafka' });
    expect(variablesOf(err).sort()).toEqual(['API_KEY_PEPPER', 'DATABASE_URL', 'JWT_SECRET', 'KAFKA_BROKERS', 'PORT']);
    for (const v of ['API_KEY_PEPPER', 'DATABASE_URL', 'JWT_SECRET', 'KAFKA_BROKERS', 'PORT'])
      expect(err.message).toMatch(new RegExp(`^  - ${v}: `, 'm'));
    expect(err.name).toBe('ConfigValidationError');
  });
});
