import type { KeyObject } from 'node:crypto';
import { MerkleFrontier } from './merkle';
import { claimedSeq, recordLeafHash } from './record';
import { keyIdOf, parsePublicKey, SignedTreeHead, verifyTreeHeadSignature } from './tree-head';

/** One record as a log or an archived segment holds it. */
export interface LogEntry {
  /** Position the store gives the record (row order). */
  seq: number;
  /** Canonical record bytes: what the leaf hash covers. */
  body: Buffer;
  /** The leaf hash the store kept next to the record, if any (names an edited record exactly). */
  leafHash?: Buffer;
}

export type ProblemKind = 'missing' | 'reordered' | 'edited' | 'root_mismatch' | 'truncated' | 'rollback' | 'bad_signature' | 'wrong_key';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The first record concerned, when one can be named. */
  seq?: number;
  treeSize?: number;
  message: { zh: string; en: string };
}

export interface VerifyReport {
  ok: boolean;
  recordsChecked: number;
  treeHeadsChecked: number;
  /** Size and root the records add up to. */
  treeSize: number;
  rootHash: string;
  /** The first record that is not what the signed log says it should be. */
  firstBadSeq: number | null;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  /** The audit service's public key (PEM, base64 DER or raw 32 bytes), or a KeyObject. */
  publicKey: string | KeyObject;
  /** Signed tree heads that travel with the records (the log's own table, or a segment's). */
  treeHeads: SignedTreeHead[];
  /**
   * Heads kept elsewhere (object storage, a copy an auditor saved): the records must reach
   * each of them with the same root, otherwise the store was rolled back or forked.
   */
  anchors?: SignedTreeHead[];
  /** Resume from a known frontier (size and its complete-subtree hashes) instead of from 0. */
  start?: { size: number; frontier: Buffer[] };
  /** Stop collecting after this many problems (the first one is what matters). */
  maxProblems?: number;
}

/**
 * Checks a log record by record, without trusting the store: recomputes every leaf hash and
 * the tree, and compares it with Ed25519-signed tree heads. Needs only the public key.
 * Feed records in store order with push(), then call finish().
 */
export class LogVerifier {
  private readonly key: KeyObject;
  private readonly keyId: string;
  private readonly frontier: MerkleFrontier;
  private readonly heads = new Map<number, SignedTreeHead>();
  private readonly anchorSizes = new Set<number>();
  private readonly rootsAt = new Map<number, string>();
  private readonly problems: VerifyProblem[] = [];
  private firstBad: number | null = null;
  private records = 0;
  private headsChecked = 0;
  private lastGoodHead: number;
  private broken = false;

  constructor(private readonly opts: VerifyOptions) {
    this.key = parsePublicKey(opts.publicKey);
    this.keyId = keyIdOf(this.key);
    this.frontier = opts.start ? new MerkleFrontier(opts.start.size, opts.start.frontier) : new MerkleFrontier();
    this.lastGoodHead = this.frontier.size;
    for (const h of opts.treeHeads) {
      if (!this.checkSignature(h, 'log')) continue;
      this.heads.set(h.treeSize, h);
    }
    for (const a of opts.anchors ?? []) if (this.checkSignature(a, 'anchor')) this.anchorSizes.add(a.treeSize);
  }

  private checkSignature(h: SignedTreeHead, where: 'log' | 'anchor'): boolean {
    if (h.keyId !== this.keyId) {
      this.problem({ kind: 'wrong_key', treeSize: h.treeSize, message: { zh: `树头（规模 ${h.treeSize}）由其他密钥 ${h.keyId} 签名`, en: `tree head of size ${h.treeSize} was signed by another key (${h.keyId})` } });
      return false;
    }
    if (!verifyTreeHeadSignature(this.key, h)) {
      this.problem({ kind: 'bad_signature', treeSize: h.treeSize, message: { zh: `树头（规模 ${h.treeSize}，${where === 'log' ? '日志' : '外部存档'}）签名无效`, en: `tree head of size ${h.treeSize} (${where}) has an invalid signature` } });
      return false;
    }
    return true;
  }

  private problem(p: VerifyProblem): void {
    if (p.seq !== undefined && (this.firstBad === null || p.seq < this.firstBad)) this.firstBad = p.seq;
    if (this.problems.length < (this.opts.maxProblems ?? 100)) this.problems.push(p);
  }

  push(entry: LogEntry): void {
    this.pushHashed(entry.seq, entry.body, recordLeafHash(entry.body), entry.leafHash);
  }

