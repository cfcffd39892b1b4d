import { Injectable } from '@nestjs/common';
import type { Dataset } from '../datasets/dataset.entities';
import type { IngestJob } from '../jobs/job.entity';
import { parseCsv, ParsedSource } from '../parsing';
import { ParsedTable, RowProblem, SourceError } from '../pipeline/contracts';
import { PullSourcesService } from '../pulls/pull-sources.service';
import { pullDatabase, pullHttp } from '../sources';
import { ArrivingRawFile, RawFileStore, StoredRawFile } from '../uploads/raw-file.store';

export interface OpenedSource {
  /** An uploaded file: its bytes (counted for progress), parsed by the load's rows stage. */
  file?: { bytes: AsyncIterable<Buffer>; fileName?: string };
  /** A pulled table, parsed here, with the row problems its parser pushes while records are iterated. */
  pulled?: { table: ParsedSource; problems: RowProblem[] };
  /** Called once the version is current (a pull records its time and high watermark). */
  completed?: () => Promise<void>;
  /** An upload read while it arrives: its raw file, stored once the last byte is in. */
  stored?: Promise<StoredRawFile>;
}

/** A pulled table as the pipeline reads it: the problem channel of the parsers, and a hook at the end. */
function withProblems(table: ParsedTable, problems: RowProblem[], onEnd?: () => void): ParsedSource {
  const records = table.records;
  return Object.assign(Object.create(null), table, {
    problems,
    problemCount: 0,
    blankRowCount: 0,
    records: (async function* () {
      try {
        yield* records;
      } finally {
        onEnd?.();
      }
    })(),
  }) as ParsedSource;
}

/** Opens a job's input as a parsed table, counting the bytes read for progress. */
@Injectable()
export class LoadSource {
  constructor(
    private readonly raw: RawFileStore,
    private readonly pulls: PullSourcesService,
  ) {}

  async open(job: IngestJob, _dataset: Dataset, onBytes: (bytes: number) => void, arriving?: ArrivingRawFile): Promise<OpenedSource> {
    if (arriving) return { file: { bytes: counted(arriving.bytes(), onBytes), fileName: job.source.fileName }, stored: arriving.stored };
    if (job.kind === 'upload') {
      if (!job.source.objectKey) throw new SourceError('SOURCE_MISSING', '任务缺少原始文件', 'The job has no raw file');
      const body = await this.raw.open(job.source.objectKey);
      return { file: { bytes: counted(body, onBytes), fileName: job.source.fileName } };
    }
    if (!job.source.sourceConfigId) throw new SourceError('SOURCE_MISSING', '任务缺少数据源配置', 'The job has no source configuration');
    const problems: RowProblem[] = [];
    const resolved = await this.pulls.resolved(job.source.sourceConfigId);
    if (resolved.http) {
      const table = await pullHttp(resolved.http, { hostPolicy: this.pulls.hostPolicy, parseCsv: (body, hints) => parseCsv(body, { ...hints, onProblem: (p) => problems.push(p) }) });
      const timer = setInterval(() => onBytes(table.bytes()), 500);
      return { pulled: { table: withProblems(table, problems, () => clearInterval(timer)), problems }, completed: () => this.pulls.pulled(resolved.row.id, null) };
    }
    const table = await pullDatabase(resolved.database!, { hostPolicy: this.pulls.hostPolicy });
    return { pulled: { table: withProblems(table, problems), problems }, completed: () => this.pulls.pulled(resolved.row.id, table.highWatermark()) };
  }
}

async function* counted(chunks: AsyncIterable<Buffer>, onBytes: (bytes: number) => void): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    onBytes(total);
    yield chunk;
  }
}
