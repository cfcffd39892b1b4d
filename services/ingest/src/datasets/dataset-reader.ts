import { OutboxWriter, StaffPrincipal } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IngestJob } from '../jobs/job.entity';
import { compareVersionTables } from '../loading/version-compare';
import { quoteIdent } from '../loading/version-table';
import { Dataset, DatasetVersion } from './dataset.entities';
import { IngestErrors } from './ingest.errors';

export interface LineageNode {
  id: string;
  kind: 'catalog_entry' | 'source' | 'job' | 'version' | 'dataset';
  label: string;
  attributes: Record<string, unknown>;
}

export interface LineageGraph {
  datasetId: string;
  nodes: LineageNode[];
  edges: { from: string; to: string; relation: string }[];
}

/** Reads of loaded data (audited) and of a dataset's history. */
@Injectable()
export class DatasetReader {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  private async readable(dataset: Dataset, version: number): Promise<DatasetVersion> {
    if (!version) throw IngestErrors.noCurrentVersion();
    const v = await this.db.getRepository(DatasetVersion).findOneBy({ datasetId: dataset.id, version });
    if (!v || v.status === 'failed' || v.status === 'loading') throw IngestErrors.versionNotFound(version);
    if (v.status === 'dropped') throw IngestErrors.versionDropped(version);
    return v;
  }

  /** A page of rows; every read is an audit event (who, which dataset and version, how many rows). */
  async page(staff: StaffPrincipal, dataset: Dataset, version: number, page: number, pageSize: number) {
    const v = await this.readable(dataset, version);
    // Dates and times as the text PostgreSQL writes (no time-zone shift through JavaScript dates).
    const cols = v.columns.map((c) => (/^(date|timestamp)/.test(c.type) ? `${quoteIdent(c.name)}::text AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const rows = await this.db.query(`SELECT _row, ${cols} FROM ingest.${quoteIdent(v.tableName)} ORDER BY _row LIMIT $1 OFFSET $2`, [pageSize, (page - 1) * pageSize]);
    await this.db.transaction((m) =>
      this.outbox.add(m, 'ingest.data.read', { datasetId: dataset.id, deptId: dataset.deptId, version: v.version, actorId: staff.userId, actorDeptId: staff.deptId, rows: rows.length, purpose: 'preview' }),
    );
    return { version: v.version, total: v.rowCount, page, pageSize, columns: v.columns, rows };
  }

  async compare(dataset: Dataset, from: number, to: number) {
    const [a, b] = [await this.readable(dataset, from), await this.readable(dataset, to)];
    const keys = dataset.settings.keys ?? [];
    const byKey = await compareVersionTables(this.db, a, b, keys);
    return {
      from,
      to,
      rowCount: { from: a.rowCount, to: b.rowCount, delta: b.rowCount - a.rowCount },
      columns: { added: b.columns.filter((c) => !a.columns.some((x) => x.name === c.name)).map((c) => c.name), removed: a.columns.filter((c) => !b.columns.some((x) => x.name === c.name)).map((c) => c.name) },
      keys,
      byKey,
    };
  }

  /** 数据血缘: catalog entry → (checked against) → versions ← jobs ← sources. */
  async lineage(dataset: Dataset): Promise<LineageGraph> {
    const versions = await this.db.getRepository(DatasetVersion).find({ where: { datasetId: dataset.id }, order: { version: 'ASC' } });
    const jobs = await this.db.getRepository(IngestJob).find({ where: { datasetId: dataset.id }, order: { createdAt: 'ASC' } });
    const nodes: LineageNode[] = [];
    const edges: LineageGraph['edges'] = [];
    const entryNode = `entry:${dataset.entryId}`;
    nodes.push({ id: entryNode, kind: 'catalog_entry', label: `${dataset.resourceCode} ${dataset.name}`, attributes: { entryId: dataset.entryId, resourceCode: dataset.resourceCode, catalogVersion: dataset.catalogVersion } });
    nodes.push({ id: `dataset:${dataset.id}`, kind: 'dataset', label: dataset.name, attributes: { currentVersion: dataset.currentVersion } });
    edges.push({ from: entryNode, to: `dataset:${dataset.id}`, relation: 'describes' });
    const sources = new Set<string>();
    for (const job of jobs) {
      const s = job.source;
      const sourceId = s.sha256 ? `file:${s.sha256}` : s.endpoint ? `endpoint:${s.endpoint}` : `table:${s.table ?? job.id}`;
      if (!sources.has(sourceId)) {
        sources.add(sourceId);
        nodes.push({ id: sourceId, kind: 'source', label: s.fileName ?? s.endpoint ?? s.table ?? s.kind, attributes: { kind: s.kind, sha256: s.sha256, size: s.size, endpoint: s.endpoint, table: s.table } });
      }
      nodes.push({ id: `job:${job.id}`, kind: 'job', label: `${job.kind} ${job.state}`, attributes: { state: job.state, createdBy: job.createdBy, createdAt: job.createdAt, finishedAt: job.finishedAt, rowsRead: job.rowsRead } });
      edges.push({ from: sourceId, to: `job:${job.id}`, relation: 'read_by' });
    }
    for (const v of versions) {
      const id = `version:${v.version}`;
      nodes.push({ id, kind: 'version', label: `v${v.version} ${v.status}`, attributes: { status: v.status, rowCount: v.rowCount, rejectedCount: v.rejectedCount, catalogVersion: v.catalogVersion, createdBy: v.createdBy, completedAt: v.completedAt, qualityScore: v.quality?.score ?? null } });
      if (v.jobId) edges.push({ from: `job:${v.jobId}`, to: id, relation: 'produced' });
      edges.push({ from: entryNode, to: id, relation: `checked_against_catalog_v${v.catalogVersion}` });
      edges.push({ from: id, to: `dataset:${dataset.id}`, relation: v.status === 'current' ? 'current_version_of' : 'version_of' });
    }
    return { datasetId: dataset.id, nodes, edges };
  }
}
