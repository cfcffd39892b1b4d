/**
 * JSON and NDJSON as streamed ParsedTables.
 *
 * JSON: the records are the objects of one array, found while streaming (nothing but the current
 * record is held, once the header is fixed):
 * - a top-level array: `[{…}, {…}]`;
 * - else the first array of objects inside the top-level object, at any depth, in document order,
 *   e.g. `{"code":0,"data":[…]}` or `{"result":{"total":5,"records":[…]}}`; arrays under keys that
 *   usually describe the data (`fields`, `columns`, `schema`, `meta`…) are passed over, and
 *   `recordsPath: 'result.records'` names the array outright;
 * - the Shandong portal's download (a line with a field dictionary `[{"name_cn","name_en"}…]`, then
 *   a line with the records array): the dictionary gives the header its Chinese names, the keys
 *   stay in `sourceKeys`. Other top-level arrays that follow the first one are more records.
 * Row numbers count the records of the array from 1 (there is no header row).
 *
 * NDJSON (JSON Lines): one object per line; the row number is the line number; blank lines are
 * skipped; a line that is not a JSON object is a row problem (`INVALID_JSON`, `NOT_AN_OBJECT`).
 *
 * Header: the union of the keys of the first `headerSampleSize` (1,000) objects, in the order first
 * seen; a later object with a key outside it is a row problem (`UNKNOWN_FIELDS`), never silently
 * cut. Values: strings as they are, numbers as written, booleans as `true`/`false`, null and absent
 * keys as null, nested objects and arrays as compact JSON text.
 *
 * Refusals: `EMPTY_FILE`, `ENCODING_UNSUPPORTED`, `JSON_INVALID` (not JSON, truncated, text after
 * the data), `JSON_NO_RECORDS` (no array of objects: e.g. a portal's error answer
 * `{"code":"0003","error":"当前限制类型文件无权限下载"}` saved under a .csv name; the message quotes it).
 */
import type { RowProblem, SourceRecord } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { ByteInput, ByteReader, CHUNK_BYTES } from './byte-source';
import { decodeChunks, detectEncoding, normalizeEncoding, TextStreamDecoder } from './encoding';
import { JsonObjectRecord, JsonSyntaxError, readJsonRecord } from './json.record';
import { boundedRaw, DEFAULT_MAX_LINE, JsonOptions, ParsedSource, ProblemSink, RAW_MAX_CHARS } from './parsing.types';

type Item = SourceRecord | { problem: RowProblem };
type Pending = { rowNumber: number; record: JsonObjectRecord; raw: string } | { problem: RowProblem };

const DEFAULT_HEADER_SAMPLE = 1_000;

/** Keys of arrays that describe the data rather than hold it. */
const METADATA_KEYS = new Set(['fields', 'field', 'columns', 'column', 'schema', 'meta', 'metadata', 'header', 'headers', 'dict', 'dictionary', 'errors', 'links', 'params']);
const DICT_CODE_KEYS = ['name_en', 'en', 'code', 'field', 'key', 'column', 'name'];
const DICT_LABEL_KEYS = ['name_cn', 'cn', 'zh', 'name_zh', 'label', 'title', 'comment', 'desc', 'description'];

