import { CatalogMetadata, DATA_DOMAINS } from '@gov/shared';
import ExcelJS from 'exceljs';
import { ENTRY_COLUMNS, ITEM_COLUMNS } from './confirmation-workbook.layout';
import { locateField, ParsedEntryRow, parseConfirmationWorkbook } from './confirmation-workbook.parser';
import { buildCatalogWorkbook, buildConfirmationTemplate, ExportEntry } from './confirmation-workbook.writer';
import { fillTemplate, UserCell } from './workbook.fixtures';

const domains = DATA_DOMAINS.map(({ code, label }) => ({ code, label }));
const opts = { domains };

/** A row of 目录 or 信息项 given by header, in column order. */
function row(columns: typeof ENTRY_COLUMNS, values: Record<string, UserCell>): UserCell[] {
  for (const header of Object.keys(values)) if (!columns.some((c) => c.header === header)) throw new Error(`no column ${header}`);
  return columns.map((c) => values[c.header] ?? null);
}
const entry = (values: Record<string, UserCell>) => row(ENTRY_COLUMNS, values);
const item = (values: Record<string, UserCell>) => row(ITEM_COLUMNS, values);

const FW = '\u3000'; // full-width space

let template: Buffer;
beforeAll(async () => {
  template = await buildConfirmationTemplate({ domains, systems: ['市场主体登记系统'] });
});

