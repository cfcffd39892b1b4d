/**
 * SpreadsheetML read with a SAX parser, row by row, straight from the inflating zip entry.
 * exceljs writes our workbooks, but its readers do not fit an upload endpoint: `xlsx.load()` builds
 * the whole model (and expands every data-validation range cell by cell, so one `sqref="A1:XFD1048576"`
 * hangs it), and its streaming reader splits multi-byte UTF-8 at chunk boundaries (exceljs issues
 * #2063/#2084: garbled Chinese). This reader decodes with a StringDecoder, keeps only cell values,
 * marks formula cells, and lets the caller stop at any row (row limits are enforced while streaming).
 */
import { posix } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { notAWorkbook, macroNotAllowed, stripBom, XlsxPackage } from './xlsx-package.reader';

interface XmlHandlers {
  open?(name: string, attributes: Record<string, string>): void;
  text?(text: string): void;
  close?(name: string): void;
}

/** Local name of a possibly prefixed XML name (`x:row` → `row`). */
const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/** Parses XML from text or inflating chunks; handler exceptions propagate and stop the inflation. */
export async function parseXml(source: string | AsyncIterable<Buffer>, handlers: XmlHandlers, what: string): Promise<void> {
  const parser = new SaxesParser({ position: false });
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  if (handlers.open) {
    const open = handlers.open;
    parser.on('opentag', (tag) => open(local(tag.name), tag.attributes as Record<string, string>));
  }
  if (handlers.text) {
    const text = handlers.text;
    parser.on('text', text);
    parser.on('cdata', text);
  }
  if (handlers.close) {
    const close = handlers.close;
    parser.on('closetag', (tag) => close(local(tag.name)));
  }
  const fail = () => notAWorkbook(`损坏的工作簿（${what} 不是有效的 XML）`, `a damaged workbook (${what} is not valid XML: ${failure?.message})`);
  if (typeof source === 'string') {
    parser.write(stripBom(source));
    if (failure) throw fail();
  } else {
    const decoder = new StringDecoder('utf8');
    let first = true;
    for await (const chunk of source) {
      let text = decoder.write(chunk);
      if (first && text.length > 0) {
        text = stripBom(text);
        first = false;
      }
      parser.write(text);
      if (failure) throw fail();
    }
    parser.write(decoder.end());
  }
  parser.close();
  if (failure) throw fail();
}

export interface SheetRef {
  name: string;
  /** Part path inside the zip, e.g. `xl/worksheets/sheet2.xml`. */
  path: string;
  state: 'visible' | 'hidden' | 'veryHidden';
}

export interface WorkbookStructure {
  sheets: SheetRef[];
  date1904: boolean;
  sharedStringsPath?: string;
  stylesPath?: string;
}

const MACRO_CONTENT_TYPE = /macroEnabled|vbaProject|ms-excel\.(intl)?macrosheet|ms-excel\.addin/i;

