/**
 * Cell parsers for the catalog data types. Each takes an already-trimmed, non-empty text and
 * returns the value in the form PostgreSQL's COPY text input reads for the column's type, or
 * `undefined` when the text is not a value of the type.
 *
 * They run once per cell on million-row loads, so they scan characters by hand, use only regular
 * expressions compiled at module load, and allocate only when the output differs from the input
 * (an already canonical value is returned as the same string).
 */

/** '00'…'99', so dates and times are formatted without padStart. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Whether year-month-day is a day of the (proleptic Gregorian) calendar; year 1–9999. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month]);
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

// Scratch registers of the date scanner: single-threaded, so module state is safe and avoids
// allocating a result object per cell.
let sy = 0;
let sm = 0;
let sd = 0;
let sh = 0;
let smi = 0;
let ss = 0;
let sFrac = '';
let sOffsetMinutes: number | null = null;
/** Value read by `readOneOrTwo`. */
let scanned = 0;

/** Reads 1 or 2 digits at i into `scanned`; returns the index after them, or -1. */
function readOneOrTwo(s: string, i: number): number {
  const a = digitAt(s, i);
  if (a < 0) return -1;
  const b = digitAt(s, i + 1);
  if (b < 0) {
    scanned = a;
    return i + 1;
  }
  scanned = a * 10 + b;
  return i + 2;
}

/**
 * Date part at the start of `s`: YYYY-M-D, YYYY/M/D, YYYY.M.D, YYYY年M月D日 (日 optional) or
 * YYYYMMDD. Returns the index after it, or -1.
 */
function scanDate(s: string): number {
  const n = s.length;
  if (n < 8) return -1;
  const y0 = digitAt(s, 0);
  const y1 = digitAt(s, 1);
  const y2 = digitAt(s, 2);
  const y3 = digitAt(s, 3);
  if ((y0 | y1 | y2 | y3) < 0) return -1;
  sy = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const sep = s.charCodeAt(4);
  let i: number;
  if (sep >= 48 && sep <= 57) {
    // YYYYMMDD (and YYYYMMDDHHMMSS, handled by the caller)
    const m0 = sep - 48;
    const m1 = digitAt(s, 5);
    const d0 = digitAt(s, 6);
    const d1 = digitAt(s, 7);
    if ((m1 | d0 | d1) < 0) return -1;
    sm = m0 * 10 + m1;
    sd = d0 * 10 + d1;
    i = 8;
  } else {
    const chinese = sep === 0x5e74; // 年
    if (!chinese && sep !== 45 /* - */ && sep !== 47 /* / */ && sep !== 46 /* . */) return -1;
    i = readOneOrTwo(s, 5);
    if (i < 0) return -1;
    sm = scanned;
    if (s.charCodeAt(i) !== (chinese ? 0x6708 /* 月 */ : sep)) return -1;
    i = readOneOrTwo(s, i + 1);
    if (i < 0) return -1;
    sd = scanned;
    if (chinese && (s.charCodeAt(i) === 0x65e5 /* 日 */ || s.charCodeAt(i) === 0x53f7) /* 号 */) i++;
  }
  return isRealDate(sy, sm, sd) ? i : -1;
}

/**
 * Time part at i (after the date): separators ' ' (one or more) or 'T', then H:MM[:SS[.f…]] and an
 * optional zone Z / ±HH[:]MM. Returns the index after it (must be the end), or -1.
 */
