/**
 * Text encoding of an upload: detected from a sample, then decoded chunk by chunk.
 *
 * Detection: a BOM decides (UTF-8, UTF-16LE/BE); else valid UTF-8 is UTF-8; else GB18030 (a superset
 * of GBK and GB2312, what Excel and WPS write on Chinese Windows) when the sample decodes without a
 * replacement character; else, when one of the two fails on no more than one byte in 20,000 (a
 * stray byte), that one, with confidence 0.6 (the rows holding the bad bytes are rejected); else
 * the file is refused. A multi-byte character cut at the end of the sample is not held against
 * either encoding.
 *
 * A sample without any byte above 0x7F says nothing: the decoder then starts "tentative" (ASCII is
 * the same in every candidate) and decides at the first chunk that has such a byte, so a GBK file
 * whose first 64 KB are ASCII is still read as GBK.
 *
 * Bytes that do not decode later in the file become U+FFFD; the parsers reject the rows that hold
 * one (`INVALID_CHARACTERS`) instead of loading garbled text.
 */
import { isUtf8 } from 'node:buffer';
import * as iconv from 'iconv-lite';
import { SourceError } from '../pipeline/contracts';
import type { TextEncoding } from './parsing.types';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** 0.5 for a sample that is all ASCII (any candidate fits), up to 1 for a BOM. */
  confidence: number;
}

const SUPPORTED_ZH = '支持的编码：UTF-8（可带 BOM）、GBK/GB2312/GB18030、UTF-16（带 BOM）';

export function encodingUnsupported(detail = ''): SourceError {
  return new SourceError(
    'ENCODING_UNSUPPORTED',
    `无法识别文件的文字编码${detail ? `（${detail}）` : ''}。${SUPPORTED_ZH}。请在 Excel 或 WPS 中"另存为"CSV UTF-8（逗号分隔）后重新上传`,
    'The text encoding of the file is not recognised; supported: UTF-8 (with or without BOM), GBK/GB2312/GB18030, UTF-16 with BOM',
  );
}

/** Bytes of a UTF-8 sequence cut by the end of the sample (0 when the last character is whole). */
function utf8CutTail(sample: Buffer): number {
  const n = sample.length;
  for (let k = 1; k <= Math.min(3, n); k++) {
    const b = sample[n - k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

function hasHighByte(sample: Buffer): boolean {
  for (let i = 0; i < sample.length; i++) if (sample[i] >= 0x80) return true;
  return false;
}

/** UTF-16 without a BOM: most ASCII characters show as a 0x00 byte beside them. */
function utf16WithoutBom(sample: Buffer): TextEncoding | undefined {
  const n = Math.min(sample.length, 4096) & ~1;
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.3 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.3 && oddZero < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** Share of the non-ASCII characters that are common Chinese characters or CJK punctuation. */
function cjkShare(text: string): number {
  let high = 0;
  let cjk = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    high++;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) cjk++;
  }
  return high === 0 ? 1 : cjk / high;
}

/**
 * The encoding of a sample (the first bytes of a file). Throws `ENCODING_UNSUPPORTED` when the
 * bytes are neither UTF-8 nor GB18030.
 */
export function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8-bom', confidence: 1 };
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'utf-16le', confidence: 1 };
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'utf-16be', confidence: 1 };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, confidence: 0.8 };
  if (!hasHighByte(sample)) return { encoding: 'utf-8', confidence: 0.5 };

  const whole = sample.subarray(0, sample.length - utf8CutTail(sample));
  if (isUtf8(whole)) {
    // GBK text is almost never valid UTF-8 beyond a few characters; a short sample is less certain
    let sequences = 0;
    for (let i = 0; i < whole.length; i++) if (whole[i] >= 0xc0) sequences++;
    return { encoding: 'utf-8', confidence: Math.min(1, 0.6 + sequences / 50) };
  }
  const gb = iconv.getDecoder('gb18030').write(sample);
  const gbBad = countReplacements(gb);
  if (gbBad === 0) return { encoding: 'gb18030', confidence: Math.round((0.5 + 0.5 * cjkShare(gb)) * 100) / 100 };
  // a stray byte or two (a character cut by an earlier edit) does not make the file unreadable:
  // the rows holding them are rejected; more than that and the encoding is something else
  const utf8Bad = countReplacements(new TextDecoder('utf-8').decode(whole));
  const tolerated = Math.max(1, Math.floor(sample.length / 20_000));
  if (Math.min(gbBad, utf8Bad) <= tolerated) return { encoding: utf8Bad <= gbBad ? 'utf-8' : 'gb18030', confidence: 0.6 };
  throw encodingUnsupported('既不是 UTF-8，也不是 GBK/GB18030');
}

function countReplacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/** An encoding name a caller passes (`gbk`, `UTF8`, `cp936`…) as one the decoder reads. */
export function normalizeEncoding(name: string): TextEncoding {
  const key = name.trim().toLowerCase().replace(/[_\s]/g, '-');
  switch (key) {
    case 'utf-8':
    case 'utf8':
      return 'utf-8';
    case 'utf-8-bom':
    case 'utf-8-sig':
    case 'utf8-bom':
      return 'utf-8-bom';
    case 'gbk':
    case 'gb2312':
    case 'gb-2312':
    case 'gb18030':
    case 'gb-18030':
    case 'cp936':
    case 'windows-936':
    case 'euc-cn':
      return 'gb18030';
    case 'utf-16le':
    case 'utf16le':
    case 'ucs-2':
      return 'utf-16le';
    case 'utf-16be':
    case 'utf16be':
      return 'utf-16be';
    default:
      throw new SourceError('ENCODING_UNSUPPORTED', `不支持的文字编码"${name}"。${SUPPORTED_ZH}`, `Unsupported encoding "${name}"`);
  }
}

interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

const LEAD_MIN = 0x81;
const TRAIL_MIN = 0x40;
const TRAILS = 0xfe - TRAIL_MIN + 1;

let twoByteTable: Uint16Array | undefined;

/**
 * What iconv-lite decodes each GBK two-byte pair (lead 0x81–0xFE, trail 0x40–0xFE) to, as one UTF-16
 * unit; 0 where it gives anything else (U+FFFD, two characters). Built once, from iconv-lite itself,
 * so the table can only agree with it.
 */
function gbkTwoByteTable(): Uint16Array {
  if (twoByteTable) return twoByteTable;
  const table = new Uint16Array((0xfe - LEAD_MIN + 1) * TRAILS);
  const pair = Buffer.alloc(2);
  for (let lead = LEAD_MIN; lead <= 0xfe; lead++)
    for (let trail = TRAIL_MIN; trail <= 0xfe; trail++) {
      pair[0] = lead;
      pair[1] = trail;
      const text = iconv.decode(pair, 'gb18030');
      if (text.length === 1 && text !== '\ufffd') table[(lead - LEAD_MIN) * TRAILS + trail - TRAIL_MIN] = text.charCodeAt(0);
    }
  return (twoByteTable = table);
}

/**
 * GB18030 as iconv-lite decodes it, with a table for what GBK files are made of (ASCII and two-byte
 * characters, about 2.2× faster than iconv-lite's decoder). The first byte that is anything else —
 * a four-byte sequence, 0x80, 0xFF, a pair iconv-lite would not map to one character — hands the
 * rest of the stream, from that character on, to iconv-lite's own decoder.
 */
class Gb18030Decoder implements ChunkDecoder {
  private readonly table = gbkTwoByteTable();
  /** A lead byte that ended the previous chunk, or -1. */
  private lead = -1;
  private fallback: ReturnType<typeof iconv.getDecoder> | undefined;
  private units = new Uint16Array(0);

