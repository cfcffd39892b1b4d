import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainException } from '../errors/problem';
import { runWithContext, RequestContext } from '../http/request-context';
import { ApiKeyResolver, AuthGuard } from './auth.guard';
import { AppAuth, AuthedRequest, Public, Roles } from './decorators';
import type { AppPrincipal, StaffPrincipal } from './principal';
import { TokenService } from './token.service';

const SECRET = 'k'.repeat(32);
const tokens = new TokenService(SECRET, 600);

const operator: StaffPrincipal = {
  kind: 'staff',
  userId: 'user-1',
  username: 'op',
  displayName: '经办人',
  deptId: 'dept-1',
  deptName: '市民政局',
  roles: ['dept_operator'],
};
const admin: StaffPrincipal = { ...operator, userId: 'user-2', username: 'admin', roles: ['data_admin'] };
const app: AppPrincipal = { kind: 'app', appId: 'app-1', developerId: 'dev-1', appName: '便民查询' };
const VALID_KEY = 'gdk_0123abcd_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

class CatalogController {
  @Public() health() {}
  list() {}
  @Roles('data_admin') approve() {}
  @Roles('data_admin', 'dept_reviewer') review() {}
  @AppAuth() openData() {}
  @AppAuth({ optional: true }) openCatalog() {}
}

@Roles('auditor')
class AuditController {
  search() {}
  @Roles('dept_operator') ownDepartment() {}
  @Public() ping() {}
}

type Handler = keyof CatalogController | keyof AuditController;

interface FakeRequest extends AuthedRequest {
  headers: Record<string, string | undefined>;
  ip: string;
  header(name: string): string | undefined;
}

function request(headers: Record<string, string> = {}): FakeRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, ip: '10.1.2.3', header: (name) => lower[name.toLowerCase()] };
}

function context(cls: new () => object, handler: Handler, req: FakeRequest, type = 'http'): ExecutionContext {
  const fn = (cls.prototype as Record<string, () => void>)[handler];
  if (typeof fn !== 'function') throw new Error(`no handler ${String(handler)}`);
  return {
    getType: () => type,
    getClass: () => cls,
    getHandler: () => fn,
    getArgs: () => [req],
    getArgByIndex: (i: number) => [req][i],
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => ({}), getNext: () => () => undefined }),
    switchToRpc: () => {
      throw new Error('not rpc');
    },
    switchToWs: () => {
      throw new Error('not ws');
    },
  } as unknown as ExecutionContext;
}

const resolver: ApiKeyResolver & { resolve: jest.Mock } = {
  resolve: jest.fn(async (key: string) => (key === VALID_KEY ? app : undefined)),
};

const guard = new AuthGuard(new Reflector(), tokens, resolver);
const bearer = (p: StaffPrincipal) => ({ Authorization: `Bearer ${tokens.sign(p).accessToken}` });

async function refusal(promise: Promise<unknown>): Promise<DomainException> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainException);
  return err as DomainException;
}

beforeEach(() => resolver.resolve.mockClear());

