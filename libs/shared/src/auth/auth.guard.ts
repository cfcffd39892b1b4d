import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CommonErrors } from '../errors/problem';
import { setActor } from '../http/request-context';
import { APP_AUTH, AuthedRequest, IS_PUBLIC, REQUIRED_ROLES } from './decorators';
import type { AppPrincipal, StaffPrincipal, StaffRole } from './principal';
import { TokenService } from './token.service';

/** Implemented by the open-api service: turns a presented API key into the app it belongs to. */
export interface ApiKeyResolver {
  resolve(key: string): Promise<AppPrincipal | undefined>;
}
export const API_KEY_RESOLVER = Symbol('API_KEY_RESOLVER');

/** What authenticateAppKey reads of a request: express's, or a fast route's (fast-routes.ts). */
export type KeyedRequest = AuthedRequest & { ip?: string; header(name: string): string | undefined };

/**
 * The app behind `X-API-Key`, set as the request's principal and the context's actor; undefined
 * without a key, 401 for a key that is unknown or revoked. The guard calls it for @AppAuth()
 * endpoints, and so do handlers served before Nest's router (the open records API).
 */
export async function authenticateAppKey(req: KeyedRequest, resolver?: ApiKeyResolver): Promise<AppPrincipal | undefined> {
  const key = req.header('x-api-key');
  if (!key) return undefined;
  const app = resolver ? await resolver.resolve(key) : undefined;
  if (!app) throw CommonErrors.unauthenticated({ zh: 'API 密钥无效或已吊销', en: 'API key invalid or revoked' });
  req.principal = app;
  setActor({ type: 'app', id: app.appId, name: app.appName, ip: req.ip });
  return app;
}

/**
 * Global guard: every endpoint is staff-only unless marked @Public() or @AppAuth().
 * A staff endpoint without @Roles() is open to any authenticated staff member.
 * On a @Public() endpoint a valid staff token still sets the principal; a bad one is ignored.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    @Optional() @Inject(API_KEY_RESOLVER) private readonly apiKeys?: ApiKeyResolver,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<Request & AuthedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const appAuth = this.reflector.getAllAndOverride<{ optional?: boolean }>(APP_AUTH, targets);
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];

    if (appAuth) {
      if (await authenticateAppKey(req, this.apiKeys)) return true;
      if (appAuth.optional || isPublic) return true;
      if (!bearer) throw CommonErrors.unauthenticated({ zh: '缺少 API 密钥（X-API-Key）', en: 'Missing API key (X-API-Key)' });
    }

    if (isPublic && !bearer) return true;
    if (!bearer) throw CommonErrors.unauthenticated();
    let staff: StaffPrincipal;
    try {
      staff = this.tokens.verify(bearer);
    } catch (err) {
      // A public endpoint serves anyone: an expired or invalid token (a stale browser session)
      // makes the caller anonymous there instead of locking them out of login and health.
      if (isPublic) return true;
      throw err;
    }
    req.principal = staff;
    setActor({ type: 'user', id: staff.userId, name: staff.displayName, deptId: staff.deptId, ip: req.ip });
    if (isPublic) return true;

    const roles = this.reflector.getAllAndOverride<StaffRole[]>(REQUIRED_ROLES, targets);
    if (roles?.length && !roles.some((r) => staff.roles.includes(r))) throw CommonErrors.forbidden(roles);
    return true;
  }
}
