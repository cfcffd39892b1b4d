import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** 部门: a government department that provides and uses data. */
@Entity({ name: 'department' })
export class Department {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column() name: string;
  /** 统一社会信用代码, used as the 信息资源提供方代码. */
  @Column({ name: 'credit_code', unique: true }) creditCode: string;
  /** Short code used in demo usernames and exports, e.g. `scjg`. */
  @Column({ unique: true }) code: string;
  @Column({ name: 'region_code' }) regionCode: string;
  @Column() level: 'city' | 'district';
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
