/**
 * A hand-written, resumable CSV tokenizer: text is fed chunk by chunk (any split, down to one
 * character) and every record is handed to a callback as soon as its line end is seen.
 *
 * What it reads (RFC 4180 plus what Excel, WPS and LibreOffice write):
 * - any one-character delimiter; fields quoted with `"`, `""` inside a quoted field is one quote;
 * - quoted fields may hold the delimiter, CR, LF and CRLF;
 * - records end with CRLF, LF or a lone CR (old Mac), freely mixed;
 * - a quote inside an unquoted field is a literal character (`12"` stays `12"`), and text after a
 *   closing quote is appended (`"ab"c` → `abc`), as Excel does;
 * - an unquoted empty field is `null`, a quoted one `""` is the empty string (PostgreSQL COPY's rule).
 *
 * Bounded memory: a record longer than `maxLine` characters is not kept (its first characters are,
 * for the reject file); the tokenizer skips to its end and flags it `TOO_LONG`. A quote still open at
 * the end of the input is reported on the record where it opened (`UNBALANCED_QUOTE`) and the lines
 * after that record's line are read again as records, so one stray quote costs one row, not the
 * rest of the file. If the open quote ran past `maxLine`, that text is gone and the input is
 * refused (`SourceError('UNBALANCED_QUOTE')`).
 */
import { SourceError } from '../pipeline/contracts';
import { RAW_MAX_CHARS } from './parsing.types';

const QUOTE = 34;
const CR = 13;
const LF = 10;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted field: an escaped quote if another follows, else the closing one. */
const QUOTE_SEEN = 3;
/** After a closing quote, before the delimiter: characters there are appended as they are. */
const AFTER_QUOTED = 4;

export const RECORD_OK = 0;
export const RECORD_TOO_LONG = 1;
export const RECORD_TOO_MANY_FIELDS = 2;
export const RECORD_UNBALANCED_QUOTE = 4;

/**
 * Receives a record. `row` counts records from 1, blank lines included (the row a spreadsheet shows);
 * `startChunk` is the number passed to `feed` when the record began.
 */
export type RecordCallback = (fields: (string | null)[], raw: string, row: number, flags: number, startChunk: number) => void;

export class CsvTokenizer {
  private state = FIELD_START;
  /**
   * The current record's fields so far: the first `fieldCount` of a scratch array reused for every
   * record, copied out exactly sized when the record ends. A fresh `[]` per record made V8 move
   * them, and through them every cell string, to the old generation: all of a chunk's records are
   * made at once and outlive a scavenge, so the allocation site of the array got pretenured.
   */
  private readonly fields: (string | null)[] = [];
  private fieldCount = 0;
  /** Content of the current field carried over from earlier chunks (or escapes). */
  private part = '';
  private quoted = false;
  /** The previous chunk ended with a CR that ended a record: a leading LF belongs to it. */
  private pendingCR = false;
  /** Text of the current record from earlier chunks (kept only while it is within `maxLine`). */
  private rawParts: string[] = [];
  /** Characters of the current record in earlier chunks. */
  private rawLen = 0;
  /** The current record passed `maxLine`: its content is dropped, only `rawHead` kept. */
  private discard = false;
  private rawHead = '';
  private fieldOverflow = false;
  /** Offset in the current record of the quote that opened the current quoted field. */
  private quoteAt = -1;
  private recordStartChunk = 0;
  private chunkNo = 0;
  /** Records ended so far. */
  row = 0;

  constructor(
    private readonly delimiter: number,
    private readonly maxLine: number,
    private readonly maxFields: number,
    private readonly onRecord: RecordCallback,
  ) {}

  private pushField(value: string | null): void {
    if (this.fieldCount >= this.maxFields) this.fieldOverflow = true;
    else this.fields[this.fieldCount++] = value;
  }

  /** Forgets the current record's fields (and lets go of their text). */
  private dropFields(): void {
    this.fieldCount = 0;
    this.fields.length = 0;
  }

  private emit(raw: string, extraFlags: number, recordLength: number): void {
    let flags = extraFlags;
    if (this.discard || recordLength > this.maxLine) flags |= RECORD_TOO_LONG;
    if (this.fieldOverflow) flags |= RECORD_TOO_MANY_FIELDS;
    const fields = this.fields.slice(0, this.fieldCount);
    const startChunk = this.recordStartChunk;
    this.fieldCount = 0;
    this.part = '';
    this.quoted = false;
    if (this.rawParts.length > 0) this.rawParts = [];
    this.rawLen = 0;
    this.discard = false;
    this.rawHead = '';
    this.fieldOverflow = false;
    this.quoteAt = -1;
    this.state = FIELD_START;
    this.recordStartChunk = this.chunkNo;
    this.onRecord(fields, raw, ++this.row, flags, startChunk);
  }

