/**
 * Maps the columns of a provided table to the catalog's data items (信息项) by header.
 *
 * Order of precedence, per header: the explicit mapping the provider configured, then the item's
 * name, then an alias of the data element (数据元) the item is. Names are compared after
 * `normalizeHeader` (NFKC, no whitespace, case-insensitive, without surrounding brackets or
 * asterisks and without a trailing (必填)/(选填) marker).
 *
 * A header that matches no item is an error (HEADER_UNMATCHED): loading the other columns would
 * silently drop data the provider meant to deliver. A column the provider knows is extra is
 * ignored by mapping its header to '' explicitly.
 */
import { DEFAULT_DATA_ELEMENTS, DataElementDefinition } from '@gov/shared';
import { ColumnSpec, SourceError } from '../pipeline/contracts';

export const MAPPING_PROBLEM_CODES = {
  /** A header matches no data item (fatal). */
  HEADER_UNMATCHED: 'HEADER_UNMATCHED',
  /** Two headers map to the same data item (fatal: which one to load is a guess). */
  DUPLICATE_COLUMN: 'DUPLICATE_COLUMN',
  /** A required or key item has no column (fatal). */
  REQUIRED_ITEM_MISSING: 'REQUIRED_ITEM_MISSING',
  /** An optional item has no column: loaded as null (warning). */
  ITEM_MISSING: 'ITEM_MISSING',
  /** The explicit mapping names an item the catalog does not have (fatal: the configuration is stale). */
  EXPLICIT_ITEM_UNKNOWN: 'EXPLICIT_ITEM_UNKNOWN',
  /** The explicit mapping names a header the file does not have (warning). */
  EXPLICIT_HEADER_ABSENT: 'EXPLICIT_HEADER_ABSENT',
  /** A blank header cell (Excel's trailing columns): ignored (warning). */
  HEADER_BLANK: 'HEADER_BLANK',
} as const;
export type MappingProblemCode = (typeof MAPPING_PROBLEM_CODES)[keyof typeof MAPPING_PROBLEM_CODES];

export interface MappingProblem {
  code: MappingProblemCode;
  /** A fatal problem fails the job before any row is read. */
  fatal: boolean;
  zh: string;
  en: string;
  /** 0-based column of the header concerned. */
  headerIndex?: number;
  header?: string;
  item?: string;
}

export interface UnmappedHeader {
  index: number;
  header: string;
  /** Why it is not loaded: it matched nothing, it was ignored explicitly, it was blank, or a duplicate. */
  reason: 'unmatched' | 'ignored' | 'blank' | 'duplicate';
}

export interface ColumnMapping {
  /** Per item, in `items` order: the 0-based header index feeding it, or -1. */
  mapping: number[];
  /** How each mapped item was found, in `items` order (null when missing). */
  matchedBy: ('explicit' | 'name' | 'alias' | null)[];
  unmappedHeaders: UnmappedHeader[];
  /** Names of the items without a column. */
  missingItems: string[];
  problems: MappingProblem[];
  /** False when a problem is fatal. */
  ok: boolean;
}

export interface MapColumnsOptions {
  /** Data elements whose names and aliases are alternative headers; default DEFAULT_DATA_ELEMENTS. */
  elements?: readonly DataElementDefinition[];
}

/** Extra alias groups that are not data elements in the registry. */
const EXTRA_ALIAS_GROUPS: readonly (readonly string[])[] = [['手机号码', '手机号', '手机', '移动电话', '移动电话号码']];

const SURROUNDING = new Set(['*', '＊', '(', ')', '[', ']', '【', '】', '〔', '〕', '<', '>', '《', '》', '「', '」', '『', '』', '"', "'", '“', '”', '‘', '’', '{', '}']);
const WHITESPACE = /\s+/gu;
const MARKER = /[(（](?:必填|选填|非必填|可选|必须)[)）]$/u;

/** Header text as compared: NFKC, no whitespace, lower case, no surrounding brackets/asterisks, no (必填) marker. */
export function normalizeHeader(header: string | null | undefined): string {
  if (!header) return '';
  let s = header.normalize('NFKC').replace(WHITESPACE, '').toLowerCase();
  for (let changed = true; changed && s !== ''; ) {
    changed = false;
    const stripped = s.replace(MARKER, '');
    if (stripped !== s) {
      s = stripped;
      changed = true;
    }
    const chars = Array.from(s);
    let start = 0;
    let end = chars.length;
    while (start < end && SURROUNDING.has(chars[start])) start++;
    while (end > start && SURROUNDING.has(chars[end - 1])) end--;
    // "企业(机构)名称" keeps its inner brackets; only an unbalanced trailing/leading one goes.
    if (start > 0 || end < chars.length) {
      s = chars.slice(start, end).join('');
      changed = true;
    }
  }
  return s;
}

