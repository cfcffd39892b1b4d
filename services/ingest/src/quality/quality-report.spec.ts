import { organizationCodeCheckChar, usccCheckChar } from '@gov/shared';
import { ColumnSpec } from '../pipeline/contracts';
import { createRowValidator } from '../validation/row-validator';
import { createQualityAccumulator, estimateSharedKeys, gradeOf, QualityReport, trend } from './quality-report';

const NOW = new Date('2024-06-01T00:00:00Z');
const DAY = 86_400_000;

function uscc(org8: string): string {
  const first17 = '91350200' + org8 + organizationCodeCheckChar(org8);
  return first17 + usccCheckChar(first17);
}

const specs: ColumnSpec[] = [
  { name: '统一社会信用代码', dataType: 'C', length: 18, key: true, required: true, format: 'uscc' },
  { name: '企业名称', dataType: 'C', required: true },
  { name: '注册资本', dataType: 'Y' },
  { name: '成立日期', dataType: 'D' },
  { name: '手机号码', dataType: 'C', format: 'mobile' },
];

/** Five rows, worked out by hand in the comments. */
function smallVersion() {
  const validator = createRowValidator(specs, [0, 1, 2, 3, 4], { now: NOW });
  const quality = createQualityAccumulator(specs);
  const rows: (string | null)[][] = [
    ['91350100M000100Y43', '甲公司', '100', '2020-01-01', '13800138000'], // clean
    ['91350203M0001QAY99', '乙公司', '', '2020-13-01', ''], // bad date
    ['91350100M000100Y43', '丙公司', '50', '', '13800138001'], // duplicate key
    ['91350203M0001QAY9B', '', 'abc', '2021-05-05', '123'], // bad USCC, name missing, bad money, bad mobile
    [uscc('12345678'), '丁公司', '1,000', '2022/2/2', ''], // clean
  ];
  rows.forEach((values, i) => {
    const { values: normalized, problems } = validator.validate({ rowNumber: i + 2, values });
    quality.observe(normalized, problems);
  });
  return quality;
}

