import { createHash, KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { keyIdOf, parsePublicKey, SignedTreeHead } from './tree-head';
import { LogEntry, LogVerifier, VerifyReport } from './verifier';

/**
 * An archived part of the log (归档段): records [fromSeq, toSeq) as newline-separated canonical
 * JSON, and a signed manifest carrying the tree head at toSeq and the frontier at fromSeq, so a
 * segment can be checked on its own and a chain of segments continues the live log.
 */
export interface SegmentManifest {
  format: 'govdata-audit-segment/v1';
  fromSeq: number;
  toSeq: number;
  /** Hex SHA-256 of the segment file. */
  sha256: string;
  /** Hex complete-subtree hashes of the log before fromSeq (largest first). */
  startFrontier: string[];
  treeHead: SignedTreeHead;
  createdAt: string;
  keyId: string;
  signature: string;
}

export function encodeSegment(bodies: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const nl = Buffer.from('\n');
  for (const b of bodies) parts.push(b, nl);
  return Buffer.concat(parts);
}

export function decodeSegment(file: Buffer, fromSeq: number): LogEntry[] {
  const out: LogEntry[] = [];
  let start = 0;
  for (let i = 0; i < file.length; i++) {
    if (file[i] !== 0x0a) continue;
    out.push({ seq: fromSeq + out.length, body: file.subarray(start, i) });
    start = i + 1;
  }
  if (start < file.length) out.push({ seq: fromSeq + out.length, body: file.subarray(start) });
  return out;
}

function manifestMessage(m: Omit<SegmentManifest, 'signature'>): Buffer {
  const { signature: _ignored, ...rest } = m as SegmentManifest;
  return Buffer.from(`govdata-audit-segment/v1\n${canonicalJson(rest)}`, 'utf8');
}

export function signSegmentManifest(key: KeyObject, m: Omit<SegmentManifest, 'signature' | 'keyId' | 'format'>): SegmentManifest {
  const unsigned = { ...m, format: 'govdata-audit-segment/v1' as const, keyId: keyIdOf(key) };
  return { ...unsigned, signature: sign(null, manifestMessage(unsigned), key).toString('base64') };
}

export function segmentSha256(file: Buffer): string {
  return createHash('sha256').update(file).digest('hex');
}

/** Checks one segment alone: manifest signature, file digest, and the records against its tree head. */
export function verifySegment(file: Buffer, manifest: SegmentManifest, publicKey: string | KeyObject): VerifyReport {
  const key = parsePublicKey(publicKey);
  const v = new LogVerifier({ publicKey: key, treeHeads: [manifest.treeHead], start: { size: manifest.fromSeq, frontier: manifest.startFrontier.map((h) => Buffer.from(h, 'hex')) } });
  const extra: VerifyReport['problems'] = [];
  if (manifest.keyId !== keyIdOf(key) || !verify(null, manifestMessage(manifest), key, Buffer.from(manifest.signature, 'base64')))
    extra.push({ kind: 'bad_signature', seq: manifest.fromSeq, message: { zh: `归档段 #${manifest.fromSeq}–#${manifest.toSeq - 1} 的清单签名无效`, en: `the manifest of segment #${manifest.fromSeq}–#${manifest.toSeq - 1} has an invalid signature` } });
  if (segmentSha256(file) !== manifest.sha256)
    extra.push({ kind: 'edited', seq: manifest.fromSeq, message: { zh: `归档段 #${manifest.fromSeq}–#${manifest.toSeq - 1} 的文件摘要不符：文件被改动`, en: `segment #${manifest.fromSeq}–#${manifest.toSeq - 1} does not match its digest: the file was changed` } });
  for (const e of decodeSegment(file, manifest.fromSeq)) v.push(e);
  const report = v.finish();
  if (report.treeSize !== manifest.toSeq)
    extra.push({ kind: report.treeSize < manifest.toSeq ? 'missing' : 'reordered', seq: Math.min(report.treeSize, manifest.toSeq), message: { zh: `归档段应含 #${manifest.fromSeq}–#${manifest.toSeq - 1}，实际到 #${report.treeSize - 1}`, en: `the segment should hold #${manifest.fromSeq}–#${manifest.toSeq - 1} but ends at #${report.treeSize - 1}` } });
  const problems = [...extra, ...report.problems];
  const seqs = problems.map((p) => p.seq).filter((s): s is number => s !== undefined);
  return { ...report, ok: problems.length === 0, problems, firstBadSeq: seqs.length ? Math.min(...seqs) : null };
}
