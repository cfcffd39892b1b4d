import { checkDifferencing, checkGroups, groupDistance, ledgerWindow, OutputGroup, outputGroups, ReleasedGroup } from './release-check';
import { rowSet } from './row-sets';
import { HIDDEN_COUNT, HIDDEN_ROWS, SandboxRefusal } from './sandbox-sql';

const group = (ids: number[], rows = ids.length): OutputGroup => ({ rows, ids: rowSet(ids) });
const released = (jobId: string, ids: number[], rows = ids.length): ReleasedGroup => ({ jobId, rows, ids: () => rowSet(ids) });
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

function refusal(fn: () => void): SandboxRefusal {
  try {
    fn();
  } catch (err) {
    if (err instanceof SandboxRefusal) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('checkGroups', () => {
  it('refuses any group of fewer than k distinct source rows, with their number', () => {
    const r = refusal(() => checkGroups([group(range(1, 10)), group([1, 2, 3, 4]), group([5])], { minK: 5, maxRows: 100 }));
    expect(r.code).toBe('SANDBOX_GROUP_TOO_SMALL');
    expect(r.details).toEqual({ minK: 5, smallGroups: 2 });
  });

  it('counts distinct driving rows, not join rows: one person joined five times is one row', () => {
    expect(refusal(() => checkGroups([group([42], 5)], { minK: 5, maxRows: 100 })).code).toBe('SANDBOX_GROUP_TOO_SMALL');
    expect(() => checkGroups([group(range(1, 5), 20)], { minK: 5, maxRows: 100 })).not.toThrow();
  });

  it('refuses more groups than the limit', () => {
    expect(refusal(() => checkGroups([group(range(1, 5)), group(range(6, 5))], { minK: 5, maxRows: 1 })).code).toBe('SANDBOX_TOO_MANY_ROWS');
  });

  it('reads the hidden columns of the query result', () => {
    const packed = Buffer.alloc(8);
    packed.writeInt32BE(-7, 0);
    packed.writeInt32BE(3, 4);
    expect(outputGroups([{ n: 1, [HIDDEN_COUNT]: '2', [HIDDEN_ROWS]: packed }]).map((g) => [g.rows, [...g.ids]])).toEqual([[2, [-7, 3]]]);
  });
});

describe('checkDifferencing', () => {
  const k = 5;

  it('refuses a group one row away from a released group, naming the earlier job', () => {
    const r = refusal(() => checkDifferencing([group(range(1, 99))], [released('job-a', range(1, 100))], k));
    expect(r.code).toBe('SANDBOX_DIFFERENCING');
    expect(r.details).toEqual({ earlierJobId: 'job-a', minK: 5 });
  });

  it('refuses a swapped row (same size, one person replaced): distance 2', () => {
    const swapped = [...range(1, 99), 1000];
    expect(groupDistance(group(swapped), group(range(1, 100)), k)).toBe(2);
    expect(refusal(() => checkDifferencing([group(swapped)], [released('job-a', range(1, 100))], k)).code).toBe('SANDBOX_DIFFERENCING');
  });

  it('refuses equal fingerprint sets whose row counts differ (identical rows, joined rows)', () => {
    expect(refusal(() => checkDifferencing([group(range(1, 100), 101)], [released('job-a', range(1, 100), 100)], k)).code).toBe('SANDBOX_DIFFERENCING');
  });

  it('releases the same group again (marked known) and groups k or more rows apart', () => {
    const same = group(range(1, 100));
    const far = group(range(6, 95));
    checkDifferencing([same, far], [released('job-a', range(1, 100))], k);
    expect(same.known).toBe(true);
    expect(far.known).toBeUndefined();
  });

  it('does not decode an earlier release whose row count is out of reach', () => {
    const ids = jest.fn(() => rowSet(range(1, 100)));
    checkDifferencing([group(range(1, 10))], [{ jobId: 'job-a', rows: 100, ids }], k);
    expect(ids).not.toHaveBeenCalled();
    expect(ledgerWindow([group(range(1, 10)), group(range(1, 30))], k)).toEqual({ lo: 6, hi: 34 });
  });
});
