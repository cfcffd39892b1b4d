import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One audited event: who did what to which object, when, under which correlation id. */
@Entity({ name: 'audit_record' })
export class AuditRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' }) seq: string;
  @Column({ name: 'event_id', type: 'uuid', unique: true }) eventId: string;
  @Column({ name: 'event_name' }) eventName: string;
  @Column({ name: 'event_version', type: 'int' }) eventVersion: number;
  @Column() producer: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' }) recordedAt: Date;
  @Column({ name: 'correlation_id', type: 'text', nullable: true }) correlationId: string | null;
  @Column({ name: 'actor_type', type: 'text', nullable: true }) actorType: string | null;
  @Column({ name: 'actor_id', type: 'text', nullable: true }) actorId: string | null;
  @Column({ name: 'actor_name', type: 'text', nullable: true }) actorName: string | null;
  @Column({ name: 'actor_dept_id', type: 'text', nullable: true }) actorDeptId: string | null;
  @Column({ name: 'actor_ip', type: 'text', nullable: true }) actorIp: string | null;
  @Column({ name: 'object_type' }) objectType: string;
  @Column({ name: 'object_id' }) objectId: string;
  @Column({ type: 'jsonb' }) payload: object;
}
