/**
 * The zip layer of an uploaded .xlsx, checked before any XML is parsed: what the file really is
 * (a renamed CSV or PDF, a legacy .xls, an encrypted workbook), macros, and zip bombs. Entries are
 * then inflated one at a time through yauzl, which stops a stream that yields more bytes than the
 * central directory declared, and every byte inflated counts against one budget, so neither a lying
 * header nor many entries can make the server inflate more than `maxUncompressedBytes`.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { WorkbookRejectedError } from './xlsx.errors';

export interface XlsxLimits {
  /** Total uncompressed bytes, declared and actually inflated. */
  maxUncompressedBytes: number;
  /** Highest compression ratio accepted for an entry of `ratioCheckFromBytes` or more. */
  maxCompressionRatio: number;
  ratioCheckFromBytes: number;
  /** A workbook has a few dozen parts; thousands of entries is an attack on the central directory. */
  maxEntries: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_XLSX_LIMITS: Readonly<XlsxLimits> = Object.freeze({
  maxUncompressedBytes: 100 * MiB,
  maxCompressionRatio: 100,
  ratioCheckFromBytes: 1 * MiB,
  maxEntries: 2_000,
});

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_LOCAL_HEADER = Buffer.from('PK\x03\x04', 'latin1');
const ZIP_EMPTY = Buffer.from('PK\x05\x06', 'latin1');
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

const SAVE_AS_XLSX = '请在 Excel 或 WPS 中"另存为"Excel 工作簿（*.xlsx）后重新上传';

/** What a file that is not a zip looks like, for the message. */
function describeNonZip(input: Buffer): { zh: string; en: string } {
  const head = input.subarray(0, 8);
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return { zh: 'PDF 文件', en: 'a PDF file' };
  if (/^\s*<(\?xml|html|!doctype)/i.test(input.subarray(0, 64).toString('latin1'))) return { zh: 'XML/HTML 文件（如"另存为 XML 表格"或网页格式）', en: 'an XML or HTML file' };
  if (looksLikeText(input.subarray(0, 4096))) return { zh: '文本文件（如 CSV）', en: 'a text file (e.g. CSV)' };
  return { zh: '无法识别格式的文件', en: 'a file of unknown format' };
}

function looksLikeText(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  for (const byte of sample) if (byte === 0) return false;
  return true;
}

export function notAWorkbook(zhWhat: string, enWhat: string): WorkbookRejectedError {
  return new WorkbookRejectedError('NOT_A_WORKBOOK', `上传的文件是${zhWhat}，不是 Excel 工作簿（.xlsx）。${SAVE_AS_XLSX}`, `The file is ${enWhat}, not an Excel workbook (.xlsx); save it as .xlsx and upload it again`);
}

function zipBomb(zhWhy: string, enWhy: string): WorkbookRejectedError {
  return new WorkbookRejectedError('ZIP_BOMB', `文件解压后过大或压缩比异常（${zhWhy}），已拒绝处理。请检查文件，或删除无关的工作表和内容后重新上传`, `The file is refused as a possible zip bomb: ${enWhy}`);
}

const formatMiB = (bytes: number) => `${Math.round((bytes / MiB) * 10) / 10} MB`;

