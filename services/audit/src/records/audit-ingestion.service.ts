import type { EventContext, EventEnvelope } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../log/audit-log';
import { rows } from '../log/log-store';
import { isDataAccess } from './audit-record.builder';

export interface QuarantineView {
  id: string;
  source: 'quarantine' | 'dead_letter';
  eventId: string | null;
  eventName: string | null;
  reasonCode: string;
  reason: string;
  receivedAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  note: string | null;
  envelope: unknown;
}

/**
 * Receives every event of the platform (from the beginning, through the inbox) and hands it to
 * the log. A data access nobody can be held to account for (no actor) is held in quarantine
 * with the reason instead; events of unknown type or invalid shape are dead-lettered by the
 * consumer and shown in the same quarantine list. Nothing is dropped silently.
 */
@Injectable()
export class AuditIngestion {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly log: AuditLog,
  ) {}

  /** A consumed event: into the intake with the rest of its transaction's events, or into quarantine. */
  async receive({ manager: m, envelope: e, batch }: EventContext): Promise<void> {
    const problem = this.problemOf(e);
    if (problem) {
      await m.query(`INSERT INTO audit.quarantine (event_id, event_name, reason_code, reason, envelope) VALUES ($1, $2, $3, $4, $5)`, [
        e.id,
        e.name,
        problem.code,
        problem.reason,
        JSON.stringify(e),
      ]);
      return;
    }
    this.log.enqueueInBatch(batch, e);
  }

  private problemOf(e: EventEnvelope): { code: string; reason: string } | undefined {
    const actor = e.actor as Partial<NonNullable<EventEnvelope['actor']>> | undefined;
    if (actor && (typeof actor.type !== 'string' || !actor.type))
      return { code: 'ACTOR_INVALID', reason: '事件的操作者缺少类型 / the event actor has no type' };
    if (isDataAccess(e.name) && (!actor || !actor.id))
      return { code: 'ACTOR_MISSING', reason: '数据访问事件缺少操作者，无法追责 / a data access without an actor cannot be traced to anyone' };
    return undefined;
  }

  /** Quarantined events and the audit consumer's dead letters (unknown type, invalid payload), newest first. */
  async quarantine(limit = 100): Promise<QuarantineView[]> {
    const held = await rows<any>(this.ds, `SELECT * FROM audit.quarantine ORDER BY id DESC LIMIT $1`, [limit]);
    const dead = await rows<any>(this.ds, `SELECT * FROM audit.dead_letter WHERE group_id = 'audit' ORDER BY failed_at DESC LIMIT $1`, [limit]);
    const list: QuarantineView[] = [
      ...held.map((q) => ({
        id: `q-${q.id}`,
        source: 'quarantine' as const,
        eventId: q.event_id,
        eventName: q.event_name,
        reasonCode: q.reason_code,
        reason: q.reason,
        receivedAt: new Date(q.received_at).toISOString(),
        releasedAt: q.released_at ? new Date(q.released_at).toISOString() : null,
        releasedBy: q.released_by,
        note: q.note,
        envelope: q.envelope,
      })),
      ...dead.map((d) => ({
        id: `d-${d.id}`,
        source: 'dead_letter' as const,
        eventId: d.event_id,
        eventName: d.event_name ?? eventNameIn(d.record_value),
        reasonCode: /unknown event/.test(d.error) ? 'UNKNOWN_TYPE' : d.attempts === 0 ? 'INVALID_EVENT' : 'HANDLER_FAILED',
        reason: String(d.error).split('\n')[0],
        receivedAt: new Date(d.failed_at).toISOString(),
        releasedAt: null,
        releasedBy: null,
        note: null,
        envelope: d.record_value,
      })),
    ];
    return list.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, limit);
  }

  /** An auditor lets a held event into the log (with a note); the release is itself recorded. */
  async release(id: number, by: { userId: string; name: string; deptId?: string; ip?: string }, note: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [q] = await rows<any>(m, `SELECT * FROM audit.quarantine WHERE id = $1 AND released_at IS NULL FOR UPDATE`, [id]);
      if (!q) return false;
      await m.query(`UPDATE audit.quarantine SET released_at = now(), released_by = $2, note = $3 WHERE id = $1`, [id, by.userId, note]);
      await this.log.enqueue(m, q.envelope);
      await this.log.enqueueOwn(m, 'audit.quarantine.released', String(q.event_id ?? id), { eventId: q.event_id, reasonCode: q.reason_code, note }, { actor: { type: 'user', id: by.userId, name: by.name, deptId: by.deptId, ip: by.ip } });
      return true;
    });
  }
}

function eventNameIn(value: unknown): string | null {
  try {
    const v = typeof value === 'string' ? JSON.parse(value) : value;
    return typeof v?.name === 'string' ? v.name : null;
  } catch {
    return null;
  }
}
