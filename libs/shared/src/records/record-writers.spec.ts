import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { RecordColumn } from './column-types';
import { copyTextToRows, createRecordWriter, escapeFormula, RecordFormat, RecordValue, RecordWriterOptions } from './record-writers';

const columns: RecordColumn[] = [
  { name: '名称', type: 'text' },
  { name: '金额', type: 'numeric(20,4)' },
  { name: '有效', type: 'boolean' },
];

async function write(format: RecordFormat, rows: RecordValue[][], o: Partial<RecordWriterOptions> = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(rows, { objectMode: true }), createRecordWriter(format, { columns, ...o }), async function* (src) {
    for await (const c of src) chunks.push(c as Buffer);
  });
  return Buffer.concat(chunks);
}

const hostile: RecordValue[][] = [
  ['=HYPERLINK("http://x","点我")', '-12.5', 't'],
  ['+1+1', '100.0000', 'f'],
  ['-2+3', null, null],
  ['@SUM(A1)', '0', 't'],
  ['\tTAB', '1', 't'],
  ['含,逗号"引号"\n换行', '2', 'f'],
];

describe('formula escaping', () => {
  it('prefixes cells a spreadsheet would evaluate, but not plain numbers', () => {
    expect(escapeFormula('=1+2')).toBe("'=1+2");
    expect(escapeFormula('+86 138')).toBe("'+86 138");
    expect(escapeFormula('-2+3')).toBe("'-2+3");
    expect(escapeFormula('@x')).toBe("'@x");
    expect(escapeFormula('\r=1')).toBe("'\r=1");
    expect(escapeFormula('-12.5')).toBe('-12.5');
    expect(escapeFormula('普通文本')).toBe('普通文本');
  });
});

describe('record writers', () => {
  it('writes CSV as UTF-8 with BOM, CRLF, quoting and escaped formulas', async () => {
    const out = await write('csv', hostile);
    expect(out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = out.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('名称,金额,有效');
    expect(lines[1]).toBe(`"'=HYPERLINK(""http://x"",""点我"")",-12.5,t`);
    expect(lines[2]).toBe("'+1+1,100.0000,f");
    expect(lines[3]).toBe("'-2+3,,");
    expect(lines[4]).toBe("'@SUM(A1),0,t");
    expect(lines[5]).toBe("'\tTAB,1,t");
    expect(text).toContain('"含,逗号""引号""\n换行",2,f');
  });

  it('writes GBK CSV on request, without a BOM', async () => {
    const out = await write('csv', [['黄石市', '1', 't']], { encoding: 'gbk' });
    expect(out[0]).not.toBe(0xef);
    expect(iconv.decode(out, 'gbk')).toBe('名称,金额,有效\r\n黄石市,1,t\r\n');
  });

  it('writes JSON with exact decimals and booleans', async () => {
    const out = JSON.parse((await write('json', [['a', '100.0000', 't'], ['=1', null, 'f'], ['b', 'NaN', null]])).toString('utf8'));
    expect(out).toEqual([
      { 名称: 'a', 金额: 100, 有效: true },
      { 名称: '=1', 金额: null, 有效: false },
      { 名称: 'b', 金额: 'NaN', 有效: null },
    ]);
    expect(JSON.parse((await write('json', [])).toString())).toEqual([]);
  });

  it('writes XLSX that Excel reads back, formulas as escaped text and numbers as numbers', async () => {
    const out = await write('xlsx', hostile);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(out as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, '名称', '金额', '有效']);
    expect(ws.getCell('A2').value).toBe(`'=HYPERLINK("http://x","点我")`);
    expect(ws.getCell('B2').value).toBe(-12.5);
    expect(ws.getCell('C2').value).toBe(true);
    expect(ws.getCell('A3').value).toBe("'+1+1");
    expect(ws.getCell('A5').value).toBe("'@SUM(A1)");
    for (let r = 2; r <= 7; r++) expect(ws.getCell(`A${r}`).formula).toBeUndefined();
  });

  it('starts a new worksheet when a sheet is full', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => [`r${i}`, String(i), 't'] as RecordValue[]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await write('xlsx', rows, { rowsPerSheet: 2 })) as any);
    expect(wb.worksheets.map((w) => w.rowCount)).toEqual([3, 3, 2]);
  });

  it('turns COPY text into rows across chunk boundaries', async () => {
    const text = '1\t黄石\\t市\t\\N\n2\tb\t3\n';
    const bytes = Buffer.from(text, 'utf8');
    const rows: unknown[] = [];
    await pipeline(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]), copyTextToRows(), async function* (src) {
      for await (const r of src) rows.push(r);
    });
    expect(rows).toEqual([
      ['1', '黄石\t市', null],
      ['2', 'b', '3'],
    ]);
  });

  it('passes batches of rows through to every writer with the same output as single rows', async () => {
    const rows: RecordValue[][] = [['=x', '1.5', 't'], ['b', null, 'f'], ['c', '3', null]];
    for (const format of ['csv', 'json'] as const) {
      const single = await write(format, rows);
      const chunks: Buffer[] = [];
      await pipeline(Readable.from([rows.slice(0, 2), rows.slice(2)], { objectMode: true }), createRecordWriter(format, { columns }), async function* (src) {
        for await (const c of src) chunks.push(c as Buffer);
      });
      expect(Buffer.concat(chunks).toString('utf8')).toBe(single.toString('utf8'));
    }
    const batched: unknown[] = [];
    await pipeline(Readable.from([Buffer.from('1\ta\n2\tb\n3\tc')]), copyTextToRows({ batch: true }), async function* (src) {
      for await (const r of src) batched.push(r);
    });
    expect(batched).toEqual([[['1', 'a'], ['2', 'b']], [['3', 'c']]]);
  });
});