function scanTime(s: string, i: number): number {
  const n = s.length;
  sh = 0;
  smi = 0;
  ss = 0;
  sFrac = '';
  sOffsetMinutes = null;
  if (i === n) return i;
  const c = s.charCodeAt(i);
  if (c === 84 /* T */) i++;
  else if (c === 32) while (s.charCodeAt(i) === 32) i++;
  else return -1;
  i = readOneOrTwo(s, i);
  if (i < 0) return -1;
  sh = scanned;
  if (s.charCodeAt(i) !== 58 /* : */) return -1;
  const mi0 = digitAt(s, i + 1);
  const mi1 = digitAt(s, i + 2);
  if ((mi0 | mi1) < 0) return -1;
  smi = mi0 * 10 + mi1;
  i += 3;
  if (s.charCodeAt(i) === 58) {
    const s0 = digitAt(s, i + 1);
    const s1 = digitAt(s, i + 2);
    if ((s0 | s1) < 0) return -1;
    ss = s0 * 10 + s1;
    i += 3;
    if (s.charCodeAt(i) === 46 /* . */) {
      const start = ++i;
      while (digitAt(s, i) >= 0) i++;
      if (i === start || i - start > 9) return -1;
      // PostgreSQL keeps microseconds; drop trailing zeros so 0:00:00.000 reads as 0:00:00.
      let end = Math.min(i, start + 6);
      while (end > start && s.charCodeAt(end - 1) === 48) end--;
      sFrac = s.slice(start, end);
    }
  }
  if (sh > 23 || smi > 59 || ss > 59) return -1;
  if (i === n) return i;
  const z = s.charCodeAt(i);
  if (z === 90 /* Z */ && i + 1 === n) {
    sOffsetMinutes = 0;
    return n;
  }
  if (z === 43 || z === 45) {
    const h0 = digitAt(s, i + 1);
    const h1 = digitAt(s, i + 2);
    let j = i + 3;
    if (s.charCodeAt(j) === 58) j++;
    const m0 = digitAt(s, j);
    const m1 = digitAt(s, j + 1);
    if ((h0 | h1 | m0 | m1) < 0 || j + 2 !== n) return -1;
    const minutes = (h0 * 10 + h1) * 60 + m0 * 10 + m1;
    if (minutes > 14 * 60) return -1;
    sOffsetMinutes = z === 45 ? -minutes : minutes;
    return n;
  }
  return -1;
}

function isoDate(): string {
  return (sy < 1000 ? String(sy).padStart(4, '0') : String(sy)) + '-' + TWO_DIGITS[sm] + '-' + TWO_DIGITS[sd];
}

/** UTC offset of the platform's local time (Asia/Shanghai, no daylight saving), in minutes. */
export const LOCAL_OFFSET_MINUTES = 8 * 60;

/**
 * 日期型 → 'YYYY-MM-DD'. Accepts YYYY-MM-DD, YYYY-M-D, YYYY/M/D, YYYY.M.D, YYYY年M月D日, YYYYMMDD,
 * YYYYMMDDHHMMSS, and any of them followed by a time (Excel's "2023/1/5 0:00:00", ISO "…T…Z"),
 * whose time part is validated and dropped, as PostgreSQL does when it casts a timestamp to date.
 */
export function parseDate(s: string): string | undefined {
  // Canonical already: return the same string.
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    return scanDate(s) === 10 ? s : undefined;
  }
  const i = scanDate(s);
  if (i < 0) return undefined;
  if (i === 8 && s.length === 14 && isDigitAt(s, 4)) return scanCompactTime(s) ? isoDate() : undefined;
  return scanTime(s, i) === s.length ? isoDate() : undefined;
}

/** HHMMSS after YYYYMMDD (14 digits in all). */
function scanCompactTime(s: string): boolean {
  const h0 = digitAt(s, 8);
  const h1 = digitAt(s, 9);
  const m0 = digitAt(s, 10);
  const m1 = digitAt(s, 11);
  const s0 = digitAt(s, 12);
  const s1 = digitAt(s, 13);
  if ((h0 | h1 | m0 | m1 | s0 | s1) < 0) return false;
  sh = h0 * 10 + h1;
  smi = m0 * 10 + m1;
  ss = s0 * 10 + s1;
  sFrac = '';
  sOffsetMinutes = null;
  return sh <= 23 && smi <= 59 && ss <= 59;
}

/**
 * 日期时间型 → 'YYYY-MM-DD HH:MM:SS[.ffffff]' in local time (Asia/Shanghai). Accepts every date form
 * of `parseDate` with or without a time (a date alone is midnight), 'T' or spaces between, H:MM,
 * H:MM:SS, fractions up to 9 digits (kept to microseconds), YYYYMMDDHHMMSS, and a zone (Z, +08:00,
 * -0500), which is converted to local time because the column is `timestamp` without time zone.
 */
