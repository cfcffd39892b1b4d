/**
 * Test helpers: inputs fed in chunks of a chosen size, record collection, and .xlsx files written
 * part by part (zip bytes by hand), so a test controls styles, formulas, external links and bombs.
 */
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import type { RowProblem, SourceRecord } from '../pipeline/contracts';
import type { ParsedSource } from './parsing.types';

/** A stream that hands out `data` in chunks of `size` bytes (1 = byte by byte). */
export function chunked(data: Buffer | string, size: number): Readable {
  const buffer = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) this.push(null);
      else {
        this.push(buffer.subarray(offset, offset + size));
        offset += size;
      }
    },
  });
}

export async function collect(table: ParsedSource): Promise<{ records: SourceRecord[]; problems: RowProblem[] }> {
  const records: SourceRecord[] = [];
  for await (const record of table.records) records.push(record);
  return { records, problems: table.problems };
}

export async function values(table: ParsedSource): Promise<(string | null)[][]> {
  return (await collect(table)).records.map((r) => r.values);
}

// ------------------------------------------------------------------ zip

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  data: Buffer | string;
  /** Uncompressed size written in the headers, when it should lie. */
  declaredSize?: number;
}

/** A plain deflated zip (no zip64, no data descriptors). */
export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const body = deflateRawSync(data);
    const size = e.declaredSize ?? data.length;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ------------------------------------------------------------------ xlsx

/** Cell styles of the fixture workbook (index = `s`). */
export const STYLE = { general: 0, date: 1, dateTime: 2, zeroPadded: 3, twoDecimals: 4, text: 5 } as const;

/** A cell: a string (shared), a number, a boolean, or the raw parts of `<c>`. */
export type CellSpec = string | number | boolean | null | { v?: string; t?: string; s?: number; f?: string; inline?: string };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export interface SheetSpec {
  name: string;
  /** Rows from row 1 (or the given row numbers); null for an empty row. */
  rows: (CellSpec[] | null)[];
  state?: 'hidden';
}

/** Sheet XML with shared strings collected into `strings`. */
function sheetXml(rows: (CellSpec[] | null)[], strings: string[], index: Map<string, number>): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'];
  rows.forEach((cells, r) => {
    if (!cells) return;
    out.push(`<row r="${r + 1}">`);
    cells.forEach((cell, c) => {
      if (cell === null || cell === undefined) return;
      const ref = `${colName(c)}${r + 1}`;
      if (typeof cell === 'string') {
        let at = index.get(cell);
        if (at === undefined) {
          at = strings.length;
          strings.push(cell);
          index.set(cell, at);
        }
        out.push(`<c r="${ref}" t="s"><v>${at}</v></c>`);
      } else if (typeof cell === 'number') out.push(`<c r="${ref}"><v>${cell}</v></c>`);
      else if (typeof cell === 'boolean') out.push(`<c r="${ref}" t="b"><v>${cell ? 1 : 0}</v></c>`);
      else {
        const attrs = `${cell.t ? ` t="${cell.t}"` : ''}${cell.s !== undefined ? ` s="${cell.s}"` : ''}`;
        const inner = `${cell.f ? `<f>${esc(cell.f)}</f>` : ''}${cell.inline !== undefined ? `<is><t>${esc(cell.inline)}</t></is>` : ''}${cell.v !== undefined ? `<v>${esc(cell.v)}</v>` : ''}`;
        out.push(`<c r="${ref}"${attrs}>${inner}</c>`);
      }
    });
    out.push('</row>');
  });
  out.push('</sheetData></worksheet>');
  return out.join('');
}

export interface WorkbookSpec {
  sheets: SheetSpec[];
  /** More zip entries (e.g. `xl/externalLinks/externalLink1.xml`, `xl/vbaProject.bin`). */
  extra?: ZipEntry[];
  /** Extra `<Override>` elements in [Content_Types].xml. */
  contentTypes?: string;
}

export function writeXlsx(spec: WorkbookSpec): Buffer {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const sheets = spec.sheets.map((s, i) => ({ ...s, path: `xl/worksheets/sheet${i + 1}.xml`, xml: sheetXml(s.rows, strings, index) }));
  const entries: ZipEntry[] = [
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets.map((s) => `<Override PartName="/${s.path}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}${spec.contentTypes ?? ''}</Types>`,
    },
    {
      name: '_rels/.rels',
      data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>${sheets.map((s, i) => `<sheet name="${esc(s.name)}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    {
      name: 'xl/styles.xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/><numFmt numFmtId="165" formatCode="000000"/></numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="2"/><xf numFmtId="49"/></cellXfs></styleSheet>',
    },
    ...sheets.map((s) => ({ name: s.path, data: s.xml })),
  ];
  entries.push({
    name: 'xl/sharedStrings.xml',
    data: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">${strings.map((s) => `<si><t xml:space="preserve">${esc(s)}</t></si>`).join('')}</sst>`,
  });
  entries.push(...(spec.extra ?? []));
  return writeZip(entries);
}