describe('parseConfirmationWorkbook: a filled-in template', () => {
  it('reads labels, codes and "code label", trims full-width spaces, and reads dates and numbers stored as text', async () => {
    const file = await fillTemplate(template, {
      entries: [
        entry({
          序号: 1,
          信息资源名称: `${FW}市场主体登记信息 `,
          类: '基础信息资源',
          项: '02 法人单位',
          目: '001',
          摘要: '企业、个体工商户等市场主体的登记信息',
          格式分类: '数据库',
          格式类型: 'PostgreSQL',
          共享类型: '有条件共享',
          共享条件: '仅限履行监管职责使用',
          共享方式分类: '共享平台方式',
          共享方式类型: '接口',
          开放类型: '有条件开放',
          开放条件: '实名认证后申请',
          更新周期: `每季度${FW}`,
          发布日期: { date: '2026-11-24' },
          关联资源代码: '101001/000001；101001/000002',
          数据分级: 'L2 低敏感',
          国家数据分级: '一般数据',
          数据领域: '市场监管',
          来源信息系统: '市场主体登记系统',
          标签: '企业；登记',
          参考清单事项: '企业设立登记',
        }),
        entry({ 序号: 2 }), // numbered in advance, nothing else: skipped
        entry({ 序号: null, 信息资源名称: `${FW} ` }), // blank but for spaces: skipped
        entry({
          序号: '3',
          信息资源代码: '101001/000009',
          信息资源名称: '人口基础信息',
          类: '1',
          项: '国家人口',
          目: 2, // typed as a number: leading zeros restored
          细目: '05',
          摘要: '户籍人口',
          格式分类: '3 数据库',
          格式类型: 'XLSX',
          共享类型: 'NOT_SHARED',
          不予共享依据: '《中华人民共和国个人信息保护法》第十三条',
          开放类型: 'not_open',
          更新周期: 'MONTHLY',
          发布日期: '2026/1/5',
          数据分级: 'l3',
          数据领域: '02',
          来源信息系统: '人口库',
        }),
      ],
      items: [
        item({ 序号: 1, 信息项名称: '统一社会信用代码', 数据类型: 'C 字符型', 数据长度: '18', 描述: '18 位代码', 是否个人信息: '否', 数据元代码: 'DE00001' }),
        item({ 序号: '1', 信息项名称: '法定代表人', 数据类型: 'C', 数据长度: 50, 是否个人信息: '是', 脱敏方式: '中文姓名' }),
        item({ 序号: 3, 信息项名称: '公民身份号码', 数据类型: '字符型', 数据长度: `１８`, 是否个人信息: true, 脱敏方式: 'idNumber', 重复采集理由: '办理业务须核验' }),
        item({ 序号: 1, 信息项名称: '成立日期', 数据类型: 'D' }),
      ],
    });

    const parsed = await parseConfirmationWorkbook(file, opts);

    expect(parsed.errors).toEqual([]);
    expect(parsed.entries).toHaveLength(2);
    const [first, second] = parsed.entries;
    expect(first).toEqual<ParsedEntryRow>({
      sheet: '目录',
      row: 2,
      seq: '1',
      systemName: '市场主体登记系统',
      referenceItemName: '企业设立登记',
      itemRows: [2, 3, 5],
      metadata: {
        classification: { classCode: '1', itemCode: '02', categoryCode: '001' },
        name: '市场主体登记信息',
        abstract: '企业、个体工商户等市场主体的登记信息',
        format: { classCode: '3', type: 'PostgreSQL' },
        share: { type: 'CONDITIONAL', condition: '仅限履行监管职责使用', methodClass: 'PLATFORM', methodType: 'API' },
        open: { type: 'CONDITIONAL', condition: '实名认证后申请' },
        updateCycle: 'QUARTERLY',
        publishDate: '2026-11-24',
        relatedResourceCodes: ['101001/000001', '101001/000002'],
        securityGrade: 'L2',
        nationalLevel: 'GENERAL',
        domainCode: '01',
        tags: ['企业', '登记'],
        items: [
          { name: '统一社会信用代码', dataType: 'C', length: 18, description: '18 位代码', personal: false, dataElementCode: 'DE00001' },
          { name: '法定代表人', dataType: 'C', length: 50, personal: true, masking: 'chineseName' },
          { name: '成立日期', dataType: 'D' },
        ],
      },
    });
    expect(second).toEqual<ParsedEntryRow>({
      sheet: '目录',
      row: 5,
      seq: '3',
      resourceCode: '101001/000009',
      systemName: '人口库',
      itemRows: [4],
      metadata: {
        classification: { classCode: '1', itemCode: '01', categoryCode: '002', subCategoryCode: '05' },
        name: '人口基础信息',
        abstract: '户籍人口',
        format: { classCode: '3', type: 'xlsx' },
        share: { type: 'NOT_SHARED', basis: '《中华人民共和国个人信息保护法》第十三条' },
        open: { type: 'NOT_OPEN' },
        updateCycle: 'MONTHLY',
        publishDate: '2026-01-05',
        securityGrade: 'L3',
        domainCode: '02',
        items: [{ name: '公民身份号码', dataType: 'C', length: 18, personal: true, masking: 'idNumber', duplicateJustification: '办理业务须核验' }],
      },
    });
  });

  it('names sheet, row, column and header of an unknown label, in Chinese, and lists the valid labels', async () => {
    const valid = { 类: '基础信息资源', 项: '01 国家人口', 目: '001', 信息资源名称: 'x' };
    const file = await fillTemplate(template, {
      entries: [entry({ 序号: 1, ...valid }), entry({ 序号: 2, ...valid }), entry({ 序号: 3, ...valid }), entry({ 序号: 4, ...valid, 共享类型: '部分共享' })],
    });
    const parsed = await parseConfirmationWorkbook(file, opts);
    expect(parsed.errors).toEqual([
      {
        sheet: '目录',
        row: 5,
        column: 'K',
        header: '共享类型',
        code: 'ENUM_INVALID',
        zh: '目录 第 5 行 K 列（共享类型）："部分共享" 不是有效的共享类型，应为：无条件共享、有条件共享、不予共享',
        en: expect.stringContaining('目录 row 5, column K (共享类型)'),
      },
    ]);
    // the row is still returned, without the bad value, so the rest can be shown
    expect(parsed.entries[3].metadata.share).toBeUndefined();
    expect(parsed.entries[3].metadata.name).toBe('x');
  });

  it('reports every bad cell of the file, not just the first', async () => {
    const file = await fillTemplate(template, {
      entries: [
        entry({
          序号: 1,
          信息资源代码: '1x/12',
          信息资源名称: '名'.repeat(201),
          类: '基础信息资源',
          项: '01 公共服务',
          目: '01',
          细目: 'a1',
          发布日期: '2026-02-30',
          数据分级: 'L5',
          数据领域: '火星事务',
          更新周期: { formula: 'CONCAT("每","日")', result: '每日' },
          开放类型: { error: '#N/A' },
        }),
        entry({ 序号: 1, 信息资源名称: '重复序号' }),
        entry({ 信息资源名称: '没有序号' }),
      ],
      items: [
        item({ 序号: 1, 信息项名称: '甲', 数据类型: 'X 未知型', 数据长度: '-3', 是否个人信息: '可能', 脱敏方式: '打码' }),
        item({ 序号: 7, 信息项名称: '孤儿' }),
        item({ 序号: 1, 描述: '没有名称' }),
        item({ 信息项名称: '没有序号' }),
      ],
    });
    const parsed = await parseConfirmationWorkbook(file, opts);
    const where = parsed.errors.map((e) => `${e.sheet}!${e.column}${e.row} ${e.code}`);
    expect(where).toEqual([
      '目录!B2 RESOURCE_CODE_INVALID',
      '目录!C2 TEXT_TOO_LONG',
      '目录!E2 ITEM_CLASS_MISMATCH',
      '目录!F2 DIGITS_INVALID',
      '目录!G2 DIGITS_INVALID',
      '目录!P2 CELL_ERROR',
      '目录!S2 FORMULA_NOT_ALLOWED',
      '目录!T2 DATE_INVALID',
      '目录!V2 ENUM_INVALID',
      '目录!X2 ENUM_INVALID',
      '目录!A3 SEQ_DUPLICATE',
      '目录!A4 SEQ_REQUIRED',
      '信息项!C2 ENUM_INVALID',
      '信息项!D2 INTEGER_INVALID',
      '信息项!F2 BOOLEAN_INVALID',
      '信息项!H2 ENUM_INVALID',
      '信息项!A3 SEQ_UNKNOWN',
      '信息项!B4 ITEM_NAME_REQUIRED',
      '信息项!A5 SEQ_REQUIRED',
    ]);
    const zh = Object.fromEntries(parsed.errors.map((e) => [`${e.sheet}!${e.column}${e.row}`, e.zh]));
    expect(zh['目录!E2']).toBe('目录 第 2 行 E 列（项）："01 公共服务" 属于"主题信息资源"，与本行的类"基础信息资源"不一致');
    expect(zh['目录!S2']).toBe('目录 第 2 行 S 列（更新周期）：单元格含公式，请直接填写值（可复制后用"选择性粘贴 → 数值"替换公式）');
    expect(zh['目录!T2']).toBe('目录 第 2 行 T 列（发布日期）："2026-02-30" 不是有效的日期，应为 CCYY-MM-DD（如 2026-11-24）');
    expect(zh['目录!A3']).toBe('目录 第 3 行 A 列（序号）：序号"1"与第 2 行重复，信息项无法确定所属目录');
    expect(zh['信息项!A3']).toBe('信息项 第 3 行 A 列（序号）：序号"7"在"目录"表中不存在，无法确定信息项所属目录');
    expect(zh['目录!X2']).toContain('"火星事务" 不是有效的数据领域，应为：市场监管、社保就业');
    expect(zh['信息项!F2']).toBe('信息项 第 2 行 F 列（是否个人信息）："可能" 应为"是"或"否"');
    // values that failed are not in the metadata; the formula's cached result is not used either
    const m = parsed.entries[0].metadata;
    expect(m.updateCycle).toBeUndefined();
    expect(m.securityGrade).toBeUndefined();
    expect(m.classification).toEqual({ classCode: '1' });
    expect(m.items).toEqual([{ name: '甲' }]);
    expect(parsed.entries.map((e) => e.seq)).toEqual(['1', '1', '']);
  });

  it('reports a computed 序号 once, as a formula, and does not use its cached value', async () => {
    const file = await fillTemplate(template, {
      entries: [entry({ 序号: { formula: 'ROW()-1', result: '1' }, 信息资源名称: '用公式编号' })],
      items: [item({ 序号: 1, 信息项名称: 'a' })],
    });
    const parsed = await parseConfirmationWorkbook(file, opts);
    expect(parsed.errors.map((e) => e.zh)).toEqual([
      '目录 第 2 行 A 列（序号）：单元格含公式，请直接填写值（可复制后用"选择性粘贴 → 数值"替换公式）',
      '信息项 第 2 行 A 列（序号）：序号"1"在"目录"表中不存在，无法确定信息项所属目录',
    ]);
    expect(parsed.errors[0]).toMatchObject({ sheet: '目录', row: 2, column: 'A', header: '序号', code: 'FORMULA_NOT_ALLOWED' });
  });

  it('reads a workbook written by another program (shared strings, rich text, booleans, extra columns)', async () => {
    const wb = new ExcelJS.Workbook();
    const entries = wb.addWorksheet('目录');
    entries.addRow([...ENTRY_COLUMNS.map((c) => c.header), '备注']);
    entries.addRow(
      entry({
        序号: 1,
        信息资源名称: { richText: [{ text: '企业' }, { text: '年报', font: { bold: true } }] } as never,
        类: '部门信息资源',
        项: '07',
        数据分级: 'L1',
        发布日期: new Date(Date.UTC(2025, 5, 30)) as never,
      }).concat(['导入时忽略']),
    );
    const items = wb.addWorksheet('信息项');
    items.addRow(ITEM_COLUMNS.map((c) => c.header));
    items.addRow(item({ 序号: 1, 信息项名称: '年报年度', 数据类型: 'N', 数据长度: 4, 是否个人信息: false }));
    const parsed = await parseConfirmationWorkbook(Buffer.from(await wb.xlsx.writeBuffer()), opts);
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries[0].metadata).toEqual<CatalogMetadata>({
      name: '企业年报',
      classification: { classCode: '3', itemCode: '07' },
      securityGrade: 'L1',
      publishDate: '2025-06-30',
      items: [{ name: '年报年度', dataType: 'N', length: 4, personal: false }],
    });
  });
});

