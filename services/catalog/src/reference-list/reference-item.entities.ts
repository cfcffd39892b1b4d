import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** 参考清单 item: data a department is expected to catalog (黄石). */
@Entity({ name: 'reference_item' })
export class ReferenceItem {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'list_name' }) listName: string;
  @Column() name: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ name: 'domain_code', type: 'text', nullable: true }) domainCode: string | null;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}

/** 不开放依据及理由 given by the department for a reference item it does not catalog. */
@Entity({ name: 'reference_exemption' })
export class ReferenceExemption {
  @PrimaryColumn({ name: 'reference_item_id', type: 'uuid' }) referenceItemId: string;
  @Column() reason: string;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