function jsonInvalid(detail: string, en: string): SourceError {
  return new SourceError('JSON_INVALID', `文件不是有效的 JSON：${detail}`, `The file is not valid JSON: ${en}`);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** Collects objects until the header is fixed, then turns each into a record in header order. */
class ObjectTable {
  readonly items: Item[] = [];
  private pending: Pending[] = [];
  objectCount = 0;
  header: string[] | undefined;
  keys: string[] | undefined;
  private index: Map<string, number> | undefined;

  constructor(
    private readonly sink: ProblemSink,
    readonly sampleSize: number,
  ) {}

  get fixed(): boolean {
    return this.index !== undefined;
  }

  get pendingObjects(): JsonObjectRecord[] {
    return this.pending.flatMap((p) => ('record' in p ? [p.record] : []));
  }

  dropPending(): void {
    this.pending = [];
    this.objectCount = 0;
  }

  object(rowNumber: number, record: JsonObjectRecord, raw: string): void {
    this.sink.settleBlank();
    if (this.index) this.convert(rowNumber, record, raw);
    else {
      this.pending.push({ rowNumber, record, raw });
      if (++this.objectCount >= this.sampleSize) this.fix();
    }
  }

  problem(rowNumber: number, code: string, zh: string, en: string, raw: string): void {
    this.sink.settleBlank();
    const problem = { problem: { rowNumber, code, zh, en, raw } };
    if (this.index) this.items.push(problem);
    else this.pending.push(problem);
  }

  /** Maps keys to display names (a field dictionary), when the file has one. */
  dictionary: Map<string, string> | undefined;

  /** Fixes the header from the objects seen so far. */
  fix(): void {
    if (this.index) return;
    const dictionary = this.dictionary;
    const keys: string[] = [];
    const seen = new Set<string>();
    // the dictionary's order first (the portal's declared column order), then any other key
    if (dictionary) {
      const present = new Set<string>();
      for (const p of this.pending) if ('record' in p) for (const k of p.record.keys) present.add(k);
      for (const k of dictionary.keys()) if (present.has(k)) (seen.add(k), keys.push(k));
    }
    for (const p of this.pending) if ('record' in p) for (const k of p.record.keys) if (!seen.has(k)) (seen.add(k), keys.push(k));
    const names: string[] = [];
    const used = new Set<string>();
    for (const k of keys) {
      let name = (dictionary?.get(k) ?? k).trim();
      if (used.has(name)) name = `${name}(${k})`;
      used.add(name);
      names.push(name);
    }
    this.keys = keys;
    this.header = names;
    this.index = new Map(keys.map((k, i) => [k, i]));
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) {
      if ('record' in p) this.convert(p.rowNumber, p.record, p.raw);
      else this.items.push(p);
    }
  }

  private convert(rowNumber: number, record: JsonObjectRecord, raw: string): void {
    const index = this.index!;
    const values: (string | null)[] = new Array(index.size).fill(null);
    let unknown: string[] | undefined;
    for (let i = 0; i < record.keys.length; i++) {
      const at = index.get(record.keys[i]);
      if (at === undefined) {
        if (record.values[i] !== null) (unknown ??= []).push(record.keys[i]);
      } else values[at] = record.values[i];
    }
    if (unknown) {
      const list = unknown.slice(0, 5).join('、') + (unknown.length > 5 ? ' 等' : '');
      this.items.push({
        problem: { rowNumber, code: 'UNKNOWN_FIELDS', zh: `第 ${rowNumber} 条记录含有表头之外的字段：${list}（表头取自前 ${this.sampleSize} 条记录的字段），该条已跳过`, en: `Record ${rowNumber} has keys outside the header: ${unknown.join(', ')}`, raw },
      });
      return;
    }
    this.items.push({ rowNumber, values, raw });
  }
}

/** Field-dictionary entries (`{"name_cn":"作业方式","name_en":"zyfs"}`) as key → display name. */
function asDictionary(objects: JsonObjectRecord[]): Map<string, string> | undefined {
  if (objects.length === 0) return undefined;
  const out = new Map<string, string>();
  for (const o of objects) {
    if (o.keys.length < 2 || o.keys.length > 6) return undefined;
    const at = (names: string[]) => {
      for (const n of names) {
        const i = o.keys.indexOf(n);
        if (i >= 0 && typeof o.values[i] === 'string' && o.values[i] !== '') return o.values[i] as string;
      }
      return undefined;
    };
    const code = at(DICT_CODE_KEYS);
    const label = at(DICT_LABEL_KEYS);
    if (code === undefined || label === undefined || code === label) return undefined;
    out.set(code, label);
  }
  return out;
}

const WS = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

