import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceError } from '../pipeline/contracts';
import { collect, STYLE, values, writeXlsx, writeZip } from './parsing.fixtures';
import { excelSerialToIso, numberText, parseXlsx } from './xlsx.parser';

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

const simple = (rows: Parameters<typeof writeXlsx>[0]['sheets'][0]['rows']) => writeXlsx({ sheets: [{ name: 'Sheet1', rows }] });

describe('numberText and excelSerialToIso', () => {
  it('keeps stored numbers, at most 15 significant digits, with zero-padded and fixed-decimal formats applied', () => {
    expect(numberText('42')).toBe('42');
    expect(numberText('0.30000000000000004')).toBe('0.3');
    expect(numberText('1.23456789012346E+17')).toBe('123456789012346000');
    expect(numberText('7310', '000000')).toBe('007310');
    expect(numberText('3000', '0.00')).toBe('3000.00');
    expect(numberText('1234.5', '#,##0.00')).toBe('1234.50');
    expect(numberText('0.125', '0%')).toBe('0.125');
  });

  it('turns serials into ISO dates, date-times and times', () => {
    expect(excelSerialToIso(45050)).toBe('2023-05-04');
    expect(excelSerialToIso(45050.3541666667)).toBe('2023-05-04T08:30:00');
    expect(excelSerialToIso(0.75)).toBe('18:00:00');
    expect(excelSerialToIso(1)).toBe('1900-01-01');
    expect(excelSerialToIso(61)).toBe('1900-03-01');
    expect(excelSerialToIso(43588, true)).toBe('2023-05-04');
  });
});