/** Content types, the workbook part and its relationships: which sheets exist and where. */
export async function readWorkbookStructure(pkg: XlsxPackage): Promise<WorkbookStructure> {
  const contentTypes = (await pkg.text('[Content_Types].xml')) ?? '';
  let macro = false;
  await parseXml(contentTypes, { open: (_name, a) => (macro ||= MACRO_CONTENT_TYPE.test(a.ContentType ?? '')) }, '[Content_Types].xml');
  if (macro) throw macroNotAllowed();

  const rootRels = await readRelationships(pkg, '_rels/.rels', '');
  const workbookPath = [...rootRels.values()].find((r) => /\/officeDocument$/.test(r.type))?.target ?? 'xl/workbook.xml';
  const workbookXml = await pkg.text(workbookPath);
  if (workbookXml === undefined) throw notAWorkbook('不含 Excel 工作簿的 Office 文件（如 Word 文档）', 'an Office file without an Excel workbook (e.g. a Word document)');

  const dir = posix.dirname(workbookPath);
  const relsPath = posix.join(dir, '_rels', `${posix.basename(workbookPath)}.rels`);
  const rels = await readRelationships(pkg, relsPath, dir);

  const sheets: SheetRef[] = [];
  let date1904 = false;
  await parseXml(
    workbookXml,
    {
      open(name, a) {
        if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
        if (name !== 'sheet') return;
        const idAttribute = Object.keys(a).find((k) => k.includes(':') && local(k) === 'id');
        const rel = idAttribute ? rels.get(a[idAttribute]) : undefined;
        if (!rel) return;
        const state = a.state === 'hidden' || a.state === 'veryHidden' ? a.state : 'visible';
        sheets.push({ name: a.name ?? '', path: rel.target, state });
      },
    },
    workbookPath,
  );
  const byType = (suffix: string) => [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  return { sheets, date1904, sharedStringsPath: byType('/sharedStrings'), stylesPath: byType('/styles') };
}

interface Relationship {
  type: string;
  target: string;
}

async function readRelationships(pkg: XlsxPackage, path: string, baseDir: string): Promise<Map<string, Relationship>> {
  const xml = await pkg.text(path);
  const out = new Map<string, Relationship>();
  if (xml === undefined) return out;
  await parseXml(
    xml,
    {
      open(name, a) {
        if (name !== 'Relationship' || !a.Id || !a.Target || a.TargetMode === 'External') return;
        const target = a.Target.startsWith('/') ? a.Target.slice(1) : posix.join(baseDir, a.Target);
        out.set(a.Id, { type: a.Type ?? '', target: posix.normalize(target) });
      },
    },
    path,
  );
  return out;
}

/** Shared strings; rich-text runs are joined and phonetic guides (rPh) left out. */
export async function readSharedStrings(pkg: XlsxPackage, path: string | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!path || !pkg.has(path)) return strings;
  let inSi = false;
  let inPhonetic = false;
  let inT = false;
  let current = '';
  await parseXml(
    pkg.chunks(path),
    {
      open(name) {
        if (name === 'si') {
          inSi = true;
          current = '';
        } else if (name === 'rPh') inPhonetic = true;
        else if (name === 't' && inSi && !inPhonetic) inT = true;
      },
      text(text) {
        if (inT) current += text;
      },
      close(name) {
        if (name === 't') inT = false;
        else if (name === 'rPh') inPhonetic = false;
        else if (name === 'si') {
          strings.push(current);
          inSi = false;
        }
      },
    },
    path,
  );
  return strings;
}

/** Built-in number formats that show a date (ECMA-376 18.8.30, plus the CJK ones Excel uses). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

export function isDateFormatCode(code: string): boolean {
  const bare = code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, '');
  return /[ymdhs]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** A cell style (`xf` of `cellXfs`) as far as values are concerned: its number format. */
export interface CellStyle {
  numFmtId: number;
  /** The custom format code; undefined for a built-in format. */
  customFormat: string | undefined;
}

/** The cell styles of styles.xml, indexed by a cell's `s` attribute (read once per workbook). */
export async function readCellStyles(pkg: XlsxPackage, path: string | undefined): Promise<CellStyle[]> {
  if (!path || !pkg.has(path)) return [];
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parseXml(
    pkg.chunks(path),
    {
      open(name, a) {
        if (name === 'numFmt') custom.set(Number(a.numFmtId), a.formatCode ?? '');
        else if (name === 'cellXfs') inCellXfs = true;
        else if (name === 'xf' && inCellXfs) xfFormats.push(Number(a.numFmtId ?? 0));
      },
      close(name) {
        if (name === 'cellXfs') inCellXfs = false;
      },
    },
    path,
  );
  return xfFormats.map((id) => ({ numFmtId: id, customFormat: custom.get(id) }));
}

/** Whether a style's number format shows a date. */
export function isDateStyle(style: CellStyle): boolean {
  return style.customFormat !== undefined ? isDateFormatCode(style.customFormat) : BUILTIN_DATE_FORMATS.has(style.numFmtId);
}

/** For each cell style index (`s`), whether its number format shows a date. */
export async function readDateStyles(pkg: XlsxPackage, path: string | undefined): Promise<boolean[]> {
  return (await readCellStyles(pkg, path)).map(isDateStyle);
}

/** A cell as stored: text, a number, a date (as CCYY-MM-DD), a boolean or an error like `#N/A`. */
export type CellValue =
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'date'; date: string; text: string }
  | { kind: 'boolean'; value: boolean; text: string }
  | { kind: 'error'; text: string };

export interface SheetCell {
  /** 0-based column index. */
  col: number;
  value: CellValue | undefined;
  /** The cell holds a formula (its cached result is in `value`). */
  formula: boolean;
  /** Cell style index (`s`), for the number format (see `readDateStyles`). */
  style: number;
}

export interface SheetRow {
  /** 1-based row number. */
  row: number;
  cells: SheetCell[];
}

export interface SheetContext {
  sharedStrings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
}

/** Column index (0-based) of a reference such as `AB12`; -1 when it has no letters. */
export function columnIndexOf(ref: string): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return i === 0 ? -1 : n - 1;
}

