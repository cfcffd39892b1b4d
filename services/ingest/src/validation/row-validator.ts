/**
 * Row validation against the catalog: type, length, required, format (统一社会信用代码,
 * 公民身份号码, 手机号码) and key uniqueness, with values normalized for loading.
 *
 * Built once per job: `createRowValidator` compiles one checker closure per column (the type's
 * parser, the length limit, the format rule), so validating a row is a loop over the columns with
 * no regex compilation, no lookups by name and, for a clean row, two allocations (the values array
 * and the result). Reasons (Chinese) are built only for bad cells.
 *
 * Each cell gets at most one problem, from the first rule it fails in the order
 * required → length → type/format; a bad cell's value is null, so `values` is always loadable,
 * but a row with problems is meant for the reject file, not the table.
 */
import { ColumnSpec, RejectLine, SourceRecord } from '../pipeline/contracts';
import { ColumnMapping } from './column-mapping';
import { isTextType } from './column-spec';
import { checkMobile, checkUscc, idNumberChecker } from './identifier-checks';
import { KeyTracker, createKeyTracker } from './key-tracker';
import { NumberKind, exceedsLength, characterLength, lastNumberFailure, parseBoolean, parseDate, parseNumber, parseTimestamp, toHalfWidth } from './value-parsers';

export { createKeyTracker } from './key-tracker';
export type { KeyTracker } from './key-tracker';

/** The rule a problem breaks; the quality report counts validity per column and rule. */
export type ValidationRule = 'required' | 'length' | 'type' | 'format' | 'unique';

export const PROBLEM_CODES = {
  REQUIRED_MISSING: 'REQUIRED_MISSING',
  TOO_LONG: 'TOO_LONG',
  INVALID_NUMBER: 'INVALID_NUMBER',
  INVALID_INTEGER: 'INVALID_INTEGER',
  NUMBER_OUT_OF_RANGE: 'NUMBER_OUT_OF_RANGE',
  INVALID_DATE: 'INVALID_DATE',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  INVALID_BOOLEAN: 'INVALID_BOOLEAN',
  /** A NUL character, which PostgreSQL text cannot hold (it would fail the whole COPY). */
  INVALID_CHARACTER: 'INVALID_CHARACTER',
  INVALID_USCC: 'INVALID_USCC',
  INVALID_ID_NUMBER: 'INVALID_ID_NUMBER',
  INVALID_MOBILE: 'INVALID_MOBILE',
  DUPLICATE_KEY: 'DUPLICATE_KEY',
} as const;
export type ProblemCode = (typeof PROBLEM_CODES)[keyof typeof PROBLEM_CODES];

/** Rule of each validator problem code (other codes, e.g. the parser's, have none). */
export const RULE_OF_CODE: Readonly<Record<string, ValidationRule>> = {
  REQUIRED_MISSING: 'required',
  TOO_LONG: 'length',
  INVALID_NUMBER: 'type',
  INVALID_INTEGER: 'type',
  NUMBER_OUT_OF_RANGE: 'type',
  INVALID_DATE: 'type',
  INVALID_TIMESTAMP: 'type',
  INVALID_BOOLEAN: 'type',
  INVALID_CHARACTER: 'type',
  INVALID_USCC: 'format',
  INVALID_ID_NUMBER: 'format',
  INVALID_MOBILE: 'format',
  DUPLICATE_KEY: 'unique',
};

/** A reject line with where it came from, for the quality report. Assignable to RejectLine. */
export interface CellProblem extends RejectLine {
  /** Index of the column in spec order; null for a whole-row problem (duplicate key). */
  columnIndex: number | null;
  rule: ValidationRule;
}

export interface RowValidation {
  /** Normalized values in spec order, null for empty or bad cells; unescaped (COPY escaping is the loader's). */
  values: (string | null)[];
  /** Empty (a shared frozen array) for a clean row. */
  problems: readonly CellProblem[];
}

