import { decodeRowSet, encodeRowSet, rowSet, rowSetFromPacked, symmetricDifference } from './row-sets';

it('sorts and de-duplicates row ids, and round-trips them through the stored encoding', () => {
  const s = rowSet(['5', 3, 3, 9, 1]);
  expect([...s]).toEqual([1, 3, 5, 9]);
  expect([...decodeRowSet(encodeRowSet(s))]).toEqual([1, 3, 5, 9]);
  const big = rowSet(Array.from({ length: 100_000 }, (_, i) => i + 1));
  expect(encodeRowSet(big).length).toBeLessThan(2_000);
});

it('counts the symmetric difference, stopping early', () => {
  const a = rowSet([1, 2, 3, 4, 5, 6]);
  const b = rowSet([2, 3, 4, 5, 6, 7, 8]);
  expect(symmetricDifference(a, b)).toBe(3);
  expect(symmetricDifference(a, a)).toBe(0);
  expect(symmetricDifference(a, rowSet([]))).toBe(6);
  expect(symmetricDifference(rowSet([1, 3, 5, 7]), rowSet([2, 4, 6, 8]), 2)).toBe(2);
});

it('reads row ids packed as big-endian int4', () => {
  const packed = Buffer.alloc(16);
  [7, 3, 7, 1].forEach((v, i) => packed.writeInt32BE(v, i * 4));
  expect([...rowSetFromPacked(packed)]).toEqual([1, 3, 7]);
  expect(rowSetFromPacked(null)).toHaveLength(0);
});

it('round-trips signed fingerprints across the whole int4 range (deltas wrap through uint32)', () => {
  const s = rowSet([2147483647, -2147483648, 0, -1, 123456789, -987654321]);
  expect([...s]).toEqual([-2147483648, -987654321, -1, 0, 123456789, 2147483647]);
  expect([...decodeRowSet(encodeRowSet(s))]).toEqual([...s]);
  expect(symmetricDifference(s, rowSet([-2147483648, -1, 0, 123456789, 2147483647]))).toBe(1);
});
