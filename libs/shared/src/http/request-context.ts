import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What travels with one request or one consumed event: the correlation id and who acts. */
export interface RequestContext {
  correlationId: string;
  actor?: ActorRef;
}

export interface ActorRef {
  type: 'user' | 'app' | 'system' | 'anonymous';
  id: string;
  name?: string;
  deptId?: string;
  ip?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function correlationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Sets the actor on the current context (called by the auth guard once the caller is known). */
export function setActor(actor: ActorRef): void {
  const store = storage.getStore();
  if (store) store.actor = actor;
}

const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Accept a caller-supplied id only if it is sane, so logs cannot be injected through it. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID_ID.test(value) ? value : randomUUID();
}
