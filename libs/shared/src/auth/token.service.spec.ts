import jwt from 'jsonwebtoken';
import { DomainException } from '../errors/problem';
import type { StaffPrincipal } from './principal';
import { TokenService } from './token.service';

const SECRET = 's'.repeat(32);
const ISSUER = 'govdata-platform';

const alice: StaffPrincipal = {
  kind: 'staff',
  userId: '7d0e6c1a-6c57-4b8b-9a55-7d2c1c2b3f10',
  username: 'alice',
  displayName: '张丽',
  deptId: '0b3f5a8e-2f4c-4a1d-8a77-0d7c9b6f2e11',
  deptName: '市数据局',
  roles: ['dept_operator', 'dept_reviewer'],
};

/** Claims as TokenService writes them, for hand-made tokens. */
const claimsOf = (p: StaffPrincipal) => ({ sub: p.userId, usr: p.username, nam: p.displayName, dep: p.deptId, dpn: p.deptName, rol: p.roles });

function rejection(fn: () => unknown): DomainException {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainException);
    return err as DomainException;
  }
  throw new Error('expected the token to be refused');
}

describe('TokenService', () => {
  const tokens = new TokenService(SECRET, 600);

  it('round-trips a staff principal through sign and verify', () => {
    const { accessToken, expiresIn } = tokens.sign(alice);
    expect(expiresIn).toBe(600);
    expect(tokens.verify(accessToken)).toEqual(alice);
  });

  it('signs HS256 with the platform issuer and the configured lifetime', () => {
    const { accessToken } = tokens.sign(alice);
    const decoded = jwt.decode(accessToken, { complete: true })!;
    expect(decoded.header.alg).toBe('HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload.iss).toBe(ISSUER);
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(payload.sub).toBe(alice.userId);
  });

  it('refuses a token signed with another secret as UNAUTHENTICATED', () => {
    const forged = new TokenService('t'.repeat(32)).sign(alice).accessToken;
    const err = rejection(() => tokens.verify(forged));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.status).toBe(401);
  });

  it('refuses an expired token as TOKEN_EXPIRED', () => {
    const expired = jwt.sign({ ...claimsOf(alice), exp: Math.floor(Date.now() / 1000) - 5 }, SECRET, { algorithm: 'HS256', issuer: ISSUER });
    const err = rejection(() => tokens.verify(expired));
    expect(err.code).toBe('TOKEN_EXPIRED');
    expect(err.status).toBe(401);
  });

  it('expires its own tokens after the configured lifetime', () => {
    jest.useFakeTimers({ now: new Date('2025-03-03T08:00:00Z') });
    try {
      const { accessToken } = new TokenService(SECRET, 60).sign(alice);
      jest.setSystemTime(new Date('2025-03-03T08:00:59Z'));
      expect(tokens.verify(accessToken).userId).toBe(alice.userId);
      jest.setSystemTime(new Date('2025-03-03T08:01:01Z'));
      expect(rejection(() => tokens.verify(accessToken)).code).toBe('TOKEN_EXPIRED');
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a token from another issuer', () => {
    const other = jwt.sign(claimsOf(alice), SECRET, { algorithm: 'HS256', issuer: 'someone-else', expiresIn: 60 });
    expect(rejection(() => tokens.verify(other)).code).toBe('UNAUTHENTICATED');
    const none = jwt.sign(claimsOf(alice), SECRET, { algorithm: 'HS256', expiresIn: 60 });
    expect(rejection(() => tokens.verify(none)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an unsigned (alg none) token and garbage', () => {
    const unsigned = jwt.sign(claimsOf(alice), '', { algorithm: 'none', issuer: ISSUER, expiresIn: 60 });
    expect(rejection(() => tokens.verify(unsigned)).code).toBe('UNAUTHENTICATED');
    expect(rejection(() => tokens.verify('not.a.jwt')).code).toBe('UNAUTHENTICATED');
    expect(rejection(() => tokens.verify('')).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token without a department or subject claim', () => {
    const { dep: _dep, ...noDept } = claimsOf(alice);
    const t1 = jwt.sign(noDept, SECRET, { algorithm: 'HS256', issuer: ISSUER, expiresIn: 60 });
    const e1 = rejection(() => tokens.verify(t1));
    expect(e1.code).toBe('UNAUTHENTICATED');
    expect(e1.messages.en).toBe('Token claims incomplete');

    const { sub: _sub, ...noSub } = claimsOf(alice);
    const t2 = jwt.sign(noSub, SECRET, { algorithm: 'HS256', issuer: ISSUER, expiresIn: 60 });
    expect(rejection(() => tokens.verify(t2)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token whose roles are all unknown, missing or not a list', () => {
    for (const rol of [['superuser'], [], undefined, 'data_admin']) {
      const t = jwt.sign({ ...claimsOf(alice), rol }, SECRET, { algorithm: 'HS256', issuer: ISSUER, expiresIn: 60 });
      const err = rejection(() => tokens.verify(t));
      expect(err.code).toBe('UNAUTHENTICATED');
    }
  });

  it('drops unknown roles and keeps the known ones', () => {
    const t = jwt.sign({ ...claimsOf(alice), rol: ['root', 'auditor', 'superuser'] }, SECRET, { algorithm: 'HS256', issuer: ISSUER, expiresIn: 60 });
    expect(tokens.verify(t).roles).toEqual(['auditor']);
  });
});
