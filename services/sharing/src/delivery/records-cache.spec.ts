import { createLogger, ServiceRuntime } from '@gov/shared';
import type { Grant } from '../grants/grant.model';
import type { GrantsService } from '../grants/grants.service';
import type { SharingSettings } from '../sharing.settings';
import { RecordsService } from './records.service';

/** A lookup that resolves when the test says so, counting calls. */
function deferredLookups<T>() {
  const pending: ((v: T) => void)[] = [];
  let calls = 0;
  return {
    fn: () => {
      calls++;
      return new Promise<T>((resolve) => pending.push(resolve));
    },
    resolveAll: (v: T) => pending.splice(0).forEach((r) => r(v)),
    calls: () => calls,
  };
}

const grant = (over: Partial<Grant> = {}) => ({ id: 'g1', entryId: 'e1', quotaRows: null, status: 'active', ...over }) as Grant;

function service(grants: Partial<GrantsService>, datasets: { forEntry: () => Promise<unknown> }) {
  const runtime = { databaseUrl: 'postgres://nobody@127.0.0.1:1/none', logger: createLogger('test', 'silent') } as ServiceRuntime;
  const store = { forEntry: datasets.forEntry, onNewVersion: () => undefined, onSensitiveChange: () => undefined };
  const catalog = { find: async () => ({ items: [], shareType: 'CONDITIONAL' }) };
  const svc = new RecordsService({} as never, grants as GrantsService, store as never, catalog as never, {} as never, {} as never, runtime, { readPoolSize: 1 } as SharingSettings);
  const inner = svc as unknown as { resolveKey(k: string): Promise<{ grant: Grant } | undefined>; entryFacts(id: string): Promise<unknown> };
  return { svc, resolveKey: (k: string) => inner.resolveKey(k), entryFacts: (id: string) => inner.entryFacts(id) };
}

describe('records endpoint caches', () => {
  it('makes one credential lookup for reads that arrive together, and a fresh one after a grant change', async () => {
    const lookups = deferredLookups<{ grant: Grant; keyPrefix: string }>();
    const grants = { generation: 0, resolveKey: lookups.fn } as unknown as GrantsService;
    const { svc, resolveKey } = service(grants, { forEntry: async () => undefined });
    const reads = Array.from({ length: 32 }, () => resolveKey('sgk_k'));
    lookups.resolveAll({ grant: grant(), keyPrefix: 'k' });
    expect((await Promise.all(reads)).every((r) => r?.grant.id === 'g1')).toBe(true);
    expect(lookups.calls()).toBe(1);
    await resolveKey('sgk_k');
    expect(lookups.calls()).toBe(1);
    // A suspension, revocation or credential change in this process bumps the generation.
    (grants as { generation: number }).generation++;
    const after = resolveKey('sgk_k');
    lookups.resolveAll({ grant: grant({ status: 'suspended' }), keyPrefix: 'k' });
    expect((await after)?.grant.status).toBe('suspended');
    expect(lookups.calls()).toBe(2);
    await svc.onApplicationShutdown();
  });

  it('does not keep a lookup that started before a grant change, nor unknown keys', async () => {
    const lookups = deferredLookups<{ grant: Grant; keyPrefix: string } | undefined>();
    const grants = { generation: 0, resolveKey: lookups.fn } as unknown as GrantsService;
    const { svc, resolveKey } = service(grants, { forEntry: async () => undefined });
    const racing = resolveKey('sgk_k');
    (grants as { generation: number }).generation++;
    lookups.resolveAll({ grant: grant(), keyPrefix: 'k' });
    await racing;
    const next = resolveKey('sgk_k');
    lookups.resolveAll({ grant: grant({ status: 'revoked' }), keyPrefix: 'k' });
    expect((await next)?.grant.status).toBe('revoked');
    expect(lookups.calls()).toBe(2);
    const unknown = resolveKey('sgk_x');
    lookups.resolveAll(undefined);
    expect(await unknown).toBeUndefined();
    const again = resolveKey('sgk_x');
    lookups.resolveAll(undefined);
    await again;
    expect(lookups.calls()).toBe(4);
    await svc.onApplicationShutdown();
  });

  it('looks a quota grant up afresh for every read, so its delivered-row count never lags', async () => {
    let calls = 0;
    const grants = { generation: 0, resolveKey: async () => ({ grant: grant({ quotaRows: 10, rowsDelivered: calls++ }), keyPrefix: 'k' }) } as unknown as GrantsService;
    const { svc, resolveKey } = service(grants, { forEntry: async () => undefined });
    await resolveKey('sgk_q');
    await resolveKey('sgk_q');
    expect(((await resolveKey('sgk_q'))?.grant as Grant).rowsDelivered).toBe(2);
    expect(calls).toBe(3);
    await svc.onApplicationShutdown();
  });

  it('shares one entry lookup between concurrent reads; a new version, even during a lookup, makes the next read look up anew', async () => {
    const lookups = deferredLookups<unknown>();
    const { svc, entryFacts } = service({ generation: 0 } as unknown as GrantsService, { forEntry: lookups.fn });
    const reads = Array.from({ length: 10 }, () => entryFacts('e1'));
    lookups.resolveAll({ version: 1 });
    await Promise.all(reads);
    expect(lookups.calls()).toBe(1);
    await entryFacts('e1');
    expect(lookups.calls()).toBe(1);
    svc.forgetEntry('e1');
    const racing = entryFacts('e1');
    // A new version while that lookup is in flight: the next read does not join it.
    svc.forgetEntry('e1');
    const meanwhile = entryFacts('e1');
    lookups.resolveAll({ version: 2 });
    await Promise.all([racing, meanwhile]);
    expect(lookups.calls()).toBe(3);
    await entryFacts('e1');
    expect(lookups.calls()).toBe(3);
    await svc.onApplicationShutdown();
  });
});
