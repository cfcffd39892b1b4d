import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { VersionSource } from '../datasets/dataset.entities';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

/** 归集任务: one load of one dataset, with its progress. */
@Entity({ name: 'job' })
export class IngestJob {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dataset_id', type: 'uuid' }) datasetId: string;
  @Column({ type: 'text' }) kind: 'upload' | 'http_pull' | 'db_pull';
  @Column({ type: 'text' }) state: JobState;
  @Column({ type: 'jsonb' }) source: VersionSource & { sourceConfigId?: string };
  @Column({ type: 'int', nullable: true }) version: number | null;
  @Column({ name: 'rows_read', type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } }) rowsRead: number;
  @Column({ name: 'rows_rejected', type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } }) rowsRejected: number;
  @Column({ name: 'bytes_read', type: 'bigint', transformer: { to: (v) => v, from: (v) => Number(v) } }) bytesRead: number;
  @Column({ name: 'bytes_total', type: 'bigint', nullable: true, transformer: { to: (v) => v, from: (v) => (v == null ? null : Number(v)) } }) bytesTotal: number | null;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ type: 'jsonb', nullable: true }) error: { code: string; zh: string; en: string } | null;
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true }) heartbeatAt: Date | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