export interface RowValidator {
  readonly specs: readonly ColumnSpec[];
  /** The key tracker in use (a no-op without key columns or with `checkKeys: false`). */
  readonly keys: KeyTracker;
  validate(record: SourceRecord): RowValidation;
}

export interface RowValidatorOptions {
  /** Reference date for "birth date not in the future" of ID numbers; default: when the validator is created. */
  now?: Date;
  /** Reject repeated keys (the first occurrence is kept). Default true. */
  checkKeys?: boolean;
  /** Expected row count, to size the key table once. */
  expectedRows?: number;
  /** Most bytes the key table may take (key-tracker.ts: DEFAULT_KEY_TABLE_BYTES). */
  maxKeyTableBytes?: number;
}

const NO_PROBLEMS: readonly CellProblem[] = Object.freeze([]);
/** Longest value quoted in a reason; the whole line is in the reject file anyway. */
const SHOWN_VALUE_LENGTH = 40;

function shown(value: string): string {
  return value.length <= SHOWN_VALUE_LENGTH ? value : value.slice(0, SHOWN_VALUE_LENGTH) + '…';
}

/** Full width to half width, then a–z to A–Z; the same string when nothing changes (one scan). */
function upperHalfWidth(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c >= 0x3000) return toHalfWidth(s).toUpperCase();
  }
  return s;
}

/** Not a character String.prototype.trim removes: printable ASCII, or above U+3000 but the BOM (CJK). */
function isSurelyNotSpace(c: number): boolean {
  return (c > 0x20 && c < 0x7f) || (c > 0x3000 && c !== 0xfeff);
}

/** `s.trim()`, without the call for the usual cell that starts and ends with such a character. */
function trimmed(s: string): string {
  return s.length > 0 && isSurelyNotSpace(s.charCodeAt(0)) && isSurelyNotSpace(s.charCodeAt(s.length - 1)) ? s : s.trim();
}

const MOBILE_SEPARATOR = /[\s\-()]/;
const MOBILE_SEPARATORS = /[\s\-()]/g;

type Checker = (s: string) => string | undefined;

/**
 * A validator for rows whose cells are in header order, `mapping[i]` being the header index of
 * `specs[i]` (or -1: the column is absent and the item null).
 */
