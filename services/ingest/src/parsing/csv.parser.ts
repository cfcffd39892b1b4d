/**
 * CSV (and TSV, semicolon- or pipe-separated text) as a streamed ParsedTable.
 *
 * - Encoding: detected from the first 64 KB (see encoding.ts) unless given; a BOM is dropped.
 * - Delimiter: an Excel `sep=X` first line, else sniffed among `,` `;` tab `|` from the first
 *   records (quotes respected): the candidate that splits most records into the same number of
 *   cells; `,` when none does (a one-column file).
 * - Header: the first non-blank record, each name trimmed (full-width and no-break spaces, BOM
 *   too); empty names at its end are dropped, an empty name before a named one is kept as ''.
 * - Records: `rowNumber` is the row a spreadsheet shows (header = 1 when it is the first line; a
 *   quoted cell with line breaks is one row); blank lines and rows whose cells are all empty are
 *   skipped (they still count); cells are never trimmed or converted, and a cell starting with
 *   `=`, `+`, `-` or `@` is data like any other (nothing here evaluates anything).
 * - Row problems (the row is not yielded, see parsing.types.ts): `TOO_MANY_FIELDS` (more non-empty
 *   cells than the header; empty cells past the header's end are dropped silently, Excel writes
 *   them), `TOO_FEW_FIELDS`, `UNBALANCED_QUOTE`, `LINE_TOO_LONG`, `INVALID_CHARACTERS` (bytes that
 *   do not decode in the file's encoding).
 * - Refusals (SourceError): `EMPTY_FILE` (nothing but blank lines), `ENCODING_UNSUPPORTED`,
 *   `LINE_TOO_LONG` or `UNBALANCED_QUOTE` in the header, `UNBALANCED_QUOTE` that ran past the line
 *   limit (thrown while iterating).
 */
import type { RowProblem, SourceRecord } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { ByteInput, ByteReader, CHUNK_BYTES } from './byte-source';
import { CsvTokenizer, RECORD_TOO_LONG, RECORD_TOO_MANY_FIELDS, RECORD_UNBALANCED_QUOTE } from './csv.tokenizer';
import { decodeChunks, detectEncoding, DetectedEncoding, normalizeEncoding, TextStreamDecoder } from './encoding';
import { CsvOptions, DEFAULT_MAX_FIELDS, DEFAULT_MAX_LINE, ParsedSource, ProblemSink, TextEncoding } from './parsing.types';

export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

const DELIMITER_NAMES: Record<string, string> = { ',': '逗号', ';': '分号', '\t': '制表符', '|': '竖线' };

/**
 * The delimiter of CSV text from its first records. `complete` says the sample is the whole file
 * (otherwise its last, possibly cut, record is not counted).
 */
export function sniffDelimiter(sample: string, complete = false): string {
  const records = splitSampleRecords(sample, complete, 50);
  let best = ',';
  let bestShare = 0;
  let bestCount = 0;
  for (const candidate of DELIMITER_CANDIDATES) {
    const code = candidate.charCodeAt(0);
    const counts = new Map<number, number>();
    let considered = 0;
    for (const record of records) {
      if (record.trim().length === 0) continue;
      considered++;
      let inQuotes = false;
      let count = 0;
      for (let i = 0; i < record.length; i++) {
        const c = record.charCodeAt(i);
        if (c === 34) inQuotes = !inQuotes;
        else if (c === code && !inQuotes) count++;
      }
      counts.set(count, (counts.get(count) ?? 0) + 1);
    }
    if (considered === 0) continue;
    // the most frequent non-zero count, and the share of records that have it
    let mode = 0;
    let modeFreq = 0;
    for (const [count, freq] of counts) if (count > 0 && (freq > modeFreq || (freq === modeFreq && count > mode))) [mode, modeFreq] = [count, freq];
    const share = modeFreq / considered;
    if (mode > 0 && (share > bestShare || (share === bestShare && mode > bestCount))) {
      best = candidate;
      bestShare = share;
      bestCount = mode;
    }
  }
  return bestShare >= 0.5 ? best : ',';
}

