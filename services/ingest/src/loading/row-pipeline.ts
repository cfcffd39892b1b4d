import type { Writable } from 'node:stream';
import type { ParsedSource } from '../parsing';
import type { Dataset, DatasetVersion } from '../datasets/dataset.entities';
import type { ColumnSpec, RejectLine, RowProblem } from '../pipeline/contracts';
import { QualityAccumulator, QualityReport } from '../quality/quality-report';
import { columnMappingError, mapColumns } from '../validation/column-mapping';
import { columnSpecsFrom, pgColumnType } from '../validation/column-spec';
import { RejectFileWriter, createRejectFileWriter, rejectLineOf } from '../validation/reject-file';
import { RowValidator, createRowValidator } from '../validation/row-validator';
import type { DatasetRules } from './load-rows';
import type { VersionComparison } from './version-compare';
import type { SourceRecord } from '../pipeline/contracts';
import { copyRowMaxBytes, writeCopyRow } from './copy-row';

async function* singles(records: AsyncIterable<SourceRecord>): AsyncGenerator<SourceRecord[]> {
  for await (const record of records) yield [record];
}

/** A D/T column that says when the data is as of (更新时间, 统计日期…), for the timeliness check. */
const AS_OF_NAME = /(更新|统计|数据|截止)(时间|日期)/;

/** What the quality report needs besides the rows: the previous version and the comparison with it. */
export interface QualityInput {
  previous: Pick<DatasetVersion, 'quality' | 'rowCount' | 'columns'> | null;
  comparison: VersionComparison | null;
  updateCycle: string | null;
  version: number;
}

export interface Progress {
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
}

/**
 * Validation of one load: maps the source's header to the catalog's data items, validates each
 * row, sends bad rows (the parser's and the validator's) to the reject file and feeds the quality
 * report. Clean rows come out of `accepted()` ready for COPY.
 */
export class RowPipeline {
  private parserProblems: RowProblem[] = [];
  private total = 0;

  private constructor(
    readonly specs: ColumnSpec[],
    private readonly table: ParsedSource,
    private readonly validator: RowValidator,
    private readonly rejects: RejectFileWriter,
    private readonly accumulator: QualityAccumulator,
  ) {}

  /** Throws the mapping's SourceError (HEADER_UNMATCHED…) when the header cannot feed the items. */
  static create(dataset: DatasetRules, table: ParsedSource, problems: RowProblem[], rejectOut: Writable): RowPipeline {
    const specs = columnSpecsFrom(dataset.items, { keys: dataset.settings.keys, required: dataset.settings.required });
    const mapping = mapColumns(table.header, specs, dataset.settings.mapping ?? {});
    const error = columnMappingError(mapping);
    if (error) throw error;
    const validator = createRowValidator(specs, mapping, { maxKeyTableBytes: dataset.keyTableBytes });
    const asOf = specs.find((s) => (s.dataType === 'D' || s.dataType === 'T') && AS_OF_NAME.test(s.name));
    const pipeline = new RowPipeline(specs, table, validator, createRejectFileWriter(rejectOut), new QualityAccumulator(specs, asOf ? { asOfColumn: asOf.name } : {}));
    pipeline.parserProblems = problems;
    return pipeline;
  }

  get pgTypes(): string[] {
    return this.specs.map((s) => pgColumnType(s.dataType));
  }

  get keyColumns(): number[] {
    return this.specs.flatMap((s, i) => (s.key ? [i] : []));
  }

  /** Clean rows, in source order; bad ones go to the reject file on the way. */
  async *accepted(progress: Progress): AsyncGenerator<{ rowNumber: number; values: (string | null)[] }> {
    const empty = this.specs.map(() => null);
    for await (const record of this.table.records) {
      if (this.parserProblems.length > 0) await this.drainParserProblems(empty, progress);
      this.total++;
      progress.rowsRead++;
      const { values, problems } = this.validator.validate(record);
      this.accumulator.observe(values, problems);
      if (problems.length === 0) {
        yield { rowNumber: record.rowNumber, values };
        continue;
      }
      const raw = record.raw ?? record.values.map((v) => v ?? '').join(',');
      await this.rejects.write(problems.map((p) => ({ ...p, raw })));
      progress.rowsRejected = this.rejects.rejectedRowCount;
    }
    await this.drainParserProblems(empty, progress);
  }

