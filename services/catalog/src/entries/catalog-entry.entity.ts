import type { CatalogMetadata, ComplianceFinding, EntryStatus } from '@gov/shared';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** 变更中的版本状态 of a published entry */
export type ChangeStatus = 'draft' | 'submitted' | 'returned';
/** 版本状态 */
export type VersionState = 'draft' | 'submitted' | 'returned' | 'approved' | 'superseded';

/** 目录条目: one catalog entry ↔ one dataset; its content lives in versions. */
@Entity({ name: 'catalog_entry' })
export class CatalogEntry {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ type: 'text' }) status: EntryStatus;
  /** State of the pending change of a published entry, if any. */
  @Column({ name: 'change_status', type: 'text', nullable: true }) changeStatus: ChangeStatus | null;
  /** 信息资源代码, issued on first approval (or kept from a lower-level platform). */
  @Column({ name: 'resource_code', type: 'text', nullable: true }) resourceCode: string | null;
  /** Region of the lower-level platform an entry was cascaded from; null for local entries. */
  @Column({ name: 'source_region', type: 'char', length: 6, nullable: true }) sourceRegion: string | null;
  @Column({ name: 'latest_version', type: 'int' }) latestVersion: number;
  @Column({ name: 'published_version', type: 'int', nullable: true }) publishedVersion: number | null;
  @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt: Date | null;
  @Column({ name: 'retired_reason', type: 'text', nullable: true }) retiredReason: string | null;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt: Date | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}

/** A version of an entry's metadata, with its review trail. Approved versions are never edited. */
@Entity({ name: 'entry_version' })
export class EntryVersion {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' }) entryId: string;
  @PrimaryColumn({ type: 'int' }) version: number;
  @Column({ type: 'text' }) state: VersionState;
  @Column({ type: 'jsonb' }) metadata: CatalogMetadata;
  /** Compliance findings of the last save. */
  @Column({ type: 'jsonb', default: () => `'[]'` }) findings: ComplianceFinding[];
  /** Reviewer comments per field path (退回意见). */
  @Column({ name: 'review_comments', type: 'jsonb', nullable: true }) reviewComments: ReviewComments | null;
  @Column({ name: 'change_reason', type: 'text', nullable: true }) changeReason: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ name: 'submitted_by', type: 'uuid', nullable: true }) submittedBy: string | null;
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true }) submittedAt: Date | null;
  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true }) reviewedBy: string | null;
  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true }) reviewedAt: Date | null;
}

export interface ReviewComments {
  /** Overall comment. */
  summary?: string;
  /** Comment per field path, e.g. `{ "share.condition": "请写明共享范围" }`. */
  fields: Record<string, string>;
}
