/**
 * Reads a filled-in 目录确认表 back into CatalogMetadata, one entry per 目录 row with its 信息项.
 *
 * A file that cannot be read safely is refused whole (WorkbookRejectedError, before the sheets are
 * parsed where the check allows it). A readable file is read to the end and every bad cell becomes a
 * WorkbookProblem naming sheet, row, column and header, so the user fixes everything in one pass.
 * Completeness (required fields, share/open rules) is not judged here: that is the compliance check,
 * whose findings `locateField` places back on the cells.
 */
import { CatalogMetadata, DataItem, RESOURCE_CLASSES, labelOf, isValidResourceItem, validateResourceCode } from '@gov/shared';
import {
  buildCodeLists,
  CodeLabelOption,
  CodeList,
  ColumnSpec,
  columnLetter,
  ENTRY_COLUMNS,
  ITEM_COLUMNS,
  ListKey,
  ListOption,
  SHEET_ENTRIES,
  SHEET_ITEMS,
  splitMultiValue,
} from './confirmation-workbook.layout';
import { WorkbookProblem, WorkbookRejectedError } from './workbook.errors';
import { DEFAULT_XLSX_LIMITS, XlsxLimits, XlsxPackage } from './xlsx-package.reader';
import { CellValue, excelSerialToIsoDate, readDateStyles, readSharedStrings, readSheetRows, readWorkbookStructure, SheetContext, SheetRef, SheetRow } from './xlsx-sheet.reader';

export interface ParseConfirmationOptions {
  /** 数据领域 configured on the platform. */
  domains: readonly CodeLabelOption[];
  /** Registered 主题 items beyond the guideline's 12, so their labels are understood. */
  topicItems?: readonly CodeLabelOption[];
  /** Data rows accepted on 目录 (default 10,000). */
  maxEntryRows?: number;
  /** Data rows accepted on 信息项 (default 100,000). */
  maxItemRows?: number;
  /** Zip limits (default: 100 MB inflated, 100:1 ratio on entries of 1 MB or more). */
  zipLimits?: Partial<XlsxLimits>;
}

export interface ParsedEntryRow {
  sheet: '目录';
  /** 1-based Excel row. */
  row: number;
  seq: string;
  resourceCode?: string;
  /** 来源信息系统 as written; the service resolves it to metadata.systemId. */
  systemName?: string;
  /** 参考清单事项 as written; the service resolves it to metadata.referenceItemId. */
  referenceItemName?: string;
  metadata: CatalogMetadata;
  /** Row on 信息项 of each metadata.items[i]. */
  itemRows: number[];
}

export interface ParsedWorkbook {
  entries: ParsedEntryRow[];
  errors: WorkbookProblem[];
}

export interface CellLocation {
  sheet: string;
  row: number;
  column?: string;
  header?: string;
}

export const DEFAULT_MAX_ENTRY_ROWS = 10_000;
export const DEFAULT_MAX_ITEM_ROWS = 100_000;
/** As CatalogMetadataDto allows. */
const MAX_ITEMS_PER_ENTRY = 2_000;

