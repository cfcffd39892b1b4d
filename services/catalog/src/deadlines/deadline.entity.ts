import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** 时限 kinds: register the resources of a new system; update an entry after a change. */
export type DeadlineKind = 'register_linked_resource' | 'update_changed_entry';

/** An obligation with a time limit in Chinese working days. */
@Entity({ name: 'deadline' })
export class Deadline {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'text' }) kind: DeadlineKind;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ name: 'subject_type', type: 'text' }) subjectType: 'system' | 'entry';
  @Column({ name: 'subject_id', type: 'uuid' }) subjectId: string;
  @Column({ name: 'started_on', type: 'date' }) startedOn: string;
  @Column({ name: 'limit_working_days', type: 'int' }) limitWorkingDays: number;
  @Column({ name: 'due_on', type: 'date' }) dueOn: string;
  @Column({ type: 'text', default: 'open' }) status: 'open' | 'met' | 'overdue';
  @Column({ type: 'text', nullable: true }) reason: string | null;
  @Column({ name: 'met_at', type: 'timestamptz', nullable: true }) metAt: Date | null;
  @Column({ name: 'overdue_at', type: 'timestamptz', nullable: true }) overdueAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
