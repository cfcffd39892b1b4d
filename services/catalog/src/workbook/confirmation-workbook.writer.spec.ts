import { CatalogMetadata, DATA_DOMAINS } from '@gov/shared';
import ExcelJS from 'exceljs';
import { columnLetter, ENTRY_COLUMNS, ITEM_COLUMNS, SHEET_CODES, SHEET_ENTRIES, SHEET_GUIDE, SHEET_ITEMS, TEMPLATE_ENTRY_ROWS, TEMPLATE_ITEM_ROWS } from './confirmation-workbook.layout';
import { buildCatalogWorkbook, buildConfirmationTemplate } from './confirmation-workbook.writer';

const domains = DATA_DOMAINS.map(({ code, label }) => ({ code, label }));
const systems = ['市场主体登记系统', '信用信息共享平台'];
const topicItems = [{ code: '13', label: '数字政府' }];

async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as never);
  return wb;
}

type Validation = ExcelJS.DataValidation;
const validationAt = (ws: ExcelJS.Worksheet, address: string): Validation | undefined =>
  (ws as unknown as { dataValidations: { model: Record<string, Validation> } }).dataValidations.model[address];

/** The values a list validation offers, read from the 代码表 range it references. */
function listValues(wb: ExcelJS.Workbook, validation: Validation): string[] {
  const formula = String(validation.formulae[0]);
  const m = /^'?(.+?)'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$/.exec(formula);
  if (!m) throw new Error(`not a range reference: ${formula}`);
  expect(m[1]).toBe(SHEET_CODES);
  expect(m[2]).toBe(m[4]);
  const codes = wb.getWorksheet(SHEET_CODES)!;
  const out: string[] = [];
  for (let r = Number(m[3]); r <= Number(m[5]); r++) out.push(String(codes.getCell(`${m[2]}${r}`).value));
  return out;
}

