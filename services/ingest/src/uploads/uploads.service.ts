import { DepartmentScope, OBJECT_STORAGE, ObjectStorage, StaffPrincipal } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { DatasetsService } from '../datasets/datasets.service';
import { IngestErrors, safeFileName } from '../datasets/ingest.errors';
import { IngestJob } from '../jobs/job.entity';
import { JobsService } from '../jobs/jobs.service';
import { JobRunner } from '../jobs/job-runner';
import { RawFileStore } from './raw-file.store';

export interface UploadSessionView {
  id: string;
  datasetId: string;
  fileName: string;
  size: number;
  offset: number;
  status: 'open' | 'complete' | 'aborted';
  jobId: string | null;
}

const CHUNK_LIMIT = 64 * 1024 * 1024;

/**
 * 文件报送 (physical aggregation): a whole file in one multipart request, or a large file in
 * chunks through a resumable session (tus-like: HEAD tells the offset, PATCH appends at it).
 */
@Injectable()
export class UploadsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly datasets: DatasetsService,
    private readonly raw: RawFileStore,
    private readonly jobs: JobsService,
    private readonly runner: JobRunner,
  ) {}

  async writableDataset(staff: StaffPrincipal, scope: DepartmentScope, id: string): Promise<Dataset> {
    const dataset = await this.datasets.get(scope, id);
    if (dataset.deptId !== staff.deptId && !staff.roles.includes('data_admin')) throw IngestErrors.notOwner();
    if (dataset.retired) throw IngestErrors.retired();
    return dataset;
  }

  /**
   * Stores the file and loads it. When no other job runs in this process, the load starts with the
   * first bytes and reads the file as it arrives; the answer still waits until the raw file is
   * stored. Otherwise, or with `live: false`, the job is queued once the file is stored.
   */
  async uploadFile(staff: StaffPrincipal, dataset: Dataset, fileName: string, body: Readable, opts: { live?: boolean } = {}): Promise<IngestJob> {
    const name = safeFileName(fileName);
    const live0 = opts.live ?? true;
    const arriving = this.raw.receive(body, { follow: live0 });
    const started = live0 && (await arriving.started);
    const live = started ? await this.runner.startNow(() => this.jobs.startNow(dataset, 'upload', { kind: 'upload', fileName: name }, staff.userId), arriving) : undefined;
    if (!live) await arriving.release();
    const stored = await arriving.stored;
    if (stored.size === 0) throw IngestErrors.emptyFile();
    if (live) return this.jobs.recordRawFile(live, stored);
    const job = await this.db.transaction((m) =>
      this.jobs.enqueue(m, dataset, 'upload', { kind: 'upload', fileName: name, sha256: stored.sha256, size: stored.size, objectKey: stored.objectKey }, staff.userId),
    );
    this.runner.nudge();
    return job;
  }

  async openSession(staff: StaffPrincipal, dataset: Dataset, fileName: string, size: number): Promise<UploadSessionView> {
    const name = safeFileName(fileName);
    const [row] = await this.db.query(
      `INSERT INTO ingest.upload_session (dataset_id, file_name, size, created_by) VALUES ($1, $2, $3, $4) RETURNING *`,
      [dataset.id, name, size, staff.userId],
    );
    return sessionView(row);
  }

  async session(scope: DepartmentScope, id: string): Promise<UploadSessionView> {
    const row = await this.sessionRow(scope, id);
    return sessionView(row);
  }

  /** Appends a chunk at `offset`; the last chunk joins the parts into the raw file and queues the load. */
  async appendChunk(staff: StaffPrincipal, scope: DepartmentScope, id: string, offset: number, body: Readable): Promise<UploadSessionView> {
    const row = await this.sessionRow(scope, id);
    if (row.status !== 'open') throw IngestErrors.uploadClosed();
    if (Number(row.received) !== offset) throw IngestErrors.uploadOffsetMismatch(Number(row.received), offset);
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const c of body) {
      length += c.length;
      if (length > CHUNK_LIMIT || offset + length > Number(row.size)) throw IngestErrors.uploadTooLarge(Number(row.size));
      chunks.push(c);
    }
    const part = row.chunks;
    await this.storage.put(`uploads/${id}/${String(part).padStart(6, '0')}`, Buffer.concat(chunks));
    // Only one writer wins a given offset; a concurrent duplicate chunk is refused.
    const [session] = await this.db.query(
      `WITH u AS (UPDATE ingest.upload_session SET received = received + $2, chunks = chunks + 1, updated_at = now()
                  WHERE id = $1 AND received = $3 AND status = 'open' RETURNING *) SELECT * FROM u`,
      [id, length, offset],
    );
    if (!session) throw IngestErrors.uploadOffsetMismatch(Number(row.received), offset);
    if (Number(session.received) < Number(session.size)) return sessionView(session);
    return this.complete(staff, scope, session);
  }

  private async complete(staff: StaffPrincipal, scope: DepartmentScope, session: any): Promise<UploadSessionView> {
    const dataset = await this.writableDataset(staff, scope, session.dataset_id);
    const storage = this.storage;
    const parts = Number(session.chunks);
    const joined = Readable.from(
      (async function* () {
        for (let i = 0; i < parts; i++) yield* await storage.get(`uploads/${session.id}/${String(i).padStart(6, '0')}`);
      })(),
    );
    // The chunks are on the platform already: the last PATCH answers once they are joined and stored,
    // and the load runs as a queued job (loading live would hold that answer for the whole load).
    const job = await this.uploadFile(staff, dataset, session.file_name, joined, { live: false });
    const [done] = await this.db.query(`WITH u AS (UPDATE ingest.upload_session SET status = 'complete', job_id = $2, updated_at = now() WHERE id = $1 RETURNING *) SELECT * FROM u`, [session.id, job.id]);
    for (let i = 0; i < parts; i++) await this.storage.delete(`uploads/${session.id}/${String(i).padStart(6, '0')}`);
    return sessionView(done);
  }

  private async sessionRow(scope: DepartmentScope, id: string) {
    const [row] = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.db.query(`SELECT s.*, d.dept_id FROM ingest.upload_session s JOIN ingest.dataset d ON d.id = s.dataset_id WHERE s.id = $1`, [id])
      : [];
    if (!row || !(scope.all || scope.deptIds.includes(row.dept_id))) throw IngestErrors.uploadSessionNotFound(id);
    return row;
  }
}

function sessionView(r: any): UploadSessionView {
  return { id: r.id, datasetId: r.dataset_id, fileName: r.file_name, size: Number(r.size), offset: Number(r.received), status: r.status, jobId: r.job_id ?? null };
}
