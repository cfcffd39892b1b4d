import { Transform } from 'node:stream';
import { copyText, quoteIdent } from '@gov/shared';

export { copyText, quoteIdent };

/** Table of a dataset version: `ingest.dv_<dataset id without dashes>_<version>`. */
export function versionTableName(datasetId: string, version: number): string {
  const id = datasetId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id) || !Number.isSafeInteger(version) || version < 1) throw new Error(`bad version table ${datasetId}/${version}`);
  return `dv_${id}_${version}`;
}

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