const TOP = 0; // between top-level values
const SEEK = 1; // inside the document, outside the records array
const PENDING = 2; // just after a '[' that may be the records array
const ELEMENTS = 3; // inside the records array

interface ScannerEvents {
  element(text: string, tooLong: boolean): void;
  /** A second top-level array after the records array: return true to read it as records too. */
  nextTopLevelArray(): boolean;
}

/** Streams through a JSON document, handing each element of the records array over as text. */
class JsonScanner {
  private mode = TOP;
  private readonly stack: number[] = [];
  private readonly keyOf: (string | undefined)[] = [];
  private expectKey = false;
  private inString = false;
  private escape = false;
  private collecting = false;
  private keyParts: string[] = [];
  private topCount = 0;
  private recordsTopLevel = false;
  recordsFound = false;
  // the current element
  private inElem = false;
  private elemKind = 0; // 0 object/array, 1 string, 2 number/literal
  private ed = 0;
  private eInString = false;
  private eEscape = false;
  private elemParts: string[] = [];
  private elemLen = 0;
  private elemDiscard = false;
  private elemHead = '';
  private readonly path: string[] | undefined;
  /** The first characters of the document, for messages. */
  head = '';

  constructor(
    private readonly events: ScannerEvents,
    private readonly maxLine: number,
    recordsPath: string | undefined,
  ) {
    this.path = recordsPath ? recordsPath.split('.').filter(Boolean) : undefined;
  }

  private isCandidate(): boolean {
    if (this.stack.length === 0) return true;
    if (this.recordsFound || this.stack[this.stack.length - 1] !== 123) return false;
    if (this.path) {
      if (this.stack.length !== this.path.length) return false;
      for (let k = 0; k < this.stack.length; k++) if (this.stack[k] !== 123 || this.keyOf[k] !== this.path[k]) return false;
      return true;
    }
    const key = this.keyOf[this.stack.length - 1];
    return key === undefined || !METADATA_KEYS.has(key.toLowerCase());
  }

  private startTopLevel(c: number): void {
    this.topCount++;
    if (this.topCount === 1) {
      this.recordsTopLevel = c === 91;
      return;
    }
    if (c === 91 && this.recordsTopLevel && this.recordsFound && this.events.nextTopLevelArray()) {
      this.recordsFound = false;
      return;
    }
    throw jsonInvalid(`第一个 JSON 值之后还有其他内容（"${preview(this.head)}"）`, 'more text after the first JSON value');
  }

  private completeElement(t: string, end: number, start: number): void {
    let text: string;
    if (this.elemDiscard) text = this.elemHead;
    else if (this.elemParts.length === 0) text = t.slice(start, end);
    else {
      this.elemParts.push(t.slice(start, end));
      text = this.elemParts.join('');
    }
    const tooLong = this.elemDiscard || this.elemLen + (end - start) > this.maxLine;
    this.inElem = false;
    this.elemParts = [];
    this.elemLen = 0;
    this.elemDiscard = false;
    this.elemHead = '';
    this.events.element(tooLong ? text.slice(0, RAW_MAX_CHARS) : text, tooLong);
  }

