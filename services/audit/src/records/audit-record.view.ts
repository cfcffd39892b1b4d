import { AuditLogRecord, decodeRecord } from '@gov/shared';
import { ApiProperty } from '@nestjs/swagger';

/** One audit record as the API shows it: the signed content, plus its leaf hash. */
export class AuditRecordView {
  @ApiProperty() seq: number;
  @ApiProperty() eventId: string;
  @ApiProperty() eventName: string;
  @ApiProperty() producer: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({ nullable: true, type: String }) correlationId: string | null;
  @ApiProperty({ nullable: true, type: Object }) actor: AuditLogRecord['actor'];
  @ApiProperty() object: { type: string; id: string };
  @ApiProperty({ type: Object }) refs: AuditLogRecord['refs'];
  @ApiProperty({ nullable: true, type: String }) outcome: AuditLogRecord['outcome'];
  @ApiProperty({ nullable: true, type: Number }) rowCount: number | null;
  @ApiProperty({ nullable: true, type: [String] }) fields: string[] | null;
  @ApiProperty({ nullable: true, type: Boolean }) personalData: boolean | null;
  @ApiProperty({ type: Object }) payload: Record<string, unknown>;
  @ApiProperty({ description: 'SHA-256(0x00 || canonical record bytes), hex' }) leafHash: string;
}

/** Rows are shown from their signed bytes, so what an auditor reads is what the tree covers. */
export function toView(row: { body: Buffer; leaf_hash: Buffer }): AuditRecordView {
  const r = decodeRecord(row.body);
  return {
    seq: r.seq,
    eventId: r.eventId,
    eventName: r.eventName,
    producer: r.producer,
    occurredAt: r.occurredAt,
    recordedAt: r.recordedAt,
    correlationId: r.correlationId,
    actor: r.actor,
    object: r.object,
    refs: r.refs,
    outcome: r.outcome,
    rowCount: r.rowCount,
    fields: r.fields,
    personalData: r.personalData,
    payload: r.payload,
    leafHash: row.leaf_hash.toString('hex'),
  };
}
