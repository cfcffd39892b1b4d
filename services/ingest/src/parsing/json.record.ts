/**
 * One JSON record (an array element or an NDJSON line) read into cell texts, without losing what
 * `JSON.parse` would: a number keeps its text as written (`3000.00` stays `3000.00`, an 18-digit
 * code stays exact), `true`/`false` become `'true'`/`'false'`, `null` becomes a null cell, and a
 * nested object or array becomes its compact JSON text.
 */

export interface JsonObjectRecord {
  keys: string[];
  values: (string | null)[];
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

class Reader {
  pos = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(`${what} at character ${this.pos + 1}`, this.pos);
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length && WS(s.charCodeAt(this.pos))) this.pos++;
  }

  /** A string token; the reader is on its opening quote. */
  string(): string {
    const s = this.s;
    const start = this.pos + 1;
    let i = start;
    let escaped = false;
    for (;;) {
      if (i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    const body = s.slice(start, i);
    if (!escaped) return body;
    try {
      // raw control characters are not valid JSON, but some producers write them; accept them
      return JSON.parse(`"${body.replace(/[\u0000-\u001f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`) as string;
    } catch {
      this.pos = start - 1;
      return this.fail('invalid escape in string');
    }
  }

  number(): string {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (s.charCodeAt(i) === 45) i++;
    const intStart = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i === intStart || (s.charCodeAt(intStart) === 48 && i - intStart > 1)) this.fail('invalid number');
    if (s.charCodeAt(i) === 46) {
      i++;
      const f = i;
      while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      if (i === f) this.fail('invalid number');
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) i++;
      const f = i;
      while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      if (i === f) this.fail('invalid number');
    }
    this.pos = i;
    return s.slice(start, i);
  }

  literal(word: string): void {
    if (this.s.startsWith(word, this.pos)) this.pos += word.length;
    else this.fail('unexpected token');
  }

  /** Skips any value, checking its syntax; returns where it started. */
  skipValue(depth = 0): number {
    if (depth > 512) this.fail('nesting too deep');
    this.ws();
    const start = this.pos;
    const c = this.s.charCodeAt(this.pos);
    if (c === 123) {
      this.pos++;
      this.ws();
      if (this.s.charCodeAt(this.pos) === 125) {
        this.pos++;
        return start;
      }
      for (;;) {
        this.ws();
        if (this.s.charCodeAt(this.pos) !== 34) this.fail('expected a key');
        this.string();
        this.ws();
        if (this.s.charCodeAt(this.pos) !== 58) this.fail('expected ":"');
        this.pos++;
        this.skipValue(depth + 1);
        this.ws();
        const d = this.s.charCodeAt(this.pos);
        this.pos++;
        if (d === 125) return start;
        if (d !== 44) this.fail('expected "," or "}"');
      }
    }
    if (c === 91) {
      this.pos++;
      this.ws();
      if (this.s.charCodeAt(this.pos) === 93) {
        this.pos++;
        return start;
      }
      for (;;) {
        this.skipValue(depth + 1);
        this.ws();
        const d = this.s.charCodeAt(this.pos);
        this.pos++;
        if (d === 93) return start;
        if (d !== 44) this.fail('expected "," or "]"');
      }
    }
    this.scalar();
    return start;
  }

  /** A scalar as cell text; the reader is on its first character. */
  scalar(): string | null {
    const c = this.s.charCodeAt(this.pos);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (c === 116) {
      this.literal('true');
      return 'true';
    }
    if (c === 102) {
      this.literal('false');
      return 'false';
    }
    if (c === 110) {
      this.literal('null');
      return null;
    }
    if (Number.isNaN(c)) this.fail('unexpected end');
    return this.fail('unexpected character');
  }
}

/** JSON text without the whitespace outside strings. */
export function compactJson(text: string): string {
  let out = '';
  let segStart = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (WS(c)) {
      out += text.slice(segStart, i);
      segStart = i + 1;
    }
  }
  return out + text.slice(segStart);
}

/** What a JSON text holds at its top level: an object's keys and cell texts, or another kind. */
export type JsonRecordResult = { kind: 'object'; record: JsonObjectRecord } | { kind: 'other'; type: 'array' | 'scalar' };

/** Reads one JSON value that should be an object; throws JsonSyntaxError for invalid JSON. */
export function readJsonRecord(text: string): JsonRecordResult {
  const r = new Reader(text);
  r.ws();
  const c = text.charCodeAt(r.pos);
  if (c !== 123) {
    r.skipValue();
    r.ws();
    if (r.pos < text.length) r.fail('unexpected text after the value');
    return { kind: 'other', type: c === 91 ? 'array' : 'scalar' };
  }
  r.pos++;
  const keys: string[] = [];
  const values: (string | null)[] = [];
  let index: Map<string, number> | undefined;
  r.ws();
  if (text.charCodeAt(r.pos) === 125) r.pos++;
  else
    for (;;) {
      r.ws();
      if (text.charCodeAt(r.pos) !== 34) r.fail('expected a key');
      const key = r.string();
      r.ws();
      if (text.charCodeAt(r.pos) !== 58) r.fail('expected ":"');
      r.pos++;
      r.ws();
      const v = text.charCodeAt(r.pos);
      let value: string | null;
      if (v === 123 || v === 91) {
        const start = r.skipValue(1);
        value = compactJson(text.slice(start, r.pos));
      } else value = r.scalar();
      // a repeated key: the last one wins, as with JSON.parse
      if (keys.length > 8 && !index) index = new Map(keys.map((k, i) => [k, i]));
      const at = index ? index.get(key) : keys.indexOf(key);
      if (at !== undefined && at >= 0) values[at] = value;
      else {
        if (index) index.set(key, keys.length);
        keys.push(key);
        values.push(value);
      }
      r.ws();
      const d = text.charCodeAt(r.pos);
      r.pos++;
      if (d === 125) break;
      if (d !== 44) {
        r.pos--;
        r.fail('expected "," or "}"');
      }
    }
  r.ws();
  if (r.pos < text.length) r.fail('unexpected text after the object');
  return { kind: 'object', record: { keys, values } };
}