export function parseTimestamp(s: string): string | undefined {
  if (
    s.length === 19 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 32 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    return scanDate(s) === 10 && scanTime(s, 10) === 19 ? s : undefined;
  }
  const i = scanDate(s);
  if (i < 0) return undefined;
  if (i === 8 && s.length === 14 && isDigitAt(s, 4)) {
    if (!scanCompactTime(s)) return undefined;
  } else if (scanTime(s, i) !== s.length) {
    return undefined;
  }
  if (sOffsetMinutes !== null && sOffsetMinutes !== LOCAL_OFFSET_MINUTES) {
    const local = new Date(0);
    local.setUTCFullYear(sy, sm - 1, sd); // not Date.UTC, which reads years 0–99 as 1900–1999
    local.setUTCHours(sh, smi, ss);
    local.setTime(local.getTime() + (LOCAL_OFFSET_MINUTES - sOffsetMinutes) * 60_000);
    sy = local.getUTCFullYear();
    sm = local.getUTCMonth() + 1;
    sd = local.getUTCDate();
    sh = local.getUTCHours();
    smi = local.getUTCMinutes();
    if (sy < 1 || sy > 9999) return undefined;
  }
  const time = TWO_DIGITS[sh] + ':' + TWO_DIGITS[smi] + ':' + TWO_DIGITS[ss];
  return isoDate() + ' ' + (sFrac === '' ? time : time + '.' + sFrac);
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** How a numeric catalog type is read. */
export type NumberKind = 'decimal' | 'money' | 'integer' | 'float';

let numberFailure: 'syntax' | 'range' = 'syntax';

/** Why the last `parseNumber` call returned undefined: not a number at all, or out of the type's range. */
export function lastNumberFailure(): 'syntax' | 'range' {
  return numberFailure;
}

const COMMAS = /,/g;
const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';
/** numeric(20,4): at most 16 integer digits. */
export const MONEY_INTEGER_DIGITS = 16;
// Module-level aliases: see key-tracker.ts on globals in hot loops.
const toNumber = Number;
const isFiniteNumber = Number.isFinite;

/**
 * Full-width digits, signs, point and comma (０-９ ＋ － ． ，), the minus sign U+2212 and the
 * ideographic space become ASCII; any other non-ASCII character makes the value invalid (null).
 * Money also drops a leading ¥ / ￥.
 */
function toAsciiNumber(s: string, money: boolean): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
    else if (c === 0x2212) c = 45;
    else if (c === 0x3000) c = 32;
    else if ((c === 0xa5 || c === 0xffe5) && money && out === '') continue;
    else if (c > 0x7f) return null;
    out += String.fromCharCode(c);
  }
  return out.trim();
}

// Scratch registers of scanNumber.
/** Characters of the integer part (commas included). */
let nIntChars = 0;
/** Index after the integer part. */
let nIntEnd = 0;
/** Integer digits without leading zeros. */
let nSignificant = 0;
let nFractionNonZero = false;
let nCommas = false;
let nExponent = false;

/**
 * One pass over [+-] digits (optionally grouped by three with commas) [. digits] [e[+-]digits]:
 * the syntax of PostgreSQL's numeric input plus thousands separators. Commas exclude an exponent.
 */
function scanNumber(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) c = s.charCodeAt(++i);
  const start = i;
  let group = 0;
  let leading = true;
  nSignificant = 0;
  nCommas = false;
  nExponent = false;
  nFractionNonZero = false;
  for (; i < n; c = s.charCodeAt(++i)) {
    if (c >= 48 && c <= 57) {
      group++;
      if (c !== 48 || !leading) {
        leading = false;
        nSignificant++;
      }
    } else if (c === 44) {
      // The first group has 1–3 digits, every later one exactly 3.
      if (group === 0 || (nCommas ? group !== 3 : group > 3)) return false;
      nCommas = true;
      group = 0;
    } else break;
  }
  if (nCommas && group !== 3) return false;
  nIntChars = i - start;
  nIntEnd = i;
  let fractionDigits = 0;
  if (i < n && c === 46) {
    for (c = s.charCodeAt(++i); i < n && c >= 48 && c <= 57; c = s.charCodeAt(++i)) {
      fractionDigits++;
      if (c !== 48) nFractionNonZero = true;
    }
  }
  if (nIntChars === 0 && fractionDigits === 0) return false;
  if (i < n && (c === 101 || c === 69)) {
    if (nCommas) return false;
    c = s.charCodeAt(++i);
    if (c === 43 || c === 45) c = s.charCodeAt(++i);
    const digits = i;
    while (i < n && c >= 48 && c <= 57) c = s.charCodeAt(++i);
    if (i === digits) return false;
    nExponent = true;
  }
  return i === n;
}

