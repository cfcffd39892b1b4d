import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsOptional, IsString, ValidateNested, validateSync } from 'class-validator';
import { seededRandom } from '../security/labelled-columns';
import { EVENT_CATALOG, EventName } from './contracts/event-catalog';
import { createEnvelope, InvalidEventError, parseEnvelope } from './envelope';
import { compilePayloadCheck } from './payload-check';

/** What class-validator itself says, as the envelope used to ask it. */
const classValidatorAccepts = (cls: new () => object, plain: object) => validateSync(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true }).length === 0;

const NAMES = Object.keys(EVENT_CATALOG) as EventName[];
const payloadClass = (name: EventName) => EVENT_CATALOG[name].payload as new () => object;

/** A value that passes one property's rules, made from its class-validator metadata. */
function validValue(rules: { name?: string; constraints?: unknown[]; each?: boolean }[], rnd: () => number): unknown {
  const has = (n: string) => rules.find((r) => r.name === n);
  const uuid = () => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(rnd() * 16).toString(16));
  const isIn = has('isIn');
  const one = (): unknown => {
    if (isIn) return (isIn.constraints![0] as unknown[])[Math.floor(rnd() * (isIn.constraints![0] as unknown[]).length)];
    if (has('isUuid')) return uuid();
    if (has('isIso8601')) return new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 2e11)).toISOString();
    if (has('isInt')) return (has('min')?.constraints?.[0] as number | undefined ?? 0) + Math.floor(rnd() * 50);
    if (has('isNumber')) return (has('min')?.constraints?.[0] as number | undefined ?? 0) + rnd() * 50;
    if (has('isObject')) return { a: 1 };
    if (has('isBoolean')) return rnd() < 0.5;
    const length = has('isLength');
    if (length) return 'x'.repeat(Math.max(1, length.constraints![0] as number));
    if (has('isString') || has('maxLength')) return `值${Math.floor(rnd() * 1000)}`;
    return rnd() < 0.5;
  };
  if (has('isArray') || rules.some((r) => r.each)) return Array.from({ length: Math.floor(rnd() * 3) }, one);
  return one();
}

function validPayload(name: EventName, rnd: () => number): Record<string, unknown> {
  const grouped = getMetadataStorage().groupByPropertyName(getMetadataStorage().getTargetValidationMetadatas(payloadClass(name), '', false, false, undefined));
  const out: Record<string, unknown> = {};
  for (const [property, rules] of Object.entries(grouped)) {
    const optional = rules.some((r) => r.name === 'isOptional');
    if (optional && rnd() < 0.3) continue;
    if (optional && rnd() < 0.2) out[property] = null;
    else out[property] = validValue(rules, rnd);
  }
  return out;
}

const WRONG: unknown[] = [null, undefined, '', 'x', 'not-a-uuid', 0, -1, 1.5, 2 ** 40, NaN, true, [], ['a', 1], [1], {}, { a: 1 }, '2026-11-24T00:00:00Z', '00000000-0000-4000-8000-000000000000'];

/** A valid payload with one or two things changed: a property's value, a property removed, an unknown one added. */
function mutate(p: Record<string, unknown>, name: EventName, rnd: () => number): Record<string, unknown> {
  const q = { ...p };
  const props = Object.keys(getMetadataStorage().groupByPropertyName(getMetadataStorage().getTargetValidationMetadatas(payloadClass(name), '', false, false, undefined)));
  for (let n = 1 + Math.floor(rnd() * 2); n > 0; n--) {
    const r = rnd();
    const prop = props[Math.floor(rnd() * props.length)];
    if (r < 0.7) q[prop] = WRONG[Math.floor(rnd() * WRONG.length)];
    else if (r < 0.9) delete q[prop];
    else q[`extra${Math.floor(rnd() * 3)}`] = 'x';
  }
  return q;
}

describe('compilePayloadCheck', () => {
  it('models every event contract (none falls back to class-validator alone)', () => {
    expect(NAMES.filter((n) => !compilePayloadCheck(payloadClass(n)))).toEqual([]);
  });

  it('agrees with class-validator on generated valid and mutated payloads of every contract', () => {
    const rnd = seededRandom(20261124);
    let valid = 0;
    let invalid = 0;
    for (const name of NAMES) {
      const check = compilePayloadCheck(payloadClass(name))!;
      for (let i = 0; i < 150; i++) {
        const base = validPayload(name, rnd);
        for (const candidate of [base, mutate(base, name, rnd), mutate(base, name, rnd)]) {
          const expected = classValidatorAccepts(payloadClass(name), candidate);
          if (check(candidate) !== expected) throw new Error(`${name}: check says ${!expected}, class-validator ${expected}, for ${JSON.stringify(candidate)}`);
          if (expected) valid++;
          else invalid++;
        }
      }
    }
    // Both answers were exercised many times, or the comparison says little.
    expect(valid).toBeGreaterThan(NAMES.length * 100);
    expect(invalid).toBeGreaterThan(NAMES.length * 100);
  });

  it('follows class-validator on IsOptional, each, unknown properties and what it does not model', () => {
    class Sample {
      @IsIn(['a', 'b']) kind: string;
      @IsOptional() @IsInt() count?: number | null;
      @IsString({ each: true }) tags: string[];
    }
    const check = compilePayloadCheck(Sample)!;
    expect(check({ kind: 'a', tags: ['x'] })).toBe(true);
    expect(check({ kind: 'a', count: null, tags: [] })).toBe(true);
    expect(check({ kind: 'a', count: 1.5, tags: [] })).toBe(false);
    expect(check({ kind: 'c', tags: [] })).toBe(false);
    expect(check({ kind: 'a', tags: ['x', 1] })).toBe(false);
    expect(check({ kind: 'a', tags: [], other: 1 })).toBe(false);
    expect(check({ tags: [] })).toBe(false);

    class Nested {
      @ValidateNested() inner: Sample;
    }
    class Bare {}
    expect(compilePayloadCheck(Nested)).toBeUndefined();
    expect(compilePayloadCheck(Bare)).toBeUndefined();
  });

  it('leaves the envelope’s answers as they were: valid payloads pass, invalid ones are refused with class-validator’s reasons', () => {
    const payload = { channel: 'open', kind: 'records', outcome: 'allowed', appId: null, fields: ['企业名称'], rowCount: 3, at: '2026-11-24T08:00:00.000Z' };
    const env = createEnvelope('open.data.accessed', payload as never, { producer: 'open-api' });
    expect(parseEnvelope(JSON.stringify(env)).payload).toEqual(payload);
    expect(() => createEnvelope('open.data.accessed', { ...payload, rowCount: -1 } as never, { producer: 'open-api' })).toThrow(/rowCount: rowCount must not be less than 0/);
    expect(() => parseEnvelope(JSON.stringify({ ...env, payload: { ...payload, secret: 1 } }))).toThrow(InvalidEventError);
    expect(() => parseEnvelope(JSON.stringify({ ...env, payload: { ...payload, secret: 1 } }))).toThrow(/property secret should not exist/);
  });
});
