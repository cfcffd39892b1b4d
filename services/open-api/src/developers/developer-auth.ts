import { SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import { OpenErrors } from '../open.errors';

const ISSUER = 'govdata-open-portal';

export interface DeveloperPrincipal {
  developerId: string;
  name: string;
}

/**
 * Developer sessions: a JWT of its own issuer and secret (derived from the platform secret), so a
 * developer token is never a staff token and the reverse. Sent as `Authorization: Bearer`.
 */
@Injectable()
export class DeveloperAuth {
  private readonly secret: string;

  constructor(@Inject(SERVICE_RUNTIME) runtime: ServiceRuntime) {
    this.secret = `${runtime.settings.jwtSecret}:open-developer`;
  }

  sign(p: DeveloperPrincipal): { accessToken: string; expiresIn: number } {
    const expiresIn = 8 * 3600;
    return { accessToken: jwt.sign({ sub: p.developerId, nam: p.name }, this.secret, { algorithm: 'HS256', issuer: ISSUER, expiresIn }), expiresIn };
  }

  optional(req: Request): DeveloperPrincipal | undefined {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const c = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
      return typeof c.sub === 'string' ? { developerId: c.sub, name: String(c.nam ?? '') } : undefined;
    } catch {
      return undefined;
    }
  }

  require(req: Request): DeveloperPrincipal {
    const p = this.optional(req);
    if (!p) throw OpenErrors.developerRequired();
    return p;
  }
}