describe('round trip: export, then import', () => {
  it('gives back the metadata it exported', async () => {
    const entries: ExportEntry[] = [
      {
        resourceCode: '213001/000001',
        deptName: '市数据局',
        status: 'PUBLISHED',
        systemName: '一网通办',
        referenceItemName: '政务服务事项',
        metadata: {
          classification: { classCode: '2', itemCode: '13', categoryCode: '001' },
          name: '办件信息',
          abstract: '办件过程与结果',
          format: { classCode: '7', type: 'REST' },
          share: { type: 'UNCONDITIONAL', methodClass: 'PLATFORM', methodType: 'API' },
          open: { type: 'UNCONDITIONAL' },
          updateCycle: 'REALTIME',
          publishDate: '2024-02-29',
          relatedResourceCodes: ['101001/000001'],
          securityGrade: 'L1',
          nationalLevel: 'IMPORTANT',
          domainCode: '19',
          tags: ['办件'],
          items: [
            { name: '办件编号', dataType: 'C', length: 32 },
            { name: '申请时间', dataType: 'T', description: '精确到秒', personal: false },
          ],
        },
      },
      {
        metadata: {
          classification: { classCode: '3', itemCode: '07', categoryCode: '010', subCategoryCode: '0001' },
          name: '部门内部资料',
          share: { type: 'NOT_SHARED', basis: '《保守国家秘密法》' },
          open: { type: 'NOT_OPEN', basis: '不予共享' },
          updateCycle: 'IRREGULAR',
          securityGrade: 'L4',
          items: [],
        },
      },
    ];
    const topicItems = [{ code: '13', label: '数字政府' }];
    const file = await buildCatalogWorkbook(entries, { domains, topicItems });
    const parsed = await parseConfirmationWorkbook(file, { domains, topicItems });
    expect(parsed.errors).toEqual([]);
    expect(parsed.entries.map((e) => e.metadata)).toEqual(entries.map((e) => e.metadata));
    expect(parsed.entries.map(({ resourceCode, systemName, referenceItemName, itemRows }) => ({ resourceCode, systemName, referenceItemName, itemRows }))).toEqual([
      { resourceCode: '213001/000001', systemName: '一网通办', referenceItemName: '政务服务事项', itemRows: [2, 3] },
      { resourceCode: undefined, systemName: undefined, referenceItemName: undefined, itemRows: [] },
    ]);
  }, 30_000);
});

