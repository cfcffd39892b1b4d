/**
 * A JSON reader for pulled pages that loses nothing: numbers keep the text they were written
 * with (an 18-digit 身份证号 or a 19-digit id sent as a JSON number survives, `1.50` stays
 * `1.50`), objects have no prototype (a `__proto__` key is just a key), and the source span of
 * every object and array is kept so a rejected record can be shown as it was received.
 */

export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at character ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 512;
const spans = new WeakMap<object, [number, number]>();

/** [start, end) of an object or array in the text it was parsed from. */
export function spanOf(value: JsonValue): [number, number] | undefined {
  return value !== null && typeof value === 'object' && !(value instanceof JsonNumber) ? spans.get(value) : undefined;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonNumber);
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJsonText(text: string): JsonValue {
  let i = 0;
  const n = text.length;

  const fail = (reason: string): never => {
    throw new JsonSyntaxError(reason, i);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };

  const parseString = (): string => {
    // text[i] === '"'
    const start = i + 1;
    let j = start;
    let escaped = false;
    for (;;) {
      if (j >= n) {
        i = j;
        fail('unterminated string');
      }
      const c = text.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c < 0x20) {
        i = j;
        fail('control character in string');
      }
      j++;
    }
    i = j + 1;
    if (!escaped) return text.slice(start, j);
    try {
      return JSON.parse(text.slice(start - 1, j + 1)) as string;
    } catch {
      i = start;
      return fail('bad escape in string');
    }
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      const start = i++;
      const obj = Object.create(null) as JsonObject;
      ws();
      if (text[i] === '}') {
        i++;
      } else {
        for (;;) {
          ws();
          if (text[i] !== '"') fail('expected a property name');
          const key = parseString();
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
          obj[key] = parseValue(depth + 1);
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            break;
          }
          fail("expected ',' or '}'");
        }
      }
      spans.set(obj, [start, i]);
      return obj;
    }
    if (c === '[') {
      const start = i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
      } else {
        for (;;) {
          arr.push(parseValue(depth + 1));
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          fail("expected ',' or ']'");
        }
      }
      spans.set(arr, [start, i]);
      return arr;
    }
    if (c === '"') return parseString();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    return fail(i >= n ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[i])}`);
  };

  // A UTF-8 byte order mark is tolerated.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const value = parseValue(0);
  ws();
  if (i < n) fail('unexpected text after the JSON value');
  return value;
}

/** JSON text of a value, numbers as they were written. */
export function toJsonText(value: JsonValue): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  return `{${Object.keys(value)
    .map((k) => `${JSON.stringify(k)}:${toJsonText(value[k])}`)
    .join(',')}}`;
}

/** The text of a cell: strings as they are, numbers as written, booleans as true/false, nested values as JSON. */
export function cellText(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JsonNumber) return value.text;
  return toJsonText(value);
}

/**
 * The value at a dotted path (`data.records`, `result.0.items`); undefined when a step is missing.
 * An empty path is the document itself.
 */
export function valueAt(doc: JsonValue, path: string | undefined): JsonValue | undefined {
  if (!path) return doc;
  let cur: JsonValue | undefined = doc;
  for (const step of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object' || cur instanceof JsonNumber) return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(step)) return undefined;
      cur = cur[Number(step)];
    } else {
      cur = Object.prototype.hasOwnProperty.call(cur, step) ? cur[step] : undefined;
    }
  }
  return cur;
}