const MS_PER_DAY = 86_400_000;
/** 1899-12-30: day 0 of the 1900 system once Lotus's phantom 1900-02-29 is accounted for. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** CCYY-MM-DD of an Excel serial date (the time of day is dropped). */
export function excelSerialToIsoDate(serial: number, date1904 = false): string | undefined {
  if (!Number.isFinite(serial) || serial < 0 || serial > 2_958_465) return undefined;
  const ms = (date1904 ? EPOCH_1904 : EPOCH_1900) + Math.floor(serial + 1e-9) * MS_PER_DAY;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Streams a worksheet's rows to `onRow`; throwing from `onRow` stops reading (and inflating). */
export async function readSheetRows(pkg: XlsxPackage, path: string, ctx: SheetContext, onRow: (row: SheetRow) => void): Promise<void> {
  // one value object per shared string, not one per cell
  const sharedValues: CellValue[] = ctx.sharedStrings.map((text) => ({ kind: 'string', text }));
  let inSheetData = false;
  let row: SheetRow | undefined;
  let lastRow = 0;
  let lastCol = -1;
  // current cell
  let cellCol = -1;
  let cellType = '';
  let cellStyle = 0;
  let formula = false;
  let capture: 'v' | 't' | undefined;
  let vText = '';
  let inlineText = '';
  let inInline = false;
  let inPhonetic = false;
  let inCell = false;
  let inInlineSeen = false;

  const finishCell = () => {
    let value: CellValue | undefined;
    const raw = vText;
    switch (cellType) {
      case 's':
        value = raw === '' ? undefined : (sharedValues[Number(raw)] ?? { kind: 'error', text: '#REF!' });
        break;
      case 'inlineStr':
        value = inInlineSeen ? { kind: 'string', text: inlineText } : raw === '' ? undefined : { kind: 'string', text: raw };
        break;
      case 'str':
        value = { kind: 'string', text: raw };
        break;
      case 'b':
        value = raw === '' ? undefined : { kind: 'boolean', value: raw === '1' || raw === 'true', text: raw };
        break;
      case 'e':
        value = { kind: 'error', text: raw };
        break;
      case 'd': {
        const date = /^\d{4}-\d{2}-\d{2}/.exec(raw)?.[0];
        value = date ? { kind: 'date', date, text: raw } : raw === '' ? undefined : { kind: 'string', text: raw };
        break;
      }
      default: {
        if (raw === '') break;
        const n = Number(raw);
        if (Number.isNaN(n)) value = { kind: 'string', text: raw };
        else if (ctx.dateStyles[cellStyle]) {
          const date = excelSerialToIsoDate(n, ctx.date1904);
          value = date ? { kind: 'date', date, text: raw } : { kind: 'number', value: n, text: raw };
        } else value = { kind: 'number', value: n, text: raw };
      }
    }
    if (row && (value !== undefined || formula)) row.cells.push({ col: cellCol, value, formula, style: cellStyle });
  };

  await parseXml(
    pkg.chunks(path),
    {
      open(name, a) {
        if (!inSheetData) {
          if (name === 'sheetData') inSheetData = true;
          return;
        }
        switch (name) {
          case 'row': {
            const r = a.r ? Number(a.r) : lastRow + 1;
            row = { row: Number.isInteger(r) && r > 0 ? r : lastRow + 1, cells: [] };
            lastRow = row.row;
            lastCol = -1;
            break;
          }
          case 'c': {
            inCell = true;
            const col = a.r ? columnIndexOf(a.r) : -1;
            cellCol = col >= 0 ? col : lastCol + 1;
            lastCol = cellCol;
            cellType = a.t ?? '';
            cellStyle = a.s ? Number(a.s) : 0;
            formula = false;
            vText = '';
            inlineText = '';
            inInlineSeen = false;
            break;
          }
          case 'f':
            if (inCell) formula = true;
            break;
          case 'v':
            if (inCell) capture = 'v';
            break;
          case 'is':
            if (inCell) {
              inInline = true;
              inInlineSeen = true;
            }
            break;
          case 'rPh':
            inPhonetic = true;
            break;
          case 't':
            if (inInline && !inPhonetic) capture = 't';
            break;
        }
      },
      text(text) {
        if (capture === 'v') vText += text;
        else if (capture === 't') inlineText += text;
      },
      close(name) {
        if (!inSheetData) return;
        switch (name) {
          case 'v':
          case 't':
            capture = undefined;
            break;
          case 'rPh':
            inPhonetic = false;
            break;
          case 'is':
            inInline = false;
            break;
          case 'c':
            if (inCell) finishCell();
            inCell = false;
            break;
          case 'row':
            if (row) onRow(row);
            row = undefined;
            break;
          case 'sheetData':
            inSheetData = false;
            break;
        }
      },
    },
    path,
  );
}
