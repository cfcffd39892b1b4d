/**
 * What an upload is, judged by its bytes (portals serve XLSX and XLS under `.csv` names, and JSON
 * error answers too), and the parser for it.
 */
import type { Readable } from 'node:stream';
import type { SourceFormat } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { ByteInput, ByteReader, CHUNK_BYTES } from './byte-source';
import { parseCsv } from './csv.parser';
import { detectEncoding, TextStreamDecoder } from './encoding';
import { parseJson, parseNdjson } from './json.parser';
import type { OpenTableOptions, ParsedSource } from './parsing.types';
import { parseXlsx } from './xlsx.parser';

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

function isZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

/** The sample as text, for the JSON checks (BOM and encoding respected; undefined if undecodable). */
function sampleText(head: Buffer): string | undefined {
  try {
    const decoder = TextStreamDecoder.for(detectEncoding(head));
    return decoder.write(head);
  } catch {
    return undefined;
  }
}

/** Index just after the first JSON value of `text`, or -1 when it does not end within it. */
function endOfFirstValue(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The format of a file from its first bytes (64 KB is plenty): a zip is `xlsx`, an OLE compound
 * file is `xls` (a legacy workbook the caller refuses: 请另存为 .xlsx 或 CSV); text starting with
 * `[` is `json`; text starting with `{` is `ndjson` when a second object follows the first on
 * another line (or the name ends in .ndjson/.jsonl and the first does not end in the sample),
 * else `json`; anything else is `csv`. The name is only that tie-break, never the deciding fact.
 */
export function sniffFormat(firstBytes: Buffer, fileName?: string): SourceFormat | 'xls' {
  if (isZip(firstBytes)) return 'xlsx';
  if (firstBytes.length >= 8 && firstBytes.subarray(0, 8).equals(OLE_MAGIC)) return 'xls';
  const text = sampleText(firstBytes.subarray(0, CHUNK_BYTES));
  if (text === undefined) return 'csv';
  let i = 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  const first = text.charCodeAt(i);
  if (first === 91) return 'json';
  if (first !== 123) return 'csv';
  const end = endOfFirstValue(text, i);
  const linesName = /\.(ndjson|jsonl|ldjson)$/i.test(fileName ?? '');
  if (end < 0) return linesName ? 'ndjson' : 'json';
  const rest = text.slice(end);
  return /^[ \t]*\r?\n\s*\{/.test(rest) || (linesName && rest.trim() === '') ? 'ndjson' : 'json';
}

/** A clear refusal for bytes that are no table at all (PDF, a web page, a binary). */
function refuseNonTable(head: Buffer): void {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-')
    throw new SourceError('UNSUPPORTED_FORMAT', '上传的文件是 PDF，不是数据表。请上传 CSV、Excel（.xlsx）或 JSON 文件', 'The file is a PDF, not a table');
  const start = head.subarray(0, 512).toString('latin1').replace(/^\ufeff|^\xef\xbb\xbf/, '').trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<?xml') || start.startsWith('<head'))
    throw new SourceError(
      'UNSUPPORTED_FORMAT',
      '上传的文件是网页或 XML（可能是下载失败时门户返回的页面，或 Excel 的"XML 表格"格式），不是数据表。请重新下载，或在 Excel 中另存为 .xlsx 或 CSV 后上传',
      'The file is an HTML or XML page, not a table',
    );
  const probe = head.subarray(0, 4096);
  const utf16 = (probe[0] === 0xff && probe[1] === 0xfe) || (probe[0] === 0xfe && probe[1] === 0xff);
  if (!utf16 && probe.includes(0)) {
    let detected: string | undefined;
    try {
      detected = detectEncoding(probe).encoding;
    } catch {
      detected = undefined;
    }
    if (detected !== 'utf-16le' && detected !== 'utf-16be')
      throw new SourceError('UNSUPPORTED_FORMAT', '无法识别的文件格式（二进制文件）。请上传 CSV、Excel（.xlsx）或 JSON 文件', 'The file is binary and not a supported table format');
  }
}

export function legacyXlsRefused(head: Buffer): SourceError {
  if (head.includes(ENCRYPTED_PACKAGE))
    return new SourceError(
      'WORKBOOK_ENCRYPTED',
      '工作簿设置了打开密码，平台无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 或 CSV 重新上传',
      'The workbook is password-protected; remove the password and save it as .xlsx or CSV',
    );
  return new SourceError(
    'XLS_NOT_SUPPORTED',
    '上传的文件是旧版 Excel 97-2003 工作簿（.xls），平台不读取这种格式。请在 Excel 或 WPS 中打开，另存为 .xlsx 或 CSV 后重新上传',
    'The file is a legacy Excel 97-2003 workbook (.xls); save it as .xlsx or CSV and upload it again',
  );
}

/**
 * Opens any supported upload: sniffs its format from the content and parses it. Throws a
 * SourceError for an empty file, a legacy .xls, a PDF or web page, and whatever the parser refuses.
 */
export async function openTable(input: Readable | Buffer | ByteInput, fileName?: string, opts: OpenTableOptions = {}): Promise<ParsedSource> {
  const reader = ByteReader.from(input);
  const head = await reader.peek(CHUNK_BYTES);
  if (head.length === 0) throw new SourceError('EMPTY_FILE', '文件是空的（0 字节）。请检查是否上传了正确的文件', 'The file is empty (0 bytes)');
  const format = sniffFormat(head, fileName);
  switch (format) {
    case 'xls': {
      // the OLE directory (where EncryptedPackage is named) may be past the sample
      const whole = reader.exhausted ? head : await reader.readAll(opts.maxFileBytes ?? 200 * 1024 * 1024).catch(() => head);
      throw legacyXlsRefused(whole);
    }
    case 'xlsx':
      return parseXlsx(reader, opts);
    case 'json':
      return parseJson(reader, opts);
    case 'ndjson':
      return parseNdjson(reader, opts);
    default:
      refuseNonTable(head);
      return parseCsv(reader, opts);
  }
}