describe('AuthGuard: staff endpoints', () => {
  it('lets an anonymous caller through to a @Public endpoint, with no principal', async () => {
    const req = request();
    await expect(guard.canActivate(context(CatalogController, 'health', req))).resolves.toBe(true);
    expect(req.principal).toBeUndefined();
  });

  it('a @Public handler on a @Roles class is open to anonymous callers', async () => {
    await expect(guard.canActivate(context(AuditController, 'ping', request()))).resolves.toBe(true);
  });

  it('refuses an undecorated (staff) endpoint without a token: 401 UNAUTHENTICATED', async () => {
    const err = await refusal(guard.canActivate(context(CatalogController, 'list', request())));
    expect(err.status).toBe(401);
    expect(err.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a malformed Authorization header and a bad token', async () => {
    expect((await refusal(guard.canActivate(context(CatalogController, 'list', request({ Authorization: 'Basic abc' }))))).code).toBe('UNAUTHENTICATED');
    expect((await refusal(guard.canActivate(context(CatalogController, 'list', request({ Authorization: 'Bearer nope' }))))).code).toBe('UNAUTHENTICATED');
    const forged = new TokenService('z'.repeat(32)).sign(admin).accessToken;
    const err = await refusal(guard.canActivate(context(CatalogController, 'approve', request({ Authorization: `Bearer ${forged}` }))));
    expect(err.status).toBe(401);
  });

  it('lets any authenticated staff member call an endpoint without @Roles and sets the principal', async () => {
    const req = request(bearer(operator));
    await expect(guard.canActivate(context(CatalogController, 'list', req))).resolves.toBe(true);
    expect(req.principal).toEqual(operator);
  });

  it('accepts the scheme case-insensitively', async () => {
    const req = request({ Authorization: `bearer ${tokens.sign(operator).accessToken}` });
    await expect(guard.canActivate(context(CatalogController, 'list', req))).resolves.toBe(true);
  });

  it('refuses a role mismatch with 403 FORBIDDEN naming the roles needed', async () => {
    const err = await refusal(guard.canActivate(context(CatalogController, 'approve', request(bearer(operator)))));
    expect(err.status).toBe(403);
    expect(err.code).toBe('FORBIDDEN');
    expect(err.messages.en).toContain('data_admin');
  });

  it('accepts any one of several required roles', async () => {
    await expect(guard.canActivate(context(CatalogController, 'approve', request(bearer(admin))))).resolves.toBe(true);
    await expect(guard.canActivate(context(CatalogController, 'review', request(bearer(admin))))).resolves.toBe(true);
    const reviewer = { ...operator, roles: ['dept_reviewer' as const] };
    await expect(guard.canActivate(context(CatalogController, 'review', request(bearer(reviewer))))).resolves.toBe(true);
  });

  it('takes class-level @Roles, and a handler’s @Roles overrides the class’s', async () => {
    expect((await refusal(guard.canActivate(context(AuditController, 'search', request(bearer(operator)))))).code).toBe('FORBIDDEN');
    const auditor = { ...operator, roles: ['auditor' as const] };
    await expect(guard.canActivate(context(AuditController, 'search', request(bearer(auditor))))).resolves.toBe(true);
    await expect(guard.canActivate(context(AuditController, 'ownDepartment', request(bearer(operator))))).resolves.toBe(true);
    expect((await refusal(guard.canActivate(context(AuditController, 'ownDepartment', request(bearer(auditor)))))).code).toBe('FORBIDDEN');
  });

  it('records the staff actor on the request context', async () => {
    const ctx: RequestContext = { correlationId: 'corr-12345678' };
    await runWithContext(ctx, () => guard.canActivate(context(CatalogController, 'list', request(bearer(operator)))));
    expect(ctx.actor).toEqual({ type: 'user', id: 'user-1', name: '经办人', deptId: 'dept-1', ip: '10.1.2.3' });
  });

  it('does not guard non-HTTP contexts (event handlers)', async () => {
    await expect(guard.canActivate(context(CatalogController, 'approve', request(), 'rpc'))).resolves.toBe(true);
  });
});

describe('AuthGuard: a bad token on a @Public endpoint', () => {
  const expired = () => ({ Authorization: `Bearer ${new TokenService(SECRET, -60).sign(operator).accessToken}` });
  const forged = () => ({ Authorization: `Bearer ${new TokenService('z'.repeat(32)).sign(admin).accessToken}` });
  const badTokens: [string, () => Record<string, string>][] = [
    ['an expired token', expired],
    ['a token signed with another secret', forged],
    ['a token that is no JWT', () => ({ Authorization: 'Bearer nope' })],
  ];

  it.each(badTokens)('ignores %s: the caller is anonymous, with no principal and no actor', async (_label, headers) => {
    for (const [cls, handler] of [[CatalogController, 'health'], [AuditController, 'ping']] as const) {
      const req = request(headers());
      const ctx: RequestContext = { correlationId: 'corr-12345678' };
      await expect(runWithContext(ctx, () => guard.canActivate(context(cls, handler, req)))).resolves.toBe(true);
      expect(req.principal).toBeUndefined();
      expect(ctx.actor).toBeUndefined();
    }
  });

  it.each(badTokens)('still refuses %s on an endpoint that is not public: 401', async (_label, headers) => {
    for (const [cls, handler] of [[CatalogController, 'list'], [CatalogController, 'approve'], [AuditController, 'search'], [CatalogController, 'openData']] as const) {
      const req = request(headers());
      const err = await refusal(guard.canActivate(context(cls, handler, req)));
      expect(err.status).toBe(401);
      expect(req.principal).toBeUndefined();
    }
    // an expired token keeps its own code, so a client knows to log in again
    expect((await refusal(guard.canActivate(context(CatalogController, 'list', request(expired()))))).code).toBe('TOKEN_EXPIRED');
  });

  it('still takes a valid token on a @Public endpoint as the caller', async () => {
    const req = request(bearer(operator));
    await expect(guard.canActivate(context(CatalogController, 'health', req))).resolves.toBe(true);
    expect(req.principal).toEqual(operator);
  });
});

describe('AuthGuard: @AppAuth endpoints', () => {
  it('resolves a valid X-API-Key to an app principal and records the app actor', async () => {
    const req = request({ 'X-API-Key': VALID_KEY });
    const ctx: RequestContext = { correlationId: 'corr-12345678' };
    await expect(runWithContext(ctx, () => guard.canActivate(context(CatalogController, 'openData', req)))).resolves.toBe(true);
    expect(resolver.resolve).toHaveBeenCalledWith(VALID_KEY);
    expect(req.principal).toEqual(app);
    expect(req.principal?.kind).toBe('app');
    expect(ctx.actor).toEqual({ type: 'app', id: 'app-1', name: '便民查询', ip: '10.1.2.3' });
  });

  it('refuses an unknown or revoked key with 401, even where the key is optional', async () => {
    for (const handler of ['openData', 'openCatalog'] as const) {
      const req = request({ 'X-API-Key': 'gdk_ffffffff_revokedrevokedrevokedrevoked' });
      const err = await refusal(guard.canActivate(context(CatalogController, handler, req)));
      expect(err.status).toBe(401);
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.messages.en).toBe('API key invalid or revoked');
      expect(req.principal).toBeUndefined();
    }
  });

  it('refuses a missing key on a required @AppAuth endpoint', async () => {
    const err = await refusal(guard.canActivate(context(CatalogController, 'openData', request())));
    expect(err.status).toBe(401);
    expect(err.messages.en).toContain('X-API-Key');
    expect(resolver.resolve).not.toHaveBeenCalled();
  });

  it('lets an anonymous caller through @AppAuth({ optional: true })', async () => {
    const req = request();
    await expect(guard.canActivate(context(CatalogController, 'openCatalog', req))).resolves.toBe(true);
    expect(req.principal).toBeUndefined();
  });

  it('refuses every key when no ApiKeyResolver is registered', async () => {
    const bare = new AuthGuard(new Reflector(), tokens);
    const err = await refusal(bare.canActivate(context(CatalogController, 'openData', request({ 'X-API-Key': VALID_KEY }))));
    expect(err.status).toBe(401);
  });

  it('accepts a staff token on an @AppAuth endpoint instead of a key', async () => {
    const req = request(bearer(operator));
    await expect(guard.canActivate(context(CatalogController, 'openData', req))).resolves.toBe(true);
    expect(req.principal?.kind).toBe('staff');
  });
});
