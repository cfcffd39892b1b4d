/**
 * Test helpers: zip files written byte by byte (so a test can make a bomb, a lying header or a
 * macro workbook), and the template filled in as a user would, by adding rows to its sheet XML.
 */
import { deflateRawSync } from 'node:zlib';
import * as yauzl from 'yauzl';
import { columnLetter } from './confirmation-workbook.layout';

export interface ZipEntrySpec {
  name: string;
  data: Buffer;
  /** Stored instead of deflated. */
  store?: boolean;
  /** Uncompressed size written in the headers when it should lie. */
  declaredSize?: number;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A plain zip (no zip64, no data descriptors). */
export function writeZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.store ? 0 : 8, 10);
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

/** Every entry of a zip, in order. */
export async function readZip(input: Buffer): Promise<ZipEntrySpec[]> {
  const zip = await yauzl.fromBufferPromise(input, { lazyEntries: true });
  const out: ZipEntrySpec[] = [];
  for await (const entry of zip.eachEntry()) {
    const stream = await zip.openReadStreamPromise(entry);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    out.push({ name: entry.fileName, data: Buffer.concat(parts) });
  }
  zip.close();
  return out;
}

/** Replaces, adds (when absent) or removes (data null) entries of a zip. */
export async function editZip(input: Buffer, changes: Record<string, Buffer | string | null>): Promise<Buffer> {
  const entries = await readZip(input);
  const out: ZipEntrySpec[] = [];
  for (const e of entries) {
    if (!(e.name in changes)) out.push(e);
    else if (changes[e.name] !== null) out.push({ name: e.name, data: Buffer.from(changes[e.name]!) });
  }
  for (const [name, data] of Object.entries(changes)) if (data !== null && !entries.some((e) => e.name === name)) out.push({ name, data: Buffer.from(data) });
  return writeZip(out);
}

/** What a user types into a cell. */
export type UserCell = string | number | boolean | null | undefined | { formula: string; result?: string } | { date: string } | { error: string };

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function serialOf(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number);
  return (Date.UTC(y, m - 1, d) - Date.UTC(1899, 11, 30)) / 86_400_000;
}

function cellXml(ref: string, cell: UserCell, style: number | undefined): string {
  const s = style !== undefined ? ` s="${style}"` : '';
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${escapeXml(cell)}</t></is></c>`;
  if (typeof cell === 'number') return `<c r="${ref}"${s}><v>${cell}</v></c>`;
  if (typeof cell === 'boolean') return `<c r="${ref}"${s} t="b"><v>${cell ? 1 : 0}</v></c>`;
  if ('formula' in cell) return `<c r="${ref}"${s} t="str"><f>${escapeXml(cell.formula)}</f><v>${escapeXml(cell.result ?? '')}</v></c>`;
  if ('error' in cell) return `<c r="${ref}"${s} t="e"><v>${escapeXml(cell.error)}</v></c>`;
  return `<c r="${ref}"${s}><v>${serialOf(cell.date)}</v></c>`;
}

/** Rows of cells (A, B, …) as sheet XML rows starting at `firstRow`; column styles kept like Excel does. */
export function rowsXml(rows: readonly (readonly UserCell[])[], firstRow: number, columnStyles: ReadonlyMap<number, number> = new Map()): string {
  return rows
    .map((cells, r) => {
      const n = firstRow + r;
      return `<row r="${n}">${cells.map((cell, c) => cellXml(`${columnLetter(c)}${n}`, cell, columnStyles.get(c))).join('')}</row>`;
    })
    .join('');
}

/** Part path of each sheet, by name, read from workbook.xml and its relationships. */
export function sheetPaths(entries: readonly ZipEntrySpec[]): Map<string, string> {
  const text = (name: string) => entries.find((e) => e.name === name)!.data.toString('utf8');
  const rels = new Map([...text('xl/_rels/workbook.xml.rels').matchAll(/<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"/g)].map((m) => [m[1], `xl/${m[2].replace(/^\/?xl\//, '')}`]));
  return new Map([...text('xl/workbook.xml').matchAll(/<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"/g)].map((m) => [m[1], rels.get(m[2])!]));
}

/** Column styles (`<col style>`) of a sheet by 0-based column, as Excel applies them to typed cells. */
function columnStyles(sheetXml: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of sheetXml.matchAll(/<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"/g)) for (let c = Number(m[1]); c <= Number(m[2]); c++) out.set(c - 1, Number(m[3]));
  return out;
}

/** The template as a user returns it: rows typed into 目录 and 信息项 below the headers. */
export async function fillTemplate(template: Buffer, data: { entries?: UserCell[][]; items?: UserCell[][]; sheetXml?: Record<string, (xml: string) => string> }): Promise<Buffer> {
  const entries = await readZip(template);
  const paths = sheetPaths(entries);
  const changes: Record<string, string> = {};
  const fill = (sheet: string, rows: UserCell[][] | undefined) => {
    const path = paths.get(sheet)!;
    let xml = entries.find((e) => e.name === path)!.data.toString('utf8');
    if (rows?.length) xml = xml.replace('</sheetData>', `${rowsXml(rows, 2, columnStyles(xml))}</sheetData>`);
    const edit = data.sheetXml?.[sheet];
    changes[path] = edit ? edit(xml) : xml;
  };
  fill('目录', data.entries);
  fill('信息项', data.items);
  return editZip(template, changes);
}