describe('buildConfirmationTemplate', () => {
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    wb = await load(await buildConfirmationTemplate({ domains, systems, topicItems }));
  }, 30_000);

  it('has the instructions, 目录, 信息项 and a hidden 代码表', () => {
    expect(wb.worksheets.map((ws) => ws.name)).toEqual([SHEET_GUIDE, SHEET_ENTRIES, SHEET_ITEMS, SHEET_CODES]);
    expect(wb.getWorksheet(SHEET_CODES)!.state).toBe('hidden');
    expect(wb.getWorksheet(SHEET_ENTRIES)!.state).toBe('visible');
    const guide = wb.getWorksheet(SHEET_GUIDE)!;
    const text = guide.getSheetValues().flat().filter((v) => typeof v === 'string').join('\n');
    expect(text).toContain('填写说明');
    expect(text).toContain('不要使用公式');
    expect(text).toContain('共享类型');
  });

  it('writes the headers of both sheets in the layout order, frozen, with notes', () => {
    for (const [name, columns] of [
      [SHEET_ENTRIES, ENTRY_COLUMNS],
      [SHEET_ITEMS, ITEM_COLUMNS],
    ] as const) {
      const ws = wb.getWorksheet(name)!;
      expect(columns.map((_, i) => ws.getCell(1, i + 1).value)).toEqual(columns.map((c) => c.header));
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      columns.forEach((c, i) => {
        const note = ws.getCell(1, i + 1).note;
        const text = typeof note === 'string' ? note : note.texts!.map((t) => t.text).join('');
        expect(text).toContain(c.required === 'always' ? '【必填】' : c.required === 'conditional' ? '【条件必填】' : '【选填】');
        expect(ws.getColumn(i + 1).width).toBe(c.width);
      });
    }
    const entries = wb.getWorksheet(SHEET_ENTRIES)!;
    expect(ENTRY_COLUMNS.map((c) => c.header)).toEqual(
      '序号 信息资源代码 信息资源名称 类 项 目 细目 摘要 格式分类 格式类型 共享类型 共享条件 不予共享依据 共享方式分类 共享方式类型 开放类型 开放条件 不予开放依据及理由 更新周期 发布日期 关联资源代码 数据分级 国家数据分级 数据领域 来源信息系统 标签 参考清单事项'.split(' '),
    );
    expect(entries.getCell('K1').value).toBe('共享类型');
    expect(entries.getCell('C1').font.color?.argb).toBe('FFC00000');
    expect(entries.getColumn(6).numFmt).toBe('@'); // 目 keeps leading zeros
    expect(entries.getColumn(20).numFmt).toBe('yyyy-mm-dd');
  });

  it('puts a list drop-down referencing 代码表 on every enumerated column, down to the last importable row', () => {
    const expected: Record<string, string[]> = {
      类: ['基础信息资源', '主题信息资源', '部门信息资源'],
      格式分类: ['电子文件', '电子表格', '数据库', '图形图像', '流媒体', '自描述格式', '服务接口'],
      共享类型: ['无条件共享', '有条件共享', '不予共享'],
      共享方式分类: ['共享平台方式', '邮件方式', '介质方式'],
      共享方式类型: ['数据库', '接口', '文件'],
      开放类型: ['无条件开放', '有条件开放', '不予开放'],
      更新周期: ['实时', '每日', '每周', '每月', '每季度', '每半年', '每年', '不定期'],
      数据分级: ['L1 不敏感', 'L2 低敏感', 'L3 较敏感', 'L4 敏感'],
      国家数据分级: ['一般数据', '重要数据', '核心数据'],
      数据领域: domains.map((d) => d.label),
      来源信息系统: systems,
      数据类型: ['C 字符型', 'N 数值型', 'Y 货币型', 'D 日期型', 'T 日期时间型', 'L 逻辑型', 'M 备注型', 'G 通用型', 'B 双精度型', 'I 整型', 'F 浮点型'],
      是否个人信息: ['是', '否'],
      脱敏方式: ['中文姓名', '身份证号', '手机号码', '固定电话', '地址', '银行卡号', '电子邮箱', '车牌号', 'IPv4 地址'],
    };
    const checked: string[] = [];
    for (const [name, columns, lastRow] of [
      [SHEET_ENTRIES, ENTRY_COLUMNS, TEMPLATE_ENTRY_ROWS + 1],
      [SHEET_ITEMS, ITEM_COLUMNS, TEMPLATE_ITEM_ROWS + 1],
    ] as const) {
      const ws = wb.getWorksheet(name)!;
      columns.forEach((c, i) => {
        if (!c.list) return;
        const letter = columnLetter(i);
        const first = validationAt(ws, `${letter}2`);
        expect({ column: c.header, type: first?.type }).toEqual({ column: c.header, type: 'list' });
        expect(validationAt(ws, `${letter}${lastRow}`)).toEqual(first);
        expect(validationAt(ws, `${letter}${lastRow + 1}`)).toBeUndefined();
        const values = listValues(wb, first!);
        if (expected[c.header]) expect(values).toEqual(expected[c.header]);
        // suggestions (格式类型, 来源信息系统) accept other text; real enumerations refuse it
        expect(first!.showErrorMessage === true).toBe(c.kind === 'enum' || c.kind === 'bool');
        checked.push(c.header);
      });
    }
    expect(checked.sort()).toEqual([...Object.keys(expected), '项', '格式类型'].sort());

    const items = listValues(wb, validationAt(wb.getWorksheet(SHEET_ENTRIES)!, 'E2')!);
    expect(items).toContain('01 国家人口');
    expect(items).toContain('12 应急维稳');
    expect(items).toContain('13 数字政府');
    expect(items).toContain('08 计划单列市及其下各级政务部门');
    expect(listValues(wb, validationAt(wb.getWorksheet(SHEET_ENTRIES)!, 'J2')!)).toEqual(expect.arrayContaining(['pdf', 'xlsx', 'OFD']));
    expect(validationAt(wb.getWorksheet(SHEET_ITEMS)!, 'D2')).toMatchObject({ type: 'whole', formulae: [1, 1_000_000_000] });
  });

  it('leaves 来源信息系统 free text when no system is registered', async () => {
    const bare = await load(await buildConfirmationTemplate({ domains }));
    const letter = columnLetter(ENTRY_COLUMNS.findIndex((c) => c.header === '来源信息系统'));
    expect(validationAt(bare.getWorksheet(SHEET_ENTRIES)!, `${letter}2`)).toBeUndefined();
    expect(validationAt(bare.getWorksheet(SHEET_ENTRIES)!, 'X2')!.type).toBe('list');
  }, 30_000);
});