export class XlsxPackage {
  private inflatedBytes = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: ReadonlyMap<string, yauzl.Entry>,
    private readonly limits: XlsxLimits,
  ) {}

  /** Sniffs, opens and checks the package; throws WorkbookRejectedError for anything it will not read. */
  static async open(input: Buffer, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Promise<XlsxPackage> {
    if (!Buffer.isBuffer(input) || input.length === 0) throw notAWorkbook('空文件', 'empty');
    if (input.subarray(0, 8).equals(OLE_MAGIC)) {
      if (input.includes(ENCRYPTED_PACKAGE))
        throw new WorkbookRejectedError('WORKBOOK_ENCRYPTED', '工作簿设置了打开密码，平台无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后重新上传', 'The workbook is password-protected; remove the password and upload it again');
      throw new WorkbookRejectedError('NOT_A_WORKBOOK', `上传的文件是旧版 Excel 97-2003 工作簿（.xls），平台只接受 .xlsx。${SAVE_AS_XLSX}`, 'The file is a legacy Excel 97-2003 workbook (.xls); save it as .xlsx and upload it again');
    }
    const head = input.subarray(0, 4);
    if (!head.equals(ZIP_LOCAL_HEADER) && !head.equals(ZIP_EMPTY)) {
      const what = describeNonZip(input);
      throw notAWorkbook(what.zh, what.en);
    }

    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.fromBufferPromise(input, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
    } catch {
      throw notAWorkbook('损坏的压缩文件', 'a damaged zip file');
    }
    if (zip.entryCount > limits.maxEntries) throw zipBomb(`包含 ${zip.entryCount} 个压缩条目`, `${zip.entryCount} zip entries`);

    const entries = new Map<string, yauzl.Entry>();
    let declared = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        if (entry.fileName.endsWith('/')) continue;
        entries.set(entry.fileName.toLowerCase(), entry);
        declared += entry.uncompressedSize;
      }
    } catch {
      zip.close();
      throw notAWorkbook('损坏的压缩文件', 'a damaged zip file');
    }

    const pkg = new XlsxPackage(zip, entries, limits);
    try {
      pkg.checkNames();
      pkg.checkSizes(declared);
    } catch (error) {
      pkg.close();
      throw error;
    }
    return pkg;
  }

  private checkNames(): void {
    const names = [...this.entries.keys()];
    if (names.some((n) => n.endsWith('vbaproject.bin') || n.includes('/macrosheets/') || n.endsWith('vbaprojectsignature.bin')))
      throw macroNotAllowed();
    if (!this.entries.has('[content_types].xml')) throw notAWorkbook('不含 Office 文档结构的压缩文件', 'a zip file without an Office document inside');
    if (this.entries.has('xl/workbook.bin'))
      throw new WorkbookRejectedError('NOT_A_WORKBOOK', `上传的文件是 Excel 二进制工作簿（.xlsb），平台只接受 .xlsx。${SAVE_AS_XLSX}`, 'The file is an Excel binary workbook (.xlsb); save it as .xlsx');
  }

  private checkSizes(declared: number): void {
    const { maxUncompressedBytes, maxCompressionRatio, ratioCheckFromBytes } = this.limits;
    if (declared > maxUncompressedBytes) throw zipBomb(`解压后共 ${formatMiB(declared)}，上限 ${formatMiB(maxUncompressedBytes)}`, `${declared} bytes uncompressed, limit ${maxUncompressedBytes}`);
    for (const entry of this.entries.values()) {
      if (entry.isEncrypted()) throw notAWorkbook('加密的压缩文件', 'an encrypted zip file');
      if (entry.uncompressedSize < ratioCheckFromBytes) continue;
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (ratio > maxCompressionRatio)
        throw zipBomb(`"${entry.fileName}"压缩比 ${Math.round(ratio)}:1，上限 ${maxCompressionRatio}:1`, `${entry.fileName} has a compression ratio of ${Math.round(ratio)}:1, limit ${maxCompressionRatio}:1`);
    }
  }

  /** Lower-cased names of all file entries, e.g. to refuse parts such as `xl/externallinks/…`. */
  partNames(): string[] {
    return [...this.entries.keys()];
  }

  has(path: string): boolean {
    return this.entries.has(normalizePartName(path));
  }

  /** The entry's bytes as they are inflated; counts them against the budget as they come. */
  async *chunks(path: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(normalizePartName(path));
    if (!entry) return;
    let stream: Readable;
    try {
      stream = await this.zip.openReadStreamPromise(entry);
    } catch {
      throw notAWorkbook(`损坏的压缩文件（无法读取"${entry.fileName}"）`, `a damaged zip file (cannot read ${entry.fileName})`);
    }
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.inflatedBytes += chunk.length;
        if (this.inflatedBytes > this.limits.maxUncompressedBytes)
          throw zipBomb(`解压超过 ${formatMiB(this.limits.maxUncompressedBytes)}`, `more than ${this.limits.maxUncompressedBytes} bytes inflated`);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof WorkbookRejectedError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (/too many bytes/i.test(message))
        throw zipBomb(`"${entry.fileName}"解压后的实际大小超过声明的 ${formatMiB(entry.uncompressedSize)}`, `${entry.fileName} inflates beyond its declared size`);
      throw notAWorkbook(`损坏的压缩文件（"${entry.fileName}"无法解压）`, `a damaged zip file (${entry.fileName}: ${message})`);
    } finally {
      stream.destroy();
    }
  }

  /** A small part (content types, relationships, workbook.xml) as text. */
  async text(path: string): Promise<string | undefined> {
    if (!this.has(path)) return undefined;
    const parts: Buffer[] = [];
    for await (const chunk of this.chunks(path)) parts.push(chunk);
    return stripBom(Buffer.concat(parts).toString('utf8'));
  }

  close(): void {
    this.zip.close();
  }
}

export function macroNotAllowed(): WorkbookRejectedError {
  return new WorkbookRejectedError('MACRO_NOT_ALLOWED', '文件包含宏（VBA 或宏表），平台不接受含宏的工作簿。请另存为不含宏的 Excel 工作簿（*.xlsx）后重新上传', 'The workbook contains macros; save it as a macro-free .xlsx and upload it again');
}

/** Zip part names are case-insensitive in OPC and have no leading slash. */
export function normalizePartName(path: string): string {
  return posix.normalize(path.replace(/\\/g, '/')).replace(/^\/+/, '').toLowerCase();
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
