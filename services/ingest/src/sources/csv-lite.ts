import { TextDecoder } from 'node:util';
import { ParsedTable, SourceRecord } from '../pipeline/contracts';

/**
 * A small streaming RFC 4180 reader for pulled CSV pages, used when no CSV parser is injected
 * (the full parser of services/ingest/src/parsing plugs in through `HttpPullOptions.parseCsv`).
 * Quotes, doubled quotes, CRLF/LF/CR line ends and quoted line breaks; UTF-8 (a BOM is
 * dropped) or GB18030. Blank lines are skipped. Empty cells are '', missing trailing cells null.
 */

export type CsvEncoding = 'utf-8' | 'gb18030';

export interface CsvLiteOptions {
  encoding?: CsvEncoding;
  delimiter?: string;
}

export class CsvDecodeError extends Error {
  constructor(readonly encoding: string) {
    super(`the text is not valid ${encoding}`);
    this.name = 'CsvDecodeError';
  }
}

interface CsvRow {
  fields: string[];
  raw: string;
}

export async function readCsvLite(body: AsyncIterable<Buffer | Uint8Array | string>, options: CsvLiteOptions = {}): Promise<ParsedTable> {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new TypeError('bad CSV delimiter');
  const state = { encoding: options.encoding ?? 'utf-8', bom: false };
  const rows = csvRows(decode(body, state), delimiter)[Symbol.asyncIterator]();
  const first = await rows.next();
  const header = first.done ? [] : first.value.fields.map((h) => h.trim());

  async function* records(): AsyncGenerator<SourceRecord> {
    let rowNumber = 1;
    try {
      for (;;) {
        const r = await rows.next();
        if (r.done) return;
        rowNumber++;
        const values: (string | null)[] = r.value.fields;
        while (values.length < header.length) values.push(null);
        yield { rowNumber, values, raw: r.value.raw.length > 2_000 ? r.value.raw.slice(0, 2_000) : r.value.raw };
      }
    } finally {
      await rows.return?.(undefined);
    }
  }

  return {
    format: 'csv',
    encoding: state.bom ? 'utf-8-bom' : state.encoding,
    delimiter,
    header,
    records: records(),
  };
}

async function* decode(body: AsyncIterable<Buffer | Uint8Array | string>, state: { encoding: string; bom: boolean }): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let head: Buffer | undefined = Buffer.alloc(0); // bytes held until the BOM question is settled
  const start = (bytes: Buffer): Buffer => {
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      state.bom = true;
      state.encoding = 'utf-8';
      bytes = bytes.subarray(3);
    }
    decoder = new TextDecoder(state.encoding, { fatal: true, ignoreBOM: true });
    return bytes;
  };
  const text = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder!.decode(bytes, { stream });
    } catch {
      throw new CsvDecodeError(state.encoding);
    }
  };
  for await (const chunk of body) {
    if (typeof chunk === 'string') {
      yield chunk;
      continue;
    }
    let bytes: Uint8Array = chunk;
    if (head) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 3) continue;
      bytes = start(head);
      head = undefined;
    }
    const t = text(bytes, true);
    if (t) yield t;
  }
  if (head) {
    if (head.length === 0) return;
    const t = text(start(head), false);
    if (t) yield t;
    return;
  }
  if (decoder) {
    const rest = text(new Uint8Array(0), false);
    if (rest) yield rest;
  }
}

async function* csvRows(chunks: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvRow> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false; // just read a quote inside a quoted field: either "" or the closing quote
  let sawAny = false; // the current row has content
  let rawCarry = '';
  let pendingCr = false;

  const endField = () => {
    fields.push(field);
    field = '';
  };

  for await (const chunk of chunks) {
    let rowStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') {
          rowStart = i + 1;
          continue;
        }
      }
      if (inQuotes) {
        if (afterQuote) {
          afterQuote = false;
          if (c === '"') {
            field += '"';
            continue;
          }
          inQuotes = false;
          // fall through: c is handled as outside quotes
        } else {
          if (c === '"') afterQuote = true;
          else field += c;
          continue;
        }
      }
      if (c === '"' && field === '') {
        inQuotes = true;
        sawAny = true;
      } else if (c === delimiter) {
        endField();
        sawAny = true;
      } else if (c === '\n' || c === '\r') {
        const raw = rawCarry + chunk.slice(rowStart, i);
        rawCarry = '';
        rowStart = i + 1;
        if (c === '\r') pendingCr = true;
        if (sawAny || field !== '') {
          endField();
          yield { fields, raw };
        }
        fields = [];
        field = '';
        sawAny = false;
      } else {
        field += c;
        sawAny = true;
      }
    }
    rawCarry += chunk.slice(rowStart);
  }
  if (inQuotes && afterQuote) inQuotes = false;
  if (sawAny || field !== '') {
    endField();
    yield { fields, raw: rawCarry.replace(/\r?\n?$/, '') };
  }
}
