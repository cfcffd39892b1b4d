/**
 * Files the import refuses whole: each gives a stable code and a Chinese message saying what is
 * wrong and where, and no entries at all.
 */
import { DATA_DOMAINS } from '@gov/shared';
import ExcelJS from 'exceljs';
import { ENTRY_COLUMNS, ITEM_COLUMNS } from './confirmation-workbook.layout';
import { ParseConfirmationOptions, ParsedWorkbook, parseConfirmationWorkbook } from './confirmation-workbook.parser';
import { buildConfirmationTemplate } from './confirmation-workbook.writer';
import { WorkbookRejectedError } from './workbook.errors';
import { editZip, fillTemplate, readZip, UserCell, writeZip } from './workbook.fixtures';

const opts: ParseConfirmationOptions = { domains: DATA_DOMAINS.map(({ code, label }) => ({ code, label })) };
const MiB = 1024 * 1024;

/** The refusal, after checking that nothing was returned. */
async function refusal(file: Buffer, options: ParseConfirmationOptions = opts): Promise<WorkbookRejectedError> {
  let result: ParsedWorkbook | undefined;
  try {
    result = await parseConfirmationWorkbook(file, options);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkbookRejectedError);
    return error as WorkbookRejectedError;
  }
  throw new Error(`not refused: returned ${result.entries.length} entries and ${result.errors.length} problems`);
}

const entryRow = (seq: number, name: string): UserCell[] => [seq, null, name];

let template: Buffer;
beforeAll(async () => {
  template = await buildConfirmationTemplate({ domains: opts.domains });
});

describe('not a workbook', () => {
  it('refuses a CSV renamed .xlsx', async () => {
    const csv = Buffer.from('\ufeff序号,信息资源名称,共享类型\n1,市场主体登记信息,有条件共享\n', 'utf8');
    const e = await refusal(csv);
    expect(e.code).toBe('NOT_A_WORKBOOK');
    expect(e.zh).toBe('上传的文件是文本文件（如 CSV），不是 Excel 工作簿（.xlsx）。请在 Excel 或 WPS 中"另存为"Excel 工作簿（*.xlsx）后重新上传');
  });

  it('refuses a PDF renamed .xlsx', async () => {
    const e = await refusal(Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.alloc(200, 0)]));
    expect(e.code).toBe('NOT_A_WORKBOOK');
    expect(e.zh).toContain('PDF 文件');
  });

  it('refuses a legacy .xls (OLE) file and tells the user to save it as .xlsx', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096, 0), Buffer.from('Workbook', 'utf16le')]);
    const e = await refusal(ole);
    expect(e.code).toBe('NOT_A_WORKBOOK');
    expect(e.zh).toContain('旧版 Excel 97-2003 工作簿（.xls）');
    expect(e.zh).toContain('另存为"Excel 工作簿（*.xlsx）');
  });

  it('says so when the OLE file is a password-protected workbook', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024, 0), Buffer.from('EncryptedPackage', 'utf16le')]);
    const e = await refusal(ole);
    expect(e.code).toBe('WORKBOOK_ENCRYPTED');
    expect(e.zh).toContain('密码');
  });

  it('refuses an empty file, a truncated zip, a zip without a workbook and an .xlsb', async () => {
    expect((await refusal(Buffer.alloc(0))).code).toBe('NOT_A_WORKBOOK');
    expect((await refusal(template.subarray(0, Math.floor(template.length / 2)))).code).toBe('NOT_A_WORKBOOK');
    const docx = writeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
      { name: 'word/document.xml', data: Buffer.from('<document/>') },
    ]);
    const e = await refusal(docx);
    expect(e.code).toBe('NOT_A_WORKBOOK');
    expect(e.zh).toContain('Word');
    const xlsb = await editZip(template, { 'xl/workbook.bin': Buffer.alloc(16) });
    expect((await refusal(xlsb)).zh).toContain('.xlsb');
  });
});

