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

/**
 * The scan of `scanVersionTable`, fed with the rows as they are copied into a new version table
 * (in `_row` order, which is the table's order), so a load need not read its table back. Gives the
 * same findings: the first SAMPLE_ROWS rows are the sample; every row goes to the full pass of
 * each column, of which only the columns the sample found nothing in are reported.
 */
export class LoadScanner {
  private readonly text: number[] = [];
  private readonly sample: ColumnScanner[];
  private readonly full: ColumnScanner[];
  private readonly nonNull: number[];
  /** Indexes (into `text`) of the columns the full pass still watches. */
  private watched: number[];
  private sampled = 0;
  private rows = 0;
  private sampleFindings?: ColumnFinding[];

  constructor(columns: readonly { name: string; type: string }[]) {
    columns.forEach((c, i) => TEXT_TYPES.test(c.type) && this.text.push(i));
    this.sample = this.text.map((i) => new ColumnScanner(columns[i].name));
    this.full = this.text.map((i) => new ColumnScanner(columns[i].name));
    this.nonNull = this.text.map(() => 0);
    this.watched = this.text.map((_, k) => k);
  }

  /** One loaded row: all the version table's columns, in order (without `_row`). */
  observe(values: readonly (string | null)[]): void {
    const text = this.text;
    this.rows++;
    if (this.sampled < SAMPLE_ROWS) {
      for (let k = 0; k < text.length; k++) this.sample[k].observe(values[text[k]]);
      if (++this.sampled === SAMPLE_ROWS) {
        this.sampleFindings = this.sample.flatMap((s) => s.findings());
        this.watched = this.watched.filter((k) => !this.sampleFindings!.some((f) => f.column === this.full[k].column));
      }
    }
    for (const k of this.watched) {
      const v = values[text[k]];
      if (v === null) continue;
      this.nonNull[k]++;
      if (MAY_HOLD_IDENTIFIER.test(v)) this.full[k].observe(v);
    }
  }

  finish(): VersionScan {
    if (this.text.length === 0) return { findings: [], rowsScanned: 0 };
    if (!this.sampleFindings) return { findings: this.sample.flatMap((s) => s.findings()), rowsScanned: this.sampled };
    if (this.watched.length === 0) return { findings: this.sampleFindings, rowsScanned: this.sampled };
    const findings = [...this.sampleFindings];
    for (const k of this.watched) {
      const scanned = this.nonNull[k];
      findings.push(
        ...this.full[k]
          .findings()
          .filter((f) => f.embedded || f.matches / Math.max(scanned, 1) >= 0.05)
          .map((f) => ({ ...f, scanned, share: f.matches / Math.max(scanned, 1) })),
      );
    }
    return { findings, rowsScanned: this.rows };
  }
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