/**
 * Aliases of an item: the other names of the data element (or extra group) its name belongs to.
 * Keyed by normalized name.
 */
function aliasIndex(elements: readonly DataElementDefinition[]): Map<string, string[]> {
  const groups: string[][] = [...elements.map((e) => [e.name, ...e.aliases]), ...EXTRA_ALIAS_GROUPS.map((g) => [...g])];
  const index = new Map<string, string[]>();
  for (const group of groups) {
    const keys = [...new Set(group.map(normalizeHeader).filter((k) => k !== ''))];
    for (const key of keys) if (!index.has(key)) index.set(key, keys);
  }
  return index;
}

function listNames(items: readonly ColumnSpec[]): string {
  return items.map((item) => item.name).join('、');
}

/**
 * Which header feeds which item. `explicit` maps a header as written (compared normalized) to an
 * item name, or to '' to ignore that column.
 */
export function mapColumns(
  header: readonly string[],
  items: readonly ColumnSpec[],
  explicit: Readonly<Record<string, string>> = {},
  options: MapColumnsOptions = {},
): ColumnMapping {
  const problems: MappingProblem[] = [];
  const mapping = new Array<number>(items.length).fill(-1);
  const matchedBy: ColumnMapping['matchedBy'] = new Array(items.length).fill(null);
  const headerItem = new Array<number>(header.length).fill(-1);
  const headerReason = new Array<UnmappedHeader['reason'] | null>(header.length).fill(null);
  const normalized = header.map(normalizeHeader);

  const itemByName = new Map<string, number>();
  items.forEach((item, i) => {
    const key = normalizeHeader(item.name);
    if (!itemByName.has(key)) itemByName.set(key, i);
  });

  const assign = (h: number, itemIndex: number, how: 'explicit' | 'name' | 'alias'): void => {
    if (mapping[itemIndex] >= 0) {
      const first = mapping[itemIndex];
      headerReason[h] = 'duplicate';
      problems.push({
        code: MAPPING_PROBLEM_CODES.DUPLICATE_COLUMN,
        fatal: true,
        zh: `第 ${first + 1} 列"${header[first]}"和第 ${h + 1} 列"${header[h]}"都对应信息项"${items[itemIndex].name}"，请删除其中一列或在列映射中指定`,
        en: `columns ${first + 1} "${header[first]}" and ${h + 1} "${header[h]}" both map to data item "${items[itemIndex].name}"`,
        headerIndex: h,
        header: header[h],
        item: items[itemIndex].name,
      });
      return;
    }
    mapping[itemIndex] = h;
    matchedBy[itemIndex] = how;
    headerItem[h] = itemIndex;
  };

  // 1. Explicit mapping.
  const explicitByHeader = new Map<string, { header: string; item: string }>();
  for (const [from, to] of Object.entries(explicit)) explicitByHeader.set(normalizeHeader(from), { header: from, item: to });
  const explicitUsed = new Set<string>();
  for (let h = 0; h < header.length; h++) {
    const rule = explicitByHeader.get(normalized[h]);
    if (!rule || normalized[h] === '') continue;
    explicitUsed.add(normalized[h]);
    if (rule.item.trim() === '') {
      headerReason[h] = 'ignored';
      continue;
    }
    const itemIndex = itemByName.get(normalizeHeader(rule.item));
    if (itemIndex === undefined) {
      headerReason[h] = 'unmatched';
      problems.push({
        code: MAPPING_PROBLEM_CODES.EXPLICIT_ITEM_UNKNOWN,
        fatal: true,
        zh: `列映射把表头"${header[h]}"指向信息项"${rule.item}"，但目录中没有这个信息项；目录的信息项为：${listNames(items)}`,
        en: `the column mapping sends header "${header[h]}" to "${rule.item}", which is not a data item of the catalog entry`,
        headerIndex: h,
        header: header[h],
        item: rule.item,
      });
      continue;
    }
    assign(h, itemIndex, 'explicit');
  }
  for (const [key, rule] of explicitByHeader) {
    if (explicitUsed.has(key)) continue;
    problems.push({
      code: MAPPING_PROBLEM_CODES.EXPLICIT_HEADER_ABSENT,
      fatal: false,
      zh: `列映射中的表头"${rule.header}"在文件中不存在`,
      en: `header "${rule.header}" of the column mapping is not in the file`,
      header: rule.header,
      item: rule.item,
    });
  }

  // 2. Exact name.
  for (let h = 0; h < header.length; h++) {
    if (headerItem[h] >= 0 || headerReason[h] !== null) continue;
    if (normalized[h] === '') {
      headerReason[h] = 'blank';
      continue;
    }
    const itemIndex = itemByName.get(normalized[h]);
    if (itemIndex !== undefined) assign(h, itemIndex, 'name');
  }

  // 3. Alias: the header and an item still unmapped are names of the same data element.
  const aliases = aliasIndex(options.elements ?? DEFAULT_DATA_ELEMENTS);
  for (let h = 0; h < header.length; h++) {
    if (headerItem[h] >= 0 || headerReason[h] !== null) continue;
    const group = aliases.get(normalized[h]);
    const candidates = group ? group.map((name) => itemByName.get(name)).filter((i): i is number => i !== undefined) : [];
    const free = [...new Set(candidates)].filter((i) => mapping[i] < 0);
    if (free.length === 1) assign(h, free[0], 'alias');
    else if (candidates.length > 0) assign(h, candidates[0], 'alias'); // reports the duplicate
    else headerReason[h] = 'unmatched';
  }

  const unmappedHeaders: UnmappedHeader[] = [];
  for (let h = 0; h < header.length; h++) {
    const reason = headerReason[h];
    if (headerItem[h] >= 0 || reason === null) continue;
    unmappedHeaders.push({ index: h, header: header[h], reason });
    if (reason === 'unmatched' && !problems.some((p) => p.headerIndex === h)) {
      problems.push({
        code: MAPPING_PROBLEM_CODES.HEADER_UNMATCHED,
        fatal: true,
        zh: `第 ${h + 1} 列表头"${header[h]}"不对应任何信息项。目录中的信息项为：${listNames(items)}。请修改表头，或在列映射中指定对应的信息项（不需要的列可映射为空以忽略）`,
        en: `header "${header[h]}" (column ${h + 1}) matches no data item; expected one of: ${items.map((i) => i.name).join(', ')}`,
        headerIndex: h,
        header: header[h],
      });
    } else if (reason === 'blank') {
      problems.push({
        code: MAPPING_PROBLEM_CODES.HEADER_BLANK,
        fatal: false,
        zh: `第 ${h + 1} 列表头为空，该列已忽略`,
        en: `column ${h + 1} has a blank header and is ignored`,
        headerIndex: h,
        header: header[h],
      });
    }
  }

  const missingItems: string[] = [];
  items.forEach((item, i) => {
    if (mapping[i] >= 0) return;
    missingItems.push(item.name);
    const required = Boolean(item.required || item.key);
    problems.push({
      code: required ? MAPPING_PROBLEM_CODES.REQUIRED_ITEM_MISSING : MAPPING_PROBLEM_CODES.ITEM_MISSING,
      fatal: required,
      zh: required
        ? `缺少${item.key ? '主键' : '必填'}信息项"${item.name}"对应的列`
        : `缺少信息项"${item.name}"对应的列，该项将按空值入库`,
      en: required ? `no column for required data item "${item.name}"` : `no column for data item "${item.name}"; loaded as null`,
      item: item.name,
    });
  });

  return { mapping, matchedBy, unmappedHeaders, missingItems, problems, ok: !problems.some((p) => p.fatal) };
}

/** The job's failure for a mapping with fatal problems: one SourceError listing them all. */
export class ColumnMappingError extends SourceError {
  constructor(readonly problems: readonly MappingProblem[]) {
    const fatal = problems.filter((p) => p.fatal);
    super(fatal[0]?.code ?? MAPPING_PROBLEM_CODES.HEADER_UNMATCHED, fatal.map((p) => p.zh).join('；'), fatal.map((p) => p.en).join('; '));
    this.name = 'ColumnMappingError';
  }
}

/** Null when the mapping can be loaded, else the error that fails the job. */
export function columnMappingError(result: ColumnMapping): ColumnMappingError | null {
  return result.ok ? null : new ColumnMappingError(result.problems);
}
