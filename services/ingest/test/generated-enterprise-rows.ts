/**
 * Valid enterprise rows for the validator, generated in small batches: a USCC key, an ID number, a
 * mobile number, money, a date, a timestamp, an integer, a boolean and two texts. Used by the
 * validator's spec and by its throughput bench (bench/ingest/validation.bench.ts).
 */
import { idNumberCheckChar, organizationCodeCheckChar, usccCheckChar } from '@gov/shared';
import { ColumnSpec, SourceRecord } from '../src/pipeline/contracts';

/** Small batches, so objects die young as they do in a streaming load. */
export const BATCH = 1_000;

export const specs: ColumnSpec[] = [
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
export const mapping = specs.map((_, i) => i);

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

export function batch(start: number, size: number): SourceRecord[] {
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
