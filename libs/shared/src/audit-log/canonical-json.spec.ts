import { canonicalCopy, canonicalJson } from './canonical-json';

// The definition, written plainly: the fast encoder must give the same text.
const reference = (value: unknown): string => {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`;
};

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units at every depth, drops undefined members, keeps nulls', () => {
    const value = { b: 1, a: { z: [3, undefined, { y: null, x: '引号"\n' }], '10': true, '9': false, é: 1, Z: 2 }, c: undefined, d: new Date(0), e: -0, f: 1e21, g: 0.1 };
    expect(canonicalJson(value)).toBe('{"a":{"10":true,"9":false,"Z":2,"z":[3,null,{"x":"引号\\"\\n","y":null}],"é":1},"b":1,"d":"1970-01-01T00:00:00.000Z","e":0,"f":1e+21,"g":0.1}');
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('agrees with the plain definition on generated values', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3) return [null, true, false, Math.floor(rnd() * 1e6) / 7, `s${Math.floor(rnd() * 100)}\u2028"`, undefined][Math.floor(rnd() * 6)];
      if (r < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 6); i > 0; i--) o[['b', 'a', '1', '02', 'ä', 'A', 'key'][Math.floor(rnd() * 7)] + (rnd() < 0.5 ? '' : 'x')] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const v = { root: gen(0) };
      expect(canonicalJson(v)).toBe(reference(v));
      expect(canonicalJson(canonicalCopy(v))).toBe(reference(v));
    }
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
  });
});