export async function parseConfirmationWorkbook(input: Buffer, opts: ParseConfirmationOptions): Promise<ParsedWorkbook> {
  const pkg = await XlsxPackage.open(input, { ...DEFAULT_XLSX_LIMITS, ...opts.zipLimits });
  try {
    const structure = await readWorkbookStructure(pkg);
    const sheet = (name: string) => structure.sheets.find((s) => s.name.trim() === name);
    const entrySheet = sheet(SHEET_ENTRIES);
    if (!entrySheet) {
      const found = structure.sheets.map((s) => `"${s.name}"`).join('、') || '无';
      throw new WorkbookRejectedError(
        'TEMPLATE_MISMATCH',
        `文件中没有"${SHEET_ENTRIES}"工作表（现有工作表：${found}），不是平台的目录确认表模板。请下载最新模板填写后上传`,
        `The workbook has no sheet named ${SHEET_ENTRIES}; use the platform's template`,
      );
    }
    const itemSheet = sheet(SHEET_ITEMS);
    const ctx: SheetContext = {
      sharedStrings: await readSharedStrings(pkg, structure.sharedStringsPath),
      dateStyles: await readDateStyles(pkg, structure.stylesPath),
      date1904: structure.date1904,
    };
    const reader = new ConfirmationReader(opts);
    await reader.readEntries(pkg, entrySheet, ctx, opts.maxEntryRows ?? DEFAULT_MAX_ENTRY_ROWS);
    if (itemSheet) await reader.readItems(pkg, itemSheet, ctx, opts.maxItemRows ?? DEFAULT_MAX_ITEM_ROWS);
    return reader.result();
  } finally {
    pkg.close();
  }
}

const ENTRY_FIELD_COLUMN = new Map(ENTRY_COLUMNS.map((c, i) => [c.field, i]));
const ITEM_FIELD_COLUMN = new Map(ITEM_COLUMNS.map((c, i) => [c.field, i]));
/** 目录 columns in reading order: 类 first, because 项 is read against it. */
const ENTRY_READ_ORDER = (() => {
  const classCol = ENTRY_FIELD_COLUMN.get('classification.classCode')!;
  return [classCol, ...ENTRY_COLUMNS.map((_, i) => i).filter((i) => i !== classCol)];
})();

/**
 * The cell a metadata field of an imported entry came from, e.g. `share.condition` → 目录 row 5
 * column L, `items[2].length` → 信息项 row itemRows[2] column D. A path with no column of its own
 * (`items`, `classification`) points at the row.
 */
export function locateField(entry: ParsedEntryRow, fieldPath: string): CellLocation {
  const item = /^items\[(\d+)](?:\.(\w+))?/.exec(fieldPath);
  if (item) {
    const row = entry.itemRows[Number(item[1])];
    if (row !== undefined) {
      const index = item[2] ? ITEM_FIELD_COLUMN.get(item[2]) : undefined;
      return index === undefined ? { sheet: SHEET_ITEMS, row } : { sheet: SHEET_ITEMS, row, column: columnLetter(index), header: ITEM_COLUMNS[index].header };
    }
    return { sheet: entry.sheet, row: entry.row };
  }
  const field = fieldPath.replace(/\[\d+]$/, '');
  const index = ENTRY_FIELD_COLUMN.get(field === 'classification' ? 'classification.classCode' : field);
  if (index === undefined) return { sheet: entry.sheet, row: entry.row };
  return { sheet: entry.sheet, row: entry.row, column: columnLetter(index), header: ENTRY_COLUMNS[index].header };
}

// ---------------------------------------------------------------------------------------------

/** Outer whitespace, including full-width spaces (U+3000), NBSP, BOM and zero-width spaces. */
const clean = (s: string) => s.replace(/^[\s\u200b]+|[\s\u200b]+$/g, '');
/** Lookup key: full-width forms folded (NFKC), no spaces, upper case. */
const keyOf = (s: string) => s.normalize('NFKC').replace(/[\s\u200b]+/g, '').toUpperCase();
interface Lookup {
  list: CodeList;
  byKey: Map<string, ListOption[]>;
}

function lookupOf(list: CodeList): Lookup {
  const byKey = new Map<string, ListOption[]>();
  const add = (key: string, option: ListOption) => {
    const k = keyOf(key);
    const found = byKey.get(k);
    if (!found) byKey.set(k, [option]);
    else if (!found.includes(option)) found.push(option);
  };
  for (const option of list.options) {
    add(option.code, option);
    add(option.label, option);
    add(option.display, option);
    add(`${option.code} ${option.label}`, option);
  }
  return { list, byKey };
}