  feed(t: string): void {
    if (this.head.length < 400) this.head += t.slice(0, 400 - this.head.length);
    const n = t.length;
    let elemStart = 0;
    let keyStart = 0;
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      if (this.mode === ELEMENTS) {
        if (!this.inElem) {
          if (WS(c) || c === 44) continue;
          if (c === 93) {
            this.stack.pop();
            this.keyOf.pop();
            this.recordsFound = true;
            this.mode = this.stack.length === 0 ? TOP : SEEK;
            continue;
          }
          this.inElem = true;
          elemStart = i;
          this.elemKind = c === 123 || c === 91 ? 0 : c === 34 ? 1 : 2;
          this.ed = this.elemKind === 0 ? 1 : 0;
          this.eInString = this.elemKind === 1;
          this.eEscape = false;
          continue;
        }
        if (this.eInString) {
          if (this.eEscape) this.eEscape = false;
          else if (c === 92) this.eEscape = true;
          else if (c === 34) {
            this.eInString = false;
            if (this.elemKind === 1) this.completeElement(t, i + 1, elemStart);
          }
          continue;
        }
        if (this.elemKind === 2) {
          if (c === 44 || c === 93 || WS(c)) {
            this.completeElement(t, i, elemStart);
            if (c === 93) i--; // the array's end: read it again outside the element
          }
          continue;
        }
        if (c === 34) this.eInString = true;
        else if (c === 123 || c === 91) this.ed++;
        else if (c === 125 || c === 93) {
          if (--this.ed === 0) this.completeElement(t, i + 1, elemStart);
        }
        continue;
      }

      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === 92) this.escape = true;
        else if (c === 34) {
          this.inString = false;
          if (this.collecting) {
            this.keyParts.push(t.slice(keyStart, i));
            let key = this.keyParts.join('');
            if (key.includes('\\')) {
              try {
                key = JSON.parse(`"${key}"`) as string;
              } catch {
                /* keep the raw text */
              }
            }
            this.keyOf[this.stack.length - 1] = key;
            this.expectKey = false;
            this.collecting = false;
            this.keyParts = [];
          }
        }
        continue;
      }
      if (WS(c)) continue;
      if (this.mode === PENDING) {
        const topLevel = this.stack.length === 1;
        this.mode = c === 123 || topLevel || this.path ? ELEMENTS : SEEK;
        i--;
        continue;
      }
      switch (c) {
        case 34:
          this.inString = true;
          this.collecting = this.stack.length > 0 && this.stack[this.stack.length - 1] === 123 && this.expectKey;
          keyStart = i + 1;
          break;
        case 123:
          if (this.stack.length === 0) this.startTopLevel(c);
          this.stack.push(123);
          this.keyOf.push(undefined);
          this.expectKey = true;
          this.mode = SEEK;
          break;
        case 91: {
          if (this.stack.length === 0) this.startTopLevel(c);
          const candidate = this.isCandidate();
          this.stack.push(91);
          this.keyOf.push(undefined);
          this.mode = candidate ? PENDING : SEEK;
          break;
        }
        case 125:
        case 93:
          if (this.stack.length === 0 || this.stack[this.stack.length - 1] !== (c === 125 ? 123 : 91))
            throw jsonInvalid(`括号不配对（"${preview(this.head)}"）`, 'unbalanced brackets');
          this.stack.pop();
          this.keyOf.pop();
          this.expectKey = false;
          if (this.stack.length === 0) this.mode = TOP;
          break;
        case 44:
          if (this.stack.length > 0 && this.stack[this.stack.length - 1] === 123) this.expectKey = true;
          break;
        case 58:
          break;
        default:
          if (this.stack.length === 0) {
            if (this.topCount === 0) throw jsonInvalid(`开头不是 "[" 或 "{"（"${preview(this.head)}"）`, 'it does not start with [ or {');
            throw jsonInvalid(`第一个 JSON 值之后还有其他内容（"${preview(this.head)}"）`, 'more text after the first JSON value');
          }
      }
    }
    // carry what spans into the next chunk
    if (this.inString && this.collecting) this.keyParts.push(t.slice(keyStart));
    if (this.inElem) {
      const part = t.slice(elemStart);
      this.elemLen += part.length;
      if (!this.elemDiscard) {
        this.elemParts.push(part);
        if (this.elemLen > this.maxLine) {
          this.elemDiscard = true;
          this.elemHead = this.elemParts.join('').slice(0, RAW_MAX_CHARS);
          this.elemParts = [];
        }
      }
    }
  }

  finish(): void {
    if (this.inElem && this.elemKind === 2 && !this.eInString) this.completeElement('', 0, 0);
    if (this.inElem || this.stack.length > 0 || this.inString)
      throw jsonInvalid('文件不完整，JSON 在结尾处被截断（可能下载或上传中断）', 'the JSON is cut off at the end');
    if (this.topCount === 0) throw new SourceError('EMPTY_FILE', '文件是空的（没有任何 JSON 数据）', 'The file is empty');
    if (!this.recordsFound)
      throw new SourceError(
        'JSON_NO_RECORDS',
        `JSON 文件中没有找到数据记录（对象数组）。文件内容为："${preview(this.head)}"。如果这是数据门户返回的错误信息，请重新下载数据文件`,
        `No array of records found in the JSON; the file reads: ${preview(this.head)}`,
      );
  }
}

