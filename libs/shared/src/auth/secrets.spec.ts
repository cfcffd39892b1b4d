import { apiKeyPrefix, hashApiKey, hashPassword, issueApiKey, verifyPassword } from './secrets';

const PEPPER = 'pepper-0123456789abcdef';

describe('password hashing (scrypt)', () => {
  let stored: string;
  beforeAll(async () => {
    stored = await hashPassword('正确的密码 correct horse');
  });

  it('stores scrypt$N$r$p$salt$hash and never the password', () => {
    const parts = stored.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[5], 'base64url')).toHaveLength(32);
    expect(stored).not.toContain('correct horse');
  });

  it('verifies the right password', async () => {
    await expect(verifyPassword('正确的密码 correct horse', stored)).resolves.toBe(true);
  });

  it('refuses a wrong password, including near misses', async () => {
    await expect(verifyPassword('正确的密码 correct hors', stored)).resolves.toBe(false);
    await expect(verifyPassword('正确的密码 Correct horse', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('salts: two hashes of the same password differ and both verify', async () => {
    const again = await hashPassword('正确的密码 correct horse');
    expect(again).not.toBe(stored);
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4]);
    await expect(verifyPassword('正确的密码 correct horse', again)).resolves.toBe(true);
  });

  it('refuses a hash whose bytes were tampered with', async () => {
    const parts = stored.split('$');
    const hash = Buffer.from(parts[5], 'base64url');
    hash[0] ^= 0xff;
    parts[5] = hash.toString('base64url');
    await expect(verifyPassword('正确的密码 correct horse', parts.join('$'))).resolves.toBe(false);
  });

  it.each([
    ['an empty string', ''],
    ['a clear-text password', '正确的密码 correct horse'],
    ['another algorithm', (s: string) => s.replace(/^scrypt/, 'bcrypt')],
    ['too few fields', (s: string) => s.split('$').slice(0, 5).join('$')],
    ['too many fields', (s: string) => `${s}$extra`],
  ])('returns false (does not throw) for a malformed stored value: %s', async (_label, make) => {
    const value = typeof make === 'function' ? make(stored) : make;
    await expect(verifyPassword('正确的密码 correct horse', value)).resolves.toBe(false);
  });

  // An empty hash segment would make scrypt derive 0 bytes that compare equal to nothing at all.
  it('refuses any password against a stored value with an empty hash segment', async () => {
    const [algo, n, r, p, salt] = stored.split('$');
    await expect(verifyPassword('not the password', [algo, n, r, p, salt, ''].join('$'))).resolves.toBe(false);
  });
});

describe('API keys', () => {
  it('issues keys as gdk_<8 hex>_<secret> with the prefix and an HMAC hash', () => {
    const issued = issueApiKey(PEPPER);
    expect(issued.key).toMatch(/^gdk_[0-9a-f]{8}_[A-Za-z0-9_-]{32}$/);
    expect(issued.key.startsWith(`gdk_${issued.prefix}_`)).toBe(true);
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(issued.hash).toBe(hashApiKey(issued.key, PEPPER));
  });

  it('issues a different key every time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => issueApiKey(PEPPER).key));
    expect(keys.size).toBe(50);
  });

  it('extracts the prefix of a well-formed key and nothing from anything else', () => {
    const issued = issueApiKey(PEPPER);
    expect(apiKeyPrefix(issued.key)).toBe(issued.prefix);
    expect(apiKeyPrefix(`gdk_deadbeef_${'A'.repeat(20)}`)).toBe('deadbeef');
    expect(apiKeyPrefix(`gdk_deadbeef_${'A'.repeat(19)}`)).toBeUndefined(); // secret too short
    expect(apiKeyPrefix(`gdk_DEADBEEF_${'A'.repeat(32)}`)).toBeUndefined(); // prefix is lower-case hex
    expect(apiKeyPrefix(`gdk_deadbee_${'A'.repeat(32)}`)).toBeUndefined();
    expect(apiKeyPrefix(`xyz_deadbeef_${'A'.repeat(32)}`)).toBeUndefined();
    expect(apiKeyPrefix(`gdk_deadbeef_${'A'.repeat(32)}!`)).toBeUndefined();
    expect(apiKeyPrefix(` ${issued.key}`)).toBeUndefined();
    expect(apiKeyPrefix('')).toBeUndefined();
  });

  it('hashes deterministically, and the hash depends on the pepper and on the key', () => {
    const { key } = issueApiKey(PEPPER);
    expect(hashApiKey(key, PEPPER)).toBe(hashApiKey(key, PEPPER));
    expect(hashApiKey(key, `${PEPPER}x`)).not.toBe(hashApiKey(key, PEPPER));
    expect(hashApiKey(`${key}x`, PEPPER)).not.toBe(hashApiKey(key, PEPPER));
  });

  it('never stores the key: the hash neither equals nor contains it or its secret part', () => {
    for (let i = 0; i < 20; i++) {
      const { key, prefix, hash } = issueApiKey(PEPPER);
      const secret = key.slice(`gdk_${prefix}_`.length);
      expect(hash).not.toBe(key);
      expect(hash).not.toContain(key);
      expect(hash).not.toContain(secret);
      expect(hash).not.toContain(secret.slice(0, 12));
    }
  });
});