interface Cells {
  row: number;
  /** Cleaned value by column; formula and error cells are reported and left out. */
  values: (CellValue | undefined)[];
  /** Columns whose cell was reported (formula, error value): not reported again as missing. */
  reported: Set<number>;
}

class ConfirmationReader {
  private readonly lookups: Map<ListKey, Lookup>;
  private readonly problems: WorkbookProblem[] = [];
  private readonly entries: ParsedEntryRow[] = [];
  private readonly bySeq = new Map<string, ParsedEntryRow>();
  private readonly seqRow = new Map<string, number>();
  private date1904 = false;
  /** keyOf of the cells read so far: enumerations, 序号 and 是/否 repeat a few values many times. */
  private readonly keys = new Map<string, string>();

  constructor(opts: ParseConfirmationOptions) {
    const lists = buildCodeLists({ domains: opts.domains, topicItems: opts.topicItems });
    this.lookups = new Map([...lists.values()].map((l) => [l.key, lookupOf(l)]));
  }

  private key(text: string): string {
    let key = this.keys.get(text);
    if (key === undefined) {
      key = keyOf(text);
      if (this.keys.size < 20_000) this.keys.set(text, key);
    }
    return key;
  }

  result(): ParsedWorkbook {
    for (const entry of this.entries) {
      const count = entry.itemRows.length;
      if (count > MAX_ITEMS_PER_ENTRY)
        this.report(SHEET_ENTRIES, entry.row, 0, ENTRY_COLUMNS[0], 'TOO_MANY_ITEMS', `本条目录有 ${count} 个信息项，超过每条目录 ${MAX_ITEMS_PER_ENTRY} 个的上限`, `the entry has ${count} data items; at most ${MAX_ITEMS_PER_ENTRY} are accepted`);
    }
    // in reading order: 目录 before 信息项, then by row and column
    const sheetRank = (sheet: string) => (sheet === SHEET_ENTRIES ? 0 : 1);
    const errors = this.problems
      .map((p, i) => ({ p, i }))
      .sort((a, b) => sheetRank(a.p.sheet) - sheetRank(b.p.sheet) || (a.p.row ?? 0) - (b.p.row ?? 0) || columnRank(a.p.column) - columnRank(b.p.column) || a.i - b.i)
      .map(({ p }) => p);
    return { entries: this.entries, errors };
  }

  async readEntries(pkg: XlsxPackage, sheet: SheetRef, ctx: SheetContext, maxRows: number): Promise<void> {
    await this.readSheet(pkg, sheet, ctx, ENTRY_COLUMNS, maxRows, (cells) => this.entryRow(cells));
  }

  async readItems(pkg: XlsxPackage, sheet: SheetRef, ctx: SheetContext, maxRows: number): Promise<void> {
    await this.readSheet(pkg, sheet, ctx, ITEM_COLUMNS, maxRows, (cells) => this.itemRow(cells));
  }

  /** Streams a sheet: checks the header row, skips empty rows, counts data rows against the limit. */
  private async readSheet(pkg: XlsxPackage, sheet: SheetRef, ctx: SheetContext, columns: readonly ColumnSpec[], maxRows: number, onData: (cells: Cells) => void): Promise<void> {
    const name = sheet.name.trim();
    this.date1904 = ctx.date1904;
    let headerSeen = false;
    let dataRows = 0;
    await readSheetRows(pkg, sheet.path, ctx, (row) => {
      if (!headerSeen) {
        this.checkHeader(name, columns, row);
        headerSeen = true;
        return;
      }
      const cells = this.cellsOf(name, columns, row);
      if (!cells) return;
      if (++dataRows > maxRows)
        throw new WorkbookRejectedError(
          'TOO_MANY_ROWS',
          `"${name}"表的数据超过 ${maxRows} 行的上限（第 ${row.row} 行已是第 ${dataRows} 行数据），请拆分为多个文件分批导入`,
          `Sheet ${name} has more than ${maxRows} data rows; split the file and import it in parts`,
        );
      onData(cells);
    });
    if (!headerSeen) this.checkHeader(name, columns, { row: 1, cells: [] });
  }

