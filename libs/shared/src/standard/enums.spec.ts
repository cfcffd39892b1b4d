import { IsIn, validateSync } from 'class-validator';
import {
  DATA_DOMAINS,
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  OPEN_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_TYPES,
  SHARE_TYPE_CODES,
  UPDATE_CYCLES,
  codesOf,
  effectiveNationalLevel,
  isCodeOf,
  isPlatformMethodCompatible,
  isUpdateStale,
  isValidFormatType,
  isValidResourceItem,
  labelOf,
  maxAgeDaysOf,
  nationalLevelFloorOf,
  platformMethodTypesFor,
  resourceItemLabel,
  stricterNationalLevel,
} from './enums';

describe('code tables', () => {
  it('looks up labels and rejects unknown codes', () => {
    expect(labelOf(SHARE_TYPES, 'CONDITIONAL')).toBe('有条件共享');
    expect(labelOf(OPEN_TYPES, 'NOT_OPEN')).toBe('不予开放');
    expect(labelOf(SHARE_TYPES, 'SOMETIMES')).toBeUndefined();
    expect(labelOf(SHARE_TYPES, null)).toBeUndefined();
    expect(isCodeOf(SHARE_TYPES, 'NOT_SHARED')).toBe(true);
    expect(isCodeOf(SHARE_TYPES, 'not_shared')).toBe(false);
    expect(isCodeOf(SHARE_TYPES, 1)).toBe(false);
  });

  it('keeps codes unique within every table', () => {
    for (const table of [RESOURCE_CLASSES, ...Object.values(RESOURCE_ITEMS), FORMAT_CLASSES, DATA_ITEM_TYPES, SHARE_TYPES, OPEN_TYPES, UPDATE_CYCLES, SECURITY_GRADES, DATA_DOMAINS]) {
      const codes = codesOf(table);
      expect(new Set(codes).size).toBe(codes.length);
    }
  });

  it('serves @IsIn on DTOs', () => {
    class Dto {
      @IsIn(SHARE_TYPE_CODES)
      shareType!: string;
    }
    const ok = Object.assign(new Dto(), { shareType: 'UNCONDITIONAL' });
    const bad = Object.assign(new Dto(), { shareType: '无条件共享' });
    expect(validateSync(ok)).toHaveLength(0);
    expect(validateSync(bad)[0].constraints).toHaveProperty('isIn');
  });
});

describe('resource classification', () => {
  it('numbers classes 1–3 and items 01… in the order the guideline lists them', () => {
    expect(RESOURCE_CLASSES.map((c) => [c.code, c.label])).toEqual([
      ['1', '基础信息资源'],
      ['2', '主题信息资源'],
      ['3', '部门信息资源'],
    ]);
    expect(RESOURCE_ITEMS['1'].map((i) => i.code)).toEqual(['01', '02', '03', '04', '05']);
    expect(RESOURCE_ITEMS['2']).toHaveLength(12);
    expect(RESOURCE_ITEMS['3']).toHaveLength(8);
    expect(resourceItemLabel('1', '03')).toBe('自然资源和空间地理');
    expect(resourceItemLabel('2', '12')).toBe('应急维稳');
    expect(resourceItemLabel('3', '08')).toBe('计划单列市及其下各级政务部门');
  });

  it('closes the basic and department item lists but lets the topic list grow', () => {
    expect(isValidResourceItem('1', '05')).toBe(true);
    expect(isValidResourceItem('1', '06')).toBe(false);
    expect(isValidResourceItem('3', '09')).toBe(false);
    expect(isValidResourceItem('2', '13')).toBe(true);
    expect(resourceItemLabel('2', '13')).toBeUndefined();
    expect(isValidResourceItem('2', '00')).toBe(false);
    expect(isValidResourceItem('2', '1')).toBe(false);
    expect(isValidResourceItem('4', '01')).toBe(false);
  });
});

