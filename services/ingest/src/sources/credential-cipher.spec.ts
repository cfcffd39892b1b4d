import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeKey32 } from '@gov/shared';
import { SourceError } from '../pipeline/contracts';
import {
  CredentialCipher,
  credentialsKeyId,
  generateCredentialsKey,
  isSealedSecret,
  openSecret,
  sealSecret,
} from './credential-cipher';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return (err as SourceError).code;
  }
  throw new Error('did not throw');
}

/** Replaces one character of part `index` (0-based, split on '.') with another of the same alphabet. */
function flip(sealed: string, index: number, at = 3): string {
  const parts = sealed.split('.');
  const p = parts[index];
  const c = p[at];
  parts[index] = p.slice(0, at) + (c === 'A' ? 'B' : 'A') + p.slice(at + 1);
  return parts.join('.');
}

describe('credential cipher (AES-256-GCM)', () => {
  const key = generateCredentialsKey();
  const secret = { password: 'p@ss 密码', headers: { Authorization: 'Bearer abc.def' }, n: 3 };

  it('round-trips a JSON secret object', () => {
    const sealed = sealSecret(secret, key);
    expect(isSealedSecret(sealed)).toBe(true);
    expect(openSecret(sealed, key)).toEqual(secret);
  });

  it('uses a fresh 12-byte IV every time and names the key', () => {
    const a = sealSecret(secret, key);
    const b = sealSecret(secret, key);
    expect(a).not.toBe(b);
    const [version, kid, iv] = a.split('.');
    expect(version).toBe('gdc1');
    expect(kid).toBe(credentialsKeyId(key));
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('never holds the plaintext in the sealed form', () => {
    const sealed = sealSecret(secret, key);
    expect(sealed).not.toContain('p@ss');
    expect(sealed).not.toContain('Bearer');
    expect(Buffer.from(sealed.split('.')[3], 'base64url').toString('latin1')).not.toContain('Bearer');
  });

  it('detects a modified ciphertext, IV or tag', () => {
    const sealed = sealSecret(secret, key);
    expect(codeOf(() => openSecret(flip(sealed, 3), key))).toBe('CREDENTIALS_TAMPERED');
    expect(codeOf(() => openSecret(flip(sealed, 2), key))).toBe('CREDENTIALS_TAMPERED');
    expect(codeOf(() => openSecret(flip(sealed, 4, 0), key))).toBe('CREDENTIALS_TAMPERED');
    // a ciphertext cut short
    const parts = sealed.split('.');
    parts[3] = parts[3].slice(0, -2);
    expect(codeOf(() => openSecret(parts.join('.'), key))).toBe('CREDENTIALS_TAMPERED');
  });

  it('binds the context: a value sealed for one source does not open for another', () => {
    const sealed = sealSecret(secret, key, 'source:1');
    expect(openSecret(sealed, key, 'source:1')).toEqual(secret);
    expect(codeOf(() => openSecret(sealed, key, 'source:2'))).toBe('CREDENTIALS_TAMPERED');
    expect(codeOf(() => openSecret(sealed, key))).toBe('CREDENTIALS_TAMPERED');
  });

  it('refuses a wrong key, naming the key id the value was sealed with', () => {
    const sealed = sealSecret(secret, key);
    const other = randomBytes(32);
    let err: SourceError | undefined;
    try {
      openSecret(sealed, other);
    } catch (e) {
      err = e as SourceError;
    }
    expect(err?.code).toBe('CREDENTIALS_WRONG_KEY');
    expect(err?.en).toContain(credentialsKeyId(key));
    // a relabelled key id does not get past authentication either
    const relabelled = sealed.replace(credentialsKeyId(key), credentialsKeyId(other));
    expect(codeOf(() => openSecret(relabelled, other))).toBe('CREDENTIALS_TAMPERED');
  });

  it('refuses what is not a sealed value, and keys that are not 32 bytes', () => {
    expect(codeOf(() => openSecret('plain text', key))).toBe('CREDENTIALS_MALFORMED');
    expect(codeOf(() => openSecret('gdc2.x.y.z.w', key))).toBe('CREDENTIALS_MALFORMED');
    expect(() => sealSecret(secret, randomBytes(16))).toThrow(TypeError);
    expect(() => openSecret(sealSecret(secret, key), randomBytes(31))).toThrow(TypeError);
    expect(() => sealSecret([] as unknown as Record<string, unknown>, key)).toThrow(TypeError);
  });

  it('takes the key CREDENTIALS_KEY decodes to', () => {
    const configured = decodeKey32(key.toString('base64'))!;
    expect(openSecret(sealSecret(secret, configured), key)).toEqual(secret);
  });

  it('rotates: opens with a previous key, seals with the current one', () => {
    const old = generateCredentialsKey();
    const sealedOld = sealSecret(secret, old, 'ctx');
    const cipher = new CredentialCipher(key, [old]);
    expect(cipher.open(sealedOld, 'ctx')).toEqual(secret);
    expect(cipher.needsReseal(sealedOld)).toBe(true);
    const resealed = cipher.seal(cipher.open(sealedOld, 'ctx'), 'ctx');
    expect(cipher.needsReseal(resealed)).toBe(false);
    expect(openSecret(resealed, key, 'ctx')).toEqual(secret);
    expect(codeOf(() => new CredentialCipher(key).open(sealedOld, 'ctx'))).toBe('CREDENTIALS_WRONG_KEY');
  });

  it('never prints its keys', () => {
    const cipher = new CredentialCipher(key);
    const shown = inspect(cipher) + JSON.stringify(cipher);
    expect(shown).not.toContain(key.toString('hex'));
    expect(shown).not.toContain(key.toString('base64'));
    expect(shown).toContain(cipher.keyId);
  });
});
