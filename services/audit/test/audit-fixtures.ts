import { randomUUID } from 'node:crypto';
import { ActorRef, createEnvelope, DataAccessV1, EventEnvelope, EventName, PayloadOf } from '@gov/shared';
import { AuditLog } from '../src/log/audit-log';
import { eventually, TestPlatform } from '../../../test/test-platform';

export const uuid = () => randomUUID();

/** Publishes a platform event as its producer would (through the transport the audit service reads). */
export async function publish<N extends EventName>(
  p: TestPlatform,
  name: N,
  payload: PayloadOf<N>,
  meta: { actor?: ActorRef; correlationId?: string; occurredAt?: Date; producer?: EventEnvelope['producer'] } = {},
): Promise<EventEnvelope<N>> {
  const env = createEnvelope(name, payload, { producer: meta.producer ?? ((name.startsWith('open.') ? 'open-api' : name.split('.')[0]) as EventEnvelope['producer']), ...meta });
  await publishRaw(p, name, env.key, env);
  return env;
}

export async function publishRaw(p: TestPlatform, topic: string, key: string, value: unknown): Promise<void> {
  await p.runtime.transport.publish([{ topic, key, value: typeof value === 'string' ? value : JSON.stringify(value) }]);
}

/** A data access (DataAccessV1) with sensible defaults; override what the test varies. */
export function access(overrides: Partial<DataAccessV1> = {}): DataAccessV1 {
  return Object.assign(new DataAccessV1(), {
    channel: 'grant',
    kind: 'records',
    outcome: 'allowed',
    datasetId: null,
    entryId: null,
    providerDeptId: null,
    version: 1,
    grantId: null,
    consumerDeptId: null,
    fields: ['企业名称'],
    rowCount: 10,
    personalData: false,
    at: new Date().toISOString(),
    ...overrides,
  });
}

export const user = (id: string, deptId?: string, name = '测试用户'): ActorRef => ({ type: 'user', id, name, deptId, ip: '10.1.2.3' });

export function auditLogOf(p: TestPlatform): AuditLog {
  return p.server.apps.audit.get(AuditLog);
}

/** Waits until the audit service consumed and logged an event. */
export async function logged(p: TestPlatform, eventId: string, timeoutMs = 15000): Promise<number> {
  const log = auditLogOf(p);
  return eventually(async () => {
    await log.flush();
    const r = await p.pool.query(`SELECT seq FROM audit.audit_record WHERE event_id = $1`, [eventId]);
    return r.rows.length ? Number(r.rows[0].seq) + 1 : undefined;
  }, timeoutMs).then((n) => n - 1);
}

/** Waits until the audit consumer is idle: every published event consumed and logged. */
export async function settled(p: TestPlatform): Promise<number> {
  const log = auditLogOf(p);
  let last = -1;
  let stable = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    await log.flush();
    const size = await log.size();
    stable = size === last ? stable + 1 : 0;
    last = size;
    if (stable >= 3) return size;
  }
}

export class AuditApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string; headers: Headers }> {
    const res = await fetch(`${this.base}/api/audit${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  async expect<T = any>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
    return res.body;
  }
}
