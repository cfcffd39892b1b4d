import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing, as Certificate Transparency logs use it:
 * leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), and the tree over
 * n leaves splits at the largest power of two smaller than n.
 */
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const EMPTY_ROOT = createHash('sha256').digest();

// One-shot hashing (node ≥ 20.12) skips a Hash object per call: verifying is mostly hashing.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: Buffer | Uint8Array, enc: 'buffer') => Buffer }).hash;

export function leafHash(data: Buffer | Uint8Array): Buffer {
  return createHash('sha256').update(LEAF).update(data).digest();
}

/**
 * Leaf hash of `input.subarray(1)` when `input[0]` is already 0x00: a reader that owns the buffer
 * (e.g. a COPY stream, where the byte before a field is the last byte of its length) hashes the
 * record where it lies, without copying it.
 */
export function leafHashOfInput(input: Buffer): Buffer {
  if (input[0] !== 0) throw new RangeError('leaf input must start with 0x00');
  return oneShot ? oneShot('sha256', input, 'buffer') : createHash('sha256').update(input).digest();
}
const nodeInput = Buffer.alloc(65);

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (!oneShot || left.length !== 32 || right.length !== 32) return createHash('sha256').update(NODE).update(left).update(right).digest();
  nodeInput[0] = 1;
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 33);
  return oneShot('sha256', nodeInput, 'buffer');
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A complete, aligned subtree: 2^level leaves starting at leaf index × 2^level. */
export interface NodeId {
  level: number;
  index: number;
}

export const nodeKey = (n: NodeId): string => `${n.level}/${n.index}`;

/** A leaf range [start, end) whose tree hash (MTH) is part of a proof. */
export type LeafRange = readonly [start: number, end: number];

/**
 * The complete subtrees that make up [start, end), largest first. Every range a proof asks for
 * starts at a multiple of a power of two larger than its length, so the split is exact.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let a = start;
  while (a < end) {
    let size = 1;
    while (size * 2 <= end - a && a % (size * 2) === 0) size *= 2;
    out.push({ level: Math.log2(size), index: a / size });
    a += size;
  }
  return out;
}

/** Tree hash of a range from the hashes of its complete subtrees (folded right to left). */
export function foldRange(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let h = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i], h);
  return h;
}

/** Ranges whose hashes form the inclusion proof (audit path) of leaf m in a tree of size n. */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
  const out: LeafRange[] = [];
  const walk = (start: number, end: number) => {
    if (end - start <= 1) return;
    const k = splitPoint(end - start);
    if (m < start + k) {
      walk(start, start + k);
      out.push([start + k, end]);
    } else {
      walk(start + k, end);
      out.push([start, start + k]);
    }
  };
  walk(0, n);
  return out;
}

/** Ranges whose hashes form the consistency proof between tree sizes m and n (RFC 6962 2.1.2). */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!(m > 0 && m <= n)) throw new RangeError(`no consistency proof from size ${m} to ${n}`);
  const out: LeafRange[] = [];
  if (m === n) return out;
  const sub = (size: number, start: number, end: number, complete: boolean) => {
    const len = end - start;
    if (size === len) {
      if (!complete) out.push([start, end]);
      return;
    }
    const k = splitPoint(len);
    if (size <= k) {
      sub(size, start, start + k, complete);
      out.push([start + k, end]);
    } else {
      sub(size - k, start + k, end, false);
      out.push([start, start + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** Every stored node a list of ranges needs, without duplicates. */
export function nodesFor(ranges: readonly LeafRange[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [a, b] of ranges) for (const id of rangeNodes(a, b)) seen.set(nodeKey(id), id);
  return [...seen.values()];
}

/** Resolves ranges to hashes with a node lookup (a map filled from storage). */
export function hashRanges(ranges: readonly LeafRange[], node: (id: NodeId) => Buffer | undefined): Buffer[] {
  return ranges.map(([a, b]) =>
    foldRange(
      rangeNodes(a, b).map((id) => {
        const h = node(id);
        if (!h) throw new Error(`missing tree node ${nodeKey(id)}`);
        return h;
      }),
    ),
  );
}

/**
 * The right edge of a growing tree: one hash per complete subtree of the current size (largest
 * first). Appending costs one leaf plus at most log2(n) node hashes; every node that becomes
 * complete is reported so a log can store it for proofs.
 */
export class MerkleFrontier {
  private readonly levels: number[] = [];
  private readonly hashes: Buffer[] = [];
  private count: number;

  constructor(size = 0, nodes: Buffer[] = []) {
    this.count = size;
    const ids = rangeNodes(0, size);
    if (ids.length !== nodes.length) throw new Error(`a frontier of size ${size} needs ${ids.length} nodes, got ${nodes.length}`);
    ids.forEach((id, i) => {
      this.levels.push(id.level);
      this.hashes.push(nodes[i]);
    });
  }

  /** The complete subtrees a frontier of this size consists of (what to load to resume). */
  static nodesOf(size: number): NodeId[] {
    return rangeNodes(0, size);
  }

  get size(): number {
    return this.count;
  }

  /** Appends one leaf hash; `onNode` receives each interior node completed by it. */
  append(leaf: Buffer, onNode?: (level: number, index: number, hash: Buffer) => void): void {
    let level = 0;
    let hash = leaf;
    while (this.levels.length && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = nodeHash(this.hashes.pop()!, hash);
      level++;
      // The completed node ends at leaf count + 1, so it is number floor(count / 2^level) on its level.
      onNode?.(level, Math.floor(this.count / 2 ** level), hash);
    }
    this.levels.push(level);
    this.hashes.push(hash);
    this.count++;
  }

  root(): Buffer {
    return foldRange(this.hashes);
  }

  /** The complete-subtree hashes, largest first (what `new MerkleFrontier(size, nodes)` takes). */
  nodes(): Buffer[] {
    return [...this.hashes];
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.count, [...this.hashes]);
  }
}

/** RFC 9162 2.1.3.2: does `proof` show leaf `index` with hash `leaf` in the tree (size, root)? */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2: is the tree (size2, root2) an append-only extension of (size1, root1)? */
export function verifyConsistency(size1: number, size2: number, root1: Buffer, root2: Buffer, proof: Buffer[]): boolean {
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (!(size1 > 0 && size1 < size2) || proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}
