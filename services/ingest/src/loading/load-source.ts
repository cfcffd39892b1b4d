import { Injectable } from '@nestjs/common';
import { Transform } from 'node:stream';
import type { Dataset } from '../datasets/dataset.entities';
import type { IngestJob } from '../jobs/job.entity';
import { openTable, ParsedSource } from '../parsing';
import { RowProblem, SourceError } from '../pipeline/contracts';
import { RawFileStore } from '../uploads/raw-file.store';

export interface OpenedSource {
  table: ParsedSource;
  /** Row problems found by the parser, pushed while records are iterated (the pipeline drains them). */
  problems: RowProblem[];
}

/** Opens a job's input as a parsed table, counting the bytes read for progress. */
@Injectable()
export class LoadSource {
  constructor(private readonly raw: RawFileStore) {}

  async open(job: IngestJob, _dataset: Dataset, onBytes: (bytes: number) => void): Promise<OpenedSource> {
    const problems: RowProblem[] = [];
    if (job.kind === 'upload') {
      if (!job.source.objectKey) throw new SourceError('SOURCE_MISSING', '任务缺少原始文件', 'The job has no raw file');
      const body = await this.raw.open(job.source.objectKey);
      const table = await openTable(body.pipe(byteCounter(onBytes)), job.source.fileName, { onProblem: (p) => problems.push(p) });
      return { table, problems };
    }
    throw new SourceError('SOURCE_KIND_UNSUPPORTED', `暂不支持的归集方式：${job.kind}`, `Unsupported job kind: ${job.kind}`);
  }
}

function byteCounter(onBytes: (bytes: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _e, done) {
      total += chunk.length;
      onBytes(total);
      done(null, chunk);
    },
  });
}
