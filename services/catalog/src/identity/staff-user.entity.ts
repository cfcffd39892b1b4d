import type { StaffRole } from '@gov/shared';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A staff account (工作人员). The password is stored as an scrypt hash only. */
@Entity({ name: 'staff_user' })
export class StaffUser {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ unique: true }) username: string;
  @Column({ name: 'display_name' }) displayName: string;
  @Column({ name: 'password_hash' }) passwordHash: string;
  @Column({ name: 'dept_id', type: 'uuid' }) deptId: string;
  @Column({ type: 'text', array: true }) roles: StaffRole[];
  @Column({ default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
