import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * A signed tree head (STH): the log's size and root at a moment, signed with the audit
 * service's Ed25519 key. Anyone with the public key can check it; a later head must be an
 * append-only extension of an earlier one (consistency proof).
 */
export interface SignedTreeHead {
  treeSize: number;
  /** Hex SHA-256 root of the first treeSize records. */
  rootHash: string;
  /** ISO-8601 time of signing (milliseconds, UTC). */
  timestamp: string;
  /** First 16 hex digits of SHA-256 over the raw public key: which key signed. */
  keyId: string;
  /** Base64 Ed25519 signature over treeHeadMessage(). */
  signature: string;
}

/** The exact bytes that are signed; versioned so the format can change without ambiguity. */
export function treeHeadMessage(h: Pick<SignedTreeHead, 'treeSize' | 'rootHash' | 'timestamp'>): Buffer {
  return Buffer.from(`govdata-audit-sth/v1\n${h.treeSize}\n${h.timestamp}\n${h.rootHash.toLowerCase()}`, 'utf8');
}

/** Accepts a PKCS8 PEM, or its base64 body, or a raw 32-byte seed as hex/base64. */
export function parseSigningKey(value: string): KeyObject {
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return createPrivateKey(text.replace(/\\n/g, '\n'));
  if (/^[0-9a-fA-F]{64}$/.test(text)) return seedKey(Buffer.from(text, 'hex'));
  const der = Buffer.from(text, 'base64');
  if (der.length === 32) return seedKey(der);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

function seedKey(seed: Buffer): KeyObject {
  // PKCS8 prefix of an Ed25519 private key (RFC 8410) followed by the 32-byte seed.
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** A public key from a PEM (SPKI) or its base64 DER, or the raw 32 bytes as hex/base64. */
export function parsePublicKey(value: string | KeyObject): KeyObject {
  if (typeof value !== 'string') return value.type === 'private' ? createPublicKey(value) : value;
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text.replace(/\\n/g, '\n'));
  const raw = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (raw.length === 32) return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  return createPublicKey({ key: raw, format: 'der', type: 'spki' });
}

export function publicKeyPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'pem', type: 'spki' }).toString();
}

export function keyIdOf(key: KeyObject): string {
  const spki = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(spki.subarray(spki.length - 32)).digest('hex').slice(0, 16);
}

export function signTreeHead(privateKey: KeyObject, treeSize: number, root: Buffer, at: Date = new Date()): SignedTreeHead {
  const head = { treeSize, rootHash: root.toString('hex'), timestamp: at.toISOString() };
  return { ...head, keyId: keyIdOf(privateKey), signature: sign(null, treeHeadMessage(head), privateKey).toString('base64') };
}

export function verifyTreeHeadSignature(publicKey: KeyObject, head: SignedTreeHead): boolean {
  try {
    return verify(null, treeHeadMessage(head), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