/** Records of a sample, quotes respected, without the last one unless the sample is complete. */
function splitSampleRecords(sample: string, complete: boolean, max: number): string[] {
  const out: string[] = [];
  let inQuotes = false;
  let start = 0;
  for (let i = 0; i < sample.length && out.length < max; i++) {
    const c = sample.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if ((c === 10 || c === 13) && !inQuotes) {
      out.push(sample.slice(start, i));
      if (c === 13 && sample.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  if (complete && out.length < max && start < sample.length) out.push(sample.slice(start));
  return out;
}

const SEP_LINE = /^sep=(.)(\r\n|\r|\n|$)/i;

export function emptyFile(): SourceError {
  return new SourceError('EMPTY_FILE', '文件是空的（没有表头，也没有数据）。请检查是否上传了正确的文件', 'The file is empty: no header and no data');
}

function headerNames(fields: (string | null)[]): string[] {
  const names = fields.map((f) => (f ?? '').trim());
  let width = names.length;
  while (width > 0 && names[width - 1] === '') width--;
  names.length = width;
  return names;
}

function isBlank(fields: (string | null)[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f !== null && f.length > 0) return false;
  }
  return true;
}

function hasReplacement(fields: (string | null)[]): boolean {
  for (const f of fields) if (f !== null && f.includes('\ufffd')) return true;
  return false;
}

/**
 * A record, made by a constructor rather than an object literal: a chunk's records are all made at
 * once and outlive a scavenge, which in some runs got the literal's allocation site pretenured;
 * from then on every record, and through it every cell string, went to the old generation (a
 * 250,000-row load then promoted about 1.5 MB per scavenge instead of 0.35 MB).
 */
class CsvRecord implements SourceRecord {
  constructor(
    public rowNumber: number,
    public values: (string | null)[],
    public raw: string,
  ) {}
}

const ENCODING_ZH: Record<TextEncoding, string> = { 'utf-8': 'UTF-8', 'utf-8-bom': 'UTF-8', gb18030: 'GBK/GB18030', 'utf-16le': 'UTF-16', 'utf-16be': 'UTF-16' };

/** Parses CSV from a stream (or a Buffer); resolves once the header has been read. */
export async function parseCsv(input: ByteInput | ByteReader, opts: CsvOptions = {}): Promise<ParsedSource> {
  const reader = ByteReader.from(input);
  const sample = await reader.peek(CHUNK_BYTES);
  if (sample.length === 0) throw emptyFile();
  const detected: DetectedEncoding = opts.encoding ? { encoding: normalizeEncoding(opts.encoding), confidence: 1 } : detectEncoding(sample);
  const decoder = TextStreamDecoder.for(detected);

  // delimiter: from the sample, decoded on its own (the stream decodes it again)
  const sampleDecoder = TextStreamDecoder.for(detected);
  let sampleText = sampleDecoder.write(sample);
  if (reader.exhausted) sampleText += sampleDecoder.end();
  const sep = SEP_LINE.exec(sampleText);
  let delimiter = opts.delimiter ?? (sep ? sep[1] : sniffDelimiter(sampleText, reader.exhausted));
  if (delimiter === '\\t') delimiter = '\t';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n')
    throw new SourceError('DELIMITER_INVALID', `分隔符"${delimiter}"无效，只能是一个字符（如逗号、分号、制表符）`, `Invalid delimiter "${delimiter}"`);
  const rowOffset = sep ? 1 : 0;

  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const sink = new ProblemSink(opts.onProblem);
  type Item = SourceRecord | { problem: RowProblem };
  const out: Item[] = [];
  let header: string[] | undefined;
  let headerRowNumber = 0;
  let width = 0;
  const problem = (rowNumber: number, code: string, zh: string, en: string, raw: string) => {
    sink.settleBlank();
    out.push({ problem: { rowNumber, code, zh, en, raw } });
  };

  const tokenizer = new CsvTokenizer(delimiter.charCodeAt(0), maxLine, opts.maxFieldCount ?? DEFAULT_MAX_FIELDS, (fields, raw, row, flags, startChunk) => {
    if (row <= rowOffset) return; // Excel's sep= line
    const rowNumber = row - rowOffset;
    if (flags !== 0) {
      if (!header) {
        if (flags & RECORD_TOO_LONG)
          throw new SourceError('LINE_TOO_LONG', `表头（第 ${rowNumber} 行）超过 ${Math.round(maxLine / 1024 / 1024)} MB，不是有效的表格文件`, `The header line (row ${rowNumber}) is longer than ${maxLine} characters`);
        if (flags & RECORD_UNBALANCED_QUOTE)
          throw new SourceError('UNBALANCED_QUOTE', `表头（第 ${rowNumber} 行）的双引号没有闭合，无法读取表头。请检查引号后重新上传`, `The quote opened in the header (row ${rowNumber}) is never closed`);
      }
      if (flags & RECORD_TOO_LONG)
        return problem(rowNumber, 'LINE_TOO_LONG', `第 ${rowNumber} 行超过 ${Math.round(maxLine / 1024 / 1024)} MB 的单行上限，已跳过`, `Row ${rowNumber} is longer than ${maxLine} characters`, raw);
      if (flags & RECORD_UNBALANCED_QUOTE)
        return problem(rowNumber, 'UNBALANCED_QUOTE', `第 ${rowNumber} 行的双引号没有闭合（直到文件末尾都没有配对的引号），该行已跳过，其后的行照常读取`, `The quote opened in row ${rowNumber} is never closed; the row is skipped`, raw);
      if (flags & RECORD_TOO_MANY_FIELDS && header)
        return problem(rowNumber, 'TOO_MANY_FIELDS', `第 ${rowNumber} 行的列数超过上限 ${opts.maxFieldCount ?? DEFAULT_MAX_FIELDS}，已跳过`, `Row ${rowNumber} has more than ${opts.maxFieldCount ?? DEFAULT_MAX_FIELDS} cells`, raw);
    }
    if (isBlank(fields)) {
      if (header) sink.blank();
      return;
    }
    if (decoder.lastBadChunk >= startChunk && hasReplacement(fields)) {
      if (!header) throw new SourceError('ENCODING_UNSUPPORTED', `表头（第 ${rowNumber} 行）含有无法按 ${ENCODING_ZH[decoder.encoding]} 解码的字节。请另存为 CSV UTF-8 后重新上传`, `The header contains bytes that are not ${decoder.encoding}`);
      return problem(rowNumber, 'INVALID_CHARACTERS', `第 ${rowNumber} 行含有无法按 ${ENCODING_ZH[decoder.encoding]} 解码的字节（会显示为乱码），已跳过`, `Row ${rowNumber} holds bytes that do not decode as ${decoder.encoding}`, raw);
    }
    if (!header) {
      const names = headerNames(fields);
      if (names.length === 0) return; // only spaces: not a header
      header = names;
      headerRowNumber = rowNumber;
      width = header.length;
      return;
    }
    if (fields.length !== width) {
      if (fields.length > width) {
        let extra = false;
        for (let k = width; k < fields.length; k++) if (fields[k] !== null && fields[k] !== '') extra = true;
        if (extra) {
          return problem(rowNumber, 'TOO_MANY_FIELDS', `第 ${rowNumber} 行有 ${fields.length} 列，多于表头的 ${width} 列（可能是单元格中的${DELIMITER_NAMES[delimiter] ?? `"${delimiter}"`}没有用双引号括起来），该行已跳过`, `Row ${rowNumber} has ${fields.length} cells, the header ${width}`, raw);
        }
        fields.length = width;
      } else {
        return problem(rowNumber, 'TOO_FEW_FIELDS', `第 ${rowNumber} 行只有 ${fields.length} 列，少于表头的 ${width} 列，该行已跳过`, `Row ${rowNumber} has ${fields.length} cells, the header ${width}`, raw);
      }
    }
    if (sink.pendingBlank > 0) sink.settleBlank();
    out.push(new CsvRecord(rowNumber, fields, raw));
  });

  const texts = decodeChunks(reader.chunks(), decoder)[Symbol.asyncIterator]();
  let ended = false;
  /** Feeds the next chunk (or the end) to the tokenizer; false once the input is used up. */
  const pump = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await texts.next();
    if (next.done) {
      ended = true;
      tokenizer.finish();
    } else tokenizer.feed(next.value, decoder.chunkNumber);
    return true;
  };
  try {
    while (!header && (await pump()));
  } catch (error) {
    await texts.return?.(undefined);
    throw error;
  }
  if (!header) throw emptyFile();

  async function* records(): AsyncGenerator<SourceRecord> {
    try {
      for (;;) {
        for (let k = 0; k < out.length; k++) {
          const item = out[k];
          if ('problem' in item) sink.report(item.problem);
          else yield item;
        }
        out.length = 0;
        if (!(await pump())) return;
      }
    } finally {
      out.length = 0;
      if (!ended) await texts.return?.(undefined);
    }
  }

  /** The records of each pumped chunk as one array; a problem splits the array, so problems stay in row order. */
  async function* batches(): AsyncGenerator<SourceRecord[]> {
    try {
      for (;;) {
        let batch: SourceRecord[] = [];
        for (let k = 0; k < out.length; k++) {
          const item = out[k];
          if ('problem' in item) {
            if (batch.length > 0) {
              yield batch;
              batch = [];
            }
            sink.report(item.problem);
          } else batch.push(item);
        }
        out.length = 0;
        if (batch.length > 0) yield batch;
        if (!(await pump())) return;
      }
    } finally {
      out.length = 0;
      if (!ended) await texts.return?.(undefined);
    }
  }

  return sink.attach({
    format: 'csv' as const,
    get encoding() {
      return decoder.encoding;
    },
    delimiter,
    header: header as string[],
    headerRowNumber,
    records: records(),
    batches: batches(),
  });
}
