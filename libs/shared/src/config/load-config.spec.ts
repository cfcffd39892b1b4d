import { ConfigValidationError, loadConfig } from './load-config';
import { randomBytes } from 'node:crypto';
import { IsString } from 'class-validator';
import { credentialsKey, decodeKey32, ServiceEnv } from './service-env';

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

  it('returns the declared fields only, never the rest of the environment', () => {
    const cfg = loadConfig(ServiceEnv, { ...VALID, PATH: '/usr/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'leak', npm_config_cache: '/tmp' });
    for (const v of ['PATH', 'HOME', 'AWS_SECRET_ACCESS_KEY', 'npm_config_cache']) expect(cfg).not.toHaveProperty(v);
    const declared = Object.keys(new ServiceEnv());
    for (const k of Object.keys(cfg)) expect(declared).toContain(k);
    expect(JSON.stringify(cfg)).not.toContain('leak');
  });

  it('reads the real process.env down to the declared fields too', () => {
    process.env.GOVDATA_UNDECLARED_PROBE = 'x';
    try {
      const cfg = loadConfig(ServiceEnv, { ...process.env, ...VALID });
      expect(cfg).not.toHaveProperty('GOVDATA_UNDECLARED_PROBE');
      expect(cfg).not.toHaveProperty('PATH');
    } finally {
      delete process.env.GOVDATA_UNDECLARED_PROBE;
    }
  });

  it('keeps a declared field without a default or decorator, and those of a parent class', () => {
    class Base {
      @IsString() BASE_VAR = 'base-default';
    }
    class Child extends Base {
      PLAIN?: string = undefined;
      @IsString() CHILD_VAR: string;
    }
    const cfg = loadConfig(Child, { BASE_VAR: 'b', PLAIN: 'p', CHILD_VAR: 'c', OTHER: 'o' });
    expect({ ...cfg }).toEqual({ BASE_VAR: 'b', PLAIN: 'p', CHILD_VAR: 'c' });
  });

  describe('CREDENTIALS_KEY', () => {
    const key = randomBytes(32);

    it('is optional', () => {
      expect(loadConfig(ServiceEnv, VALID).CREDENTIALS_KEY).toBeUndefined();
      expect(credentialsKey(loadConfig(ServiceEnv, VALID))).toBeUndefined();
    });

    it.each([
      ['hex', key.toString('hex')],
      ['upper-case hex', key.toString('hex').toUpperCase()],
      ['base64', key.toString('base64')],
      ['base64 without padding', key.toString('base64').replace(/=$/, '')],
      ['base64url', key.toString('base64url')],
    ])('takes 32 bytes as %s', (_label, value) => {
      const cfg = loadConfig(ServiceEnv, { ...VALID, CREDENTIALS_KEY: value });
      expect(cfg.CREDENTIALS_KEY).toBe(value);
      expect(credentialsKey(cfg)?.equals(key)).toBe(true);
    });

    it.each([
      ['a passphrase', 'correct horse battery staple correct horse'],
      ['16 bytes of hex', randomBytes(16).toString('hex')],
      ['31 bytes of base64', randomBytes(31).toString('base64')],
      ['33 bytes of base64', randomBytes(33).toString('base64')],
      ['64 characters that are not hex', 'g'.repeat(64)],
      ['a non-canonical base64 spelling', `${'A'.repeat(42)}B=`],
      ['hex with whitespace', ` ${key.toString('hex')}`],
    ])('refuses %s and names it', (_label, value) => {
      const err = configError({ ...VALID, CREDENTIALS_KEY: value });
      expect(variablesOf(err)).toEqual(['CREDENTIALS_KEY']);
      expect(err.message).toMatch(/CREDENTIALS_KEY: must be a 32-byte key/);
      expect(decodeKey32(value)).toBeUndefined();
    });
  });

  describe('AUDIT_SIGNING_KEY', () => {
    it('is optional', () => {
      expect(loadConfig(ServiceEnv, VALID).AUDIT_SIGNING_KEY).toBeUndefined();
      expect(loadConfig(ServiceEnv, { ...VALID, AUDIT_SIGNING_KEY: '' }).AUDIT_SIGNING_KEY).toBeUndefined();
    });

    it('takes a key of 32 characters or more', () => {
      expect(loadConfig(ServiceEnv, { ...VALID, AUDIT_SIGNING_KEY: 'a'.repeat(32) }).AUDIT_SIGNING_KEY).toBe('a'.repeat(32));
    });

    it('refuses a shorter one and names it', () => {
      const err = configError({ ...VALID, AUDIT_SIGNING_KEY: 'a'.repeat(31) });
      expect(variablesOf(err)).toEqual(['AUDIT_SIGNING_KEY']);
      expect(err.message).toMatch(/AUDIT_SIGNING_KEY: must be at least 32 characters/);
    });
  });
});
