import * as iconv from 'iconv-lite';
import { SourceError } from '../pipeline/contracts';
import { openTable, sniffFormat } from './open-table';
import { chunked, collect, values, writeXlsx } from './parsing.fixtures';

const OLE = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1016)]);

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

describe('sniffFormat', () => {
  const book = writeXlsx({ sheets: [{ name: 'S', rows: [['a'], ['1']] }] });

  it('judges by content, not by the name', () => {
    expect(sniffFormat(book, 'data.csv')).toBe('xlsx');
    expect(sniffFormat(OLE, 'data.csv')).toBe('xls');
    expect(sniffFormat(Buffer.from('[{"a":1}]'), 'data.csv')).toBe('json');
    expect(sniffFormat(Buffer.from('\ufeff  [{"a":1}]', 'utf8'))).toBe('json');
    expect(sniffFormat(Buffer.from('{"data":[{"a":1}]}'))).toBe('json');
    expect(sniffFormat(Buffer.from('{"a":1}\n{"a":2}\n'), 'data.json')).toBe('ndjson');
    expect(sniffFormat(Buffer.from('{"a":"}{"}\r\n{"a":2}'))).toBe('ndjson');
    expect(sniffFormat(Buffer.from('a,b\n1,2\n'), 'data.json')).toBe('csv');
    expect(sniffFormat(iconv.encode('企业名称,代码\r\n', 'gbk'), 'x.xlsx')).toBe('csv');
  });

  it('uses the name only to break a tie', () => {
    expect(sniffFormat(Buffer.from('{"a":1}'), 'x.jsonl')).toBe('ndjson');
    expect(sniffFormat(Buffer.from('{"a":1}'), 'x.json')).toBe('json');
  });
});

describe('openTable', () => {
  it('opens CSV, XLSX (under a .csv name), JSON and NDJSON, from a Buffer or a stream', async () => {
    const csv = await openTable(chunked(iconv.encode('名称,代码\r\n北京,1\r\n', 'gbk'), 5), 'a.csv');
    expect([csv.format, csv.encoding]).toEqual(['csv', 'gb18030']);
    expect(await values(csv)).toEqual([['北京', '1']]);

    const xlsx = await openTable(chunked(writeXlsx({ sheets: [{ name: 'S', rows: [['名称'], ['北京']] }] }), 1000), '行政处罚信息（法人）.csv');
    expect(xlsx.format).toBe('xlsx');
    expect(await values(xlsx)).toEqual([['北京']]);

    const json = await openTable(Buffer.from('{"result":{"records":[{"名称":"北京"}]}}'));
    expect(json.format).toBe('json');
    expect(await values(json)).toEqual([['北京']]);

    const ndjson = await openTable(Buffer.from('{"名称":"北京"}\n{"名称":"上海"}\n'));
    expect(ndjson.format).toBe('ndjson');
    expect(await values(ndjson)).toEqual([['北京'], ['上海']]);
  });

  it('refuses a legacy .xls, asking for .xlsx or CSV', async () => {
    const error = await refusal(openTable(OLE, '政府采购项目采购合同信息表.csv'));
    expect(error.code).toBe('XLS_NOT_SUPPORTED');
    expect(error.zh).toContain('另存为 .xlsx 或 CSV');
  });

  it('refuses a password-protected workbook', async () => {
    const encrypted = Buffer.concat([OLE, Buffer.from('EncryptedPackage', 'utf16le'), Buffer.alloc(100)]);
    expect((await refusal(openTable(encrypted))).code).toBe('WORKBOOK_ENCRYPTED');
  });

  it('refuses an empty file, a PDF, a web page and a binary file clearly', async () => {
    expect((await refusal(openTable(Buffer.alloc(0), 'a.csv'))).code).toBe('EMPTY_FILE');
    const pdf = await refusal(openTable(Buffer.from('%PDF-1.7\n...'), 'a.csv'));
    expect([pdf.code, pdf.zh.includes('PDF')]).toEqual(['UNSUPPORTED_FORMAT', true]);
    const html = await refusal(openTable(Buffer.from('\r\n<!DOCTYPE html><html><body>系统繁忙</body></html>'), 'a.csv'));
    expect([html.code, html.zh.includes('网页')]).toEqual(['UNSUPPORTED_FORMAT', true]);
    expect((await refusal(openTable(Buffer.from([1, 2, 0, 0, 5, 0, 0, 0, 9, 0, 0, 7]), 'a.csv'))).code).toBe('UNSUPPORTED_FORMAT');
  });

  it("refuses a portal's JSON error answer served under a .csv name, quoting it", async () => {
    // the real case: 远洋捕捞渔船信息202607011500.csv, 65 bytes
    const error = await refusal(openTable(Buffer.from('{"code":"0003","error":"当前限制类型文件无权限下载"}'), '远洋捕捞渔船信息202607011500.csv'));
    expect(error.code).toBe('JSON_NO_RECORDS');
    expect(error.zh).toContain('当前限制类型文件无权限下载');
  });

  it('passes options through (problems callback, delimiter)', async () => {
    const seen: number[] = [];
    const table = await openTable(Buffer.from('a;b\n1;2\n3\n'), 'x.csv', { delimiter: ';', onProblem: (p) => seen.push(p.rowNumber) });
    const { records } = await collect(table);
    expect(records.map((r) => r.values)).toEqual([['1', '2']]);
    expect(seen).toEqual([3]);
  });
});
