import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ExtractFormat } from './extract';

/** What a signed download link carries: grant, format, expiry (ms) and who asked for it. */
export interface LinkClaims {
  g: string;
  f: ExtractFormat;
  x: number;
  u: string;
}

export function signLink(key: Buffer, claims: LinkClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(`dl.${body}`).digest('base64url')}`;
}

/** The claims of a correctly signed token (expired or not), or undefined. */
export function verifyLink(key: Buffer, token: string): LinkClaims | undefined {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || body.length > 2000) return undefined;
  const expected = createHmac('sha256', key).update(`dl.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return undefined;
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
    return typeof c.g === 'string' && typeof c.x === 'number' && ['csv', 'xlsx', 'json'].includes(c.f) ? c : undefined;
  } catch {
    return undefined;
  }
}
