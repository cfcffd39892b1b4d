import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ColumnFinding, ColumnScanner, parseCopyLine, quoteIdent } from '@gov/shared';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** Rows read for the first, complete classification of every column. */
export const SAMPLE_ROWS = 2000;

/** Column types that can hold personal data as text (numbers, dates and booleans cannot). */
const TEXT_TYPES = /^(text|character|varchar|char)/i;
/** Cheap pre-check of the full scan: only values with a long digit run or an @ can be an identifier. */
const MAY_HOLD_IDENTIFIER = /\d{7}|@/;

export interface VersionScan {
  findings: ColumnFinding[];
  rowsScanned: number;
}

/**
 * 敏感字段发现 over a loaded version table. First a sample of every text column, classified with
 * every rule (names, addresses and plates included). Then the whole table, streaming, for the
 * columns the sample found nothing in: an identifier hidden in row 900,000 of a free-text column is
 * still found. The full pass only classifies values that could be an identifier (a digit run or an
 * @), which keeps it near the speed of a plain read.
 */
export async function scanVersionTable(client: PoolClient, qualifiedTable: string, columns: readonly { name: string; type: string }[]): Promise<VersionScan> {
  const textColumns = columns.filter((c) => TEXT_TYPES.test(c.type)).map((c) => c.name);
  if (textColumns.length === 0) return { findings: [], rowsScanned: 0 };
  const select = textColumns.map(quoteIdent).join(', ');

  const sample = textColumns.map((c) => new ColumnScanner(c));
  const { rows } = await client.query({ text: `SELECT ${select} FROM ${qualifiedTable} ORDER BY _row LIMIT ${SAMPLE_ROWS}`, rowMode: 'array' });
  for (const row of rows as (string | null)[][]) row.forEach((v, i) => sample[i].observe(v));
  const findings = sample.flatMap((s) => s.findings());

  const rest = textColumns.filter((c) => !findings.some((f) => f.column === c));
  let rowsScanned = rows.length;
  if (rest.length > 0 && rows.length === SAMPLE_ROWS) {
    const full = rest.map((c) => new ColumnScanner(c));
    rowsScanned = await streamColumns(client, qualifiedTable, rest, (values) => {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v !== null && MAY_HOLD_IDENTIFIER.test(v)) full[i].observe(v);
      }
    });
    // The full pass saw only the values that passed the pre-check: report shares of all non-empty ones.
    const nonEmpty = await client.query({ text: `SELECT ${rest.map((c) => `count(${quoteIdent(c)})`).join(', ')} FROM ${qualifiedTable}`, rowMode: 'array' });
    const counts = (nonEmpty.rows[0] as string[]).map(Number);
    full.forEach((scanner, i) =>
      findings.push(...scanner.findings().filter((f) => f.embedded || f.matches / Math.max(counts[i], 1) >= 0.05).map((f) => ({ ...f, scanned: counts[i], share: f.matches / Math.max(counts[i], 1) }))),
    );
  }
  return { findings, rowsScanned };
}

async function streamColumns(client: PoolClient, qualifiedTable: string, columns: string[], onRow: (values: (string | null)[]) => void): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let count = 0;
  const source = client.query(copyTo(`COPY (SELECT ${columns.map(quoteIdent).join(', ')} FROM ${qualifiedTable}) TO STDOUT`));
  await pipeline(
    source,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        const lines = (rest + decoder.write(chunk)).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          onRow(parseCopyLine(line));
          count++;
        }
        done();
      },
      final(done) {
        const tail = rest + decoder.end();
        if (tail) {
          onRow(parseCopyLine(tail));
          count++;
        }
        done();
      },
    }),
  );
  return count;
}