  private checkHeader(sheet: string, columns: readonly ColumnSpec[], row: SheetRow): void {
    const found = new Map<number, string>();
    if (row.row === 1) for (const cell of row.cells) if (cell.value) found.set(cell.col, clean(textOf(cell.value)).replace(/^[*＊]+|[*＊]+$/g, ''));
    const wrong = columns
      .map((c, i) => ({ c, i, actual: found.get(i) ?? '' }))
      .filter(({ c, actual }) => actual !== c.header);
    if (wrong.length === 0) return;
    const detail = wrong
      .slice(0, 5)
      .map(({ c, i, actual }) => `${columnLetter(i)} 列应为"${c.header}"${actual ? `，实际为"${actual}"` : '，实际为空'}`)
      .join('；');
    const more = wrong.length > 5 ? `等 ${wrong.length} 处` : '';
    throw new WorkbookRejectedError(
      'TEMPLATE_MISMATCH',
      `"${sheet}"表第 1 行的表头与模板不一致：${detail}${more}。请使用平台下载的最新模板，不要增删或调换列`,
      `The header row of sheet ${sheet} does not match the template (${wrong.map(({ i }) => columnLetter(i)).join(', ')})`,
    );
  }

  /** The row's values by column, or undefined when the row is empty (a lone 序号 counts as empty). */
  private cellsOf(sheet: string, columns: readonly ColumnSpec[], row: SheetRow): Cells | undefined {
    let hasData = false;
    for (const cell of row.cells) {
      if (cell.col === 0 || cell.col >= columns.length) continue;
      if (cell.formula || (cell.value && (cell.value.kind !== 'string' || clean(cell.value.text) !== ''))) {
        hasData = true;
        break;
      }
    }
    if (!hasData) return undefined;
    const values: (CellValue | undefined)[] = new Array(columns.length);
    const reported = new Set<number>();
    for (const cell of row.cells) {
      if (cell.col >= columns.length) continue;
      const spec = columns[cell.col];
      if (cell.formula) {
        this.report(sheet, row.row, cell.col, spec, 'FORMULA_NOT_ALLOWED', '单元格含公式，请直接填写值（可复制后用"选择性粘贴 → 数值"替换公式）', 'the cell holds a formula; type the value instead');
        reported.add(cell.col);
        continue;
      }
      const v = cell.value;
      if (!v) continue;
      if (v.kind === 'error') {
        this.report(sheet, row.row, cell.col, spec, 'CELL_ERROR', `单元格为错误值 ${v.text}，请填写有效的值`, `the cell holds the error ${v.text}`);
        reported.add(cell.col);
        continue;
      }
      if (v.kind === 'string') {
        const text = clean(v.text);
        if (text !== '') values[cell.col] = text === v.text ? v : { kind: 'string', text };
        continue;
      }
      values[cell.col] = v;
    }
    return { row: row.row, values, reported };
  }

