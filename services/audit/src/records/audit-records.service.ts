import type { EventEnvelope } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecord } from './audit-record.entity';
import { AuditRecordView, ListAuditRecordsQuery } from './dto/audit-records.dto';

/** `org.department.registered` → object type `department`. */
function objectTypeOf(eventName: string): string {
  const parts = eventName.split('.');
  return parts.length >= 3 ? parts[parts.length - 2] : parts[0];
}

@Injectable()
export class AuditRecordsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Records an event once (the inbox already de-duplicates; the unique event id is the backstop). */
  async record(m: EntityManager, e: EventEnvelope): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(AuditRecord)
      .values({
        eventId: e.id,
        eventName: e.name,
        eventVersion: e.version,
        producer: e.producer,
        occurredAt: new Date(e.occurredAt),
        correlationId: e.correlationId ?? null,
        actorType: e.actor?.type ?? null,
        actorId: e.actor?.id ?? null,
        actorName: e.actor?.name ?? null,
        actorDeptId: e.actor?.deptId ?? null,
        actorIp: e.actor?.ip ?? null,
        objectType: objectTypeOf(e.name),
        objectId: e.key,
        payload: e.payload,
      })
      .orIgnore()
      .execute();
  }

  async list(q: ListAuditRecordsQuery): Promise<AuditRecordView[]> {
    const qb = this.dataSource.getRepository(AuditRecord).createQueryBuilder('r').orderBy('r.seq', 'DESC').limit(q.limit ?? 100);
    if (q.eventName) qb.andWhere('r.eventName = :eventName', { eventName: q.eventName });
    if (q.objectId) qb.andWhere('r.objectId = :objectId', { objectId: q.objectId });
    if (q.correlationId) qb.andWhere('r.correlationId = :correlationId', { correlationId: q.correlationId });
    if (q.actorId) qb.andWhere('r.actorId = :actorId', { actorId: q.actorId });
    const rows = await qb.getMany();
    return rows.map((r) => ({
      seq: Number(r.seq),
      eventId: r.eventId,
      eventName: r.eventName,
      producer: r.producer,
      occurredAt: r.occurredAt.toISOString(),
      recordedAt: r.recordedAt.toISOString(),
      correlationId: r.correlationId,
      actor: r.actorType ? { type: r.actorType, id: r.actorId, name: r.actorName, deptId: r.actorDeptId, ip: r.actorIp } : null,
      object: { type: r.objectType, id: r.objectId },
      payload: r.payload as Record<string, unknown>,
    }));
  }
}
