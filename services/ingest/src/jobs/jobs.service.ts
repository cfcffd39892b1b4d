import { DepartmentScope, scopeAllows } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { IngestErrors } from '../datasets/ingest.errors';
import type { StoredRawFile } from '../uploads/raw-file.store';
import { IngestJob } from './job.entity';

export interface JobView {
  id: string;
  datasetId: string;
  kind: IngestJob['kind'];
  state: IngestJob['state'];
  version: number | null;
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
  bytesTotal: number | null;
  /** 0–100 from bytes when the size is known, else null until the job ends. */
  percent: number | null;
  error: IngestJob['error'];
  source: { fileName?: string; sha256?: string; endpoint?: string; table?: string };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export function jobView(j: IngestJob): JobView {
  const done = j.state === 'succeeded' || j.state === 'failed';
  return {
    id: j.id,
    datasetId: j.datasetId,
    kind: j.kind,
    state: j.state,
    version: j.version,
    rowsRead: j.rowsRead,
    rowsRejected: j.rowsRejected,
    bytesRead: j.bytesRead,
    bytesTotal: j.bytesTotal,
    percent: done ? 100 : j.bytesTotal ? Math.min(99, Math.floor((j.bytesRead / j.bytesTotal) * 100)) : null,
    error: j.error,
    source: { fileName: j.source.fileName, sha256: j.source.sha256, endpoint: j.source.endpoint, table: j.source.table },
    createdAt: j.createdAt.toISOString(),
    startedAt: j.startedAt?.toISOString() ?? null,
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

/** 归集任务 queue: a table, so a job survives a crash of the process that ran it. */
@Injectable()
export class JobsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async enqueue(m: EntityManager, dataset: Dataset, kind: IngestJob['kind'], source: IngestJob['source'], createdBy: string | null, bytesTotal?: number): Promise<IngestJob> {
    const repo = m.getRepository(IngestJob);
    return repo.save(
      repo.create({ datasetId: dataset.id, kind, state: 'queued', source, version: null, rowsRead: 0, rowsRejected: 0, bytesRead: 0, bytesTotal: bytesTotal ?? source.size ?? null, createdBy }),
    );
  }

  /** A job claimed by this process as it is created (an upload loaded while it arrives), as runOne claims a queued one. */
  async startNow(dataset: Dataset, kind: IngestJob['kind'], source: IngestJob['source'], createdBy: string | null): Promise<IngestJob> {
    const repo = this.db.getRepository(IngestJob);
    const now = new Date();
    return repo.save(
      repo.create({ datasetId: dataset.id, kind, state: 'running', attempts: 1, startedAt: now, heartbeatAt: now, source, version: null, rowsRead: 0, rowsRejected: 0, bytesRead: 0, bytesTotal: null, createdBy }),
    );
  }

  /** The raw file of an upload that was loaded while it arrived, once it is stored: a retry reads it from there. */
  async recordRawFile(job: IngestJob, stored: StoredRawFile): Promise<IngestJob> {
    await this.db.query(`UPDATE ingest.job SET source = source || $2::jsonb, bytes_total = $3 WHERE id = $1`, [
      job.id,
      JSON.stringify({ sha256: stored.sha256, size: stored.size, objectKey: stored.objectKey }),
      stored.size,
    ]);
    return { ...job, source: { ...job.source, sha256: stored.sha256, size: stored.size, objectKey: stored.objectKey }, bytesTotal: stored.size };
  }

  async get(scope: DepartmentScope, id: string): Promise<IngestJob> {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.getRepository(IngestJob).findOneBy({ id }) : null;
    if (!job) throw IngestErrors.jobNotFound(id);
    const [dataset] = await this.db.query(`SELECT dept_id FROM ingest.dataset WHERE id = $1`, [job.datasetId]);
    if (!scopeAllows(scope, dataset.dept_id)) throw IngestErrors.jobNotFound(id);
    return job;
  }

  list(datasetId: string): Promise<IngestJob[]> {
    return this.db.getRepository(IngestJob).find({ where: { datasetId }, order: { createdAt: 'DESC' }, take: 100 });
  }
}