describe('formats and share methods', () => {
  it('numbers format classes 1–7 from 电子文件 to 服务接口', () => {
    expect(FORMAT_CLASSES.map((f) => f.label)).toEqual(['电子文件', '电子表格', '数据库', '图形图像', '流媒体', '自描述格式', '服务接口']);
    expect(FORMAT_CLASSES.map((f) => f.code)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('checks format types against the known lists and accepts free text elsewhere', () => {
    expect(isValidFormatType('1', 'ofd')).toBe(true);
    expect(isValidFormatType('1', 'xlsx')).toBe(false);
    expect(isValidFormatType('2', 'XLSX')).toBe(true);
    expect(isValidFormatType('3', 'PostgreSQL')).toBe(true);
    expect(isValidFormatType('3', '  ')).toBe(false);
    expect(isValidFormatType('8', 'pdf')).toBe(false);
  });

  it('matches platform method types to the resource format', () => {
    expect(platformMethodTypesFor('3')).toEqual(['DATABASE', 'API']);
    expect(isPlatformMethodCompatible('1', 'FILE')).toBe(true);
    expect(isPlatformMethodCompatible('1', 'DATABASE')).toBe(false);
    expect(isPlatformMethodCompatible('7', 'API')).toBe(true);
    expect(isPlatformMethodCompatible('7', 'FILE')).toBe(false);
    expect(isPlatformMethodCompatible('9', 'FILE')).toBe(false);
  });

  it('lists the eleven data item types', () => {
    expect(DATA_ITEM_TYPES.map((t) => t.code).join('')).toBe('CNYDTLMGBIF');
    expect(labelOf(DATA_ITEM_TYPES, 'T')).toBe('日期时间型');
  });
});

describe('update cycles', () => {
  const now = new Date('2025-03-31T00:00:00Z');
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

  it('gives each cycle its maximum age', () => {
    expect(maxAgeDaysOf('DAILY')).toBe(1);
    expect(maxAgeDaysOf('QUARTERLY')).toBe(92);
    expect(maxAgeDaysOf('IRREGULAR')).toBeNull();
    expect(maxAgeDaysOf('HOURLY')).toBeUndefined();
  });

  it('flags data older than its cycle allows', () => {
    expect(isUpdateStale('WEEKLY', daysAgo(7), now)).toBe(false);
    expect(isUpdateStale('WEEKLY', daysAgo(8), now)).toBe(true);
    expect(isUpdateStale('MONTHLY', daysAgo(31), now)).toBe(false);
    expect(isUpdateStale('MONTHLY', daysAgo(32), now)).toBe(true);
    expect(isUpdateStale('IRREGULAR', daysAgo(5000), now)).toBe(false);
  });
});

describe('security grades', () => {
  it('labels L1–L4 and maps them to a GB/T 43697 floor', () => {
    expect(SECURITY_GRADES.map((g) => g.label)).toEqual(['不敏感', '低敏感', '较敏感', '敏感']);
    expect(nationalLevelFloorOf('L1')).toBe('GENERAL');
    expect(nationalLevelFloorOf('L2')).toBe('GENERAL');
    expect(nationalLevelFloorOf('L3')).toBe('IMPORTANT');
    expect(nationalLevelFloorOf('L4')).toBe('IMPORTANT');
  });

  it('applies the stricter of floor and assessment (就高从严)', () => {
    expect(stricterNationalLevel('GENERAL', 'CORE')).toBe('CORE');
    expect(stricterNationalLevel('IMPORTANT', 'GENERAL')).toBe('IMPORTANT');
    expect(effectiveNationalLevel('L1')).toBe('GENERAL');
    expect(effectiveNationalLevel('L1', 'IMPORTANT')).toBe('IMPORTANT');
    expect(effectiveNationalLevel('L4', 'GENERAL')).toBe('IMPORTANT');
    expect(effectiveNationalLevel('L4', 'CORE')).toBe('CORE');
  });
});

describe('data domains', () => {
  it('lists the domains named in seed 000 in source order', () => {
    expect(DATA_DOMAINS).toHaveLength(21);
    expect(DATA_DOMAINS[0]).toEqual({ code: '01', label: '市场监管' });
    expect(DATA_DOMAINS[14]).toEqual({ code: '15', label: '教育科技' });
    expect(DATA_DOMAINS[20]).toEqual({ code: '21', label: '机构团体' });
  });
});