describe('quality report', () => {
  it('numbers of a small hand-computed example', () => {
    const report = smallVersion().finish({
      now: NOW,
      version: 3,
      updateCycle: 'MONTHLY',
      lastUpdatedAt: new Date(NOW.getTime() - 10 * DAY),
      previous: { rowCount: 2, columns: ['统一社会信用代码', '企业名称', '注册资本', '成立日期', '法定代表人'] },
    });
    expect(report.version).toBe(3);
    expect(report.rowCount).toBe(5);
    expect(report.rejectedRows).toBe(3);
    expect(report.loadedRows).toBe(2);

    // Completeness: a present but invalid cell counts as filled (it is a validity problem).
    expect(report.completeness.columns.map((c) => [c.column, c.filled, c.rate])).toEqual([
      ['统一社会信用代码', 5, 1],
      ['企业名称', 4, 0.8],
      ['注册资本', 4, 0.8],
      ['成立日期', 4, 0.8],
      ['手机号码', 3, 0.6],
    ]);
    expect(report.completeness.overall).toBe(0.8);

    expect(report.validity.rules.map((r) => [r.column, r.label, r.checked, r.invalid, r.rate])).toEqual([
      ['统一社会信用代码', '必填', 5, 0, 1],
      ['统一社会信用代码', '长度', 5, 0, 1],
      ['统一社会信用代码', '格式（统一社会信用代码）', 5, 1, 0.8],
      ['企业名称', '必填', 5, 1, 0.8],
      ['注册资本', '类型', 4, 1, 0.75],
      ['成立日期', '类型', 4, 1, 0.75],
      ['手机号码', '格式（手机号码）', 3, 1, 0.6667],
    ]);
    expect(report.validity).toMatchObject({ checked: 31, invalid: 5, overall: 0.8387 }); // 26/31

    // Rows 2, 4, 6 reached the key check; row 4 repeated row 2's key.
    expect(report.uniqueness).toEqual({ keyColumns: ['统一社会信用代码'], checkedRows: 3, duplicateRows: 1, rate: 0.6667 });

    expect(report.consistency).toEqual({
      previousRowCount: 2,
      rowCountChange: 0,
      rowCountChangeRate: 0,
      columnsAdded: ['手机号码'],
      columnsRemoved: ['法定代表人'],
      rowsAdded: null,
      rowsRemoved: null,
      rowsChanged: null,
      rowChangesSource: null,
    });
    expect(report.timeliness).toEqual({
      updateCycle: 'MONTHLY',
      updateCycleLabel: '每月',
      maxAgeDays: 31,
      lastUpdatedAt: '2024-05-22T00:00:00.000Z',
      ageDays: 10,
      status: 'fresh',
    });

    // completeness 80, validity 83.87, uniqueness 66.67, consistency (1 + 4/6)/2 = 83.33, timeliness 100
    expect(report.dimensions).toEqual({ completeness: 80, validity: 83.9, uniqueness: 66.7, consistency: 83.3, timeliness: 100 });
    // 0.25·80 + 0.30·83.871 + 0.15·66.667 + 0.15·83.333 + 0.15·100 = 82.66
    expect(report.weights).toEqual({ completeness: 0.25, validity: 0.3, uniqueness: 0.15, consistency: 0.15, timeliness: 0.15 });
    expect(report.score).toBe(82.7);
    expect(report.grade).toBe('良');

    expect(report.snapshot).toMatchObject({ rowCount: 2, columns: specs.map((s) => s.name), keyCount: 2 });
    expect(report.snapshot.keySample).toHaveLength(2);
  });

  it('dimensions that do not apply are left out and the weights rescaled', () => {
    const report = smallVersion().finish({ now: NOW, updateCycle: 'IRREGULAR', lastUpdatedAt: null });
    expect(report.consistency).toBeNull();
    expect(report.timeliness.status).toBe('notRequired');
    expect(report.dimensions.timeliness).toBeNull();
    expect(report.weights).toEqual({ completeness: 0.3571, validity: 0.4286, uniqueness: 0.2143, consistency: 0, timeliness: 0 });
    // (0.25·80 + 0.30·83.871 + 0.15·66.667) / 0.70 = 78.80
    expect(report.score).toBe(78.8);
  });

  it('is deterministic', () => {
    const input = { now: NOW, updateCycle: 'DAILY', lastUpdatedAt: '2024-05-31T12:00:00Z' };
    expect(smallVersion().finish(input)).toEqual(smallVersion().finish(input));
  });

  describe('timeliness', () => {
    const finish = (cycle: string | null, ageDays: number | null) =>
      createQualityAccumulator(specs).finish({ now: NOW, updateCycle: cycle, lastUpdatedAt: ageDays === null ? null : new Date(NOW.getTime() - ageDays * DAY) });

    it('fresh within the cycle, stale beyond it, score falling to 0 at twice the maximum age', () => {
      expect(finish('MONTHLY', 31).timeliness.status).toBe('fresh');
      expect(finish('MONTHLY', 31).dimensions.timeliness).toBe(100);
      const stale = finish('MONTHLY', 46.5);
      expect(stale.timeliness).toMatchObject({ status: 'stale', ageDays: 46.5, maxAgeDays: 31 });
      expect(stale.dimensions.timeliness).toBe(50);
      expect(finish('DAILY', 3).dimensions.timeliness).toBe(0);
      expect(finish('YEARLY', 400).timeliness.status).toBe('stale');
    });

    it('not required for 不定期 or no cycle; unknown without a date', () => {
      expect(finish('IRREGULAR', 1000).timeliness.status).toBe('notRequired');
      expect(finish(null, 1000).timeliness.status).toBe('notRequired');
      expect(finish('MONTHLY', null).timeliness).toMatchObject({ status: 'unknown', lastUpdatedAt: null, ageDays: null });
      expect(finish('MONTHLY', null).dimensions.timeliness).toBeNull();
    });

    it('takes the as-of date from a timestamp column (Asia/Shanghai local time)', () => {
      const withAsOf: ColumnSpec[] = [{ name: '更新时间', dataType: 'T' }];
      const validator = createRowValidator(withAsOf, [0]);
      const quality = createQualityAccumulator(withAsOf, { asOfColumn: '更新时间' });
      for (const [i, cell] of ['2024/5/1 8:00', '2024-05-20 08:00:00', '2024-03-01'].entries()) {
        const { values, problems } = validator.validate({ rowNumber: i + 2, values: [cell] });
        quality.observe(values, problems);
      }
      const report = quality.finish({ now: NOW, updateCycle: 'WEEKLY' });
      expect(report.timeliness).toMatchObject({ lastUpdatedAt: '2024-05-20T00:00:00.000Z', ageDays: 12, status: 'stale' });
      expect(() => createQualityAccumulator(specs, { asOfColumn: '企业名称' })).toThrow('must be a date (D) or timestamp (T) column');
    });
  });

  describe('consistency with the previous version', () => {
    const keyed: ColumnSpec[] = [{ name: 'id', dataType: 'C', key: true }];
    function version(keys: Iterable<string>) {
      const quality = createQualityAccumulator(keyed);
      for (const key of keys) quality.observe([key], []);
      return quality;
    }
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `K${from + i}`);

    it('row changes from the key samples: exact for small versions', () => {
      const previous = version(range(0, 100)).finish({ now: NOW }).snapshot;
      const current = version([...range(20, 100), ...range(1000, 1030)]).finish({ now: NOW, previous });
      expect(current.consistency).toMatchObject({ previousRowCount: 100, rowCountChange: 10, rowCountChangeRate: 0.1, rowsAdded: 30, rowsRemoved: 20, rowChangesSource: 'keySample' });
      // Row count within tolerance (1), same columns (1), 20 % removed → 1 − (0.2 − 0.1)/0.9 = 0.889
      expect(current.dimensions.consistency).toBe(96.3);
    });

    it('estimated for large versions (bottom-k sketch of 1,024 hashes)', () => {
      const previous = version(range(0, 50_000)).finish({ now: NOW }).snapshot;
      expect(previous.keySample).toHaveLength(1024);
      const current = version(range(25_000, 80_000)).finish({ now: NOW, previous });
      // True: 30,000 added, 25,000 removed.
      expect(current.consistency?.rowsAdded).toBeGreaterThan(30_000 * 0.85);
      expect(current.consistency?.rowsAdded).toBeLessThan(30_000 * 1.15);
      expect(current.consistency?.rowsRemoved).toBeGreaterThan(25_000 * 0.85);
      expect(current.consistency?.rowsRemoved).toBeLessThan(25_000 * 1.15);
    });

    it("the loader's exact diff wins over the estimate", () => {
      const previous = version(range(0, 100)).finish({ now: NOW }).snapshot;
      const current = version(range(0, 100)).finish({ now: NOW, previous, diff: { added: 3, removed: 1, changed: 7 } });
      expect(current.consistency).toMatchObject({ rowsAdded: 3, rowsRemoved: 1, rowsChanged: 7, rowChangesSource: 'loader' });
    });

    it('a halved version scores low', () => {
      const previous = version(range(0, 1000)).finish({ now: NOW }).snapshot;
      const current = version(range(0, 500)).finish({ now: NOW, previous });
      // rows −50 % → 1 − 0.4/0.9 = 0.556; columns 1; removed 50 % → 0.556
      expect(current.dimensions.consistency).toBe(70.4);
    });

    it('estimateSharedKeys is exact on complete samples', () => {
      expect(estimateSharedKeys([1, 2, 3, 4], 4, [3, 4, 5], 3)).toBe(2);
      expect(estimateSharedKeys([], 0, [1], 1)).toBe(0);
    });
  });

  it('text columns get a type rule only when a NUL character was refused', () => {
    const text: ColumnSpec[] = [{ name: '备注', dataType: 'C' }];
    const validator = createRowValidator(text, [0]);
    const quality = createQualityAccumulator(text);
    for (const [i, cell] of ['好', 'a\u0000b', ''].entries()) {
      const { values, problems } = validator.validate({ rowNumber: i + 2, values: [cell] });
      quality.observe(values, problems);
    }
    const report = quality.finish({ now: NOW });
    expect(report.validity.rules).toEqual([{ column: '备注', rule: 'type', label: '类型', checked: 2, invalid: 1, rate: 0.5 }]);
    expect(report.completeness.columns[0]).toEqual({ column: '备注', filled: 2, rate: 0.6667 });
    expect(createQualityAccumulator(text).finish({ now: NOW }).validity.rules).toEqual([]);
  });

  it('grades', () => {
    expect([95, 90, 89.9, 75, 74.9, 60, 59.9, 0].map(gradeOf)).toEqual(['优', '优', '良', '良', '中', '中', '差', '差']);
  });

  it('an empty version', () => {
    const report = createQualityAccumulator(specs).finish({ now: NOW });
    expect(report).toMatchObject({ rowCount: 0, rejectedRows: 0, loadedRows: 0, completeness: { overall: 0 }, validity: { overall: 1 } });
  });
});