describe('zip bombs', () => {
  it('refuses an entry of 200 MB of zeros before inflating it', async () => {
    const bomb = await editZip(template, { 'xl/media/image1.bin': Buffer.alloc(200 * MiB) });
    expect(bomb.length).toBeLessThan(1 * MiB);
    const e = await refusal(bomb);
    expect(e.code).toBe('ZIP_BOMB');
    expect(e.zh).toMatch(/解压后共 200\.\d MB，上限 100 MB/);
  }, 30_000);

  it('refuses a big entry compressed more than 100:1 even under the size limit', async () => {
    const zeros = await editZip(template, { 'xl/media/zeros.bin': Buffer.alloc(20 * MiB) });
    const e = await refusal(zeros);
    expect(e.code).toBe('ZIP_BOMB');
    expect(e.zh).toMatch(/"xl\/media\/zeros\.bin"压缩比 \d+:1，上限 100:1/);
  });

  it('stops inflating an entry that yields more than its declared size', async () => {
    const entries = await readZip(template);
    const huge = Buffer.from(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${'<si><t>填充</t></si>'.repeat(200_000)}</sst>`);
    const lying = writeZip(entries.map((e) => (e.name === 'xl/sharedStrings.xml' ? { name: e.name, data: huge, declaredSize: 1000 } : e)));
    const e = await refusal(lying);
    expect(e.code).toBe('ZIP_BOMB');
    expect(e.zh).toContain('"xl/sharedStrings.xml"解压后的实际大小超过声明的');
  });
});

describe('macros', () => {
  it('refuses a workbook carrying vbaProject.bin', async () => {
    const xlsm = await editZip(template, { 'xl/vbaProject.bin': Buffer.from('\xd0\xcf\x11\xe0 fake VBA project', 'latin1') });
    const e = await refusal(xlsm);
    expect(e.code).toBe('MACRO_NOT_ALLOWED');
    expect(e.zh).toContain('宏');
  });

  it('refuses a macro-enabled content type even without the VBA part', async () => {
    const [types] = (await readZip(template)).filter((e) => e.name === '[Content_Types].xml');
    const macroTypes = types.data
      .toString('utf8')
      .replace('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml', 'application/vnd.ms-excel.sheet.macroEnabled.main+xml');
    expect(macroTypes).toContain('macroEnabled');
    const e = await refusal(await editZip(template, { '[Content_Types].xml': macroTypes }));
    expect(e.code).toBe('MACRO_NOT_ALLOWED');
  });
});

describe('not the template', () => {
  it('refuses a workbook without a 目录 sheet and names the sheets it has', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['序号', '信息资源名称']);
    const e = await refusal(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(e.code).toBe('TEMPLATE_MISMATCH');
    expect(e.zh).toBe('文件中没有"目录"工作表（现有工作表："Sheet1"），不是平台的目录确认表模板。请下载最新模板填写后上传');
  });

  it('refuses a 目录 sheet whose header row differs from the template, naming the columns', async () => {
    const wb = new ExcelJS.Workbook();
    const headers = ENTRY_COLUMNS.map((c) => c.header);
    headers[10] = '共享方式';
    wb.addWorksheet('目录').addRow(headers);
    wb.addWorksheet('信息项').addRow(ITEM_COLUMNS.map((c) => c.header));
    const e = await refusal(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(e.code).toBe('TEMPLATE_MISMATCH');
    expect(e.zh).toBe('"目录"表第 1 行的表头与模板不一致：K 列应为"共享类型"，实际为"共享方式"。请使用平台下载的最新模板，不要增删或调换列');
  });

  it('refuses a 信息项 sheet with a shifted header and a 目录 sheet with no header at all', async () => {
    const shifted = await fillTemplate(template, { sheetXml: { 信息项: (xml) => xml.replace(/<row r="1"/, '<row r="2"').replace(/r="([A-Z]+)1"/g, 'r="$12"') } });
    const e = await refusal(shifted);
    expect(e.code).toBe('TEMPLATE_MISMATCH');
    expect(e.zh).toContain('"信息项"表第 1 行的表头与模板不一致：A 列应为"序号"，实际为空');
    const headless = await fillTemplate(template, { sheetXml: { 目录: (xml) => xml.replace(/<sheetData>.*<\/sheetData>/s, '<sheetData/>') } });
    expect((await refusal(headless)).code).toBe('TEMPLATE_MISMATCH');
  });
});

describe('row limits', () => {
  it('refuses a 100,000-row 目录 sheet while streaming it, without reading past the limit', async () => {
    const rows: string[] = [];
    for (let r = 2; r <= 100_001; r++) rows.push(`<row r="${r}"><c r="A${r}"><v>${r - 1}</v></c><c r="C${r}" t="inlineStr"><is><t>资源${r}</t></is></c></row>`);
    // Past the rows, the XML is broken: a reader that went on to the end would fail on it instead.
    const big = await fillTemplate(template, { sheetXml: { 目录: (xml) => xml.replace('</sheetData>', `${rows.join('')}<row r="100002"><c><<broken</sheetData>`) } });
    const e = await refusal(big);
    expect(e.code).toBe('TOO_MANY_ROWS');
    expect(e.zh).toBe('"目录"表的数据超过 10000 行的上限（第 10002 行已是第 10001 行数据），请拆分为多个文件分批导入');
    // with a limit above the row count the reader does reach the broken tail
    expect((await refusal(big, { ...opts, maxEntryRows: 200_000 })).code).toBe('NOT_A_WORKBOOK');
  }, 30_000);

  it('counts data rows only, and applies the limits given for each sheet', async () => {
    const entries = [entryRow(1, 'a'), [2], entryRow(3, 'b'), entryRow(4, 'c')]; // a lone 序号 is an empty row
    const items = [
      [1, '甲'],
      [1, '乙'],
      [3, '丙'],
    ];
    const file = await fillTemplate(template, { entries, items });
    expect((await parseConfirmationWorkbook(file, { ...opts, maxEntryRows: 3, maxItemRows: 3 })).entries).toHaveLength(3);
    const e = await refusal(file, { ...opts, maxEntryRows: 2 });
    expect(e).toMatchObject({ code: 'TOO_MANY_ROWS', zh: expect.stringContaining('"目录"表的数据超过 2 行的上限') });
    const i = await refusal(file, { ...opts, maxItemRows: 2 });
    expect(i).toMatchObject({ code: 'TOO_MANY_ROWS', zh: expect.stringContaining('"信息项"表的数据超过 2 行的上限（第 4 行已是第 3 行数据）') });
  });
});