/** Without thousands separators and a leading '+'. */
function cleanNumber(s: string): string {
  const unsigned = s.charCodeAt(0) === 43 ? s.slice(1) : s;
  return nCommas ? unsigned.replace(COMMAS, '') : unsigned;
}

/**
 * 数值型 (decimal), 货币型 (money, numeric(20,4)), 整型 (integer, bigint), 双精度型/浮点型 (float).
 * Thousands separators (1,234,567.8, grouped by three), full-width digits, a leading '+' are
 * accepted; NaN, Infinity, hexadecimal, spaces inside and percent signs are not. Exponents only for
 * decimal and float. The result keeps every digit given (no round trip through a double), without
 * the separators and the '+'. Integers also accept a zero fraction (Excel's 12.0).
 */
export function parseNumber(input: string, kind: NumberKind): string | undefined {
  let s = input;
  numberFailure = 'syntax';
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      const ascii = toAsciiNumber(s, kind === 'money');
      if (ascii === null || ascii === '') return undefined;
      s = ascii;
      break;
    }
  }
  if (!scanNumber(s)) return undefined;
  switch (kind) {
    case 'integer': {
      if (nExponent || nFractionNonZero || nIntChars === 0) return undefined;
      const value = cleanNumber(nIntEnd === s.length ? s : s.slice(0, nIntEnd));
      if (nSignificant >= 19) {
        const abs = value.slice(value.length - nSignificant);
        if (nSignificant > 19 || abs > (value.charCodeAt(0) === 45 ? INT64_MIN_ABS : INT64_MAX)) {
          numberFailure = 'range';
          return undefined;
        }
      }
      return value;
    }
    case 'money':
      if (nExponent) return undefined;
      if (nSignificant > MONEY_INTEGER_DIGITS) {
        numberFailure = 'range';
        return undefined;
      }
      return cleanNumber(s);
    default: {
      const value = cleanNumber(s);
      // Exponents can overflow, and double precision rejects out-of-range input in COPY.
      if ((nExponent || kind === 'float') && !isFiniteNumber(toNumber(value))) {
        numberFailure = 'range';
        return undefined;
      }
      return value;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Booleans

const BOOLEANS = new Map<string, string>();
for (const t of ['是', 'true', 't', '1', 'y', 'yes']) BOOLEANS.set(t, 't');
for (const f of ['否', 'false', 'f', '0', 'n', 'no']) BOOLEANS.set(f, 'f');

/** 逻辑型 → 't' / 'f'. Accepts 是/否, true/false, t/f, 1/0, Y/N, yes/no in any case, full-width too. */
export function parseBoolean(s: string): string | undefined {
  const hit = BOOLEANS.get(s);
  if (hit !== undefined) return hit;
  return s.length <= 5 ? BOOLEANS.get(s.normalize('NFKC').toLowerCase()) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Length in characters (Unicode code points, so 𠀀 counts once), compared with `max`
 * without counting when the UTF-16 length already settles it.
 */
export function exceedsLength(s: string, max: number): boolean {
  if (s.length <= max) return false;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++count > max) return true;
  }
  return false;
}

/** Code point count. */
export function characterLength(s: string): number {
  let count = 0;
  for (const _ of s) count++;
  return count;
}

/** Full-width ASCII (ＡＢ１２) and the ideographic space to half width; other characters unchanged. */
export function toHalfWidth(s: string): string {
  let wide = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0xff01 && c <= 0xff5e) || c === 0x3000) {
      wide = true;
      break;
    }
  }
  if (!wide) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 0xff01 && c <= 0xff5e ? c - 0xfee0 : c === 0x3000 ? 32 : c);
  }
  return out;
}
