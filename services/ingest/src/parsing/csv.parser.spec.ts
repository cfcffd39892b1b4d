import * as iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import type { RowProblem } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { parseCsv, sniffDelimiter } from './csv.parser';
import { chunked, collect, values } from './parsing.fixtures';

const gbk = (s: string) => iconv.encode(s, 'gbk');

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

describe('parseCsv: the basics', () => {
  it('reads header and records with row numbers, raw lines, null for empty and "" for quoted empty', async () => {
    const table = await parseCsv(Buffer.from('企业名称,统一社会信用代码,核准日期\r\n北京万信源科技发展有限公司,91110118MAC7TTNRXU,2023-02-08\r\n"北京,某某",,""\r\n'));
    expect(table.format).toBe('csv');
    expect(table.encoding).toBe('utf-8');
    expect(table.delimiter).toBe(',');
    expect(table.header).toEqual(['企业名称', '统一社会信用代码', '核准日期']);
    expect(table.headerRowNumber).toBe(1);
    const { records, problems } = await collect(table);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { rowNumber: 2, values: ['北京万信源科技发展有限公司', '91110118MAC7TTNRXU', '2023-02-08'], raw: '北京万信源科技发展有限公司,91110118MAC7TTNRXU,2023-02-08' },
      { rowNumber: 3, values: ['北京,某某', null, ''], raw: '"北京,某某",,""' },
    ]);
  });

  it('never converts a cell: leading zeros, spaces, scientific notation stay as written', async () => {
    expect(await values(await parseCsv(Buffer.from('a,b,c\n007, x ,9.11E+17\n')))).toEqual([['007', ' x ', '9.11E+17']]);
  });

  it('strips a UTF-8 BOM and trims header names, full-width spaces too', async () => {
    const table = await parseCsv(Buffer.from('\ufeff 企业名称\u3000,\u3000代码 ,\u00a0日期\r\n甲,1,2\r\n', 'utf8'));
    expect(table.encoding).toBe('utf-8-bom');
    expect(table.header).toEqual(['企业名称', '代码', '日期']);
    expect(await values(table)).toEqual([['甲', '1', '2']]);
  });

  it('detects GBK and reads it as GB18030', async () => {
    const table = await parseCsv(gbk('企业名称,统一社会信用代码\r\n北京新奥集团有限公司,\r\n北京实创科技园开发建设股份有限公司,9.11E+17\r\n'));
    expect(table.encoding).toBe('gb18030');
    expect(table.header).toEqual(['企业名称', '统一社会信用代码']);
    expect(await values(table)).toEqual([
      ['北京新奥集团有限公司', null],
      ['北京实创科技园开发建设股份有限公司', '9.11E+17'],
    ]);
  });

  it('reads UTF-16LE with a BOM (Excel "Unicode text", tab-separated)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('名称\t代码\r\n甲\t1\r\n', 'utf16le')]);
    const table = await parseCsv(bytes);
    expect(table.encoding).toBe('utf-16le');
    expect(table.delimiter).toBe('\t');
    expect(await values(table)).toEqual([['甲', '1']]);
  });

  it('takes an encoding the caller forces', async () => {
    const table = await parseCsv(gbk('名称\n北京\n'), { encoding: 'GBK' });
    expect(table.encoding).toBe('gb18030');
    expect(await values(table)).toEqual([['北京']]);
  });

  it('reads a GBK file whose first 64 KB are plain ASCII', async () => {
    const ascii = 'id,name\r\n' + Array.from({ length: 10_000 }, (_, i) => `${i},abc`).join('\r\n') + '\r\n';
    const table = await parseCsv(chunked(Buffer.concat([Buffer.from(ascii), gbk('10000,北京市海淀区\r\n')]), 64 * 1024));
    const rows = await values(table);
    expect(rows).toHaveLength(10_001);
    expect(rows[10_000]).toEqual(['10000', '北京市海淀区']);
    expect(table.encoding).toBe('gb18030');
  });
});