describe('trend', () => {
  const point = (version: number, score: number, completeness = 80): Pick<QualityReport, 'version' | 'score' | 'grade' | 'rowCount' | 'dimensions'> => ({
    version,
    score,
    grade: gradeOf(score),
    rowCount: 100,
    dimensions: { completeness, validity: 90, uniqueness: 100, consistency: null, timeliness: 100 },
  });

  it('summarises the score over versions, oldest first', () => {
    const result = trend([point(1, 70, 70), point(2, 75), point(3, 80), point(4, 78, 85)]);
    expect(result.points.map((p) => [p.version, p.score, p.grade, p.change])).toEqual([
      [1, 70, '中', null],
      [2, 75, '良', 5],
      [3, 80, '良', 5],
      [4, 78, '良', -2],
    ]);
    expect(result).toMatchObject({
      first: 70,
      last: 78,
      change: 8,
      mean: 75.8,
      best: { version: 3, score: 80 },
      worst: { version: 1, score: 70 },
      slope: 2.9, // least squares: 14.5 / 5
      direction: 'improving',
      consecutiveDeclines: 1,
    });
    expect(result.dimensionChanges).toEqual({ completeness: 15, validity: 0, uniqueness: 0, consistency: null, timeliness: 0 });
  });

  it('declining, stable and too short', () => {
    expect(trend([point(1, 90), point(2, 85), point(3, 80)])).toMatchObject({ direction: 'declining', consecutiveDeclines: 2, slope: -5 });
    expect(trend([point(1, 80), point(2, 80.3), point(3, 80)]).direction).toBe('stable');
    expect(trend([point(1, 80)])).toMatchObject({ direction: 'insufficient', first: 80, last: 80, change: 0, slope: null });
    expect(trend([])).toMatchObject({ direction: 'insufficient', points: [], first: null });
  });
});
