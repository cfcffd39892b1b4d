import { DepartmentScope, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Dataset } from '../datasets/dataset.entities';
import { DatasetsService } from '../datasets/datasets.service';
import { IngestErrors, safeFileName } from '../datasets/ingest.errors';
import { RawFileStore } from './raw-file.store';

/** 附件: unstructured files of a dataset (PDF, images), stored by content hash. */
@Injectable()
export class AttachmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly raw: RawFileStore,
    private readonly datasets: DatasetsService,
  ) {}

  async store(staff: StaffPrincipal, dataset: Dataset, fileName: string, contentType: string, body: Readable) {
    const name = safeFileName(fileName);
    const stored = await this.raw.store(body);
    if (stored.size === 0) throw IngestErrors.emptyFile();
    const [row] = await this.db.query(
      `INSERT INTO ingest.attachment (dataset_id, file_name, content_type, size, sha256, object_key, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)
       RETURNING id, file_name AS "fileName", content_type AS "contentType", size::int AS size, sha256, created_at AS "createdAt"`,
      [dataset.id, name, contentType || 'application/octet-stream', stored.size, stored.sha256, stored.objectKey, staff.userId],
    );
    return row;
  }

  async list(scope: DepartmentScope, datasetId: string) {
    const dataset = await this.datasets.get(scope, datasetId);
    return this.db.query(
      `SELECT id, file_name AS "fileName", content_type AS "contentType", size::int AS size, sha256, created_at AS "createdAt" FROM ingest.attachment WHERE dataset_id = $1 ORDER BY created_at`,
      [dataset.id],
    );
  }
}
