import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AppPrincipal, Principal, StaffPrincipal, StaffRole } from './principal';

export const IS_PUBLIC = 'govdata:isPublic';
export const REQUIRED_ROLES = 'govdata:roles';
export const APP_AUTH = 'govdata:appAuth';

/** Anyone may call this endpoint (health, login, public catalog). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** A staff member with one of these roles may call it. */
export const Roles = (...roles: StaffRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/** An external developer's app, by API key (`X-API-Key`); `optional` lets anonymous callers through too. */
export const AppAuth = (opts: { optional?: boolean } = {}) => SetMetadata(APP_AUTH, opts);

export interface AuthedRequest {
  principal?: Principal;
}

export const CurrentStaff = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffPrincipal => {
  const p = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!p || p.kind !== 'staff') throw new Error('CurrentStaff used on an endpoint without staff authentication');
  return p;
});

export const CurrentApp = createParamDecorator((_: unknown, ctx: ExecutionContext): AppPrincipal | undefined => {
  const p = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  return p?.kind === 'app' ? p : undefined;
});
