import type { DataItem } from '@gov/shared';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Per-dataset loading settings, set by the providing department. */
export interface DatasetSettings {
  /** Item names forming the key (uniqueness, version comparison). */
  keys?: string[];
  /** Item names that must not be empty. */
  required?: string[];
  /** Source header → item name, when they differ. */
  mapping?: Record<string, string>;
  /** A version fails when more than this share of rows is rejected (default 0.05). */
  maxRejectShare?: number;
  /** Versions whose tables are kept (default 5); older ones are dropped, their metadata stays. */
  keepVersions?: number;
}

/** 数据集: exactly one per published catalog entry. */
@Entity({ name: 'dataset' })
export class Dataset {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'entry_id', type: 'uuid' }) entryId: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ name: 'resource_code' }) resourceCode: string;
  @Column() name: string;
  /** Catalog version whose data items the loads are checked against. */
  @Column({ name: 'catalog_version', type: 'int' }) catalogVersion: number;
  @Column({ type: 'jsonb' }) items: DataItem[];
  @Column({ name: 'format_class', type: 'text', nullable: true }) formatClass: string | null;
  @Column({ name: 'update_cycle', type: 'text', nullable: true }) updateCycle: string | null;
  @Column({ default: false }) retired: boolean;
  @Column({ name: 'current_version', type: 'int', nullable: true }) currentVersion: number | null;
  @Column({ name: 'last_version_at', type: 'timestamptz', nullable: true }) lastVersionAt: Date | null;
  @Column({ name: 'overdue_since', type: 'timestamptz', nullable: true }) overdueSince: Date | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) settings: DatasetSettings;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}

export type VersionStatus = 'loading' | 'current' | 'superseded' | 'failed' | 'dropped';

/** Where a version's data came from (lineage). */
export interface VersionSource {
  kind: 'upload' | 'http_pull' | 'db_pull';
  fileName?: string;
  sha256?: string;
  size?: number;
  objectKey?: string;
  format?: string;
  encoding?: string;
  endpoint?: string;
  table?: string;
  highWatermark?: string | null;
}

@Entity({ name: 'dataset_version' })
export class DatasetVersion {
  @PrimaryColumn({ name: 'dataset_id', type: 'uuid' }) datasetId: string;
  @PrimaryColumn({ type: 'int' }) version: number;
  @Column({ type: 'text' }) status: VersionStatus;
  @Column({ name: 'table_name' }) tableName: string;
  @Column({ type: 'jsonb' }) columns: { name: string; type: string }[];
  @Column({ name: 'row_count', type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } }) rowCount: number;
  @Column({ name: 'rejected_count', type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } }) rejectedCount: number;
  @Column({ type: 'jsonb' }) source: VersionSource;
  @Column({ name: 'job_id', type: 'uuid', nullable: true }) jobId: string | null;
  @Column({ name: 'catalog_version', type: 'int' }) catalogVersion: number;
  @Column({ type: 'jsonb', nullable: true }) quality: Record<string, any> | null;
  @Column({ name: 'reject_object', type: 'text', nullable: true }) rejectObject: string | null;
  @Column({ type: 'jsonb', nullable: true }) error: { code: string; zh: string; en: string } | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
}
