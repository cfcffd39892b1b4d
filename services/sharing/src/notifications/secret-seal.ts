import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM sealing under CREDENTIALS_KEY, in the same `gdc1.<kid>.<iv>.<ct>.<tag>` form as
 * ingest's credential-cipher (a minimal copy: services never import each other). Seals push-target
 * credentials and webhook secrets; `context` (the owner's id) is bound as additional data.
 */
const kidOf = (key: Buffer) => createHash('sha256').update('govdata-credentials-key-id').update(key).digest('hex').slice(0, 16);
const aad = (kid: string, context: string) => Buffer.from(`gdc1.${kid}.${context}`, 'utf8');

export function sealSecret(secret: Record<string, unknown>, key: Buffer, context = ''): string {
  const kid = kidOf(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad(kid, context));
  const ct = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
  return ['gdc1', kid, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSecret<T extends Record<string, unknown>>(sealed: string, key: Buffer, context = ''): T {
  const [version, kid, iv, ct, tag] = sealed.split('.');
  if (version !== 'gdc1' || kid !== kidOf(key)) throw new Error('sealed secret: wrong format or key');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAAD(aad(kid, context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')) as T;
}