export function createRowValidator(
  specs: readonly ColumnSpec[],
  mapping: readonly number[] | Pick<ColumnMapping, 'mapping'>,
  options: RowValidatorOptions = {},
): RowValidator {
  const sources = Int32Array.from(Array.isArray(mapping) ? mapping : (mapping as Pick<ColumnMapping, 'mapping'>).mapping);
  if (sources.length !== specs.length) throw new Error(`mapping has ${sources.length} entries for ${specs.length} columns`);
  const n = specs.length;
  const now = options.now ?? new Date();
  const checkIdNumber = idNumberChecker(now);
  const keys = options.checkKeys === false ? createKeyTracker([]) : createKeyTracker(specs, { expectedRows: options.expectedRows, maxBytes: options.maxKeyTableBytes });
  const required = specs.map((s) => Boolean(s.required || s.key));

  // Failure of the last checker call: set only on the failing path.
  let failCode: ProblemCode = PROBLEM_CODES.TOO_LONG;
  let failRule: ValidationRule = 'type';
  let failReason = '';
  const fail = (code: ProblemCode, rule: ValidationRule, reason: string): undefined => {
    failCode = code;
    failRule = rule;
    failReason = reason;
    return undefined;
  };

  const checkerFor = (spec: ColumnSpec): Checker => {
    const col = spec.name;
    const dataType = (spec.dataType ?? 'C').toUpperCase();
    if (isTextType(dataType)) {
      const max = spec.length != null && spec.length > 0 ? spec.length : 0;
      const tooLong = (s: string) =>
        fail(PROBLEM_CODES.TOO_LONG, 'length', `"${col}"长度为 ${characterLength(s)} 个字符，超过目录规定的 ${max} 个字符`);
      switch (spec.format) {
        case 'uscc':
          return (s) => {
            if (max > 0 && exceedsLength(s, max)) return tooLong(s);
            const v = upperHalfWidth(s);
            const result = checkUscc(v);
            return result.valid ? v : fail(PROBLEM_CODES.INVALID_USCC, 'format', `"${col}"的值"${shown(s)}"：${result.reason}`);
          };
        case 'idNumber':
          return (s) => {
            if (max > 0 && exceedsLength(s, max)) return tooLong(s);
            const v = upperHalfWidth(s);
            const result = checkIdNumber(v);
            return result.valid ? v : fail(PROBLEM_CODES.INVALID_ID_NUMBER, 'format', `"${col}"的值"${shown(s)}"：${result.reason}`);
          };
        case 'mobile':
          return (s) => {
            if (max > 0 && exceedsLength(s, max)) return tooLong(s);
            let v = toHalfWidth(s);
            if (MOBILE_SEPARATOR.test(v)) v = v.replace(MOBILE_SEPARATORS, '');
            const result = checkMobile(v);
            return result.valid ? v : fail(PROBLEM_CODES.INVALID_MOBILE, 'format', `"${col}"的值"${shown(s)}"不是有效的手机号码（应为 11 位，以 13–19 开头，可带 +86）`);
          };
        default: {
          const nul = () => fail(PROBLEM_CODES.INVALID_CHARACTER, 'type', `"${col}"含有空字符（U+0000），数据库无法保存`);
          return max > 0
            ? (s) => (exceedsLength(s, max) ? tooLong(s) : s.indexOf('\u0000') === -1 ? s : nul())
            : (s) => (s.indexOf('\u0000') === -1 ? s : nul());
        }
      }
    }
    const numeric = (kind: NumberKind, label: string, example: string): Checker => (s) => {
      const v = parseNumber(s, kind);
      if (v !== undefined) return v;
      return lastNumberFailure() === 'range'
        ? fail(PROBLEM_CODES.NUMBER_OUT_OF_RANGE, 'type', `"${col}"的值"${shown(s)}"超出${label}的范围${kind === 'money' ? '（整数部分最多 16 位）' : ''}`)
        : fail(kind === 'integer' ? PROBLEM_CODES.INVALID_INTEGER : PROBLEM_CODES.INVALID_NUMBER, 'type', `"${col}"的值"${shown(s)}"不是有效的${label}（例如 ${example}）`);
    };
    switch (dataType) {
      case 'N':
        return numeric('decimal', '数值', '1234.5 或 1,234.5');
      case 'Y':
        return numeric('money', '金额', '1,234.56');
      case 'B':
      case 'F':
        return numeric('float', '浮点数', '3.14 或 1.2E5');
      case 'I':
        return numeric('integer', '整数', '42');
      case 'D':
        return (s) =>
          parseDate(s) ??
          fail(PROBLEM_CODES.INVALID_DATE, 'type', `"${col}"的值"${shown(s)}"不是有效日期（可用格式：2023-01-05、2023/1/5、2023.1.5、2023年1月5日、20230105）`);
      case 'T':
        return (s) =>
          parseTimestamp(s) ??
          fail(PROBLEM_CODES.INVALID_TIMESTAMP, 'type', `"${col}"的值"${shown(s)}"不是有效的日期时间（例如 2023-01-05 13:20:00、2023/1/5 13:20、20230105132000）`);
      case 'L':
        return (s) => parseBoolean(s) ?? fail(PROBLEM_CODES.INVALID_BOOLEAN, 'type', `"${col}"的值"${shown(s)}"不是有效的逻辑值（可用：是/否、true/false、1/0、Y/N）`);
      default:
        return (s) => s;
    }
  };
  const checkers = specs.map(checkerFor);

  const validate = (record: SourceRecord): RowValidation => {
    const cells = record.values;
    // A literal filled in order stays a packed array (and needs no global lookup, see key-tracker).
    const values: (string | null)[] = [];
    let problems: CellProblem[] | null = null;
    let raw: string | undefined;
    for (let i = 0; i < n; i++) {
      const src = sources[i];
      const cell = src >= 0 && src < cells.length ? cells[src] : null;
      const s = cell == null ? '' : trimmed(cell);
      if (s === '') {
        values[i] = null;
        if (required[i]) {
          raw ??= rawOf(record);
          (problems ??= []).push({
            rowNumber: record.rowNumber,
            column: specs[i].name,
            code: PROBLEM_CODES.REQUIRED_MISSING,
            reason: `"${specs[i].name}"为${specs[i].key ? '主键' : '必填项'}，不能为空`,
            raw,
            columnIndex: i,
            rule: 'required',
          });
        }
        continue;
      }
      const v = checkers[i](s);
      if (v === undefined) {
        values[i] = null;
        raw ??= rawOf(record);
        (problems ??= []).push({ rowNumber: record.rowNumber, column: specs[i].name, code: failCode, reason: failReason, raw, columnIndex: i, rule: failRule });
      } else {
        values[i] = v;
      }
    }
    if (problems !== null) return { values, problems };
    // Only loadable rows take part: the first one loaded keeps the key.
    if (keys.keyIndexes.length > 0 && keys.seen(values, record.rowNumber)) {
      return { values, problems: [duplicateKeyProblem(specs, keys.keyIndexes, values, record.rowNumber, keys.firstRowNumber, rawOf(record))] };
    }
    return { values, problems: NO_PROBLEMS };
  };

  return { specs, keys, validate };
}

