/**
 * Canonical JSON (in the manner of RFC 8785): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings as ECMAScript serializes them. The same value always gives
 * the same bytes, so a third party can recompute a record's leaf hash from its JSON.
 *
 * The sequencer encodes every record, so subtrees that are already in canonical order go through
 * the native JSON.stringify; the rest is written by loops that append to one string.
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

/**
 * A copy of plain JSON data with every object's keys inserted in canonical order, so that
 * canonicalJson() of anything holding it takes the native path. Same canonical text either way.
 */
export function canonicalCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(canonicalCopy) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) out[k] = canonicalCopy(obj[k]);
  return out as T;
}

/**
 * True when JSON.stringify already gives the canonical text: plain objects whose enumeration
 * order is sorted (JSON.stringify uses the same order, integer-like keys included), arrays,
 * strings, finite numbers, booleans, null. Checking is cheaper than encoding by hand.
 */
function native(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (value[i] === undefined || !native(value[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      const obj = value as Record<string, unknown>;
      let prev: string | undefined;
      for (const k in obj) {
        if (prev !== undefined && prev > k) return false;
        prev = k;
        const v = obj[k];
        if (v === undefined || k === 'toJSON' || !native(v)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function write(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && native(value)) return JSON.stringify(value);
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (value[i] === undefined ? 'null' : write(value[i]));
        return out + ']';
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // Most objects are built in key order already: sort only when they are not.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1] > keys[i]) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const v = obj[keys[i]];
        if (v === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(keys[i]) + ':' + write(v);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}