async function openText(input: ByteInput | ByteReader, encoding: string | undefined) {
  const reader = ByteReader.from(input);
  const sample = await reader.peek(CHUNK_BYTES);
  if (sample.length === 0) throw new SourceError('EMPTY_FILE', '文件是空的（0 字节）', 'The file is empty (0 bytes)');
  const detected = encoding ? { encoding: normalizeEncoding(encoding), confidence: 1 } : detectEncoding(sample);
  const decoder = TextStreamDecoder.for(detected);
  const texts = decodeChunks(reader.chunks(), decoder)[Symbol.asyncIterator]();
  return { decoder, texts };
}

/**
 * Drives a text tokenizer: `pump` feeds it one chunk (or the end); the records generator yields
 * what it produced, reporting problems in between.
 */
function drive(texts: AsyncIterator<string>, feed: (text: string) => void, finish: () => void, table: ObjectTable, sink: ProblemSink) {
  let ended = false;
  const pump = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await texts.next();
    if (next.done) {
      ended = true;
      finish();
    } else feed(next.value);
    return true;
  };
  async function* records(): AsyncGenerator<SourceRecord> {
    const items = table.items;
    try {
      for (;;) {
        for (let k = 0; k < items.length; k++) {
          const item = items[k];
          if ('problem' in item) sink.report(item.problem);
          else yield item;
        }
        items.length = 0;
        if (!(await pump())) return;
      }
    } finally {
      items.length = 0;
      if (!ended) await texts.return?.(undefined);
    }
  }
  const fill = async () => {
    try {
      while (!table.fixed && (await pump()));
    } catch (error) {
      await texts.return?.(undefined);
      throw error;
    }
  };
  return { pump, records, fill };
}

function elementProblem(table: ObjectTable, rowNumber: number, text: string, tooLong: boolean, maxLine: number, what: string): void {
  if (tooLong) {
    table.problem(rowNumber, 'LINE_TOO_LONG', `第 ${rowNumber} ${what}超过 ${Math.round(maxLine / 1024 / 1024)} MB 的上限，已跳过`, `${what === '行' ? 'Line' : 'Record'} ${rowNumber} is longer than ${maxLine} characters`, text);
    return;
  }
  let result;
  try {
    result = readJsonRecord(text);
  } catch (error) {
    const detail = error instanceof JsonSyntaxError ? error.message : String(error);
    table.problem(rowNumber, 'INVALID_JSON', `第 ${rowNumber} ${what}不是有效的 JSON（${detail}），已跳过`, `${what === '行' ? 'Line' : 'Record'} ${rowNumber} is not valid JSON: ${detail}`, boundedRaw(text));
    return;
  }
  if (result.kind === 'object') table.object(rowNumber, result.record, boundedRaw(text));
  else table.problem(rowNumber, 'NOT_AN_OBJECT', `第 ${rowNumber} ${what}不是 JSON 对象（{…}），已跳过`, `${what === '行' ? 'Line' : 'Record'} ${rowNumber} is not a JSON object`, boundedRaw(text));
}