describe('locateField', () => {
  const parsed: ParsedEntryRow = { sheet: '目录', row: 7, seq: '5', metadata: { items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, itemRows: [10, 11, 14] };

  it.each([
    ['share.condition', { sheet: '目录', row: 7, column: 'L', header: '共享条件' }],
    ['share.type', { sheet: '目录', row: 7, column: 'K', header: '共享类型' }],
    ['classification.itemCode', { sheet: '目录', row: 7, column: 'E', header: '项' }],
    ['classification', { sheet: '目录', row: 7, column: 'D', header: '类' }],
    ['systemId', { sheet: '目录', row: 7, column: 'Y', header: '来源信息系统' }],
    ['referenceItemId', { sheet: '目录', row: 7, column: 'AA', header: '参考清单事项' }],
    ['relatedResourceCodes[1]', { sheet: '目录', row: 7, column: 'U', header: '关联资源代码' }],
    ['items[2].length', { sheet: '信息项', row: 14, column: 'D', header: '数据长度' }],
    ['items[0].masking', { sheet: '信息项', row: 10, column: 'H', header: '脱敏方式' }],
    ['items[1]', { sheet: '信息项', row: 11 }],
    ['items', { sheet: '目录', row: 7 }],
    ['items[9].name', { sheet: '目录', row: 7 }],
  ])('%s', (path, expected) => {
    expect(locateField(parsed, path)).toEqual(expected);
  });

  it('places compliance findings of a parsed file on the cells they came from', async () => {
    const file = await fillTemplate(template, {
      entries: [entry({ 序号: 1, 信息资源名称: 'x', 共享类型: '有条件共享' })],
      items: [item({ 序号: 1, 信息项名称: 'a' }), item({ 序号: 1, 信息项名称: 'b' })],
    });
    const [e] = (await parseConfirmationWorkbook(file, opts)).entries;
    expect(locateField(e, 'share.condition')).toEqual({ sheet: '目录', row: 2, column: 'L', header: '共享条件' });
    expect(locateField(e, 'items[1].dataType')).toEqual({ sheet: '信息项', row: 3, column: 'C', header: '数据类型' });
  });
});
