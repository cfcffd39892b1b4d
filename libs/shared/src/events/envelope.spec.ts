import { EVENT_CATALOG } from './contracts/event-catalog';
import type { DepartmentRegisteredV1 } from './contracts/org.events';
import { createEnvelope, EventEnvelope, InvalidEventError, parseEnvelope } from './envelope';

const DEPT_ID = '3f1c2b7a-9d4e-4c6b-8a1f-2e5d7c9b0a13';
const department = (over: Partial<DepartmentRegisteredV1> = {}): DepartmentRegisteredV1 => ({
  deptId: DEPT_ID,
  name: '杭州市数据资源管理局',
  creditCode: '11330100MB1234567X',
  regionCode: '330100',
  level: 'city',
  ...over,
});

function invalid(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidEventError);
    return err as InvalidEventError;
  }
  throw new Error('expected InvalidEventError');
}

describe('createEnvelope', () => {
  const occurredAt = new Date('2025-01-02T03:04:05.678Z');

  it('wraps a valid payload with id, version, key from the contract and metadata', () => {
    const env = createEnvelope('org.department.registered', department(), {
      producer: 'catalog',
      correlationId: 'corr-12345678',
      actor: { type: 'user', id: 'u1' },
      occurredAt,
    });
    expect(env).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      name: 'org.department.registered',
      version: EVENT_CATALOG['org.department.registered'].version,
      key: DEPT_ID,
      occurredAt: '2025-01-02T03:04:05.678Z',
      producer: 'catalog',
      correlationId: 'corr-12345678',
      actor: { type: 'user', id: 'u1' },
      payload: department(),
    });
    expect(env.version).toBe(1);
  });

  it('keys org.user.created by its user id and gives every envelope its own id', () => {
    const payload = { userId: '9b2f0c1d-1e2f-4a3b-9c4d-5e6f7a8b9c0d', username: 'li', displayName: '李', deptId: DEPT_ID, roles: ['auditor'] };
    const a = createEnvelope('org.user.created', payload, { producer: 'catalog' });
    const b = createEnvelope('org.user.created', payload, { producer: 'catalog' });
    expect(a.key).toBe(payload.userId);
    expect(a.id).not.toBe(b.id);
    expect(Date.parse(a.occurredAt)).not.toBeNaN();
  });

  it('refuses a creditCode that is not 18 characters', () => {
    for (const creditCode of ['11330100MB1234567', '11330100MB1234567XX', '']) {
      const err = invalid(() => createEnvelope('org.department.registered', department({ creditCode }), { producer: 'catalog' }));
      expect(err.message).toContain('org.department.registered payload invalid');
      expect(err.message).toContain('creditCode');
    }
  });

  it('refuses other invalid payloads, naming each bad field', () => {
    const err = invalid(() =>
      createEnvelope('org.department.registered', department({ deptId: 'not-a-uuid', level: 'province' as 'city', regionCode: '33' }), { producer: 'catalog' }),
    );
    for (const field of ['deptId', 'level', 'regionCode']) expect(err.message).toContain(field);
    expect(err.message).not.toContain('creditCode');
  });

  it('refuses a payload with a field the contract does not have', () => {
    const payload = { ...department(), secret: 'x' } as DepartmentRegisteredV1;
    expect(invalid(() => createEnvelope('org.department.registered', payload, { producer: 'catalog' })).message).toContain('secret');
  });
});

describe('parseEnvelope', () => {
  const valid = (): EventEnvelope => createEnvelope('org.department.registered', department(), { producer: 'catalog' });

  it('accepts a JSON string of a valid envelope and an object', () => {
    const env = valid();
    expect(parseEnvelope(JSON.stringify(env))).toEqual(env);
    expect(parseEnvelope(env)).toEqual(env);
  });

  it('refuses an unknown event name', () => {
    const raw = { ...valid(), name: 'org.department.deleted' };
    expect(invalid(() => parseEnvelope(JSON.stringify(raw))).message).toBe('unknown event org.department.deleted');
    // names inherited from Object.prototype are not events
    expect(invalid(() => parseEnvelope({ ...valid(), name: 'constructor' })).message).toContain('unknown event');
  });

  it.each([[2], [0], ['1'], [undefined]])('refuses version %p', (version) => {
    const err = invalid(() => parseEnvelope({ ...valid(), version }));
    expect(err.message).toContain('not supported (expected 1)');
  });

  it('refuses extra payload fields', () => {
    const raw = { ...valid(), payload: { ...department(), injected: true } };
    expect(invalid(() => parseEnvelope(JSON.stringify(raw))).message).toContain('injected');
  });

  it('refuses a payload that breaks its contract', () => {
    const raw = { ...valid(), payload: { ...department(), creditCode: 'short' } };
    expect(invalid(() => parseEnvelope(raw)).message).toContain('creditCode');
  });

  it.each([
    ['a string payload', (e: EventEnvelope) => ({ ...e, payload: 'x' })],
    ['an array payload', (e: EventEnvelope) => ({ ...e, payload: [department()] })],
  ])('refuses %s as InvalidEventError', (_label, mutate) => {
    expect(() => parseEnvelope(mutate(valid()))).toThrow(InvalidEventError);
  });

  it.each([
    ['a missing payload', (e: EventEnvelope) => ({ ...e, payload: undefined })],
    ['a null payload', (e: EventEnvelope) => ({ ...e, payload: null })],
  ])('refuses %s', (_label, mutate) => {
    expect(() => parseEnvelope(mutate(valid()))).toThrow();
  });

  // A missing or null payload is a contract violation (InvalidEventError), not a TypeError.
  it.each([
    ['a missing payload', (e: EventEnvelope) => ({ ...e, payload: undefined })],
    ['a null payload', (e: EventEnvelope) => ({ ...e, payload: null })],
  ])('refuses %s with InvalidEventError', (_label, mutate) => {
    expect(() => parseEnvelope(mutate(valid()))).toThrow(InvalidEventError);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['JSON null', 'null'],
    ['JSON array', '[]'],
    ['an envelope without id', JSON.stringify({ name: 'org.department.registered', version: 1 })],
  ])('refuses %s as not an event envelope', (_label, raw) => {
    expect(invalid(() => parseEnvelope(raw)).message).toBe('not an event envelope');
  });

  it('refuses text that is not JSON (the consumer dead-letters SyntaxError and InvalidEventError alike)', () => {
    for (const raw of ['not json', '{"id": "x", ', '']) {
      expect(() => parseEnvelope(raw)).toThrow(expect.objectContaining({ name: expect.stringMatching(/^(InvalidEventError|SyntaxError)$/) }));
    }
  });
});
