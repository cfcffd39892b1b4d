import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Page, pageOf, PageQuery } from '@gov/shared';
import type { StaffPrincipal, StaffRole } from '@gov/shared';
import { updateReturning } from '../db';
import { SharingErrors } from '../sharing.errors';
import { SHARING_SETTINGS, SharingSettings } from '../sharing.settings';
import { openSecret, sealSecret } from './secret-seal';

export interface NotifyInput {
  /** Department whose inbox gets it; null with role 'data_admin' = the data bureau. */
  deptId: string | null;
  /** Only this role sees it (e.g. dept_reviewer for a review task); null = everyone in the department. */
  role?: StaffRole | null;
  kind: string;
  title: string;
  body: string;
  subjectType?: string;
  subjectId?: string;
}

/** One inbox message. */
export interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  subjectType: string | null;
  subjectId: string | null;
  role: StaffRole | null;
  createdAt: Date;
  readAt: Date | null;
}

/** In-app inbox (站内消息) per department and role, mirrored to the department's signed webhook. */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('Notifications');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
  ) {}

  /** In the caller's transaction: a notification exists iff the change that caused it committed. */
  async notify(m: EntityManager, n: NotifyInput): Promise<string> {
    // One round trip: the inbox row and, when the department has a webhook, its delivery.
    const [row] = await m.query(
      `WITH n AS (
         INSERT INTO sharing.notification (dept_id, role, kind, title, body, subject_type, subject_id) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id, created_at
       ), w AS (
         INSERT INTO sharing.webhook_delivery (dept_id, notification_id, payload)
         SELECT h.dept_id, n.id, jsonb_build_object('id', n.id, 'kind', $3::text, 'title', $4::text, 'body', $5::text, 'subjectType', $6::text, 'subjectId', $7::uuid, 'role', $2::text, 'createdAt', n.created_at)
           FROM sharing.webhook h, n WHERE h.dept_id = $1 AND h.active
       )
       SELECT id FROM n`,
      [n.deptId, n.role ?? null, n.kind, n.title, n.body, n.subjectType ?? null, n.subjectId ?? null],
    );
    return row.id;
  }

  /** What this staff member sees: their department's messages for all or their roles; the bureau's for data_admin. Newest first (id tie-break), paged. */
  async inbox(staff: StaffPrincipal, unreadOnly: boolean, q: PageQuery = {}): Promise<Page<Notice>> {
    return pageOf(
      this.dataSource,
      {
        select: `id, kind, title, body, subject_type AS "subjectType", subject_id AS "subjectId", role, created_at AS "createdAt", read_at AS "readAt"`,
        from: `FROM sharing.notification
        WHERE ((dept_id = $1 AND (role IS NULL OR role = ANY($2))) OR (dept_id IS NULL AND role = ANY($2)))
          AND ($3::boolean = false OR read_at IS NULL)`,
        orderBy: 'created_at DESC, id DESC',
      },
      [staff.deptId, staff.roles, unreadOnly],
      q,
      (r) => r as Notice,
    );
  }

  async markRead(staff: StaffPrincipal, id: string): Promise<void> {
    const res = await updateReturning(
      this.dataSource.manager,
      `UPDATE sharing.notification SET read_at = coalesce(read_at, now())
        WHERE id=$1 AND ((dept_id = $2 AND (role IS NULL OR role = ANY($3))) OR (dept_id IS NULL AND role = ANY($3))) RETURNING id`,
      [id, staff.deptId, staff.roles],
    );
    if (res.length === 0) throw SharingErrors.notificationNotFound(id);
  }

  /** Sets the department's webhook; the signing secret is returned once and stored sealed. */
  async setWebhook(deptId: string, url: string): Promise<{ url: string; secret: string; signature: string }> {
    let host: string;
    try {
      const u = new URL(url);
      if (!/^https?:$/.test(u.protocol)) throw new Error('scheme');
      host = u.hostname.toLowerCase();
    } catch {
      throw SharingErrors.webhookUrl();
    }
    if (this.settings.webhookAllowedHosts && !this.settings.webhookAllowedHosts.includes(host)) throw SharingErrors.webhookUrl();
    if (!this.settings.credentialsKey) throw SharingErrors.credentialsKeyMissing();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const sealed = sealSecret({ secret }, this.settings.credentialsKey, `webhook:${deptId}`);
    await this.dataSource.query(
      `INSERT INTO sharing.webhook (dept_id, url, sealed_secret, active, updated_at) VALUES ($1,$2,$3,true,now())
       ON CONFLICT (dept_id) DO UPDATE SET url=EXCLUDED.url, sealed_secret=EXCLUDED.sealed_secret, active=true, updated_at=now()`,
      [deptId, url, sealed],
    );
    return { url, secret, signature: 'X-Signature: sha256=hex(HMAC-SHA256(secret, `${X-Timestamp}.${body}`))' };
  }

  async deliveries(deptId: string): Promise<unknown[]> {
    return this.dataSource.query(
      `SELECT id, notification_id AS "notificationId", attempts, status, last_status AS "lastStatus", last_error AS "lastError", delivered_at AS "deliveredAt"
         FROM sharing.webhook_delivery WHERE dept_id=$1 ORDER BY id DESC LIMIT 100`,
      [deptId],
    );
  }

  /** One pass over due webhook deliveries: POST, signed; retried with exponential backoff, then given up. */
  async deliverWebhooks(): Promise<number> {
    if (!this.settings.credentialsKey) return 0;
    const due = await this.dataSource.query(
      `SELECT d.id, d.dept_id, d.payload, d.attempts, w.url, w.sealed_secret FROM sharing.webhook_delivery d JOIN sharing.webhook w USING (dept_id)
        WHERE d.status='pending' AND d.next_at <= now() ORDER BY d.id LIMIT 20`,
    );
    for (const d of due) {
      const body = JSON.stringify(d.payload);
      const timestamp = String(Math.floor(Date.now() / 1000));
      let status: number | null = null;
      let error: string | null = null;
      try {
        const { secret } = openSecret<{ secret: string }>(d.sealed_secret, this.settings.credentialsKey, `webhook:${d.dept_id}`);
        const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
        const res = await fetch(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': `sha256=${signature}`, 'x-delivery-id': String(d.id) },
          body,
          signal: AbortSignal.timeout(5000),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 300) error = `HTTP ${res.status}`;
      } catch (err) {
        error = (err as Error).message;
      }
      const attempts = d.attempts + 1;
      if (!error) {
        await this.dataSource.query(`UPDATE sharing.webhook_delivery SET status='delivered', attempts=$2, last_status=$3, last_error=NULL, delivered_at=now() WHERE id=$1`, [d.id, attempts, status]);
      } else {
        const giveUp = attempts >= this.settings.webhookMaxAttempts;
        const delayMs = this.settings.webhookBackoffMs * 2 ** (attempts - 1);
        await this.dataSource.query(
          `UPDATE sharing.webhook_delivery SET status=$2, attempts=$3, last_status=$4, last_error=$5, next_at=now() + ($6 || ' milliseconds')::interval WHERE id=$1`,
          [d.id, giveUp ? 'failed' : 'pending', attempts, status, error.slice(0, 500), String(delayMs)],
        );
        if (giveUp) this.logger.warn(`webhook delivery ${d.id} to ${d.url} gave up after ${attempts} attempts: ${error}`);
      }
    }
    return due.length;
  }
}
