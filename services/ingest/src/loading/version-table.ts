import { Transform } from 'node:stream';

/** Table of a dataset version: `ingest.dv_<dataset id without dashes>_<version>`. */
export function versionTableName(datasetId: string, version: number): string {
  const id = datasetId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id) || !Number.isSafeInteger(version) || version < 1) throw new Error(`bad version table ${datasetId}/${version}`);
  return `dv_${id}_${version}`;
}

/** A PostgreSQL identifier, quoted; Chinese item names are fine as quoted identifiers (≤ 63 bytes). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Column names of a version table: the item names, shortened to PostgreSQL's 63-byte limit and made unique. */
export function columnNames(itemNames: readonly string[]): string[] {
  const used = new Set<string>(['_row']);
  return itemNames.map((name, i) => {
    let base = name;
    while (Buffer.byteLength(base) > 55) base = base.slice(0, -1);
    let candidate = base || `col_${i + 1}`;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  });
}

export function createTableSql(table: string, columns: readonly { name: string; type: string }[]): string {
  return `CREATE TABLE ingest.${quoteIdent(table)} (_row bigint NOT NULL, ${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
}

/** Escapes a value for COPY text format: backslash, tab, newline and carriage return; null is \N. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N';
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 9 || c === 10 || c === 13) {
      out += value.slice(last, i) + (c === 92 ? '\\\\' : c === 9 ? '\\t' : c === 10 ? '\\n' : '\\r');
      last = i + 1;
    }
  }
  return last === 0 ? value : out + value.slice(last);
}

/** Rows (source row number + values) → COPY text lines, batched into chunks of ~64 KB. */
export function copyLineEncoder(): Transform {
  let buffer = '';
  return new Transform({
    writableObjectMode: true,
    transform(row: { rowNumber: number; values: (string | null)[] }, _enc, done) {
      let line = String(row.rowNumber);
      for (const v of row.values) line += '\t' + copyText(v);
      buffer += line + '\n';
      if (buffer.length >= 65536) {
        this.push(buffer);
        buffer = '';
      }
      done();
    },
    flush(done) {
      if (buffer) this.push(buffer);
      done();
    },
  });
}
