import {
  InvalidResourceCodeError,
  formatResourceCode,
  isValidResourceCode,
  normalizeResourceCode,
  parseResourceCode,
  prefixOf,
  validateResourceCode,
} from './resource-code';

describe('resource code', () => {
  it('builds the 分类码 from 类, 项, 目 and 细目', () => {
    expect(prefixOf({ classCode: '1', itemCode: '01', categoryCode: '001' })).toBe('101001');
    expect(prefixOf({ classCode: '2', itemCode: '03', categoryCode: '002', subCategoryCode: '0105' })).toBe('2030020105');
  });

  it('refuses to build a prefix from malformed parts', () => {
    expect(() => prefixOf({ classCode: '1', itemCode: '1', categoryCode: '001' })).toThrow('项代码"1"应为 2 位数字');
    expect(() => prefixOf({ classCode: '1', itemCode: '01', categoryCode: '01' })).toThrow(InvalidResourceCodeError);
    expect(() => prefixOf({ classCode: '1', itemCode: '01', categoryCode: '001', subCategoryCode: '0a' })).toThrow('细目');
  });

  it('formats with the sequence padded to 6 digits', () => {
    const c = { classCode: '1', itemCode: '02', categoryCode: '001' } as const;
    expect(formatResourceCode(c, 1)).toBe('102001/000001');
    expect(formatResourceCode(c, '42')).toBe('102001/000042');
    expect(formatResourceCode(c, 1234567)).toBe('102001/1234567');
    expect(() => formatResourceCode(c, -1)).toThrow('顺序码"-1"应为非负整数');
    expect(() => formatResourceCode(c, '12a')).toThrow('顺序码"12a"只能包含数字');
  });

  it('parses codes with and without 细目', () => {
    expect(parseResourceCode('101001/000001')).toEqual({
      classification: { classCode: '1', itemCode: '01', categoryCode: '001' },
      sequence: '000001',
    });
    expect(parseResourceCode('304123456/798456')).toEqual({
      classification: { classCode: '3', itemCode: '04', categoryCode: '123', subCategoryCode: '456' },
      sequence: '798456',
    });
  });

  it('round-trips parse and format', () => {
    const { classification, sequence } = parseResourceCode('2120019/000315');
    expect(formatResourceCode(classification, sequence)).toBe('2120019/000315');
  });

  it('normalises sequence padding', () => {
    expect(normalizeResourceCode('101001/1')).toBe('101001/000001');
    expect(normalizeResourceCode('101001/0000001')).toBe('101001/000001');
    expect(normalizeResourceCode('101001/0')).toBe('101001/000000');
  });

  it.each([
    ['', '信息资源代码不能为空'],
    ['101001000001', '应为"分类码/顺序码"格式'],
    ['101001/000001/2', '应为"分类码/顺序码"格式'],
    ['/000001', '分类码不能为空'],
    ['10A001/000001', '分类码"10A001"只能包含数字'],
    ['10100/000001', '至少 6 位'],
    ['401001/000001', '类代码"4"无效'],
    ['106001/000001', '项代码"06"不属于类"1"'],
    ['309001/000001', '项代码"09"不属于类"3"'],
    ['200001/000001', '项代码"00"不属于类"2"'],
    ['101001/', '顺序码不能为空'],
    ['101001/00 01', '顺序码"00 01"只能包含数字'],
  ])('rejects %j with a reason', (code, reason) => {
    const result = validateResourceCode(code);
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.reason).toContain(reason);
    expect(() => parseResourceCode(code)).toThrow(InvalidResourceCodeError);
  });

  it('accepts an unlisted topic item because the topic list is open', () => {
    expect(isValidResourceCode('215001/000001')).toBe(true);
    expect(isValidResourceCode(null)).toBe(false);
  });
});