  write(chunk: Buffer): string {
    if (this.fallback) return this.fallback.write(chunk);
    if (this.units.length < chunk.length + 1) this.units = new Uint16Array(chunk.length + 1);
    const units = this.units;
    const table = this.table;
    let n = 0;
    let lead = this.lead;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (lead >= 0) {
        const unit = b >= TRAIL_MIN && b <= 0xfe ? table[(lead - LEAD_MIN) * TRAILS + b - TRAIL_MIN] : 0;
        if (unit === 0) return this.handOver(units, n, i === 0 && this.lead >= 0 ? [Buffer.of(lead), chunk] : [chunk.subarray(i - 1)]);
        units[n++] = unit;
        lead = -1;
      } else if (b < 0x80) units[n++] = b;
      else if (b >= LEAD_MIN && b <= 0xfe) lead = b;
      else return this.handOver(units, n, [chunk.subarray(i)]);
    }
    this.lead = lead;
    return textOf(units, n);
  }

  end(): string {
    if (this.fallback) return this.fallback.end() ?? '';
    if (this.lead < 0) return '';
    const rest = iconv.getDecoder('gb18030');
    return rest.write(Buffer.of(this.lead)) + (rest.end() ?? '');
  }

  /**
   * `rest` as iconv-lite would have been given it: a lead byte from the previous chunk is written on
   * its own first, since iconv-lite reads a bad pair across a chunk boundary differently from one
   * inside a chunk.
   */
  private handOver(units: Uint16Array, n: number, rest: Buffer[]): string {
    const fallback = (this.fallback = iconv.getDecoder('gb18030'));
    return rest.reduce((text, part) => text + fallback.write(part), textOf(units, n));
  }
}

function textOf(units: Uint16Array, n: number): string {
  return Buffer.from(units.buffer, units.byteOffset, n * 2).toString('utf16le');
}

function makeDecoder(encoding: TextEncoding): ChunkDecoder {
  if (encoding === 'gb18030') return new Gb18030Decoder();
  const label = encoding === 'utf-8-bom' ? 'utf-8' : encoding;
  // non-fatal: a bad byte becomes U+FFFD and its row is rejected, the rest of the file still loads
  const decoder = new TextDecoder(label, { fatal: false, ignoreBOM: false });
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

/**
 * Decodes a byte stream chunk by chunk. `encoding` may change once, from a tentative UTF-8 (all
 * ASCII so far) to what the first non-ASCII chunk shows.
 */
export class TextStreamDecoder {
  private decoder: ChunkDecoder | undefined;
  private first = true;
  /** Number of chunks decoded so far; `lastBadChunk` is the number of the last one that held U+FFFD. */
  chunkNumber = 0;
  lastBadChunk = -1;

  constructor(
    public encoding: TextEncoding,
    private tentative: boolean,
  ) {
    if (!tentative) this.decoder = makeDecoder(encoding);
  }

  static for(detected: DetectedEncoding): TextStreamDecoder {
    return new TextStreamDecoder(detected.encoding, detected.confidence <= 0.5 && detected.encoding === 'utf-8');
  }

  write(chunk: Buffer): string {
    this.chunkNumber++;
    let text: string;
    if (!this.decoder) {
      if (!hasHighByte(chunk)) text = chunk.toString('latin1');
      else {
        let detected: TextEncoding;
        try {
          detected = detectEncoding(chunk).encoding;
        } catch {
          detected = 'utf-8'; // neither fits this chunk: decode leniently, its rows are rejected
        }
        this.encoding = detected === 'utf-8-bom' ? 'utf-8' : detected;
        this.decoder = makeDecoder(this.encoding);
        this.tentative = false;
        text = this.decoder.write(chunk);
      }
    } else text = this.decoder.write(chunk);
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.includes('\ufffd')) this.lastBadChunk = this.chunkNumber;
    return text;
  }

  end(): string {
    const text = this.decoder ? this.decoder.end() : '';
    this.chunkNumber++;
    if (text.includes('\ufffd')) this.lastBadChunk = this.chunkNumber;
    return text;
  }
}

/** Async sequence of decoded text chunks. */
export async function* decodeChunks(chunks: AsyncIterable<Buffer>, decoder: TextStreamDecoder): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}