describe('parseXlsx', () => {
  it('reads the header from the first non-empty row and the cells as text; row numbers are sheet rows', async () => {
    const table = await parseXlsx(
      simple([
        null,
        ['序号', '企业名称', '统一社会信用代码', '金额', '核准日期', '更新时间', '邮编'],
        [1, '北京万信源科技发展有限公司', '91110118MAC7TTNRXU', { v: '3000', s: STYLE.twoDecimals }, { v: '45050', s: STYLE.date }, { v: '45050.3541666667', s: STYLE.dateTime }, { v: '7310', s: STYLE.zeroPadded }],
        null,
        [2, '  前导空格_x000D_\n换行', null, { v: '0.30000000000000004' }, null, null, { v: '100000', s: STYLE.text }],
      ]),
    );
    expect(table.format).toBe('xlsx');
    expect(table.sheetName).toBe('Sheet1');
    expect(table.headerRowNumber).toBe(2);
    expect(table.header).toEqual(['序号', '企业名称', '统一社会信用代码', '金额', '核准日期', '更新时间', '邮编']);
    const { records, problems } = await collect(table);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { rowNumber: 3, values: ['1', '北京万信源科技发展有限公司', '91110118MAC7TTNRXU', '3000.00', '2023-05-04', '2023-05-04T08:30:00', '007310'] },
      { rowNumber: 5, values: ['2', '  前导空格\r\n换行', null, '0.3', null, null, '100000'] },
    ]);
    expect(table.blankRowCount).toBe(1);
  });

  it('gives formulas their cached value, booleans, errors, inline strings; cells starting with = stay text', async () => {
    const table = await parseXlsx(
      simple([
        ['a', 'b', 'c', 'd', 'e', 'f'],
        [{ f: 'SUM(1,2)', v: '3' }, { f: 'A2&"x"', t: 'str', v: '3x' }, { f: 'NOW()' }, true, { t: 'e', v: '#N/A' }, { t: 'inlineStr', inline: '=HYPERLINK("http://x")' }],
      ]),
    );
    expect(await values(table)).toEqual([['3', '3x', null, 'TRUE', '#N/A', '=HYPERLINK("http://x")']]);
  });

  it('skips a title row above the table; headerRow forces the header', async () => {
    const rows = [['北京市密云区财政局政府采购项目采购合同信息表'], ['截止日期：2023年11月15日'], ['序号', '合同代码', '合同名称', '金额'], [1, 'HT-1', '[null]', 100]];
    const table = await parseXlsx(simple(rows));
    expect(table.headerRowNumber).toBe(3);
    expect(table.header).toEqual(['序号', '合同代码', '合同名称', '金额']);
    expect(await values(table)).toEqual([['1', 'HT-1', '[null]', '100']]);
    const forced = await parseXlsx(simple(rows), { headerRow: 1 });
    expect(forced.header).toEqual(['北京市密云区财政局政府采购项目采购合同信息表']);
  });

  it('keeps an empty header name before named ones and drops empty ones at the end', async () => {
    const table = await parseXlsx(simple([[null, '名称', null], [1, '甲']]));
    expect(table.header).toEqual(['', '名称']);
    expect(await values(table)).toEqual([['1', '甲']]);
  });

  it('reports a value right of the header as a row problem', async () => {
    const { records, problems } = await collect(await parseXlsx(simple([['a', 'b'], [1, 2], [3, 4, null, '备注'], [5, 6]])));
    expect(records.map((r) => r.rowNumber)).toEqual([2, 4]);
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([[3, 'TOO_MANY_FIELDS']]);
  });

  it('reads the first visible sheet, or the one named', async () => {
    const book = writeXlsx({
      sheets: [
        { name: '说明', rows: [['hidden']], state: 'hidden' },
        { name: '数据', rows: [['a'], ['1']] },
        { name: '其他', rows: [['b'], ['2']] },
      ],
    });
    expect(await values(await parseXlsx(book))).toEqual([['1']]);
    const other = await parseXlsx(book, { sheetName: '其他' });
    expect(other.sheetName).toBe('其他');
    expect(await values(other)).toEqual([['2']]);
    const error = await refusal(parseXlsx(book, { sheetName: '不存在' }));
    expect(error.code).toBe('SHEET_NOT_FOUND');
    expect(error.zh).toContain('数据');
  });

  it('reads from a file path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xlsx-'));
    try {
      const path = join(dir, 'a.xlsx');
      writeFileSync(path, simple([['a'], ['1']]));
      expect(await values(await parseXlsx(path))).toEqual([['1']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty sheet', async () => {
    expect((await refusal(parseXlsx(simple([null, null])))).code).toBe('EMPTY_FILE');
  });

  it('refuses external links, macros and what is no workbook', async () => {
    const linked = writeXlsx({ sheets: [{ name: 'S', rows: [['a'], ['1']] }], extra: [{ name: 'xl/externalLinks/externalLink1.xml', data: '<externalLink/>' }] });
    const e1 = await refusal(parseXlsx(linked));
    expect(e1.code).toBe('EXTERNAL_LINKS_NOT_ALLOWED');
    expect(e1.zh).toContain('外部链接');
    const typed = writeXlsx({
      sheets: [{ name: 'S', rows: [['a']] }],
      contentTypes: '<Override PartName="/xl/links/l1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>',
    });
    expect((await refusal(parseXlsx(typed))).code).toBe('EXTERNAL_LINKS_NOT_ALLOWED');
    const macro = writeXlsx({ sheets: [{ name: 'S', rows: [['a']] }], extra: [{ name: 'xl/vbaProject.bin', data: Buffer.alloc(100) }] });
    expect((await refusal(parseXlsx(macro))).code).toBe('MACRO_NOT_ALLOWED');
    expect((await refusal(parseXlsx(writeZip([{ name: 'a.txt', data: 'x' }])))).code).toBe('NOT_A_WORKBOOK');
    expect((await refusal(parseXlsx(Buffer.from('a,b\n1,2\n')))).code).toBe('NOT_A_WORKBOOK');
  });

  it('refuses zip bombs: a high compression ratio, a lying size, more than the total limit', async () => {
    const ratio = writeXlsx({ sheets: [{ name: 'S', rows: [['a']] }], extra: [{ name: 'xl/media/image1.bin', data: Buffer.alloc(20 * 1024 * 1024) }] });
    expect(ratio.length).toBeLessThan(100 * 1024);
    expect((await refusal(parseXlsx(ratio))).code).toBe('ZIP_BOMB');

    // the sheet says it is small and inflates to much more: stopped while streaming
    const rows = Array.from({ length: 20_000 }, (_, i) => [i, `名称${i}`]);
    const book = writeXlsx({ sheets: [{ name: 'S', rows: [['n', 'name'], ...rows] }] });
    const lying = relabelSize(book, 'xl/worksheets/sheet1.xml', 1000);
    const table = await parseXlsx(lying).catch((e: unknown) => e);
    const error = table instanceof SourceError ? table : await refusal(collect(table as Awaited<ReturnType<typeof parseXlsx>>));
    expect(error.code).toBe('ZIP_BOMB');

    const limited = await refusal(parseXlsx(book, { limits: { maxUncompressedBytes: 100_000, maxCompressionRatio: 1000, ratioCheckFromBytes: 1024 * 1024, maxEntries: 100 } }));
    expect(limited.code).toBe('ZIP_BOMB');
  });

  it('streams a large sheet and stops inflating when the consumer stops', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => [i, `企业${i}`, { v: String(44000 + (i % 1000)), s: STYLE.date }]);
    const book = writeXlsx({ sheets: [{ name: 'S', rows: [['n', 'name', 'date'], ...rows] }] });
    const started = Date.now();
    const table = await parseXlsx(book);
    let n = 0;
    let last: (string | null)[] = [];
    for await (const r of table.records) {
      n++;
      last = r.values;
    }
    const ms = Date.now() - started;
    expect(n).toBe(100_000);
    expect(last).toEqual(['99999', '企业99999', excelSerialToIso(44999)]);
    console.log(`xlsx: ${n} rows in ${ms} ms (${Math.round((n / ms) * 1000)} rows/s)`);

    const early = await parseXlsx(book);
    let m = 0;
    const earlyStart = Date.now();
    for await (const _ of early.records) if (++m === 10) break;
    expect(m).toBe(10);
    expect(Date.now() - earlyStart).toBeLessThan(ms);
  }, 60_000);
});

/** Rewrites the uncompressed size an entry declares (local and central headers). */
function relabelSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const nameBytes = Buffer.from(name, 'utf8');
  for (let i = 0; i < out.length - 4; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50 && out.subarray(i + 30, i + 30 + nameBytes.length).equals(nameBytes)) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50 && out.subarray(i + 46, i + 46 + nameBytes.length).equals(nameBytes)) out.writeUInt32LE(size, i + 24);
  }
  return out;
}
