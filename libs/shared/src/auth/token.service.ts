import jwt from 'jsonwebtoken';
import { CommonErrors } from '../errors/problem';
import { STAFF_ROLES, StaffPrincipal, StaffRole } from './principal';

const ISSUER = 'govdata-platform';

interface StaffClaims {
  sub: string;
  usr: string;
  nam: string;
  dep: string;
  dpn: string;
  rol: StaffRole[];
}

/** Signs and verifies staff JWTs (HS256, shared secret across services). */
export class TokenService {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = 8 * 3600,
  ) {}

  sign(p: StaffPrincipal): { accessToken: string; expiresIn: number } {
    const claims: StaffClaims = { sub: p.userId, usr: p.username, nam: p.displayName, dep: p.deptId, dpn: p.deptName, rol: p.roles };
    const accessToken = jwt.sign(claims, this.secret, { algorithm: 'HS256', issuer: ISSUER, expiresIn: this.ttlSeconds });
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  verify(token: string): StaffPrincipal {
    let claims: StaffClaims & jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.secret, { algorithms: ['HS256'], issuer: ISSUER }) as StaffClaims & jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw CommonErrors.tokenExpired();
      throw CommonErrors.unauthenticated({ zh: '令牌无效', en: 'Invalid token' });
    }
    const roles = Array.isArray(claims.rol) ? claims.rol.filter((r): r is StaffRole => (STAFF_ROLES as readonly string[]).includes(r)) : [];
    if (!claims.sub || !claims.dep || roles.length === 0) throw CommonErrors.unauthenticated({ zh: '令牌内容不完整', en: 'Token claims incomplete' });
    return { kind: 'staff', userId: claims.sub, username: claims.usr, displayName: claims.nam, deptId: claims.dep, deptName: claims.dpn, roles };
  }
}