  private entryRow(cells: Cells): void {
    const metadata: CatalogMetadata = {};
    const entry: ParsedEntryRow = { sheet: SHEET_ENTRIES, row: cells.row, seq: '', metadata, itemRows: [] };
    for (const i of ENTRY_READ_ORDER) {
      const spec = ENTRY_COLUMNS[i];
      const v = cells.values[i];
      if (spec.kind === 'seq') {
        entry.seq = this.seq(SHEET_ENTRIES, cells.row, spec, v);
        continue;
      }
      if (v === undefined) continue;
      const value = this.read(SHEET_ENTRIES, cells.row, i, spec, v, metadata.classification?.classCode);
      if (value === undefined) continue;
      switch (spec.field) {
        case 'resourceCode': {
          const code = value as string;
          const check = validateResourceCode(code);
          if (!check.valid) this.report(SHEET_ENTRIES, cells.row, i, spec, 'RESOURCE_CODE_INVALID', `"${code}" 不是有效的信息资源代码：${check.reason}`, `"${code}" is not a valid resource code`);
          else entry.resourceCode = code;
          break;
        }
        case 'systemId':
          entry.systemName = value as string;
          break;
        case 'referenceItemId':
          entry.referenceItemName = value as string;
          break;
        default:
          setPath(metadata, spec.field, value);
      }
    }
    metadata.items = [];
    if (entry.seq === '') {
      if (!cells.reported.has(0)) this.report(SHEET_ENTRIES, cells.row, 0, ENTRY_COLUMNS[0], 'SEQ_REQUIRED', '序号为必填项，"信息项"表用它关联本条目录', 'the sequence number is required: 信息项 rows refer to it');
    } else if (this.seqRow.has(entry.seq)) {
      this.report(SHEET_ENTRIES, cells.row, 0, ENTRY_COLUMNS[0], 'SEQ_DUPLICATE', `序号"${entry.seq}"与第 ${this.seqRow.get(entry.seq)} 行重复，信息项无法确定所属目录`, `sequence number ${entry.seq} is already used on row ${this.seqRow.get(entry.seq)}`);
    } else {
      this.seqRow.set(entry.seq, cells.row);
      this.bySeq.set(entry.seq, entry);
    }
    this.entries.push(entry);
  }

  private itemRow(cells: Cells): void {
    const item: Partial<DataItem> = {};
    let seq = '';
    ITEM_COLUMNS.forEach((spec, i) => {
      const v = cells.values[i];
      if (spec.kind === 'seq') {
        seq = this.seq(SHEET_ITEMS, cells.row, spec, v);
        return;
      }
      if (v === undefined) return;
      const value = this.read(SHEET_ITEMS, cells.row, i, spec, v);
      if (value !== undefined) (item as Record<string, unknown>)[spec.field] = value;
    });
    const nameCol = ITEM_FIELD_COLUMN.get('name')!;
    if (item.name === undefined && cells.values[nameCol] === undefined && !cells.reported.has(nameCol))
      this.report(SHEET_ITEMS, cells.row, 1, ITEM_COLUMNS[1], 'ITEM_NAME_REQUIRED', '信息项名称为必填项', 'the data item name is required');
    if (seq === '') {
      if (!cells.reported.has(0)) this.report(SHEET_ITEMS, cells.row, 0, ITEM_COLUMNS[0], 'SEQ_REQUIRED', '序号为必填项：填写所属目录在"目录"表中的序号', 'the sequence number of the entry is required');
      return;
    }
    const entry = this.bySeq.get(seq);
    if (!entry) {
      this.report(SHEET_ITEMS, cells.row, 0, ITEM_COLUMNS[0], 'SEQ_UNKNOWN', `序号"${seq}"在"目录"表中不存在，无法确定信息项所属目录`, `no 目录 row has sequence number ${seq}`);
      return;
    }
    if (item.name === undefined) return;
    entry.metadata.items!.push(item as DataItem);
    entry.itemRows.push(cells.row);
  }

  private seq(sheet: string, row: number, spec: ColumnSpec, v: CellValue | undefined): string {
    if (v === undefined) return '';
    const text = this.key(textOf(v));
    const numeric = /^(\d+)(?:\.0+)?$/.exec(text);
    if (numeric) return numeric[1].replace(/^0+(?=\d)/, '');
    if (text.length > 32) {
      this.report(sheet, row, 0, spec, 'SEQ_INVALID', '序号过长，请填写数字编号', 'the sequence number is too long');
      return '';
    }
    return text;
  }

