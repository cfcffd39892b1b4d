import { SourceError } from '../pipeline/contracts';
import { ColumnSpec } from '../pipeline/contracts';
import { ColumnMappingError, columnMappingError, mapColumns, normalizeHeader } from './column-mapping';

const items: ColumnSpec[] = [
  { name: '统一社会信用代码', dataType: 'C', length: 18, key: true, required: true, format: 'uscc' },
  { name: '企业名称', dataType: 'C', length: 200, required: true },
  { name: '法定代表人', dataType: 'C', length: 50 },
  { name: '公民身份号码', dataType: 'C', length: 18, format: 'idNumber' },
  { name: '成立日期', dataType: 'D' },
];

describe('normalizeHeader', () => {
  it.each([
    [' 企业名称 ', '企业名称'],
    ['企业\u3000名称', '企业名称'],
    ['*企业名称', '企业名称'],
    ['＊企业名称', '企业名称'],
    ['【企业名称】', '企业名称'],
    ['[企业名称]', '企业名称'],
    ['企业名称（必填）', '企业名称'],
    ['*企业名称(必填)', '企业名称'],
    ['企业（机构）名称', '企业(机构)名称'],
    ['ＵＳＣＣ', 'uscc'],
    ['\uFEFF企业名称', '企业名称'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeHeader(input)).toBe(expected);
  });
});

describe('mapColumns', () => {
  it('maps exact names whatever the order, width, case and markers', () => {
    const result = mapColumns(['成立日期', '【企业名称】', '*统一社会信用代码', '法定代表人 ', '公民身份号码'], items);
    expect(result.mapping).toEqual([2, 1, 3, 4, 0]);
    expect(result.matchedBy).toEqual(['name', 'name', 'name', 'name', 'name']);
    expect(result.ok).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.unmappedHeaders).toEqual([]);
    expect(result.missingItems).toEqual([]);
  });

  it('maps aliases of the data elements (社会信用代码, 身份证号, 单位名称…)', () => {
    const result = mapColumns(['社会信用代码', '单位名称', '法人代表', '身份证号', '成立日期'], items);
    expect(result.mapping).toEqual([0, 1, 2, 3, 4]);
    expect(result.matchedBy).toEqual(['alias', 'alias', 'alias', 'alias', 'name']);
    expect(result.ok).toBe(true);
  });

  it('an item named by an alias takes the element name as header too', () => {
    const specs: ColumnSpec[] = [{ name: '身份证号码', dataType: 'C' }];
    expect(mapColumns(['公民身份号码'], specs).mapping).toEqual([0]);
  });

  it('explicit mapping wins, and maps to "" ignore a column', () => {
    const result = mapColumns(['信用号', '名称', '法定代表人', '身份证', '注册日期', '备注'], items, {
      信用号: '统一社会信用代码',
      名称: '企业名称',
      身份证: '公民身份号码',
      注册日期: '成立日期',
      备注: '',
    });
    expect(result.mapping).toEqual([0, 1, 2, 3, 4]);
    expect(result.matchedBy).toEqual(['explicit', 'explicit', 'name', 'explicit', 'explicit']);
    expect(result.unmappedHeaders).toEqual([{ index: 5, header: '备注', reason: 'ignored' }]);
    expect(result.ok).toBe(true);
  });

  it('a header matching no item is HEADER_UNMATCHED, fatal, with the expected item names in Chinese', () => {
    const result = mapColumns(['统一社会信用代码', '企业名称', '注册资金'], items);
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.code === 'HEADER_UNMATCHED');
    expect(problem).toMatchObject({ fatal: true, headerIndex: 2, header: '注册资金' });
    expect(problem?.zh).toBe(
      '第 3 列表头"注册资金"不对应任何信息项。目录中的信息项为：统一社会信用代码、企业名称、法定代表人、公民身份号码、成立日期。请修改表头，或在列映射中指定对应的信息项（不需要的列可映射为空以忽略）',
    );
    expect(result.unmappedHeaders).toEqual([{ index: 2, header: '注册资金', reason: 'unmatched' }]);
    // Optional items without a column are warnings, not failures.
    expect(result.missingItems).toEqual(['法定代表人', '公民身份号码', '成立日期']);
    expect(result.problems.filter((p) => p.code === 'ITEM_MISSING').every((p) => !p.fatal)).toBe(true);

    const error = columnMappingError(result);
    expect(error).toBeInstanceOf(ColumnMappingError);
    expect(error).toBeInstanceOf(SourceError);
    expect(error?.code).toBe('HEADER_UNMATCHED');
    expect(error?.zh).toContain('注册资金');
  });

  it('a missing key or required item is fatal', () => {
    const result = mapColumns(['企业名称'], items);
    expect(result.ok).toBe(false);
    expect(result.problems.find((p) => p.item === '统一社会信用代码')).toMatchObject({ code: 'REQUIRED_ITEM_MISSING', fatal: true, zh: '缺少主键信息项"统一社会信用代码"对应的列' });
  });

  it('two columns for one item are fatal', () => {
    const result = mapColumns(['统一社会信用代码', '企业名称', '社会信用代码'], items);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ code: 'DUPLICATE_COLUMN', fatal: true, headerIndex: 2 });
    expect(result.mapping[0]).toBe(0);
  });

  it('explicit mapping to an unknown item is fatal; to an absent header only a warning', () => {
    const result = mapColumns(['统一社会信用代码', '企业名称', '名字'], items, { 名字: '企业名字', 不存在: '企业名称' });
    expect(result.problems.map((p) => [p.code, p.fatal])).toEqual(
      expect.arrayContaining([
        ['EXPLICIT_ITEM_UNKNOWN', true],
        ['EXPLICIT_HEADER_ABSENT', false],
      ]),
    );
    expect(result.problems.filter((p) => p.code === 'HEADER_UNMATCHED')).toEqual([]);
  });

  it('blank headers (trailing Excel columns) are ignored with a warning', () => {
    const result = mapColumns(['统一社会信用代码', '企业名称', '', '  '], items);
    expect(result.ok).toBe(true);
    expect(result.unmappedHeaders.map((u) => u.reason)).toEqual(['blank', 'blank']);
    expect(result.problems.filter((p) => p.code === 'HEADER_BLANK')).toHaveLength(2);
  });
});
