import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ColumnSpec } from '../pipeline/contracts';
import { createKeyTracker, keyHash53 } from './key-tracker';

const MiB = 1024 * 1024;

/** A full collection before each memory reading, so the figures are not garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('createKeyTracker', () => {
  it('without key columns nothing is a duplicate', () => {
    const tracker = createKeyTracker([{ name: 'a', dataType: 'C' }]);
    expect(tracker.seen(['x'])).toBe(false);
    expect(tracker.seen(['x'])).toBe(false);
    expect(tracker.memoryBytes()).toBe(0);
  });

  it('compound keys: cells do not run into each other, null differs from empty', () => {
    const specs: ColumnSpec[] = [
      { name: 'a', dataType: 'C', key: true },
      { name: 'other', dataType: 'C' },
      { name: 'b', dataType: 'C', key: true },
    ];
    const tracker = createKeyTracker(specs);
    expect(tracker.keyColumns).toEqual(['a', 'b']);
    expect(tracker.seen(['ab', 'x', 'c'], 2)).toBe(false);
    expect(tracker.seen(['a', 'x', 'bc'], 3)).toBe(false);
    expect(tracker.seen([null, 'x', 'c'], 4)).toBe(false);
    expect(tracker.seen(['', 'x', 'c'], 5)).toBe(false);
    expect(tracker.seen(['ab', 'other values do not matter', 'c'], 6)).toBe(true);
    expect(tracker.firstRowNumber).toBe(2);
    expect(tracker.size).toBe(4);
    expect(tracker.duplicates).toBe(1);
  });

  it('stops growing at maxBytes: later keys are still checked against the table, and where it filled is told', () => {
    const specs: ColumnSpec[] = [{ name: 'k', dataType: 'C', key: true }];
    const tracker = createKeyTracker(specs, { maxBytes: 12 * 1024 }); // 1,024 slots, full after 717 keys
    for (let row = 1; row <= 717; row++) expect(tracker.seen([`k${row}`], row)).toBe(false);
    expect(tracker.overflowFrom).toBe(0);
    // Full: a new key is not taken, and the first such row is remembered.
    expect(tracker.seen(['new-1'], 800)).toBe(false);
    expect(tracker.seen(['new-2'], 801)).toBe(false);
    expect(tracker.overflowFrom).toBe(800);
    // Not taken means not known: a repeat among the later rows is for the loader to find.
    expect(tracker.seen(['new-1'], 802)).toBe(false);
    // A repeat of a key the table holds is still caught, with its first row.
    expect(tracker.seen(['k10'], 900)).toBe(true);
    expect(tracker.firstRowNumber).toBe(10);
    for (let row = 1000; row < 50_000; row++) tracker.seen([`later${row}`], row);
    expect(tracker.memoryBytes()).toBe(12 * 1024);
    expect(tracker.size).toBe(717);
    expect(tracker.overflowFrom).toBe(800);
  });

  it('keeps the default table at 24 MiB (2^21 slots), so a 1,000,000-row file never fills it', () => {
    const tracker = createKeyTracker([{ name: 'k', dataType: 'C', key: true }], { maxBytes: 24 * MiB, expectedRows: 10_000_000 });
    expect(tracker.memoryBytes()).toBe(24 * MiB);
    expect(Math.floor(2 ** 21 * 0.7)).toBeGreaterThan(1_000_000);
  });

  it('keyHash53 is an exact integer below 2^53 and stable', () => {
    const h = keyHash53(['91350100M000100Y43'], Int32Array.of(0));
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBe(keyHash53(['91350100M000100Y43'], Int32Array.of(0)));
    expect(h).not.toBe(keyHash53(['91350100M000100Y44'], Int32Array.of(0)));
  });

  it('1,000,000 keys: finds exactly the planted duplicates, in flat memory', () => {
    const specs: ColumnSpec[] = [{ name: '统一社会信用代码', dataType: 'C', key: true }];
    const rows = 1_000_000;
    // Sequential keys differing in a few characters are the hard case for a weak hash.
    const keyOf = (i: number) => '91350100' + String(i).padStart(10, '0');
    const isPlanted = (i: number) => i > 0 && i % 997 === 0;
    /** The earlier row whose key a planted row repeats: about half as far in (the table has grown since). */
    const originalOf = (i: number) => (isPlanted(Math.floor(i / 2)) ? Math.floor(i / 2) - 1 : Math.floor(i / 2));
    const expected: number[] = [];
    const expectedFirst: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < rows; i++) {
      const planted = isPlanted(i);
      if (planted) {
        expected.push(i + 1);
        expectedFirst.push(originalOf(i) + 1);
      }
      keys.push(keyOf(planted ? originalOf(i) : i));
    }
    collectGarbage();
    const memoryBefore = process.memoryUsage();
    const tracker = createKeyTracker(specs);
    const found: number[] = [];
    const firstRows: number[] = [];
    for (let i = 0; i < rows; i++) {
      if (tracker.seen([keys[i]], i + 1)) {
        found.push(i + 1);
        firstRows.push(tracker.firstRowNumber);
      }
    }
    collectGarbage();
    const memoryAfter = process.memoryUsage();
    expect(found).toEqual(expected);
    // The first occurrence named is the original row of the repeated key…
    expect(firstRows).toEqual(expectedFirst);
    expect(tracker.size).toBe(rows - expected.length);
    expect(tracker.duplicates).toBe(expected.length);
    // …and the table is 2^21 slots × 12 bytes.
    expect(tracker.memoryBytes()).toBe(2 ** 21 * 12);

    console.log(
      `key tracker, ${rows.toLocaleString('en')} keys (${expected.length} planted duplicates, all found, no false ones): ` +
        `table ${(tracker.memoryBytes() / MiB).toFixed(1)} MiB (${(tracker.memoryBytes() / tracker.size).toFixed(1)} B/key); ` +
        `process arrayBuffers +${((memoryAfter.arrayBuffers - memoryBefore.arrayBuffers) / MiB).toFixed(1)} MiB after a full GC, nothing per key on the JS heap`,
    );
  }, 120_000);
});