  /**
   * Clean rows as COPY text (`_row` then the values, tab-separated, escaped), UTF-8 in buffers of
   * up to 256 KB: the bytes `accepted()` piped through `copyLineEncoder()` give, with one await per
   * batch of rows (the parser's `batches`) instead of several per row, no object per row and no
   * string per line (`writeCopyRow` encodes the values straight into the buffer). Bad rows go to the reject file on the way, as in `accepted()`;
   * each clean row's values also go to `onRow` (the sensitive-data scan of the load).
   */
  async *copyText(progress: Progress, onRow?: (values: (string | null)[]) => void): AsyncGenerator<Buffer> {
    const empty = this.specs.map(() => null);
    const source: AsyncIterable<SourceRecord[]> = this.table.batches ?? singles(this.table.records);
    const SIZE = 256 * 1024;
    let out = Buffer.allocUnsafe(SIZE);
    let at = 0;
    for await (const batch of source) {
      if (this.parserProblems.length > 0) await this.drainParserProblems(empty, progress);
      for (let r = 0; r < batch.length; r++) {
        const record = batch[r];
        this.total++;
        progress.rowsRead++;
        const { values, problems } = this.validator.validate(record);
        this.accumulator.observe(values, problems);
        if (problems.length === 0) {
          onRow?.(values);
          const room = copyRowMaxBytes(values);
          if (at + room > out.length) {
            if (at > 0) yield out.subarray(0, at);
            out = Buffer.allocUnsafe(Math.max(SIZE, room));
            at = 0;
          }
          at = writeCopyRow(out, at, record.rowNumber, values);
          continue;
        }
        const raw = record.raw ?? record.values.map((v) => v ?? '').join(',');
        await this.rejects.write(problems.map((p) => ({ ...p, raw })));
        progress.rowsRejected = this.rejects.rejectedRowCount;
      }
    }
    await this.drainParserProblems(empty, progress);
    if (at > 0) yield out.subarray(0, at);
  }

  private async drainParserProblems(empty: (string | null)[], progress: Progress): Promise<void> {
    const problems = this.parserProblems.splice(0);
    for (const problem of problems) {
      const line: RejectLine = rejectLineOf(problem);
      this.total++;
      progress.rowsRead++;
      this.accumulator.observe(empty, [line]);
      await this.rejects.write([line]);
    }
    progress.rowsRejected = this.rejects.rejectedRowCount;
  }

  async finish(): Promise<{ total: number; rejectedRows: number; keyOverflowFrom: number }> {
    const summary = await this.rejects.close();
    return { total: this.total, rejectedRows: summary.rejectedRows, keyOverflowFrom: this.validator.keys.overflowFrom };
  }

  /** The quality counts so far (sent from a worker to finish the report in the main thread). */
  get qualityCounts(): QualityAccumulator {
    return this.accumulator;
  }

  quality(input: QualityInput): QualityReport {
    return qualityReport(this.accumulator, input);
  }
}

/** The quality report from a load's counts. */
export function qualityReport(counts: QualityAccumulator, input: QualityInput): QualityReport {
  const snapshot = input.previous?.quality?.snapshot ?? (input.previous ? { rowCount: input.previous.rowCount, columns: input.previous.columns.map((c) => c.name) } : null);
  return counts.finish({
    now: new Date(),
    updateCycle: input.updateCycle,
    previous: snapshot,
    diff: input.comparison ? { added: input.comparison.added, removed: input.comparison.removed, changed: input.comparison.changed } : null,
    version: input.version,
  });
}
