/**
 * Many generated valid rows (check characters computed independently of the validator) all pass,
 * with no duplicate keys; its throughput is measured by bench/ingest/validation.bench.ts.
 */
import { createQualityAccumulator } from '../quality/quality-report';
import { createRowValidator } from './row-validator';
import { BATCH, batch, mapping, specs } from '../../test/generated-enterprise-rows';

const ROWS = 50_000;

describe('row validator on generated rows', () => {
  it(`accepts ${ROWS.toLocaleString('en')} valid rows × 10 columns, every key unique`, () => {
    const validator = createRowValidator(specs, mapping, { now: new Date('2024-06-01T00:00:00Z'), expectedRows: ROWS });
    const quality = createQualityAccumulator(specs, { asOfColumn: '更新时间' });
    const problems: unknown[] = [];
    for (let start = 0; start < ROWS; start += BATCH)
      for (const record of batch(start, BATCH)) {
        const result = validator.validate(record);
        quality.observe(result.values, result.problems);
        if (result.problems.length && problems.length < 5) problems.push({ row: record.rowNumber, problems: result.problems });
      }
    expect(problems).toEqual([]);
    const report = quality.finish({ now: new Date('2024-06-01T00:00:00Z'), updateCycle: 'MONTHLY' });
    expect(report.loadedRows).toBe(ROWS);
    expect(report.uniqueness?.duplicateRows).toBe(0);
    // A repeated key is caught.
    const again = validator.validate(batch(0, 1)[0]);
    expect(again.problems.length).toBeGreaterThan(0);
  });
});
