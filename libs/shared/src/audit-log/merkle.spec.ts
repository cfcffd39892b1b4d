import { createHash } from 'node:crypto';
import {
  consistencyRanges,
  EMPTY_ROOT,
  hashRanges,
  inclusionRanges,
  leafHash,
  MerkleFrontier,
  nodeHash,
  nodeKey,
  nodesFor,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

// Straight from RFC 6962 section 2.1, recursion over the leaf list: the oracle.
const mth = (d: Buffer[]): Buffer => (d.length === 0 ? EMPTY_ROOT : d.length === 1 ? d[0] : nodeHash(mth(d.slice(0, splitPoint(d.length))), mth(d.slice(splitPoint(d.length)))));
const path = (m: number, d: Buffer[]): Buffer[] => {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
};
const subproof = (m: number, d: Buffer[], b: boolean): Buffer[] => {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = splitPoint(n);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
};

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`record ${i}`)));

/** Every complete subtree of the leaves, as a log would store them. */
function store(d: Buffer[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  d.forEach((h, i) => m.set(`0/${i}`, h));
  const f = new MerkleFrontier();
  for (const h of d) f.append(h, (level, index, hash) => m.set(`${level}/${index}`, hash));
  return m;
}

describe('RFC 6962 Merkle tree', () => {
  it('hashes with domain separation (known values)', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(nodeHash(Buffer.alloc(32, 1), Buffer.alloc(32, 2))).toEqual(createHash('sha256').update(Buffer.concat([Buffer.from([1]), Buffer.alloc(32, 1), Buffer.alloc(32, 2)])).digest());
  });

  it('the frontier gives the RFC root at every size and reports every completed node', () => {
    const d = leaves(70);
    const f = new MerkleFrontier();
    const nodes = new Map<string, Buffer>();
    for (let i = 0; i < d.length; i++) {
      f.append(d[i], (level, index, hash) => nodes.set(`${level}/${index}`, hash));
      expect(f.root()).toEqual(mth(d.slice(0, i + 1)));
    }
    expect(nodes.get('6/0')).toEqual(mth(d.slice(0, 64)));
    expect(nodes.get('2/16')).toEqual(mth(d.slice(64, 68)));
    expect(nodes.get('1/34')).toEqual(mth(d.slice(68, 70)));
    // Resuming from stored frontier nodes continues the same tree.
    const resumed = new MerkleFrontier(45, MerkleFrontier.nodesOf(45).map((id) => nodes.get(nodeKey(id)) ?? d[id.index]));
    for (let i = 45; i < 70; i++) resumed.append(d[i]);
    expect(resumed.root()).toEqual(mth(d));
  });

  it('inclusion proofs from stored nodes equal the RFC audit paths and verify', () => {
    for (let n = 1; n <= 40; n++) {
      const d = leaves(n);
      const nodes = store(d);
      const root = mth(d);
      for (let m = 0; m < n; m++) {
        const ranges = inclusionRanges(m, n);
        const proof = hashRanges(ranges, (id) => nodes.get(nodeKey(id)));
        expect(proof).toEqual(path(m, d));
        expect(nodesFor(ranges).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)));
        expect(verifyInclusion(d[m], m, n, proof, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(d[(m + 1) % n], m, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(d[m], (m + 1) % n, n, proof, root)).toBe(false);
      }
    }
  });

  it('consistency proofs equal the RFC proofs and verify; a rewritten prefix does not', () => {
    for (let n = 1; n <= 33; n++) {
      const d = leaves(n);
      const nodes = store(d);
      for (let m = 1; m <= n; m++) {
        const proof = hashRanges(consistencyRanges(m, n), (id) => nodes.get(nodeKey(id)));
        expect(proof).toEqual(m === n ? [] : subproof(m, d, true));
        expect(verifyConsistency(m, n, mth(d.slice(0, m)), mth(d), proof)).toBe(true);
        if (m < n) {
          const forged = [...d];
          forged[m - 1] = leafHash(Buffer.from('forged'));
          expect(verifyConsistency(m, n, mth(forged.slice(0, m)), mth(d), proof)).toBe(false);
        }
      }
    }
  });
});
