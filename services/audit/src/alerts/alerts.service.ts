import { randomUUID } from 'node:crypto';
import { AuditLogRecord, decodeRecord, DomainException, Page, pageOf, PageQuery } from '@gov/shared';
import { HttpStatus, Inject, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { AppendedRecord, AuditLog } from '../log/audit-log';
import { rows, Sql } from '../log/log-store';
import { isDataAccess } from '../records/audit-record.builder';
import { keysMatch, searchKey } from '../records/search-keys';
import { ACCESS_EVENTS } from '../traces/traces.service';
import { AccessFact, AlertCandidate, CountFilter, evaluateBatch, evaluateEach, GrantFact, mergeRules, RULE_NAMES, RuleContext, RuleName, RuleParams, Subject } from './alert-rules';

/** The indexed key of an alert subject (actor or app). */
const subjectKey = (s: Subject): string => searchKey(s.column === 'app_id' ? 'appId' : 'actorId', s.id);

export type AlertStatus = 'open' | 'acknowledged' | 'closed';

export interface AlertView {
  id: string;
  rule: string;
  severity: string;
  status: AlertStatus;
  title: { zh: string; en: string };
  subject: Record<string, unknown>;
  evidenceSeqs: number[];
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
}

export interface Auditor {
  userId: string;
  name: string;
  deptId?: string;
}

const REFUSED = 'audit.access.refused';
/** What the rules count: data accesses, and refusals of the audit log itself (repeated 403s). */
const COUNTED = [...ACCESS_EVENTS, REFUSED];

export const AlertErrors = {
  notFound: (id: string) => new DomainException('NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `告警 ${id} 不存在`, en: `Alert ${id} not found` }),
  transition: (from: string, to: string) =>
    new DomainException('AUDIT_ALERT_TRANSITION', HttpStatus.CONFLICT, { zh: `告警状态不能从「${from}」变为「${to}」（待处理 → 已确认 → 已关闭）`, en: `An alert cannot go from ${from} to ${to} (open → acknowledged → closed)` }),
  unknownRule: (rule: string) => new DomainException('AUDIT_RULE_UNKNOWN', HttpStatus.NOT_FOUND, { zh: `告警规则 ${rule} 不存在`, en: `No alert rule ${rule}` }),
};

/** The records a rule counts for a subject in [$2, $3) ($1 subject id, $4 event names, $5 its search key). */
function counted(s: Subject, only?: CountFilter): string {
  const extra =
    only === 'denied'
      ? ` AND outcome = 'denied'`
      : only === 'personal'
        ? ` AND outcome = 'allowed' AND personal_data`
        : only === 'download'
          ? ` AND outcome = 'allowed' AND convert_from(body, 'UTF8')::jsonb #>> '{payload,kind}' = 'download'`
          : '';
  return `${keysMatch(`$5`)} AND ${s.column} = $1 AND occurred_at >= $2 AND occurred_at < $3 AND event_name = ANY($4)${extra}`;
}

function toView(r: any): AlertView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: r.id,
    rule: r.rule,
    severity: r.severity,
    status: r.status,
    title: { zh: r.title_zh, en: r.title_en },
    subject: r.subject,
    evidenceSeqs: (r.evidence_seqs as string[]).map(Number),
    createdAt: new Date(r.created_at).toISOString(),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
    note: r.note,
  };
}

/** The view of a record the rules need (DataAccessV1 fields, or a refusal of the audit API). */
export function accessFactOf(seq: number, r: AuditLogRecord): AccessFact | undefined {
  if (!isDataAccess(r.eventName) && r.eventName !== REFUSED) return undefined;
  const p = r.payload as Record<string, any>;
  return {
    seq,
    at: new Date(r.occurredAt),
    eventName: r.eventName,
    actorType: r.actor?.type ?? null,
    actorId: r.actor?.id ?? null,
    appId: r.refs.appId,
    keyPrefix: typeof p.keyPrefix === 'string' ? p.keyPrefix : null,
    deptId: r.actor?.deptId ?? r.refs.consumerDeptId,
    datasetId: r.refs.datasetId,
    grantId: r.refs.grantId,
    kind: typeof p.kind === 'string' ? p.kind : null,
    outcome: r.outcome === 'denied' ? 'denied' : 'allowed',
    reasonCode: typeof p.reasonCode === 'string' ? p.reasonCode : typeof p.code === 'string' ? p.code : null,
    fields: r.fields ?? [],
    rowCount: r.rowCount ?? 0,
    personalData: r.personalData === true,
  };
}

/**
 * 告警: evaluates the rules on every new record in log order, keeps the auditors' queue
 * (open → acknowledged → closed with a note) and logs each alert and each change of state.
 */