describe('buildCatalogWorkbook', () => {
  const metadata: CatalogMetadata = {
    classification: { classCode: '2', itemCode: '13', categoryCode: '001', subCategoryCode: '02' },
    name: '政务服务事项办件信息',
    abstract: '办件过程与结果',
    format: { classCode: '3', type: 'PostgreSQL' },
    share: { type: 'CONDITIONAL', condition: '仅限政务服务', methodClass: 'PLATFORM', methodType: 'API' },
    open: { type: 'NOT_OPEN', basis: '含个人信息' },
    updateCycle: 'QUARTERLY',
    publishDate: '2026-11-24',
    relatedResourceCodes: ['101001/000001', '101001/000002'],
    securityGrade: 'L2',
    nationalLevel: 'GENERAL',
    domainCode: '19',
    tags: ['办件', '政务服务'],
    items: [
      { name: '办件编号', dataType: 'C', length: 32, personal: false },
      { name: '申请人姓名', dataType: 'C', length: 50, personal: true, masking: 'chineseName', description: '自然人申请人' },
    ],
  };

  it('writes entries and items with labels, in the template layout plus department and status', async () => {
    const wb = await load(
      await buildCatalogWorkbook([{ resourceCode: '213001002/000007', deptName: '市政务服务中心', status: 'PUBLISHED', systemName: '一网通办系统', metadata }], { domains, topicItems }),
    );
    const ws = wb.getWorksheet(SHEET_ENTRIES)!;
    const row = (ws.getRow(2).values as ExcelJS.CellValue[]).slice(1);
    expect(row.slice(0, 19)).toEqual([
      1,
      '213001002/000007',
      '政务服务事项办件信息',
      '主题信息资源',
      '13 数字政府',
      '001',
      '02',
      '办件过程与结果',
      '数据库',
      'PostgreSQL',
      '有条件共享',
      '仅限政务服务',
      undefined,
      '共享平台方式',
      '接口',
      '不予开放',
      undefined,
      '含个人信息',
      '每季度',
    ]);
    expect((row[19] as Date).toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(row.slice(20)).toEqual(['101001/000001；101001/000002', 'L2 低敏感', '一般数据', '生活服务', '一网通办系统', '办件；政务服务', undefined, '市政务服务中心', 'PUBLISHED']);
    expect(ws.getCell('AB1').value).toBe('提供部门');

    const items = wb.getWorksheet(SHEET_ITEMS)!;
    expect((items.getRow(2).values as ExcelJS.CellValue[]).slice(1)).toEqual([1, '办件编号', 'C 字符型', 32, undefined, '否']);
    expect((items.getRow(3).values as ExcelJS.CellValue[]).slice(1)).toEqual([1, '申请人姓名', 'C 字符型', 50, '自然人申请人', '是', undefined, '中文姓名']);
    expect(validationAt(ws, 'K2')!.type).toBe('list');
  }, 30_000);

  it('keeps a code that has no label as it is, so the import reports it', async () => {
    const wb = await load(await buildCatalogWorkbook([{ metadata: { name: 'x', share: { type: 'PARTIAL' }, domainCode: '99' } }], { domains }));
    const ws = wb.getWorksheet(SHEET_ENTRIES)!;
    expect(ws.getCell('K2').value).toBe('PARTIAL');
    expect(ws.getCell('X2').value).toBe('99');
  }, 30_000);
});