/** Parses a JSON document (see the file comment); resolves once the header is known. */
export async function parseJson(input: ByteInput | ByteReader, opts: JsonOptions = {}): Promise<ParsedSource> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const sink = new ProblemSink(opts.onProblem);
  const table = new ObjectTable(sink, opts.headerSampleSize ?? DEFAULT_HEADER_SAMPLE);
  const { decoder, texts } = await openText(input, opts.encoding);
  let rowNumber = 0;
  const scanner = new JsonScanner(
    {
      element: (text, tooLong) => elementProblem(table, ++rowNumber, text, tooLong, maxLine, '条记录'),
      nextTopLevelArray: () => {
        if (!table.fixed && !table.dictionary) {
          table.dictionary = asDictionary(table.pendingObjects);
          if (table.dictionary) {
            table.dropPending();
            rowNumber = 0;
          }
        }
        return true;
      },
    },
    maxLine,
    opts.recordsPath,
  );
  const { records, fill } = drive(texts, (t) => scanner.feed(t), () => scanner.finish(), table, sink);
  await fill();
  if (!table.fixed && table.objectCount === 0)
    throw new SourceError('EMPTY_FILE', 'JSON 文件中没有数据记录（记录数组为空，或其中没有 JSON 对象）', 'The JSON holds no record objects');
  table.fix();
  return sink.attach({
    format: 'json' as const,
    get encoding() {
      return decoder.encoding;
    },
    header: table.header!,
    sourceKeys: table.keys!,
    headerRowNumber: 0,
    records: records(),
  });
}

/** Parses JSON Lines: one object per line. */
export async function parseNdjson(input: ByteInput | ByteReader, opts: JsonOptions = {}): Promise<ParsedSource> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  const sink = new ProblemSink(opts.onProblem);
  const table = new ObjectTable(sink, opts.headerSampleSize ?? DEFAULT_HEADER_SAMPLE);
  const { decoder, texts } = await openText(input, opts.encoding);
  let line = 0;
  let parts: string[] = [];
  let partLen = 0;
  let discard = false;
  let contentLines = 0;
  const endLine = (text: string) => {
    line++;
    const tooLong = discard || partLen > maxLine;
    let body = text;
    if (body.charCodeAt(body.length - 1) === 13) body = body.slice(0, -1);
    if (!tooLong && body.trim().length === 0) {
      if (table.objectCount > 0 || table.fixed) sink.blank();
      return;
    }
    contentLines++;
    elementProblem(table, line, tooLong ? body.slice(0, RAW_MAX_CHARS) : body, tooLong, maxLine, '行');
  };
  const feed = (t: string) => {
    let start = 0;
    for (;;) {
      const lf = t.indexOf('\n', start);
      if (lf < 0) break;
      const piece = t.slice(start, lf);
      partLen += piece.length;
      if (parts.length === 0) endLine(piece);
      else {
        parts.push(piece);
        endLine(discard ? parts[0] : parts.join(''));
      }
      parts = [];
      partLen = 0;
      discard = false;
      start = lf + 1;
    }
    if (start < t.length) {
      const piece = t.slice(start);
      partLen += piece.length;
      if (!discard) {
        parts.push(piece);
        if (partLen > maxLine) {
          discard = true;
          parts = [parts.join('').slice(0, RAW_MAX_CHARS)];
        }
      }
    }
  };
  const finish = () => {
    if (partLen > 0 || parts.length > 0) endLine(discard ? parts[0] : parts.join(''));
  };
  const { records, fill } = drive(texts, feed, finish, table, sink);
  await fill();
  if (!table.fixed && table.objectCount === 0) {
    if (contentLines === 0) throw new SourceError('EMPTY_FILE', '文件是空的（没有任何 JSON 行）', 'The file has no JSON lines');
    throw new SourceError('JSON_NO_RECORDS', '文件中没有一行是 JSON 对象，无法作为 NDJSON（每行一个 JSON 对象）读取', 'No line of the file is a JSON object');
  }
  table.fix();
  return sink.attach({
    format: 'ndjson' as const,
    get encoding() {
      return decoder.encoding;
    },
    header: table.header!,
    sourceKeys: table.keys!,
    headerRowNumber: 0,
    records: records(),
  });
}
