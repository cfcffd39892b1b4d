import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** 政务信息系统: a department's system that data is catalogued from (数据—系统 relation). */
@Entity({ name: 'information_system' })
export class InformationSystem {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column() name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
