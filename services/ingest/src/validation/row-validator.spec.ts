import { ColumnSpec, SourceRecord } from '../pipeline/contracts';
import { CellProblem, createRowValidator, csvField, escapeForSpreadsheet } from './row-validator';

const NOW = new Date('2024-06-01T00:00:00Z');

function record(rowNumber: number, values: (string | null)[], raw?: string): SourceRecord {
  return { rowNumber, values, raw: raw ?? values.map((v) => v ?? '').join(',') };
}

/** One column of the given spec, mapped from header index 0. */
function single(spec: Omit<ColumnSpec, 'name'> & { name?: string }) {
  const validator = createRowValidator([{ name: '列', ...spec }], [0], { now: NOW });
  return (cell: string | null) => {
    const { values, problems } = validator.validate(record(2, [cell]));
    return { value: values[0], problem: problems[0] as CellProblem | undefined };
  };
}

describe('createRowValidator: rules and reasons', () => {
  it('trims, and an empty cell is null', () => {
    const check = single({ dataType: 'C' });
    expect(check('  厦门  ')).toEqual({ value: '厦门', problem: undefined });
    expect(check('   ')).toEqual({ value: null, problem: undefined });
    expect(check(null)).toEqual({ value: null, problem: undefined });
    // every space String.prototype.trim takes, at either end, next to CJK and ASCII
    for (const space of ['\t', '\n', '\u000b', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff']) {
      for (const text of ['厦门', 'ab', '厦门 a', 'a　厦门']) {
        expect(check(space + text).value).toBe(text);
        expect(check(text + space).value).toBe(text);
      }
    }
  });

  it('required', () => {
    const check = single({ name: '企业名称', dataType: 'C', required: true });
    expect(check(' ').problem).toMatchObject({ code: 'REQUIRED_MISSING', column: '企业名称', reason: '"企业名称"为必填项，不能为空', rule: 'required', columnIndex: 0 });
    const key = single({ name: '统一社会信用代码', dataType: 'C', key: true });
    expect(key('').problem?.reason).toBe('"统一社会信用代码"为主键，不能为空');
  });

  it('length in characters for text', () => {
    const check = single({ name: '企业名称', dataType: 'C', length: 4 });
    expect(check('厦门公司').value).toBe('厦门公司');
    expect(check('厦门某公司').problem).toMatchObject({ code: 'TOO_LONG', rule: 'length', reason: '"企业名称"长度为 5 个字符，超过目录规定的 4 个字符' });
  });

  it('a NUL character in text is refused (it would fail the whole COPY)', () => {
    const check = single({ name: '备注', dataType: 'C' });
    expect(check('a\u0000b').problem).toMatchObject({ code: 'INVALID_CHARACTER', rule: 'type', reason: '"备注"含有空字符（U+0000），数据库无法保存' });
    expect(single({ dataType: 'C', length: 10 })('a\u0000b').problem?.code).toBe('INVALID_CHARACTER');
  });

  it('numbers', () => {
    const n = single({ name: '从业人数', dataType: 'I' });
    expect(n('1,200').value).toBe('1200');
    expect(n('１２').value).toBe('12');
    expect(n('12.5').problem).toMatchObject({ code: 'INVALID_INTEGER', rule: 'type', reason: '"从业人数"的值"12.5"不是有效的整数（例如 42）' });
    expect(n('99999999999999999999').problem).toMatchObject({ code: 'NUMBER_OUT_OF_RANGE', reason: '"从业人数"的值"99999999999999999999"超出整数的范围' });
    const y = single({ name: '注册资本', dataType: 'Y' });
    expect(y('1,000,000.00').value).toBe('1000000.00');
    expect(y('NaN').problem).toMatchObject({ code: 'INVALID_NUMBER', reason: '"注册资本"的值"NaN"不是有效的金额（例如 1,234.56）' });
    expect(y('12345678901234567').problem?.reason).toBe('"注册资本"的值"12345678901234567"超出金额的范围（整数部分最多 16 位）');
    expect(single({ dataType: 'N' })('3.14').value).toBe('3.14');
    expect(single({ dataType: 'F' })('1.5e3').value).toBe('1.5e3');
  });

  it('dates, timestamps and booleans', () => {
    const d = single({ name: '成立日期', dataType: 'D' });
    expect(d('2023年1月5日').value).toBe('2023-01-05');
    expect(d('2023/1/5 0:00:00').value).toBe('2023-01-05');
    expect(d('2023-02-30').problem).toMatchObject({
      code: 'INVALID_DATE',
      reason: '"成立日期"的值"2023-02-30"不是有效日期（可用格式：2023-01-05、2023/1/5、2023.1.5、2023年1月5日、20230105）',
    });
    const t = single({ name: '更新时间', dataType: 'T' });
    expect(t('2023/1/5 13:20').value).toBe('2023-01-05 13:20:00');
    expect(t('昨天').problem?.code).toBe('INVALID_TIMESTAMP');
    const l = single({ name: '是否有效', dataType: 'L' });
    expect(l('是').value).toBe('t');
    expect(l('N').value).toBe('f');
    expect(l('对').problem).toMatchObject({ code: 'INVALID_BOOLEAN', reason: '"是否有效"的值"对"不是有效的逻辑值（可用：是/否、true/false、1/0、Y/N）' });
  });

  it('统一社会信用代码: checksum through the shared validator, upper-cased and half-width first', () => {
    const check = single({ name: '统一社会信用代码', dataType: 'C', length: 18, format: 'uscc' });
    expect(check('91350100M000100Y43')).toEqual({ value: '91350100M000100Y43', problem: undefined });
    expect(check('91350100m000100y43').value).toBe('91350100M000100Y43');
    expect(check('９１３５０１００Ｍ０００１００Ｙ４３').value).toBe('91350100M000100Y43');
    expect(check('91350203M0001QAY9B').problem).toMatchObject({
      code: 'INVALID_USCC',
      rule: 'format',
      reason: '"统一社会信用代码"的值"91350203M0001QAY9B"：统一社会信用代码校验码错误，第 18 位应为"9"',
    });
    expect(check('9135010').problem?.reason).toBe('"统一社会信用代码"的值"9135010"：统一社会信用代码应为 18 位，实际为 7 位');
    // Length is checked first.
    expect(check('91350100M000100Y43X').problem?.code).toBe('TOO_LONG');
  });

  it('公民身份号码: checksum, lower-case x accepted', () => {
    const check = single({ name: '公民身份号码', dataType: 'C', format: 'idNumber' });
    expect(check('11010519491231002X').value).toBe('11010519491231002X');
    expect(check('11010519491231002x').value).toBe('11010519491231002X');
    expect(check('110105194912310021').problem).toMatchObject({
      code: 'INVALID_ID_NUMBER',
      reason: '"公民身份号码"的值"110105194912310021"：身份证号码校验码错误，第 18 位应为"X"',
    });
  });

  it('手机号码: separators removed, +86 accepted', () => {
    const check = single({ name: '手机号码', dataType: 'C', format: 'mobile' });
    expect(check('13800138000').value).toBe('13800138000');
    expect(check('138-0013-8000').value).toBe('13800138000');
    expect(check('+86 138 0013 8000').value).toBe('+8613800138000');
    expect(check('0592-1234567').problem).toMatchObject({ code: 'INVALID_MOBILE', reason: '"手机号码"的值"0592-1234567"不是有效的手机号码（应为 11 位，以 13–19 开头，可带 +86）' });
  });

  it('cells that look like formulas are data: kept as they are', () => {
    const check = single({ dataType: 'C' });
    for (const cell of ['=SUM(A1:A2)', '+86', '-abc', '@cmd', '=HYPERLINK("http://x","点我")']) expect(check(cell)).toEqual({ value: cell, problem: undefined });
  });
});

describe('createRowValidator: rows', () => {
  const specs: ColumnSpec[] = [
    { name: '统一社会信用代码', dataType: 'C', length: 18, key: true, required: true, format: 'uscc' },
    { name: '企业名称', dataType: 'C', length: 10, required: true },
    { name: '成立日期', dataType: 'D' },
    { name: '法定代表人', dataType: 'C' },
  ];
  // Header order differs from spec order; 法定代表人 has no column.
  const mapping = [1, 2, 0, -1];

  it('returns values in spec order, a missing column as null, and a shared empty problem list', () => {
    const v = createRowValidator(specs, { mapping }, { now: NOW });
    const a = v.validate(record(2, ['2023/1/5', '91350100M000100Y43', '厦门公司']));
    const b = v.validate(record(3, ['2023/1/6', '91350203M0001QAY99', '泉州公司']));
    expect(a.values).toEqual(['91350100M000100Y43', '厦门公司', '2023-01-05', null]);
    expect(a.problems).toEqual([]);
    expect(a.problems).toBe(b.problems);
    expect(Object.isFrozen(a.problems)).toBe(true);
  });

  it('reports every bad cell of a row with the original line, bad cells null', () => {
    const v = createRowValidator(specs, mapping, { now: NOW });
    const raw = '2023-02-30,91350203M0001QAY9B,';
    const { values, problems } = v.validate(record(7, ['2023-02-30', '91350203M0001QAY9B', ''], raw));
    expect(values).toEqual([null, null, null, null]);
    expect(problems.map((p) => [p.rowNumber, p.column, p.code, p.raw])).toEqual([
      [7, '统一社会信用代码', 'INVALID_USCC', raw],
      [7, '企业名称', 'REQUIRED_MISSING', raw],
      [7, '成立日期', 'INVALID_DATE', raw],
    ]);
  });

  it('builds the raw line from the cells when the source has no lines (xlsx)', () => {
    const v = createRowValidator(specs, mapping, { now: NOW });
    const { problems } = v.validate({ rowNumber: 4, values: ['x', '91350100M000100Y43', '厦门,"鹭岛"公司'] });
    expect(problems[0].raw).toBe('x,91350100M000100Y43,"厦门,""鹭岛""公司"');
  });

  it('rejects a repeated key, naming the first row, once the other checks pass', () => {
    const v = createRowValidator(specs, mapping, { now: NOW });
    expect(v.validate(record(2, ['', '91350100M000100Y43', '甲'])).problems).toEqual([]);
    expect(v.validate(record(3, ['', '91350100m000100y43', '乙'])).problems).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_KEY', column: '统一社会信用代码', rule: 'unique', columnIndex: null, reason: '主键重复：统一社会信用代码="91350100M000100Y43" 与第 2 行相同' }),
    ]);
    // A row already rejected for another reason does not take the key.
    expect(v.validate(record(4, ['bad', '91350203M0001QAY99', '丙'])).problems[0].code).toBe('INVALID_DATE');
    expect(v.validate(record(5, ['', '91350203M0001QAY99', '丁'])).problems).toEqual([]);
    expect(v.keys.duplicates).toBe(1);
    expect(createRowValidator(specs, mapping, { checkKeys: false }).keys.keyColumns).toEqual([]);
  });

  it('refuses a mapping of the wrong size', () => {
    expect(() => createRowValidator(specs, [0, 1])).toThrow('mapping has 2 entries for 4 columns');
  });
});

describe('escapeForSpreadsheet', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['＝1+1', "'＝1+1"],
    ['-12.5', '-12.5'],
    ['+86', '+86'],
    ['厦门', '厦门'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(escapeForSpreadsheet(input)).toBe(expected);
  });
});

describe('csvField', () => {
  it('quotes only when needed', () => {
    expect(csvField('abc')).toBe('abc');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
  });
});
