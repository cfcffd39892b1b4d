import { createWriteStream } from 'node:fs';
import type { ColumnFinding } from '@gov/shared';
import type { Dataset } from '../datasets/dataset.entities';
import { openTable, ParsedSource } from '../parsing';
import type { RowProblem, SourceFormat } from '../pipeline/contracts';
import type { QualityReport } from '../quality/quality-report';
import { LoadScanner } from '../sensitive/version-scan';
import { Progress, QualityInput, RowPipeline } from './row-pipeline';
import { columnNames } from './version-table';

/**
 * What the parse and validation of a load need (plain data: it crosses to a worker): the catalog's
 * items, the dataset's settings, and how much memory the key check may take.
 */
export type DatasetRules = Pick<Dataset, 'items' | 'settings'> & { keyTableBytes?: number };

/** A version table column: name and PostgreSQL type. */
export interface TableColumn {
  name: string;
  type: string;
}

/** The end of the rows: counts for the reject-share check and the sensitive-data findings. */
export interface RowsOutcome {
  total: number;
  rejectedRows: number;
  findings: ColumnFinding[];
  /** Row number from which the full key table checked keys against earlier ones only (0: never full). */
  keyOverflowFrom: number;
}

/**
 * Parse, validation, quality counts, rejects and the sensitive-data scan of one load, as COPY
 * text. Run in this thread (`InThreadRows`) or in a worker thread (`WorkerRows`); both give the
 * same bytes.
 */
export interface LoadRows {
  readonly columns: TableColumn[];
  readonly keyColumns: number[];
  readonly format: SourceFormat;
  readonly encoding?: string;
  /** Clean rows as COPY text; updates `progress` as rows are read. */
  copyText(progress: Progress): AsyncIterable<Buffer>;
  /** After `copyText` ended: closes the reject file. */
  finish(): Promise<RowsOutcome>;
  quality(input: QualityInput): Promise<QualityReport>;
  /** Repeated keys the loader found after the COPY (rows from keyOverflowFrom on): counted as the validator's would be. */
  lateDuplicates(count: number): void;
  /** Lets go of everything (the worker); the reject file is complete once this resolves. Idempotent. */
  close(): Promise<void>;
}

/** The version table's columns for a pipeline. */
export function tableColumns(rows: RowPipeline): TableColumn[] {
  return columnNames(rows.specs.map((s) => s.name)).map((name, i) => ({ name, type: rows.pgTypes[i] }));
}

/** The rows of a parsed table, processed in this thread. */
export class InThreadRows implements LoadRows {
  readonly columns: TableColumn[];
  private readonly scanner: LoadScanner;

  private constructor(
    private readonly rows: RowPipeline,
    private readonly table: ParsedSource,
  ) {
    this.columns = tableColumns(rows);
    this.scanner = new LoadScanner(this.columns);
  }

  /** `source`: an uploaded file's bytes, or a table already parsed (a pull) with its problem list. */
  static async open(dataset: DatasetRules, source: { bytes: AsyncIterable<Buffer>; fileName?: string } | { table: ParsedSource; problems: RowProblem[] }, rejectPath: string): Promise<InThreadRows> {
    const problems: RowProblem[] = 'table' in source ? source.problems : [];
    const table = 'table' in source ? source.table : await openTable(source.bytes, source.fileName, { onProblem: (p) => problems.push(p) });
    return new InThreadRows(RowPipeline.create(dataset, table, problems, createWriteStream(rejectPath)), table);
  }

  get keyColumns(): number[] {
    return this.rows.keyColumns;
  }

  get format(): SourceFormat {
    return this.table.format;
  }

  get encoding(): string | undefined {
    return this.table.encoding;
  }

  copyText(progress: Progress): AsyncIterable<Buffer> {
    return this.rows.copyText(progress, (values) => this.scanner.observe(values));
  }

  async finish(): Promise<RowsOutcome> {
    const outcome = await this.rows.finish();
    return { ...outcome, findings: this.scanner.finish().findings };
  }

  lateDuplicates(count: number): void {
    this.rows.qualityCounts.lateDuplicates(count);
  }

  async quality(input: QualityInput): Promise<QualityReport> {
    return this.rows.quality(input);
  }

  async close(): Promise<void> {}
}
