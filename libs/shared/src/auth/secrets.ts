import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, keylen: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** Passwords are stored as `scrypt$N$r$p$salt$hash` (base64url), never in clear. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts;
  const expected = Buffer.from(hashB64, 'base64url');
  const salt = Buffer.from(saltB64, 'base64url');
  // A damaged or forged stored value never verifies (an empty hash would compare equal to itself).
  if (expected.length < 16 || salt.length < 8 || Number(n) !== N || Number(r) !== R || Number(p) !== P) return false;
  const actual = await scrypt(password, salt, expected.length, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}

/**
 * API keys are high-entropy random strings, so a keyed fast hash (HMAC-SHA256 with a server-side
 * pepper) is the right storage: it allows lookup by hash and a leaked table is useless alone.
 * Format: `gdk_<prefix>_<secret>`; the prefix is stored in clear so users can tell keys apart.
 */
export interface IssuedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function issueApiKey(pepper: string): IssuedApiKey {
  const prefix = randomBytes(4).toString('hex');
  const key = `gdk_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key, pepper) };
}

export function hashApiKey(key: string, pepper: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

export function apiKeyPrefix(key: string): string | undefined {
  return /^gdk_([0-9a-f]{8})_[A-Za-z0-9_-]{20,}$/.exec(key)?.[1];
}