  /** The value of one cell, or undefined after reporting why it is not acceptable. */
  private read(sheet: string, row: number, col: number, spec: ColumnSpec, v: CellValue, classCode?: string): unknown {
    const bad = (code: string, zh: string, en: string) => {
      this.report(sheet, row, col, spec, code, zh, en);
      return undefined;
    };
    const text = textOf(v);
    // UTF-16 length bounds the character count from above, so most texts skip the exact count
    const tooLong = (s: string) => spec.maxLength !== undefined && s.length > spec.maxLength && [...s].length > spec.maxLength;
    switch (spec.kind) {
      case 'text': {
        if (tooLong(text)) return bad('TEXT_TOO_LONG', `内容超过 ${spec.maxLength} 个字符（现有 ${[...text].length} 个）`, `longer than ${spec.maxLength} characters`);
        if (spec.list === 'formatType') {
          const known = this.lookups.get('formatType')!.byKey.get(this.key(text));
          return known ? known[0].code : text;
        }
        return text;
      }
      case 'list': {
        const values = [...new Set(splitMultiValue(text))];
        if (spec.maxCount !== undefined && values.length > spec.maxCount)
          return bad('TOO_MANY_VALUES', `最多填写 ${spec.maxCount} 个，现有 ${values.length} 个`, `at most ${spec.maxCount} values`);
        const long = values.find(tooLong);
        if (long) return bad('TEXT_TOO_LONG', `"${long}" 超过 ${spec.maxLength} 个字符`, `a value is longer than ${spec.maxLength} characters`);
        return values.length ? values : undefined;
      }
      case 'digits': {
        let digits = keyOf(text);
        if (v.kind === 'number' && spec.padTo && Number.isInteger(v.value)) digits = digits.padStart(spec.padTo, '0');
        if (!/^\d+$/.test(digits)) return bad('DIGITS_INVALID', `"${text}" 只能包含数字${spec.padTo ? `，应为 ${spec.padTo} 位数字（如 ${'0'.repeat(spec.padTo - 1)}1）` : ''}`, `"${text}" must be digits only`);
        if (spec.padTo && digits.length !== spec.padTo) return bad('DIGITS_INVALID', `"${text}" 应为 ${spec.padTo} 位数字（如 ${'0'.repeat(spec.padTo - 1)}1）`, `"${text}" must be ${spec.padTo} digits`);
        if (tooLong(digits)) return bad('DIGITS_INVALID', `"${text}" 超过 ${spec.maxLength} 位`, `"${text}" is longer than ${spec.maxLength} digits`);
        return digits;
      }
      case 'enum':
        return spec.list === 'item' ? this.resourceItem(text, v, classCode, bad) : this.enumCode(spec, text, bad);
      case 'date': {
        const date = v.kind === 'date' ? v.date : v.kind === 'number' && Number.isInteger(v.value) && v.value > 0 && v.value < 110_000 ? excelSerialToIsoDate(v.value, this.date1904) : isoDate(text);
        return date ?? bad('DATE_INVALID', `"${text}" 不是有效的日期，应为 CCYY-MM-DD（如 2026-11-24）`, `"${text}" is not a date in CCYY-MM-DD form`);
      }
      case 'int': {
        const n = v.kind === 'number' ? v.value : /^\d+(\.0+)?$/.test(keyOf(text)) ? Number(keyOf(text)) : NaN;
        if (!Number.isInteger(n) || n < 1 || n > 1_000_000_000) return bad('INTEGER_INVALID', `"${text}" 不是有效的${spec.header}，应为正整数（字节数）`, `"${text}" must be a positive whole number`);
        return n;
      }
      case 'bool': {
        if (v.kind === 'boolean') return v.value;
        const k = this.key(text);
        if (['是', 'Y', 'YES', 'TRUE', '1', '√', '✓'].includes(k)) return true;
        if (['否', 'N', 'NO', 'FALSE', '0', '×', '✗'].includes(k)) return false;
        return bad('BOOLEAN_INVALID', `"${text}" 应为"是"或"否"`, `"${text}" must be 是 or 否`);
      }
      case 'seq':
        return undefined;
    }
  }

