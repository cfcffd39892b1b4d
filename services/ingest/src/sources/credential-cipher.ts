import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SourceErrors } from './source-errors';

/**
 * Stored connection credentials (passwords, tokens, auth header values) are sealed with
 * AES-256-GCM under the 32-byte CREDENTIALS_KEY (`credentialsKey(env)` of @gov/shared). In
 * embedded mode without a configured key the caller generates one (`generateCredentialsKey()`)
 * and keeps it; every function here takes the key as a Buffer and never reads the environment.
 *
 * Sealed form (ASCII, fits a text column):
 *
 *   gdc1.<kid>.<iv>.<ciphertext>.<tag>
 *
 * - `gdc1`  format version (AES-256-GCM, 12-byte IV, 16-byte tag, JSON plaintext);
 * - `kid`   key id: the first 8 bytes of SHA-256("govdata-credentials-key-id" ‖ key), hex — tells a
 *           wrong key apart from a damaged value and lets a key be rotated (see CredentialCipher);
 * - `iv`    12 random bytes, base64url, fresh for every seal;
 * - `ciphertext`, `tag` base64url.
 *
 * The version, the key id and an optional caller context (e.g. the source's id) are bound as
 * additional authenticated data, so a sealed value cannot be moved to another source or
 * relabelled without failing authentication.
 */

const VERSION = 'gdc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export type SecretObject = Record<string, unknown>;

export function generateCredentialsKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function credentialsKeyId(key: Buffer): string {
  assertKey(key);
  return createHash('sha256').update('govdata-credentials-key-id').update(key).digest('hex').slice(0, 16);
}

/** True when `value` looks like a sealed secret of this module (it may still fail to open). */
export function isSealedSecret(value: unknown): value is string {
  return typeof value === 'string' && /^gdc1\.[0-9a-f]{16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/.test(value);
}

/** The key id a sealed value names, or undefined when it is not one. */
export function sealedKeyId(sealed: string): string | undefined {
  return isSealedSecret(sealed) ? sealed.split('.')[1] : undefined;
}

export function sealSecret(secret: SecretObject, key: Buffer, context = ''): string {
  assertKey(key);
  if (secret === null || typeof secret !== 'object' || Array.isArray(secret)) throw new TypeError('a secret must be a plain object');
  const kid = credentialsKeyId(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(kid, context));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  return [VERSION, kid, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/**
 * Opens a sealed secret. Throws a SourceError: CREDENTIALS_MALFORMED (not a sealed value),
 * CREDENTIALS_WRONG_KEY (sealed under another key), CREDENTIALS_TAMPERED (authentication failed:
 * modified ciphertext, IV, tag or context). The message never contains the plaintext.
 */
export function openSecret<T extends SecretObject = SecretObject>(sealed: string, key: Buffer, context = ''): T {
  assertKey(key);
  if (!isSealedSecret(sealed)) throw SourceErrors.credentialsMalformed();
  const [, kid, ivText, ctText, tagText] = sealed.split('.');
  if (kid !== credentialsKeyId(key)) throw SourceErrors.credentialsWrongKey(kid);
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw SourceErrors.credentialsMalformed();
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(kid, context));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw SourceErrors.credentialsTampered();
  }
  const value = JSON.parse(plaintext) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw SourceErrors.credentialsMalformed();
  return value as T;
}

/**
 * The current key seals; it and the previous keys open (key rotation: open with any, re-seal
 * with the current one when `needsReseal` says so).
 */
export class CredentialCipher {
  private readonly keys: Map<string, Buffer>;
  readonly keyId: string;

  constructor(
    private readonly current: Buffer,
    previous: Buffer[] = [],
  ) {
    this.keyId = credentialsKeyId(current);
    this.keys = new Map([current, ...previous].map((k) => [credentialsKeyId(k), k]));
  }

  seal(secret: SecretObject, context = ''): string {
    return sealSecret(secret, this.current, context);
  }

  open<T extends SecretObject = SecretObject>(sealed: string, context = ''): T {
    const kid = sealedKeyId(sealed);
    if (kid === undefined) throw SourceErrors.credentialsMalformed();
    const key = this.keys.get(kid);
    if (!key) throw SourceErrors.credentialsWrongKey(kid);
    return openSecret<T>(sealed, key, context);
  }

  needsReseal(sealed: string): boolean {
    return sealedKeyId(sealed) !== this.keyId;
  }

  /** Never print the key. */
  toJSON(): { keyId: string } {
    return { keyId: this.keyId };
  }

  [inspect.custom](): string {
    return `CredentialCipher { keyId: '${this.keyId}' }`;
  }
}

function aad(kid: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${kid}.${context}`, 'utf8');
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError('the credentials key must be 32 bytes');
}
