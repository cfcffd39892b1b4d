import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ActorRef } from '../http/request-context';
import { EVENT_CATALOG, EventName, isEventName, PayloadOf } from './contracts/event-catalog';
import type { ServiceName } from './contracts/services';
import { compilePayloadCheck, PayloadCheck } from './payload-check';

/** What goes over every transport: the payload plus the metadata audit and tracing need. */
export interface EventEnvelope<N extends EventName = EventName> {
  id: string;
  name: N;
  version: number;
  key: string;
  occurredAt: string;
  producer: ServiceName;
  correlationId?: string;
  actor?: ActorRef;
  payload: PayloadOf<N>;
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** Compiled per event name at its first use, when every contract class has its rules (null: class-validator only). */
const payloadChecks = new Map<EventName, PayloadCheck | null>();

function payloadCheck(name: EventName): PayloadCheck | null {
  let check = payloadChecks.get(name);
  if (check === undefined) payloadChecks.set(name, (check = compilePayloadCheck(EVENT_CATALOG[name].payload as new () => object) ?? null));
  return check;
}

/** The payload if it passes its contract, not copied (createEnvelope copies it; a transport's is freshly parsed); throws InvalidEventError. */
function validatePayload<N extends EventName>(name: N, payload: unknown): PayloadOf<N> {
  const contract = EVENT_CATALOG[name];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new InvalidEventError(`${name} payload must be an object`);
  if (payloadCheck(name)?.(payload as Record<string, unknown>)) return payload as PayloadOf<N>;
  // Invalid (or a contract the check does not model): class-validator decides and says why.
  const instance = plainToInstance(contract.payload as new () => object, payload) as PayloadOf<N>;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const detail = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; ');
    throw new InvalidEventError(`${name} payload invalid: ${detail}`);
  }
  return instance;
}

export function createEnvelope<N extends EventName>(
  name: N,
  payload: PayloadOf<N>,
  meta: { producer: ServiceName; correlationId?: string; actor?: ActorRef; occurredAt?: Date },
): EventEnvelope<N> {
  const valid = validatePayload(name, payload);
  const contract = EVENT_CATALOG[name] as unknown as { version: number; key: (p: PayloadOf<N>) => string };
  return {
    id: randomUUID(),
    name,
    version: contract.version,
    key: contract.key(valid),
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    producer: meta.producer,
    correlationId: meta.correlationId,
    actor: meta.actor,
    payload: { ...valid },
  };
}

/** Checks an envelope that arrived from a transport against its contract; throws InvalidEventError. */
export function parseEnvelope(raw: unknown): EventEnvelope {
  const env = (typeof raw === 'string' ? JSON.parse(raw) : raw) as EventEnvelope;
  if (!env || typeof env !== 'object' || typeof env.id !== 'string' || typeof env.name !== 'string')
    throw new InvalidEventError('not an event envelope');
  if (!isEventName(env.name)) throw new InvalidEventError(`unknown event ${env.name}`);
  const expected = EVENT_CATALOG[env.name].version;
  if (env.version !== expected) throw new InvalidEventError(`${env.name} version ${env.version} not supported (expected ${expected})`);
  return { ...env, payload: validatePayload(env.name, env.payload) } as EventEnvelope;
}
