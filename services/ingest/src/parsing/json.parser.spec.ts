import * as iconv from 'iconv-lite';
import { SourceError } from '../pipeline/contracts';
import { parseJson, parseNdjson } from './json.parser';
import { readJsonRecord } from './json.record';
import { chunked, collect, values } from './parsing.fixtures';

async function refusal(promise: Promise<unknown>): Promise<SourceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SourceError) return error;
    throw error;
  }
  throw new Error('expected a SourceError');
}

describe('readJsonRecord', () => {
  it('keeps numbers as written, booleans as words, nested values as compact JSON', () => {
    expect(readJsonRecord('{"a": 3000.00, "b": 123456789012345678, "c": true, "d": null, "e": {"x": [1, 2.50]}, "f": "0\\u0041\\n", "g": -1e5}')).toEqual({
      kind: 'object',
      record: { keys: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], values: ['3000.00', '123456789012345678', 'true', null, '{"x":[1,2.50]}', '0A\n', '-1e5'] },
    });
  });

  it('lets the last of repeated keys win, like JSON.parse', () => {
    expect(readJsonRecord('{"a":1,"a":2}')).toEqual({ kind: 'object', record: { keys: ['a'], values: ['2'] } });
  });

  it('rejects what JSON.parse rejects', () => {
    for (const bad of ['{"a":1,}', "{'a':1}", '{"a":01}', '{"a":NaN}', '{"a":1} x', '{"a"}']) expect(() => readJsonRecord(bad)).toThrow();
    expect(readJsonRecord('[1]')).toEqual({ kind: 'other', type: 'array' });
  });
});

