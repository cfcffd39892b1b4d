import { cellText, JsonNumber, JsonSyntaxError, parseJsonText, spanOf, toJsonText, valueAt } from './json-text';

describe('lossless JSON', () => {
  it('keeps numbers as written: long ids, trailing zeros, exponents', () => {
    const doc = parseJsonText('{"id": 110101199003077777, "big": 12345678901234567890123, "amount": 1.50, "e": -1e5}');
    expect(cellText(valueAt(doc, 'id'))).toBe('110101199003077777');
    expect(cellText(valueAt(doc, 'big'))).toBe('12345678901234567890123');
    expect(cellText(valueAt(doc, 'amount'))).toBe('1.50');
    expect(cellText(valueAt(doc, 'e'))).toBe('-1e5');
    expect(valueAt(doc, 'id')).toBeInstanceOf(JsonNumber);
  });

  it('reads strings with escapes, nested values and paths', () => {
    const doc = parseJsonText('\uFEFF{"data": {"records": [{"名称": "a\\"b\\u4e2d", "ok": true, "n": null, "tags": [1, {"x": 2.0}]}]}}');
    const rec = valueAt(doc, 'data.records.0')!;
    expect(cellText(valueAt(rec, '名称'))).toBe('a"b中');
    expect(cellText(valueAt(rec, 'ok'))).toBe('true');
    expect(cellText(valueAt(rec, 'n'))).toBeNull();
    expect(cellText(valueAt(rec, 'missing'))).toBeNull();
    expect(cellText(valueAt(rec, 'tags'))).toBe('[1,{"x":2.0}]');
    expect(valueAt(doc, 'data.nope.x')).toBeUndefined();
  });

  it('keeps the source span of objects', () => {
    const text = '[ {"a": 1} , {"b": [2]} ]';
    const doc = parseJsonText(text) as unknown[];
    const span = spanOf(doc[1] as never)!;
    expect(text.slice(span[0], span[1])).toBe('{"b": [2]}');
  });

  it('treats __proto__ as an ordinary key', () => {
    const doc = parseJsonText('{"__proto__": {"polluted": 1}, "a": 2}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(doc as object)).toEqual(['__proto__', 'a']);
    expect(toJsonText(doc)).toBe('{"__proto__":{"polluted":1},"a":2}');
  });

  it.each(['', '{', '{"a" 1}', '[1,]', '{"a":1}x', 'NaN', "{'a':1}", '"\u0001"', '<!DOCTYPE html>', '01'])('refuses %j', (text) => {
    expect(() => parseJsonText(text)).toThrow(JsonSyntaxError);
  });

  it('refuses absurd nesting without overflowing the stack', () => {
    expect(() => parseJsonText('['.repeat(100_000))).toThrow(/nested too deeply/);
  });
});
