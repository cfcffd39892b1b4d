import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** 数据元 with its designated 数源部门. */
@Entity({ name: 'data_element' })
export class DataElementRecord {
  @PrimaryColumn() code: string;
  @Column() name: string;
  @Column({ type: 'text', array: true, default: () => `'{}'` }) aliases: string[];
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'source_dept_id', type: 'uuid', nullable: true }) sourceDeptId: string | null;
  /** The source department's entry that other departments should request instead. */
  @Column({ name: 'source_entry_id', type: 'uuid', nullable: true }) sourceEntryId: string | null;
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedBy: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}

export type ConflictKind = 'duplicate_collection' | 'near_duplicate';
/** 处理方式: 指定数源 / 合并 / 说明理由 */
export type ConflictResolution = 'designate_source' | 'merge' | 'justify';

/** An entry in the data bureau's 一数一源 conflicts list. */
@Entity({ name: 'source_conflict' })
export class SourceConflict {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) kind: ConflictKind;
  @Column({ name: 'entry_id', type: 'uuid' }) entryId: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ name: 'other_entry_id', type: 'uuid', nullable: true }) otherEntryId: string | null;
  @Column({ name: 'other_dept_id', type: 'uuid', nullable: true }) otherDeptId: string | null;
  @Column({ name: 'element_code', type: 'text', nullable: true }) elementCode: string | null;
  @Column({ type: 'numeric', precision: 5, scale: 4, nullable: true, transformer: { to: (v) => v, from: (v) => (v == null ? null : Number(v)) } })
  score: number | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) detail: Record<string, unknown>;
  @Column({ type: 'text', default: 'open' }) status: 'open' | 'resolved';
  @Column({ type: 'text', nullable: true }) resolution: ConflictResolution | null;
  @Column({ name: 'resolution_note', type: 'text', nullable: true }) resolutionNote: string | null;
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true }) resolvedBy: string | null;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