describe('parseJson', () => {
  it('reads a top-level array; header = union of keys in first-seen order; absent keys null', async () => {
    const table = await parseJson(Buffer.from('[{"名称":"甲","代码":"007"},{"名称":"乙","备注":"x"}]'));
    expect(table.format).toBe('json');
    expect(table.header).toEqual(['名称', '代码', '备注']);
    expect((await collect(table)).records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [1, '甲', '007', null],
      [2, '乙', null, 'x'],
    ]);
  });

  it('finds the records array under a key: {"data":[…]} and {"result":{"records":[…]}}, passing over "fields"', async () => {
    expect(await values(await parseJson(Buffer.from('{"code":0,"msg":"ok","data":[{"a":1}]}')))).toEqual([['1']]);
    const nested = await parseJson(Buffer.from('{"success":true,"fields":[{"name":"a"}],"result":{"total":2,"tags":["x"],"records":[{"a":1,"b":[1,{"c":2}]},{"a":2}]}}'));
    expect(nested.header).toEqual(['a', 'b']);
    expect(await values(nested)).toEqual([
      ['1', '[1,{"c":2}]'],
      ['2', null],
    ]);
  });

  it('takes the array a recordsPath names', async () => {
    const table = await parseJson(Buffer.from('{"a":[{"x":1}],"b":{"rows":[{"y":2}]}}'), { recordsPath: 'b.rows' });
    expect(table.header).toEqual(['y']);
    expect(await values(table)).toEqual([['2']]);
  });

  it('streams across any chunk boundary', async () => {
    const text = '{"result" : {"records": [ {"名称":"北京\\"甲\\"","n":[1,2]} , {"名称":"乙]}","n":null} ]}}';
    const whole = await collect(await parseJson(Buffer.from(text)));
    for (const size of [1, 2, 5]) expect((await collect(await parseJson(chunked(text, size)))).records).toEqual(whole.records);
    expect(whole.records.map((r) => r.values)).toEqual([
      ['北京"甲"', '[1,2]'],
      ['乙]}', null],
    ]);
  });

  it('reads GBK JSON too', async () => {
    const table = await parseJson(iconv.encode('[{"名称":"北京市海淀区"}]', 'gbk'));
    expect(table.encoding).toBe('gb18030');
    expect(await values(table)).toEqual([['北京市海淀区']]);
  });

  it('uses a field dictionary line for the header (the Shandong portal download)', async () => {
    const text = '[{"name_cn":"作业方式","name_en":"zyfs"},{"name_cn":"船名号","name_en":"cmh"}]\n[{"cmh":"鲁荣远渔967","zyfs":"拖网","jzwgrq":7185254400000}]';
    const table = await parseJson(Buffer.from(text));
    expect(table.header).toEqual(['作业方式', '船名号', 'jzwgrq']);
    expect(table.sourceKeys).toEqual(['zyfs', 'cmh', 'jzwgrq']);
    expect((await collect(table)).records).toEqual([{ rowNumber: 1, values: ['拖网', '鲁荣远渔967', '7185254400000'], raw: '{"cmh":"鲁荣远渔967","zyfs":"拖网","jzwgrq":7185254400000}' }]);
  });

  it('reports elements that are not objects, and keys outside the header, as row problems', async () => {
    const table = await parseJson(Buffer.from('[{"a":1},2,{"a":3,"b":4},{"a":5}]'), { headerSampleSize: 1 });
    const { records, problems } = await collect(table);
    expect(records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [1, '1'],
      [4, '5'],
    ]);
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([
      [2, 'NOT_AN_OBJECT'],
      [3, 'UNKNOWN_FIELDS'],
    ]);
    expect(problems[1].zh).toContain('b');
  });

  it('refuses an empty file, an empty array, a truncated file and text after the data', async () => {
    expect((await refusal(parseJson(Buffer.alloc(0)))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseJson(Buffer.from(' [ ] ')))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseJson(Buffer.from('[{"a":1},{"a":')))).code).toBe('JSON_INVALID');
    expect((await refusal(parseJson(Buffer.from('[{"a":1}] {"b":2}')))).code).toBe('JSON_INVALID');
    expect((await refusal(parseJson(Buffer.from('<html>')))).code).toBe('JSON_INVALID');
  });

  it("refuses a portal's error answer saved as the data, quoting it", async () => {
    const error = await refusal(parseJson(Buffer.from('{"code":"0003","error":"当前限制类型文件无权限下载"}')));
    expect(error.code).toBe('JSON_NO_RECORDS');
    expect(error.zh).toContain('当前限制类型文件无权限下载');
  });

  it('skips an over-long element', async () => {
    const { records, problems } = await collect(await parseJson(chunked(`[{"a":"${'x'.repeat(5000)}"},{"a":"ok"}]`, 100), { maxLineBytes: 1000 }));
    expect(problems.map((p) => [p.rowNumber, p.code])).toEqual([[1, 'LINE_TOO_LONG']]);
    expect(records.map((r) => r.values)).toEqual([['ok']]);
  });
});

describe('parseNdjson', () => {
  it('reads one object per line; the row number is the line number; a bad line is a row problem', async () => {
    const table = await parseNdjson(chunked('{"a":1,"b":"x"}\r\n\n{"a":2}\n{"a":3,\nnot json\n[1,2]\n{"a":4,"b":null}', 3));
    expect(table.format).toBe('ndjson');
    expect(table.header).toEqual(['a', 'b']);
    const { records, problems } = await collect(table);
    expect(records.map((r) => [r.rowNumber, ...r.values])).toEqual([
      [1, '1', 'x'],
      [3, '2', null],
      [7, '4', null],
    ]);
    expect(problems.map((p) => [p.rowNumber, p.code, p.raw])).toEqual([
      [4, 'INVALID_JSON', '{"a":3,'],
      [5, 'INVALID_JSON', 'not json'],
      [6, 'NOT_AN_OBJECT', '[1,2]'],
    ]);
    expect(table.blankRowCount).toBe(1);
  });

  it('refuses a file with no object line', async () => {
    expect((await refusal(parseNdjson(Buffer.from('\n\n')))).code).toBe('EMPTY_FILE');
    expect((await refusal(parseNdjson(Buffer.from('1\n2\n')))).code).toBe('JSON_NO_RECORDS');
  });
});
