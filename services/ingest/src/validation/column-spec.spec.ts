import { DataItem } from '@gov/shared';
import { SourceError } from '../pipeline/contracts';
import { columnSpecsFrom, formatOf, pgColumnType } from './column-spec';

describe('columnSpecsFrom', () => {
  const items: DataItem[] = [
    { name: '统一社会信用代码', dataType: 'C', length: 18, dataElementCode: 'USCC' },
    { name: '企业名称', dataType: 'C', length: 200 },
    { name: '注册资本', dataType: 'Y', length: 20 },
    { name: '成立日期', dataType: 'D' },
    { name: '备注', dataType: 'M', length: 0 },
  ];

  it('derives type, length, key, required and format', () => {
    expect(columnSpecsFrom(items, { keys: ['统一社会信用代码'], required: ['企业名称'] })).toEqual([
      { name: '统一社会信用代码', dataType: 'C', length: 18, required: true, key: true, format: 'uscc' },
      { name: '企业名称', dataType: 'C', length: 200, required: true, key: false, format: null },
      { name: '注册资本', dataType: 'Y', length: 20, required: false, key: false, format: null },
      { name: '成立日期', dataType: 'D', length: null, required: false, key: false, format: null },
      { name: '备注', dataType: 'M', length: null, required: false, key: false, format: null },
    ]);
  });

  it('an unknown key name is a configuration error', () => {
    expect(() => columnSpecsFrom(items, { keys: ['信用编号'] })).toThrow(SourceError);
  });
});

describe('formatOf', () => {
  it.each([
    [{ name: '统一社会信用代码' }, 'uscc'],
    [{ name: '信用代码' }, 'uscc'],
    [{ name: '法人统一社会信用代码' }, 'uscc'],
    [{ name: '代码', dataElementCode: 'USCC' }, 'uscc'],
    [{ name: '公民身份号码' }, 'idNumber'],
    [{ name: '身份证号' }, 'idNumber'],
    [{ name: '法定代表人身份证号码' }, 'idNumber'],
    [{ name: '号码', dataElementCode: 'CITIZEN_ID_NUMBER' }, 'idNumber'],
    [{ name: '身份证件号码' }, null], // passports are 证件 too
    [{ name: '证件号码' }, null],
    [{ name: '手机号码' }, 'mobile'],
    [{ name: '联系人手机' }, 'mobile'],
    [{ name: '移动电话' }, 'mobile'],
    [{ name: '联系电话' }, null], // may be a landline
    [{ name: '办公电话' }, null],
    [{ name: '统一社会信用代码', dataElementCode: 'ENTERPRISE_NAME' }, null], // the explicit element decides
    [{ name: '统一社会信用代码', dataType: 'N' }, null], // only text items
  ])('%j → %s', (item, expected) => {
    expect(formatOf({ dataType: 'C', ...item })).toBe(expected);
  });
});

describe('pgColumnType', () => {
  it.each([
    ['C', 'text'],
    ['M', 'text'],
    ['G', 'text'],
    ['N', 'numeric'],
    ['Y', 'numeric(20,4)'],
    ['B', 'double precision'],
    ['F', 'double precision'],
    ['I', 'bigint'],
    ['D', 'date'],
    ['T', 'timestamp'],
    ['L', 'boolean'],
    ['x', 'text'],
  ])('%s → %s', (type, expected) => {
    expect(pgColumnType(type)).toBe(expected);
  });
});
