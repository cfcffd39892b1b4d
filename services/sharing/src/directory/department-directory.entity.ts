import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Sharing's own copy of the department directory, fed by org.department.registered. */
@Entity({ name: 'department_directory' })
export class DepartmentDirectoryEntry {
  @PrimaryColumn('uuid', { name: 'dept_id' }) deptId: string;
  @Column() name: string;
  @Column({ name: 'credit_code' }) creditCode: string;
  @Column({ name: 'region_code' }) regionCode: string;
  @Column() level: string;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
