/**
 * From the catalog's data items (信息项) to the checks and storage of the loaded table.
 */
import { DataItem } from '@gov/shared';
import { ColumnSpec, SourceError } from '../pipeline/contracts';
import { normalizeHeader } from './column-mapping';

export interface ColumnSpecOptions {
  /** Item names forming the dataset's key (uniqueness, version comparison). Key items are required. */
  keys?: readonly string[];
  /** Item names that may not be empty. */
  required?: readonly string[];
}

export type ColumnFormat = NonNullable<ColumnSpec['format']>;

const TEXT_TYPES = new Set(['C', 'M', 'G']);

/** Catalog types stored as text: their length is enforced by the validator, not by varchar. */
export function isTextType(dataType: string | null | undefined): boolean {
  return dataType == null || dataType === '' || TEXT_TYPES.has(dataType.toUpperCase());
}

/**
 * PostgreSQL column type per catalog type. Text types are `text` because varchar(n) counts
 * characters too but would fail the whole COPY on one long value, where the validator rejects
 * just that row. N is unconstrained `numeric` (the catalog's length is a display width, not a
 * precision); Y is numeric(20,4) (money to the 0.0001 yuan, up to 16 integer digits).
 */
export function pgColumnType(dataType: string | null | undefined): string {
  switch ((dataType ?? 'C').toUpperCase()) {
    case 'N':
      return 'numeric';
    case 'Y':
      return 'numeric(20,4)';
    case 'B':
    case 'F':
      return 'double precision';
    case 'I':
      return 'bigint';
    case 'D':
      return 'date';
    case 'T':
      return 'timestamp';
    case 'L':
      return 'boolean';
    default:
      return 'text';
  }
}

const USCC_SUFFIXES = ['信用代码'];
const ID_NUMBER_SUFFIXES = ['公民身份号码', '身份号码', '身份证号码', '身份证号', '身份证'];
/** Only a name that says 手机 or 移动电话 is a mobile number: 联系电话/电话 may well be a landline. */
const MOBILE_SUFFIXES = ['手机号码', '手机号', '手机', '移动电话号码', '移动电话'];

/**
 * The format rule of an item: the data element code decides when set (USCC, CITIZEN_ID_NUMBER;
 * any other code means "not an identifier"), else the name's ending: …信用代码 (统一社会信用代码,
 * 社会信用代码, 法人统一社会信用代码), …身份证号码/身份号码/身份证号 (公民身份号码, 法定代表人身份证号),
 * …手机/手机号码/移动电话. 身份证件号码 and 证件号码 are not ID numbers (passports are 证件 too).
 * Only text items get a format rule.
 */
export function formatOf(item: Pick<DataItem, 'name' | 'dataType' | 'dataElementCode'>): ColumnFormat | null {
  if (!isTextType(item.dataType)) return null;
  const code = item.dataElementCode?.trim();
  if (code === 'USCC') return 'uscc';
  if (code === 'CITIZEN_ID_NUMBER') return 'idNumber';
  const name = normalizeHeader(item.name);
  const endsWithAny = (suffixes: readonly string[]) => suffixes.some((s) => name.endsWith(s));
  if (!code) {
    if (endsWithAny(USCC_SUFFIXES)) return 'uscc';
    if (endsWithAny(ID_NUMBER_SUFFIXES) && !name.endsWith('证件号码')) return 'idNumber';
  }
  if (endsWithAny(MOBILE_SUFFIXES)) return 'mobile';
  return null;
}

/** One ColumnSpec per data item, in catalog order. Unknown key or required names are a configuration error. */
export function columnSpecsFrom(items: readonly DataItem[], options: ColumnSpecOptions = {}): ColumnSpec[] {
  const byName = new Map(items.map((item) => [normalizeHeader(item.name), item.name]));
  const resolve = (names: readonly string[] | undefined, what: string): Set<string> => {
    const found = new Set<string>();
    for (const name of names ?? []) {
      const item = byName.get(normalizeHeader(name));
      if (item === undefined) {
        throw new SourceError(
          'UNKNOWN_ITEM',
          `${what}"${name}"不是目录中的信息项；目录的信息项为：${items.map((i) => i.name).join('、')}`,
          `${what === '主键' ? 'key' : 'required'} item "${name}" is not a data item of the catalog entry`,
        );
      }
      found.add(item);
    }
    return found;
  };
  const keys = resolve(options.keys, '主键');
  const required = resolve(options.required, '必填项');
  return items.map((item) => {
    const dataType = (item.dataType ?? 'C').toUpperCase();
    const key = keys.has(item.name);
    return {
      name: item.name,
      dataType,
      length: item.length != null && item.length > 0 ? item.length : null,
      required: key || required.has(item.name),
      key,
      format: formatOf(item),
    };
  });
}