  /**
   * Like push(), with the leaf hash already computed by the caller from `body` (e.g. in place with
   * leafHashOfInput). Only for readers that hash the very bytes they pass here.
   */
  pushHashed(seq: number, body: Buffer, leaf: Buffer, storedLeaf?: Buffer): void {
    const expected = this.frontier.size;
    if (!this.broken) {
      if (seq > expected) {
        this.broken = true;
        const n = seq - expected;
        this.problem({ kind: 'missing', seq: expected, message: { zh: `缺少记录 #${expected}${n > 1 ? `–#${seq - 1}（共 ${n} 条）` : ''}，疑被删除`, en: `record #${expected}${n > 1 ? `–#${seq - 1} (${n} records)` : ''} missing: deleted?` } });
      } else if (seq < expected) {
        this.broken = true;
        this.problem({ kind: 'reordered', seq, message: { zh: `记录 #${seq} 重复或顺序被打乱`, en: `record #${seq} repeated or out of order` } });
      } else {
        const claimed = claimedSeq(body);
        if (claimed !== seq) {
          this.broken = true;
          this.problem({ kind: 'reordered', seq, message: { zh: `位置 #${seq} 上的记录自称 #${claimed}：顺序被改动`, en: `the record at #${seq} says it is #${claimed}: the order was changed` } });
        }
      }
    }
    if (storedLeaf && !storedLeaf.equals(leaf))
      this.problem({ kind: 'edited', seq, message: { zh: `记录 #${seq} 的内容与其叶哈希不符：已被修改`, en: `record #${seq} does not match its leaf hash: it was edited` } });
    this.frontier.append(leaf);
    this.records++;
    const size = this.frontier.size;
    const head = this.heads.get(size);
    if (head || this.anchorSizes.has(size)) {
      const root = this.frontier.root().toString('hex');
      this.rootsAt.set(size, root);
      if (head) {
        this.headsChecked++;
        if (root !== head.rootHash) {
          this.problem({
            kind: 'root_mismatch',
            seq: this.firstBad ?? this.lastGoodHead,
            treeSize: size,
            message: { zh: `前 ${size} 条记录与签名树头不符；问题在 #${this.lastGoodHead} 至 #${size - 1} 之间`, en: `the first ${size} records do not match the signed tree head; the change is between #${this.lastGoodHead} and #${size - 1}` },
          });
        } else if (this.firstBad === null) this.lastGoodHead = size;
      }
    }
  }

  finish(): VerifyReport {
    const size = this.frontier.size;
    const root = this.frontier.root().toString('hex');
    const longest = Math.max(-1, ...this.heads.keys());
    if (longest > size)
      this.problem({ kind: 'truncated', seq: size, treeSize: longest, message: { zh: `已签名树头规模 ${longest}，但日志只有 ${size} 条记录：末尾记录被删除`, en: `a tree head of size ${longest} was signed but the log holds ${size} records: records were removed from the end` } });
    for (const a of this.opts.anchors ?? []) {
      if (!this.anchorSizes.has(a.treeSize)) continue;
      if (a.treeSize > size) {
        this.problem({ kind: 'rollback', seq: size, treeSize: a.treeSize, message: { zh: `对象存储中的树头（规模 ${a.treeSize}，${a.timestamp}）比数据库日志（${size} 条）新：数据库被回滚`, en: `object storage holds a tree head of size ${a.treeSize} (${a.timestamp}) newer than the database log (${size} records): the database was rolled back` } });
      } else if (this.rootsAt.get(a.treeSize) !== a.rootHash) {
        this.problem({ kind: 'rollback', seq: this.firstBad ?? undefined, treeSize: a.treeSize, message: { zh: `对象存储中的树头（规模 ${a.treeSize}）与数据库日志不一致：日志被改写或回滚`, en: `the tree head of size ${a.treeSize} in object storage disagrees with the database log: rewritten or rolled back` } });
      }
    }
    return {
      ok: this.problems.length === 0,
      recordsChecked: this.records,
      treeHeadsChecked: this.headsChecked,
      treeSize: size,
      rootHash: root,
      firstBadSeq: this.firstBad,
      problems: this.problems,
    };
  }
}

/** Verifies a whole log from an (async) iterable of records. */
export async function verifyLog(entries: Iterable<LogEntry> | AsyncIterable<LogEntry>, opts: VerifyOptions): Promise<VerifyReport> {
  const v = new LogVerifier(opts);
  for await (const e of entries) v.push(e);
  return v.finish();
}