describe('parseCsv: line ends, quotes and chunk boundaries', () => {
  const tricky = [
    '名称,备注,金额',
    '"北京南海子投资管理\n有限公司","他说""好"",行",1',
    '"多行\r\n备注\r中间",",",2',
    'plain,"",3',
  ];

  it('accepts CRLF, LF and lone CR line ends, mixed', async () => {
    const table = await parseCsv(Buffer.from('a,b\r\n1,2\n3,4\r5,6\r\n'));
    expect(await values(table)).toEqual([
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
  });

  it('keeps embedded line breaks and "" escapes inside quotes; a quoted record is one row', async () => {
    const { records } = await collect(await parseCsv(Buffer.from(tricky.join('\r\n') + '\r\n')));
    expect(records.map((r) => r.values)).toEqual([
      ['北京南海子投资管理\n有限公司', '他说"好",行', '1'],
      ['多行\r\n备注\r中间', ',', '2'],
      ['plain', '', '3'],
    ]);
    expect(records.map((r) => r.rowNumber)).toEqual([2, 3, 4]);
    expect(records[0].raw).toBe('"北京南海子投资管理\n有限公司","他说""好"",行",1');
  });

  it.each([1, 2, 3, 7, 64])('gives the same result fed in %i-byte chunks (UTF-8 and GBK)', async (size) => {
    const text = tricky.join('\r\n') + '\r\n';
    const whole = await collect(await parseCsv(Buffer.from(text)));
    const pieces = await collect(await parseCsv(chunked(text, size)));
    expect(pieces.records).toEqual(whole.records);
    const gbkPieces = await collect(await parseCsv(chunked(gbk(text), size)));
    expect(gbkPieces.records).toEqual(whole.records);
  });

  it('splits a CRLF across chunks without an empty row in between', async () => {
    const table = await parseCsv(chunked('a,b\r\n1,2\r\n3,4\r\n', 4));
    expect(await values(table)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(table.blankRowCount).toBe(0);
  });

  it('treats a quote inside an unquoted cell as a character, and text after a closing quote as part of the cell (as Excel does)', async () => {
    expect(await values(await parseCsv(Buffer.from('a,b\n12" pipe,"ab"c\n')))).toEqual([['12" pipe', 'abc']]);
  });

  it('reads the last record when the file has no final line end', async () => {
    expect(await values(await parseCsv(Buffer.from('a,b\n1,2\n"x",')))).toEqual([
      ['1', '2'],
      ['x', null],
    ]);
  });

  it('ignores trailing empty lines and skips blank rows in between, counting them', async () => {
    const table = await parseCsv(Buffer.from('a,b\r\n1,2\r\n\r\n,\r\n3,4\r\n\r\n\r\n,\r\n'));
    const { records } = await collect(table);
    expect(records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [2, '1', '2'],
      [5, '3', '4'],
    ]);
    expect(table.blankRowCount).toBe(2);
  });

  it('keeps cells that start with = + - @ as data, verbatim', async () => {
    const text = 'a,b,c,d\r\n=SUM(A1:A9),+8613800000000,-5,@cmd\r\n"=HYPERLINK(""http://x"",""y"")",=1+1,"-2+3",@SUM(1)\r\n';
    expect(await values(await parseCsv(Buffer.from(text)))).toEqual([
      ['=SUM(A1:A9)', '+8613800000000', '-5', '@cmd'],
      ['=HYPERLINK("http://x","y")', '=1+1', '-2+3', '@SUM(1)'],
    ]);
  });
});

describe('parseCsv: delimiters', () => {
  it('sniffs , ; tab and | respecting quotes', () => {
    expect(sniffDelimiter('a;b;c\r\n1;"2;x";3\r\n4;5;6\r\n')).toBe(';');
    expect(sniffDelimiter('a\tb\n1\t2\n')).toBe('\t');
    expect(sniffDelimiter('a|b|c\n1|2|3\n')).toBe('|');
    expect(sniffDelimiter('名称,代码\n"甲;乙;丙",1\n"丁;戊",2\n')).toBe(',');
    // one column: no candidate splits the records evenly
    expect(sniffDelimiter('企业名称\n北京顺成建建材中心\n北京某某有限公司\n')).toBe(',');
  });

  it('reads a semicolon file as Excel writes it in European locales', async () => {
    const table = await parseCsv(Buffer.from('名称;金额;备注\r\n甲;1,5;"含;分号"\r\n乙;2,0;\r\n'));
    expect(table.delimiter).toBe(';');
    expect(await values(table)).toEqual([
      ['甲', '1,5', '含;分号'],
      ['乙', '2,0', null],
    ]);
  });

  it("honours Excel's sep= line and does not count it as a row", async () => {
    const table = await parseCsv(Buffer.from('sep=|\r\na|b\r\n1|2\r\n'));
    expect(table.delimiter).toBe('|');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.headerRowNumber).toBe(1);
    expect((await collect(table)).records).toEqual([{ rowNumber: 2, values: ['1', '2'], raw: '1|2' }]);
  });

  it('takes a forced delimiter', async () => {
    const table = await parseCsv(Buffer.from('a,b;c\n1,2;3\n'), { delimiter: ';' });
    expect(await values(table)).toEqual([['1,2', '3']]);
  });
});

describe('parseCsv: bad input', () => {
  it('refuses an empty file and a file of blank lines', async () => {
    expect((await refusal(parseCsv(Buffer.alloc(0)))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseCsv(Buffer.from('\r\n\r\n,,\r\n')))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseCsv(Buffer.from('\ufeff', 'utf8')))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseCsv(Buffer.from(' \u3000 \r\n', 'utf8')))).code).toBe('EMPTY_FILE');
  });

  it('reads a header-only file as a table without records', async () => {
    const table = await parseCsv(Buffer.from('企业名称,统一社会信用代码\r\n'));
    expect(table.header).toEqual(['企业名称', '统一社会信用代码']);
    expect((await collect(table)).records).toEqual([]);
  });

  it('reports ragged rows as problems, in row order between the records, and goes on', async () => {
    const seen: string[] = [];
    const table = await parseCsv(Buffer.from('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,,\n13,14,15\n'), {
      onProblem: (p) => seen.push(`problem ${p.rowNumber} ${p.code}`),
    });
    for await (const r of table.records) seen.push(`record ${r.rowNumber}`);
    expect(seen).toEqual(['record 2', 'problem 3 TOO_FEW_FIELDS', 'problem 4 TOO_MANY_FIELDS', 'record 5', 'record 6']);
    expect(table.problemCount).toBe(2);
    expect(table.problems[0]).toMatchObject({ rowNumber: 3, code: 'TOO_FEW_FIELDS', raw: '4,5' });
    expect(table.problems[0].zh).toContain('第 3 行');
    expect(table.problems[1]).toMatchObject({ rowNumber: 4, code: 'TOO_MANY_FIELDS', raw: '6,7,8,9' });
  });

  it('drops empty header cells at the end, and empty cells past the header in the rows', async () => {
    const table = await parseCsv(Buffer.from('a,b,,\n1,2,,\n3,4\n'));
    expect(table.header).toEqual(['a', 'b']);
    expect(await values(table)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('reports a quote that never closes on the row where it opened, and reads the lines after it', async () => {
    const problems: RowProblem[] = [];
    const table = await parseCsv(Buffer.from('a,b\r\n1,2\r\n3,"open\r\n5,6\r\n7,8\r\n'), { onProblem: (p) => problems.push(p) });
    const { records } = await collect(table);
    expect(records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [2, '1', '2'],
      [4, '5', '6'],
      [5, '7', '8'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ rowNumber: 3, code: 'UNBALANCED_QUOTE', raw: '3,"open' });
    expect(problems[0].zh).toContain('第 3 行');
  });

  it('finds the opening line of an unclosed quote even after a proper multi-line cell in the same record', async () => {
    const { records, problems } = await collect(await parseCsv(chunked('a,b,c\n"x\ny",z,"bad\n1,2,3\n', 3)));
    expect(problems.map((p) => [p.rowNumber, p.code, p.raw])).toEqual([[2, 'UNBALANCED_QUOTE', '"x\ny",z,"bad']]);
    expect(records.map((r) => r.values)).toEqual([['1', '2', '3']]);
  });

  it('refuses the file when an unclosed quote swallowed more than the line limit', async () => {
    const text = 'a,b\n1,"never closed\n' + '2,3\n'.repeat(1000);
    const table = await parseCsv(Buffer.from(text), { maxLineBytes: 1000 });
    const error = await refusal(collect(table));
    expect(error.code).toBe('UNBALANCED_QUOTE');
    expect(error.zh).toContain('第 2 行');
  });

  it('skips a 10 MB line as LINE_TOO_LONG without keeping it, and reads on', async () => {
    const long = 'x'.repeat(10 * 1024 * 1024 + 10);
    const problems: RowProblem[] = [];
    const table = await parseCsv(chunked(`a,b\n1,2\n${long},3\n4,5\n`, 64 * 1024), { onProblem: (p) => problems.push(p) });
    const { records } = await collect(table);
    expect(records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [2, '1', '2'],
      [4, '4', '5'],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ rowNumber: 3, code: 'LINE_TOO_LONG' });
    expect(problems[0].raw!.length).toBe(2000);
  });

  it('skips an over-long quoted cell the same way', async () => {
    const long = '"' + 'y,\n'.repeat(400) + '"';
    const { records, problems } = await collect(await parseCsv(chunked(`a,b\n${long},1\n2,3\n`, 100), { maxLineBytes: 1000 }));
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([[2, 'LINE_TOO_LONG']]);
    expect(records.map((r) => r.values)).toEqual([['2', '3']]);
  });

  it('refuses a header longer than the line limit', async () => {
    expect((await refusal(parseCsv(Buffer.from('a'.repeat(2000) + '\n1\n'), { maxLineBytes: 1000 }))).code).toBe('LINE_TOO_LONG');
  });

  it('bounds raw to 2,000 characters', async () => {
    const { records } = await collect(await parseCsv(Buffer.from(`a,b\n${'z'.repeat(5000)},1\n`)));
    expect(records[0].raw).toHaveLength(2000);
    expect(records[0].values[0]).toHaveLength(5000);
  });

  it('rejects rows holding bytes that do not decode, not the file', async () => {
    const bytes = Buffer.concat([gbk('名称,代码\r\n北京,1\r\n'), Buffer.from([0x41, 0xff, 0x2c, 0x32, 0x0d, 0x0a]), gbk('上海,3\r\n')]);
    const table = await parseCsv(bytes);
    const { records, problems } = await collect(table);
    expect(records.map((r) => r.values)).toEqual([
      ['北京', '1'],
      ['上海', '3'],
    ]);
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([[3, 'INVALID_CHARACTERS']]);
  });

  it('caps the number of cells in a row', async () => {
    const { problems } = await collect(await parseCsv(Buffer.from(`a,b\n1,2\n${','.repeat(50)}x\n`), { maxFieldCount: 10 }));
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([[3, 'TOO_MANY_FIELDS']]);
  });

  it('stops reading the stream when the consumer stops', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        yield Buffer.from('a,b\n');
        for (let i = 0; i < 1_000_000; i++) {
          pulled++;
          yield Buffer.from(`${i},x\n`.repeat(100));
        }
      })(),
    );
    const table = await parseCsv(source);
    let n = 0;
    for await (const _ of table.records) if (++n === 1000) break;
    expect(n).toBe(1000);
    expect(pulled).toBeLessThan(1000);
    expect(source.destroyed).toBe(true);
  });
});