@Injectable()
export class AlertsService implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly log: AuditLog,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
  ) {}

  onModuleInit(): void {
    // New records only wake the rules up; what they evaluate comes from the cursor.
    this.log.onAppended(() => this.catchUp());
  }

  onApplicationBootstrap(): void {
    void this.catchUp().catch(() => undefined);
  }

  /**
   * Evaluates every record after the cursor, in log order, then moves the cursor. The cursor row
   * is locked meanwhile, so two processes never evaluate the same records at once; alerts are
   * unique per situation, so evaluating a record twice after a crash raises nothing twice.
   */
  async catchUp(): Promise<void> {
    for (;;) {
      const done = await this.ds.transaction(async (m) => {
        const [c] = await rows<{ upto: string }>(m, `SELECT upto FROM audit.alert_cursor WHERE name = 'alerts' FOR UPDATE SKIP LOCKED`);
        if (!c) return true;
        const list = await rows<{ seq: string; body: Buffer }>(m, `SELECT seq, body FROM audit.audit_record WHERE seq >= $1 ORDER BY seq LIMIT 2000`, [Number(c.upto)]);
        if (!list.length) return true;
        await this.onRecords(list.map((r) => ({ seq: Number(r.seq), record: decodeRecord(r.body) })));
        await m.query(`UPDATE audit.alert_cursor SET upto = $1 WHERE name = 'alerts'`, [Number(list[list.length - 1].seq) + 1]);
        return list.length < 2000;
      });
      if (done) return;
    }
  }

  async params(): Promise<RuleParams> {
    const saved = await rows<{ rule: string; enabled: boolean; params: Record<string, unknown> }>(this.ds, `SELECT rule, enabled, params FROM audit.alert_rule`);
    return mergeRules(this.settings.alertRules, Object.fromEntries(saved.map((s) => [s.rule, { ...s.params, enabled: s.enabled }])));
  }

  async onRecords(records: AppendedRecord[]): Promise<void> {
    let params: RuleParams | undefined;
    const facts: AccessFact[] = [];
    const ctx = this.context();
    for (const { seq, record } of records) {
      // Grant changes apply in log order: a read is judged against the grant as it stood then.
      if (record.eventName.startsWith('sharing.grant.')) {
        await this.trackGrant(record);
        continue;
      }
      const fact = accessFactOf(seq, record);
      if (!fact) continue;
      params ??= await this.params();
      for (const c of await evaluateEach(fact, ctx, params)) await this.raise(c);
      facts.push(fact);
    }
    if (!facts.length || !params) return;
    const raisedAmong = async (keys: string[]) =>
      new Set((await rows<{ dedupe_key: string }>(this.ds, `SELECT dedupe_key FROM audit.alert WHERE dedupe_key = ANY($1)`, [keys])).map((r) => r.dedupe_key));
    for (const c of await evaluateBatch(facts, ctx, params, raisedAmong)) await this.raise(c);
  }

  /** The audit service's own view of a grant, from sharing.grant.* in log order. */
  private async trackGrant(r: AuditLogRecord): Promise<void> {
    const p = r.payload as Record<string, any>;
    if (typeof p.grantId !== 'string') return;
    const at = typeof p.at === 'string' ? p.at : r.occurredAt;
    await this.ds.query(
      `INSERT INTO audit.grant_state (grant_id, status, items, valid_to, entry_id, consumer_dept_id, changed_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $2 = 'revoked' THEN $7::timestamptz END)
       ON CONFLICT (grant_id) DO UPDATE SET status = EXCLUDED.status, items = EXCLUDED.items, valid_to = EXCLUDED.valid_to,
         changed_at = EXCLUDED.changed_at, revoked_at = CASE WHEN EXCLUDED.status = 'revoked' THEN EXCLUDED.changed_at END
       WHERE audit.grant_state.changed_at <= EXCLUDED.changed_at`,
      [p.grantId, String(p.status ?? 'active'), Array.isArray(p.items) ? p.items.map(String) : [], p.validTo ?? null, p.entryId ?? null, p.consumerDeptId ?? null, at],
    );
  }

  private context(): RuleContext {
    const ds = this.ds;
    return {
      utcOffsetMinutes: this.settings.utcOffsetMinutes,
      async grant(grantId): Promise<GrantFact | undefined> {
        const [g] = await rows<any>(ds, `SELECT * FROM audit.grant_state WHERE grant_id = $1`, [grantId]);
        return g ? { grantId, status: g.status, items: g.items, validTo: g.valid_to, revokedAt: g.revoked_at ? new Date(g.revoked_at) : null } : undefined;
      },
      async count(s: Subject, from, to, only) {
        const [r] = await rows<any>(
          ds,
          `SELECT count(*) AS n, coalesce(sum(row_count), 0) AS rows, (array_agg(seq ORDER BY seq))[1:200] AS seqs
           FROM audit.audit_record WHERE ${counted(s, only)}`,
          [s.id, from, to, COUNTED, [subjectKey(s)]],
        );
        return { accesses: Number(r.n), rows: Number(r.rows), seqs: (r.seqs ?? []).map(Number) };
      },
      async records(s: Subject, from, to, only) {
        const list = await rows<{ seq: string; occurred_at: Date; row_count: string | null }>(
          ds,
          `SELECT seq, occurred_at, row_count FROM audit.audit_record WHERE ${counted(s, only)} ORDER BY seq`,
          [s.id, from, to, COUNTED, [subjectKey(s)]],
        );
        return list.map((r) => ({ seq: Number(r.seq), at: new Date(r.occurred_at), rows: Number(r.row_count ?? 0) }));
      },
      async dailyCounts(s: Subject, dayStart, days) {
        const from = new Date(dayStart.getTime() - days * 86_400_000);
        const list = await rows<any>(
          ds,
          `SELECT floor(extract(epoch FROM occurred_at - $2::timestamptz) / 86400) AS d, count(*) AS n
           FROM audit.audit_record WHERE ${keysMatch(`$5`)} AND ${s.column} = $1 AND occurred_at >= $2 AND occurred_at < $3 AND event_name = ANY($4) GROUP BY 1`,
          [s.id, from, dayStart, ACCESS_EVENTS, [subjectKey(s)]],
        );
        const counts = new Array<number>(days).fill(0);
        for (const r of list) counts[Number(r.d)] = Number(r.n);
        return counts;
      },
    };
  }

  /** Queues an alert once per situation and logs it. */
  async raise(c: AlertCandidate): Promise<string | undefined> {
    return this.ds.transaction(async (m) => {
      const id = randomUUID();
      const inserted = await rows<{ id: string }>(
        m,
        `INSERT INTO audit.alert (id, rule, severity, status, dedupe_key, title_zh, title_en, subject, evidence_seqs, created_at)
         VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, now()) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [id, c.rule, c.severity, c.dedupeKey, c.title.zh, c.title.en, JSON.stringify(c.subject), c.evidenceSeqs],
      );
      if (!inserted.length) return undefined;
      await this.log.enqueueOwn(m, 'audit.alert.raised', id, { alertId: id, rule: c.rule, severity: c.severity, title: c.title, subject: c.subject, evidenceSeqs: c.evidenceSeqs }, { actor: { type: 'system', id: 'audit' } });
      return id;
    });
  }

  /** The queue, newest first (id tie-break), paged. */
  async list(q: { status?: AlertStatus; rule?: string } & PageQuery = {}): Promise<Page<AlertView>> {
    const params: unknown[] = [];
    const conds: string[] = [];
    if (q.status) conds.push(`status = $${params.push(q.status)}`);
    if (q.rule) conds.push(`rule = $${params.push(q.rule)}`);
    return pageOf(this.ds, { select: '*', from: `FROM audit.alert ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''}`, orderBy: 'created_at DESC, id' }, params, q, toView);
  }

  async get(id: string): Promise<AlertView> {
    const [r] = await rows<any>(this.ds, `SELECT * FROM audit.alert WHERE id = $1`, [id]);
    if (!r) throw AlertErrors.notFound(id);
    return toView(r);
  }

  async acknowledge(id: string, by: Auditor): Promise<AlertView> {
    return this.transition(id, 'acknowledged', by, null);
  }

  async close(id: string, by: Auditor, note: string): Promise<AlertView> {
    return this.transition(id, 'closed', by, note);
  }

  private async transition(id: string, to: 'acknowledged' | 'closed', by: Auditor, note: string | null): Promise<AlertView> {
    return this.ds.transaction(async (m) => {
      const [r] = await rows<any>(m, `SELECT * FROM audit.alert WHERE id = $1 FOR UPDATE`, [id]);
      if (!r) throw AlertErrors.notFound(id);
      const allowed = to === 'acknowledged' ? r.status === 'open' : r.status === 'acknowledged';
      if (!allowed) throw AlertErrors.transition(r.status, to);
      if (to === 'acknowledged') await m.query(`UPDATE audit.alert SET status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2 WHERE id = $1`, [id, by.userId]);
      else await m.query(`UPDATE audit.alert SET status = 'closed', closed_at = now(), closed_by = $2, note = $3 WHERE id = $1`, [id, by.userId, note]);
      await this.log.enqueueOwn(m as Sql, `audit.alert.${to}`, id, { alertId: id, rule: r.rule, from: r.status, to, note }, { actor: { type: 'user', id: by.userId, name: by.name, deptId: by.deptId } });
      const [after] = await rows<any>(m, `SELECT * FROM audit.alert WHERE id = $1`, [id]);
      return toView(after);
    });
  }

  async setRule(rule: string, change: { enabled?: boolean; params?: Record<string, unknown> }, by: Auditor): Promise<RuleParams> {
    if (!(RULE_NAMES as readonly string[]).includes(rule)) throw AlertErrors.unknownRule(rule);
    const current = (await this.params())[rule as RuleName] as Record<string, unknown>;
    const { enabled: _e, ...rest } = { ...current, ...(change.params ?? {}) };
    const enabled = change.enabled ?? (current.enabled as boolean);
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO audit.alert_rule (rule, enabled, params, updated_at, updated_by) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (rule) DO UPDATE SET enabled = EXCLUDED.enabled, params = EXCLUDED.params, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [rule, enabled, JSON.stringify(rest), by.userId],
      );
      await this.log.enqueueOwn(m as Sql, 'audit.alert-rule.changed', rule, { rule, enabled, params: rest }, { actor: { type: 'user', id: by.userId, name: by.name, deptId: by.deptId } });
    });
    return this.params();
  }
}