  private enumCode(spec: ColumnSpec, text: string, bad: (code: string, zh: string, en: string) => undefined): string | undefined {
    const lookup = this.lookups.get(spec.list!)!;
    const found = lookup.byKey.get(this.key(text));
    if (found?.length === 1) return found[0].code;
    const expected = lookup.list.options.map((o) => o.display).join('、');
    if (!expected) return bad('ENUM_INVALID', `"${text}" 无法识别：平台尚未配置${lookup.list.title}`, `"${text}" is not recognised: no ${lookup.list.title} is configured`);
    return bad('ENUM_INVALID', `"${text}" 不是有效的${lookup.list.title}，应为：${expected}`, `"${text}" is not a valid ${spec.field}; expected one of: ${lookup.list.options.map((o) => o.code).join(', ')}`);
  }

  /** 项: a label or "01 国家人口" names its class; a bare code is read against the row's 类. */
  private resourceItem(text: string, v: CellValue, classCode: string | undefined, bad: (code: string, zh: string, en: string) => undefined): string | undefined {
    const lookup = this.lookups.get('item')!;
    const classLabel = (c: string) => labelOf(RESOURCE_CLASSES, c) ?? c;
    const optionsOf = (c: string) => lookup.list.options.filter((o) => lookup.list.classOf!.get(o) === c);
    let key = this.key(text);
    if (v.kind === 'number' && /^\d$/.test(key)) key = `0${key}`;
    if (/^\d{1,2}$/.test(key)) {
      const code = key.padStart(2, '0');
      if (!classCode || isValidResourceItem(classCode, code)) return code;
      const expected = optionsOf(classCode).map((o) => o.display).join('、');
      return bad('ENUM_INVALID', `"${text}" 不是"${classLabel(classCode)}"下有效的项，应为：${expected}`, `"${text}" is not an item of class ${classCode}`);
    }
    const candidates = lookup.byKey.get(key) ?? [];
    const match = candidates.find((o) => !classCode || lookup.list.classOf!.get(o) === classCode);
    if (match) return match.code;
    if (candidates.length > 0 && classCode) {
      const other = lookup.list.classOf!.get(candidates[0])!;
      return bad('ITEM_CLASS_MISMATCH', `"${text}" 属于"${classLabel(other)}"，与本行的类"${classLabel(classCode)}"不一致`, `"${text}" is an item of class ${other}, not of class ${classCode}`);
    }
    const expected = (classCode ? optionsOf(classCode) : lookup.list.options).map((o) => o.display).join('、');
    return bad('ENUM_INVALID', `"${text}" 不是有效的项，应为：${expected}`, `"${text}" is not a valid resource item`);
  }

  private report(sheet: string, row: number, col: number, spec: ColumnSpec, code: string, zh: string, en: string): void {
    const column = columnLetter(col);
    this.problems.push({
      sheet,
      row,
      column,
      header: spec.header,
      code,
      zh: `${sheet} 第 ${row} 行 ${column} 列（${spec.header}）：${zh}`,
      en: `${sheet} row ${row}, column ${column} (${spec.header}): ${en}`,
    });
  }
}

const columnRank = (letter: string | undefined) => (letter ? [...letter].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) : 0);

/** A cell as text: numbers without float noise, dates as CCYY-MM-DD, booleans as 是/否. */
function textOf(v: CellValue): string {
  switch (v.kind) {
    case 'string':
      return v.text;
    case 'number':
      return Number.isInteger(v.value) ? String(v.value) : String(Number(v.value.toPrecision(15)));
    case 'date':
      return v.date;
    case 'boolean':
      return v.value ? '是' : '否';
    case 'error':
      return v.text;
  }
}

/** CCYY-MM-DD (also CCYY/M/D and CCYY年M月D日) when it is a real calendar day. */
function isoDate(text: string): string | undefined {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(keyOf(text));
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

function setPath(target: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
