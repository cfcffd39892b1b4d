/**
 * Throughput of validation on 1,000,000 rows × 10 columns (a USCC key, an ID number, a mobile
 * number, money, a date, a timestamp, an integer, a boolean and two texts). Printed, not asserted:
 * machines differ. Rows are generated in small batches outside the timed sections.
 */
import { cpus, loadavg } from 'node:os';
import { idNumberCheckChar, organizationCodeCheckChar, usccCheckChar } from '@gov/shared';
import { ColumnSpec, SourceRecord } from '../pipeline/contracts';
import { createQualityAccumulator } from '../quality/quality-report';
import { createRowValidator } from './row-validator';

const ROWS = 1_000_000;

function cpuOf(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}
/** Small batches, so objects die young as they do in a streaming load. */
const BATCH = 1_000;

const specs: ColumnSpec[] = [
  { name: '统一社会信用代码', dataType: 'C', length: 18, key: true, required: true, format: 'uscc' },
  { name: '企业名称', dataType: 'C', length: 100, required: true },
  { name: '法定代表人', dataType: 'C', length: 50 },
  { name: '法定代表人身份证号码', dataType: 'C', length: 18, format: 'idNumber' },
  { name: '联系人手机', dataType: 'C', format: 'mobile' },
  { name: '注册资本', dataType: 'Y' },
  { name: '成立日期', dataType: 'D' },
  { name: '从业人数', dataType: 'I' },
  { name: '是否存续', dataType: 'L' },
  { name: '更新时间', dataType: 'T' },
];
const mapping = specs.map((_, i) => i);

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

function uscc(i: number): string {
  let org8 = '';
  for (let n = i, k = 0; k < 8; k++, n = Math.floor(n / 31)) org8 = CHARSET[n % 31] + org8;
  const first17 = '91350100' + org8 + organizationCodeCheckChar(org8);
  return first17 + usccCheckChar(first17);
}

function idNumber(i: number): string {
  const first17 = '350102' + (19500101 + (i % 28) + 100 * (i % 12) + 10000 * (i % 50)) + String(i % 1000).padStart(3, '0');
  return first17 + idNumberCheckChar(first17);
}

function batch(start: number, size: number): SourceRecord[] {
  const records: SourceRecord[] = [];
  for (let i = start; i < start + size; i++) {
    const line = [
      uscc(i),
      `厦门市第${i}号贸易有限公司`,
      '张三',
      idNumber(i),
      '1380013' + String(i % 10000).padStart(4, '0'),
      `${(i % 900) + 1},000.50`,
      `20${10 + (i % 14)}/${1 + (i % 12)}/${1 + (i % 28)}`,
      String(i % 500),
      i % 2 === 0 ? '是' : '否',
      '2024-05-01 08:30:00',
    ].join('\t');
    // Cells cut out of one line, as a parser makes them (flat slices, not concatenations).
    records.push({ rowNumber: i + 2, values: line.split('\t'), raw: line });
  }
  return records;
}

describe('row validator throughput', () => {
  it('1,000,000 rows × 10 columns', () => {
    const validator = createRowValidator(specs, mapping, { now: new Date('2024-06-01T00:00:00Z'), expectedRows: ROWS });
    const quality = createQualityAccumulator(specs, { asOfColumn: '更新时间' });
    // Wall time, and CPU time of the process (all threads: GC included), which is what counts on a
    // shared machine where other processes take turns on the cores.
    let validateNs = 0;
    let observeNs = 0;
    let validateCpuUs = 0;
    let observeCpuUs = 0;
    let rejected = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let start = 0; start < ROWS; start += BATCH) {
      const records = batch(start, BATCH);
      const results = new Array(records.length);
      let t = process.hrtime.bigint();
      let cpu = process.cpuUsage();
      for (let r = 0; r < records.length; r++) results[r] = validator.validate(records[r]);
      validateNs += Number(process.hrtime.bigint() - t);
      validateCpuUs += cpuOf(process.cpuUsage(cpu));
      t = process.hrtime.bigint();
      cpu = process.cpuUsage();
      for (let r = 0; r < results.length; r++) {
        const { values, problems } = results[r];
        quality.observe(values, problems);
        if (problems.length > 0) rejected++;
      }
      observeNs += Number(process.hrtime.bigint() - t);
      observeCpuUs += cpuOf(process.cpuUsage(cpu));
    }
    const report = quality.finish({ now: new Date('2024-06-01T00:00:00Z'), updateCycle: 'MONTHLY' });
    expect(rejected).toBe(0);
    expect(report.loadedRows).toBe(ROWS);
    expect(report.uniqueness?.duplicateRows).toBe(0);

    const rate = (ns: number) => Math.round(ROWS / (ns / 1e9)).toLocaleString('en');
    const [load1] = loadavg();
    console.log(
      [
        `validation of ${ROWS.toLocaleString('en')} rows × ${specs.length} columns (USCC key, ID number, mobile, money, date, timestamp, integer, boolean, 2 texts):`,
        `  validate:          wall ${(validateNs / 1e6).toFixed(0)} ms = ${rate(validateNs)} rows/s; CPU ${(validateCpuUs / 1e3).toFixed(0)} ms = ${rate(validateCpuUs * 1e3)} rows/s`,
        `  + quality observe: wall ${(observeNs / 1e6).toFixed(0)} ms, CPU ${(observeCpuUs / 1e3).toFixed(0)} ms; together ${rate(validateNs + observeNs)} rows/s wall, ${rate((validateCpuUs + observeCpuUs) * 1e3)} rows/s CPU`,
        `  (${cpus().length} cores, load average ${load1.toFixed(1)} when done)`,
        `  key table ${(validator.keys.memoryBytes() / 1024 / 1024).toFixed(1)} MiB; heap now ${((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toFixed(1)} MiB above start (garbage included)`,
        `  quality score ${report.score} (${report.grade})`,
      ].join('\n'),
    );
  }, 300_000);
});