/**
 * A repeated key as a reject line: the row, the key columns (joined by +), the key's values and
 * the row that has it first. The validator's, and the loader's for repeats it finds after the
 * COPY once the key table is full.
 */
export function duplicateKeyProblem(specs: readonly { name: string }[], keyIndexes: ArrayLike<number>, values: readonly (string | null)[], rowNumber: number, firstRowNumber: number, raw: string): CellProblem {
  const shownKey = Array.from(keyIndexes, (k) => `${specs[k].name}="${shown(values[k] ?? '')}"`).join('，');
  return {
    rowNumber,
    column: Array.from(keyIndexes, (k) => specs[k].name).join('+'),
    code: PROBLEM_CODES.DUPLICATE_KEY,
    reason: `主键重复：${shownKey} 与第 ${firstRowNumber} 行相同`,
    raw,
    columnIndex: null,
    rule: 'unique',
  };
}

/** The source line, or the cells as a CSV line when the format has no lines (xlsx, JSON). */
function rawOf(record: SourceRecord): string {
  return record.raw ?? record.values.map((v) => csvField(v ?? '')).join(',');
}

const CSV_SPECIAL = /[",\r\n]/;
const QUOTES = /"/g;

/** RFC 4180 field: quoted when it holds a comma, quote or line break, or starts/ends with a space. */
export function csvField(value: string): string {
  if (CSV_SPECIAL.test(value) || (value.length > 0 && (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32))) {
    return '"' + value.replace(QUOTES, '""') + '"';
  }
  return value;
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * For exports opened in a spreadsheet: a cell that starts like a formula (= + - @, tab, CR, or their
 * full-width forms, which Excel in Chinese locales also evaluates) gets a leading apostrophe so it
 * displays as text instead of running (CSV/formula injection, OWASP). Plain signed numbers such as
 * -12.5 are left alone. Loaded data is never altered: this is for export only.
 */
export function escapeForSpreadsheet(value: string): string {
  if (value === '' || !FORMULA_START.has(value[0])) return value;
  if (PLAIN_NUMBER.test(value)) return value;
  return "'" + value;
}
