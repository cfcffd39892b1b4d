/**
 * One version-table row as a COPY text line (`_row`, then the values, tab-separated, `\N` for
 * null, backslash, tab, LF and CR escaped, `\n` at the end), written as UTF-8 straight into a
 * Buffer: the bytes of `Buffer.from(rowNumber + '\t' + values.map(copyText).join('\t') + '\n')`
 * without building the line (a string of ~20 concatenations per row, flattened for the write,
 * was a third of what a load allocated).
 */

/** Bytes of the line at most: 3 per UTF-16 unit of its escaped text (an escape doubles a unit). */
export function copyRowMaxBytes(values: readonly (string | null)[]): number {
  let units = 16 + values.length; // the row number (at most 16 digits), the tabs and the \n
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    units += v === null ? 2 : 2 * v.length;
  }
  return 3 * units;
}

/** Writes the line at `at` (the caller made room: `copyRowMaxBytes`); returns the offset after it. */
export function writeCopyRow(out: Buffer, at: number, rowNumber: number, values: readonly (string | null)[]): number {
  at = writeRowNumber(out, at, rowNumber);
  for (let i = 0; i < values.length; i++) {
    out[at++] = 9; // \t
    const v = values[i];
    if (v === null) {
      out[at++] = 92; // \N
      out[at++] = 78;
    } else {
      at = writeCopyValue(out, at, v);
    }
  }
  out[at++] = 10;
  return at;
}

function writeRowNumber(out: Buffer, at: number, rowNumber: number): number {
  if (!(rowNumber >= 0 && rowNumber <= 0x7fffffff && rowNumber === (rowNumber | 0))) return at + out.write(String(rowNumber), at, 'latin1');
  let digits = 1;
  for (let n = rowNumber; n >= 10; n = (n / 10) | 0) digits++;
  let n = rowNumber;
  for (let k = at + digits - 1; k >= at; k--) {
    out[k] = 48 + (n % 10);
    n = (n / 10) | 0;
  }
  return at + digits;
}

/** The value COPY-escaped and UTF-8 encoded (a lone surrogate as U+FFFD, as Buffer.write does). */
function writeCopyValue(out: Buffer, at: number, v: string): number {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x80) {
      if (c === 92 || c === 9 || c === 10 || c === 13) {
        out[at++] = 92;
        out[at++] = c === 92 ? 92 : c === 9 ? 116 : c === 10 ? 110 : 114;
      } else {
        out[at++] = c;
      }
    } else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      const d = i + 1 < n ? v.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[at++] = 0xf0 | (cp >> 18);
        out[at++] = 0x80 | ((cp >> 12) & 0x3f);
        out[at++] = 0x80 | ((cp >> 6) & 0x3f);
        out[at++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        out[at++] = 0xef; // U+FFFD
        out[at++] = 0xbf;
        out[at++] = 0xbd;
      }
    }
  }
  return at;
}