  /** Tokenizes one chunk of text; `chunkNo` is remembered as the start chunk of records begun in it. */
  feed(t: string, chunkNo = this.chunkNo): void {
    this.chunkNo = chunkNo;
    const n = t.length;
    const d = this.delimiter;
    let i = 0;
    if (this.pendingCR) {
      this.pendingCR = false;
      if (n > 0 && t.charCodeAt(0) === LF) i = 1;
    }
    if (this.state === FIELD_START && this.fieldCount === 0 && this.rawLen === 0) this.recordStartChunk = chunkNo;
    let recStart = i;
    let segStart = i;
    let state = this.state;

    while (i < n) {
      if (state === FIELD_START) {
        if (t.charCodeAt(i) === QUOTE) {
          state = QUOTED;
          this.quoted = true;
          this.quoteAt = this.rawLen + (i - recStart);
          i++;
          segStart = i;
          continue;
        }
        state = UNQUOTED;
        segStart = i;
      }
      if (state === UNQUOTED || state === AFTER_QUOTED) {
        let j = i;
        let c = 0;
        for (; j < n; j++) {
          c = t.charCodeAt(j);
          if (c === d || c === CR || c === LF) break;
        }
        if (j === n) {
          i = n;
          break;
        }
        const text = this.part.length > 0 ? this.part + t.slice(segStart, j) : t.slice(segStart, j);
        this.part = '';
        this.pushField(text.length === 0 && !this.quoted ? null : text);
        this.quoted = false;
        if (c === d) {
          state = FIELD_START;
          i = j + 1;
          continue;
        }
        i = this.endRecord(t, recStart, j, c);
        recStart = i;
        segStart = i;
        state = FIELD_START;
        continue;
      }
      if (state === QUOTED) {
        const k = t.indexOf('"', i);
        if (k < 0) {
          i = n;
          break;
        }
        this.part += t.slice(segStart, k);
        state = QUOTE_SEEN;
        i = k + 1;
        segStart = i;
        continue;
      }
      // QUOTE_SEEN
      const c = t.charCodeAt(i);
      if (c === QUOTE) {
        this.part += '"';
        state = QUOTED;
        i++;
        segStart = i;
      } else if (c === d) {
        this.pushField(this.part);
        this.part = '';
        this.quoted = false;
        state = FIELD_START;
        i++;
      } else if (c === CR || c === LF) {
        this.pushField(this.part);
        this.part = '';
        this.quoted = false;
        i = this.endRecord(t, recStart, i, c);
        recStart = i;
        segStart = i;
        state = FIELD_START;
      } else {
        state = AFTER_QUOTED;
        segStart = i;
      }
    }

    this.state = state;
    // the chunk ended inside a record: keep what the next chunk needs
    if (state === UNQUOTED || state === AFTER_QUOTED || state === QUOTED) {
      if (!this.discard) this.part += t.slice(segStart, n);
    }
    const inRecord = recStart < n || (state !== FIELD_START || this.fieldCount > 0 || this.rawLen > 0);
    if (!inRecord || this.pendingCR) return;
    if (recStart < n) {
      if (!this.discard) this.rawParts.push(t.slice(recStart, n));
      this.rawLen += n - recStart;
    }
    if (!this.discard && this.rawLen > this.maxLine) {
      // too long: keep its head for the reject file, drop the rest, read on to its end
      this.discard = true;
      this.rawHead = this.rawParts.join('').slice(0, RAW_MAX_CHARS);
      this.rawParts = [];
      this.part = '';
      this.dropFields();
    }
    if (this.discard) {
      this.part = '';
      this.dropFields();
    }
  }

  /** Ends the record whose terminator (CR or LF) is at `j`; returns where the next record starts. */
  private endRecord(t: string, recStart: number, j: number, c: number): number {
    const recordLength = this.rawLen + (j - recStart);
    let raw: string;
    if (this.discard) raw = this.rawHead;
    else if (this.rawParts.length === 0) raw = t.slice(recStart, Math.min(j, recStart + RAW_MAX_CHARS));
    else {
      this.rawParts.push(t.slice(recStart, Math.min(j, recStart + RAW_MAX_CHARS)));
      raw = this.rawParts.join('');
      if (raw.length > RAW_MAX_CHARS) raw = raw.slice(0, RAW_MAX_CHARS);
    }
    let next = j + 1;
    if (c === CR) {
      if (next < t.length) {
        if (t.charCodeAt(next) === LF) next++;
      } else this.pendingCR = true;
    }
    this.emit(raw, RECORD_OK, recordLength);
    return next;
  }

  /** Ends the input: the last record without a line end, and an open quote (see the file comment). */
  finish(): void {
    for (;;) {
      if (this.state !== QUOTED) break;
      if (this.discard)
        throw new SourceError(
          'UNBALANCED_QUOTE',
          `第 ${this.row + 1} 行的双引号没有闭合，其后的内容（超过单行上限）都被当作这个单元格，无法继续读取。请检查该行的引号后重新上传`,
          `The quote opened in row ${this.row + 1} is never closed; the rest of the file was swallowed into that cell`,
        );
      // read the record again from the line after the one where the quote opened
      const full = this.rawParts.join('');
      let lineEnd = -1;
      for (let k = Math.max(this.quoteAt, 0) + 1; k < full.length; k++) {
        const c = full.charCodeAt(k);
        if (c === CR || c === LF) {
          lineEnd = k;
          break;
        }
      }
      const bad = lineEnd < 0 ? full : full.slice(0, lineEnd);
      let rest = '';
      if (lineEnd >= 0) rest = full.slice(full.charCodeAt(lineEnd) === CR && full.charCodeAt(lineEnd + 1) === LF ? lineEnd + 2 : lineEnd + 1);
      this.dropFields();
      this.emit(bad.length > RAW_MAX_CHARS ? bad.slice(0, RAW_MAX_CHARS) : bad, RECORD_UNBALANCED_QUOTE, bad.length);
      if (rest.length === 0) return;
      this.feed(rest, this.chunkNo);
    }
    const inRecord = this.state !== FIELD_START || this.fieldCount > 0 || this.rawLen > 0;
    if (!inRecord) return;
    if (this.state === FIELD_START) this.pushField(null);
    else {
      const text = this.part;
      this.pushField(text.length === 0 && !this.quoted && this.state !== QUOTE_SEEN ? null : text);
    }
    let raw = this.discard ? this.rawHead : this.rawParts.join('');
    if (raw.length > RAW_MAX_CHARS) raw = raw.slice(0, RAW_MAX_CHARS);
    this.emit(raw, RECORD_OK, this.rawLen);
  }
}
