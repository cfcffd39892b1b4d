/**
 * The parsers over the real third-party files in `shared/data/real/` (beside the repository; see
 * its SOURCES.md): record counts, encodings and the defects SOURCES.md describes. Skipped, saying
 * why, where the folder is absent. REAL_DATA_DIR points elsewhere.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SourceRecord } from '../pipeline/contracts';
import { SourceError } from '../pipeline/contracts';
import { openTable } from './open-table';
import type { ParsedSource } from './parsing.types';

const DIR = process.env.REAL_DATA_DIR ?? resolve(__dirname, '../../../../../shared/data/real');
const available = existsSync(resolve(DIR, 'SOURCES.md'));

interface Outcome {
  table: ParsedSource;
  records: SourceRecord[];
}

const outcomes = new Map<string, Outcome>();

async function open(name: string, asName = name): Promise<Outcome> {
  const key = `${name}→${asName}`;
  const done = outcomes.get(key);
  if (done) return done;
  const table = await openTable(createReadStream(resolve(DIR, name)), asName);
  const records: SourceRecord[] = [];
  for await (const r of table.records) records.push(r);
  const outcome = { table, records };
  outcomes.set(key, outcome);
  console.log(
    `${name}${asName !== name ? ` (as ${asName})` : ''}: ${table.format}${table.encoding ? ` ${table.encoding}` : ''}${table.delimiter ? ` delimiter ${JSON.stringify(table.delimiter)}` : ''}, header row ${table.headerRowNumber}, ${table.header.length} columns, ${records.length} records, ${table.blankRowCount} blank rows, ${table.problemCount} problems`,
  );
  return outcome;
}

const column = (o: Outcome, name: string) => {
  const at = o.table.header.indexOf(name);
  if (at < 0) throw new Error(`no column ${name}`);
  return o.records.map((r) => r.values[at]);
};

if (!available) {
  describe('real files', () => {
    it('are not here: skipped', () => {
      console.log(`real-files.spec: skipped, ${DIR} (shared/data/real beside the repository) is absent`);
      expect(available).toBe(false);
    });
  });
} else {
  jest.setTimeout(60_000);

  describe('real files (shared/data/real, counts from SOURCES.md)', () => {
    it('covers every data file of the folder', () => {
      const files = readdirSync(DIR).filter((f) => f !== 'SOURCES.md');
      expect(files.sort()).toEqual(
        [
          'anhui_open_data_catalog_crawled.json',
          'beijing_abnormal_operation_enterprises_gbk.csv',
          'beijing_key_projects_enterprises_gbk.csv',
          'beijing_license_penalty_objection_gbk.csv',
          'beijing_miyun_enterprise_registration_utf8.csv',
          'beijing_miyun_procurement_contracts.xls',
          'beijing_open_data_catalog.xlsx',
          'beijing_planning_legal_person_penalty.xlsx',
          'beijing_yanqing_legal_person_penalty_gbk.csv',
          'shandong_weihai_fishing_vessels.json',
          'shandong_weihai_fishing_vessels_gbk.csv',
          'shanghai_jingan_vaccination_clinics_utf8.csv',
        ].sort(),
      );
    });

    it('1. beijing_open_data_catalog.xlsx: 4,432 rows × 10 columns', async () => {
      const o = await open('beijing_open_data_catalog.xlsx');
      expect(o.table.format).toBe('xlsx');
      expect(o.table.sheetName).toBe('Sheet1');
      expect(o.table.header).toEqual(['序号', '所属部门', '数据集名称', '所属主题', '格式类型', '下载次数', '调用次数', '更新日期', '摘要', '文章访问路径']);
      expect(o.records).toHaveLength(4432);
      expect(o.table.problemCount).toBe(0);
      expect(column(o, '序号').slice(0, 3)).toEqual(['1', '2', '3']);
      expect(column(o, '更新日期').every((v) => v === null || /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v))).toBe(true);
    });

    it('2. anhui_open_data_catalog_crawled.json: 700 objects, UTF-8', async () => {
      const o = await open('anhui_open_data_catalog_crawled.json');
      expect([o.table.format, o.table.encoding]).toEqual(['json', 'utf-8']);
      expect(o.table.header).toEqual(['标题', '发布日期', '更新日期', '提供单位', '所属领域', '开放属性', '摘要信息', '更新频率', '数据格式', 'url']);
      expect(o.records).toHaveLength(700);
      const openness = column(o, '开放属性');
      expect(openness.filter((v) => v === '无条件开放')).toHaveLength(679);
      expect(openness.filter((v) => v === '有条件开放')).toHaveLength(21);
      expect(column(o, '数据格式')).toContain("['api']");
    });

    it('3. beijing_yanqing_legal_person_penalty_gbk.csv: 481 rows × 27, GBK, three cells with line breaks', async () => {
      const o = await open('beijing_yanqing_legal_person_penalty_gbk.csv');
      expect([o.table.format, o.table.encoding, o.table.delimiter]).toEqual(['csv', 'gb18030', ',']);
      expect(o.table.header).toHaveLength(27);
      expect(o.table.header[1]).toBe('行政相对人代码1(统一社会信用代码)');
      expect(o.table.header[26]).toBe('/');
      expect(o.records).toHaveLength(481);
      expect(o.table.problemCount).toBe(0);
      const multiline = o.records.flatMap((r) => r.values).filter((v) => v !== null && /[\r\n]/.test(v));
      expect(multiline).toHaveLength(3);
      expect(column(o, '法定代表人')[0]).toBe('栾*然');
    });

    it('4. beijing_license_penalty_objection_gbk.csv: 11,588 rows × 10, GBK', async () => {
      const o = await open('beijing_license_penalty_objection_gbk.csv');
      expect([o.table.format, o.table.encoding]).toEqual(['csv', 'gb18030']);
      expect(o.table.header).toEqual(['ID', '许可/处罚行政相对人名称', '许可/处罚行政相对人统一社会信用代码', '许可/处罚文书号', '许可/处罚决定日期', '许可/处罚机关', '异议状态', '异议完成时间', '数据入库时间', '数据修改时间']);
      expect(o.records).toHaveLength(11588);
      expect(o.table.problemCount).toBe(0);
      expect(new Set(column(o, '异议完成时间'))).toEqual(new Set(['1900/1/0 0:00:00']));
      expect(column(o, 'ID').slice(0, 3)).toEqual(['1', '10', '100']);
    });

    it('5. beijing_planning_legal_person_penalty.xlsx (upstream .csv): 357 rows × 7, empty first header, real dates', async () => {
      const o = await open('beijing_planning_legal_person_penalty.xlsx', '行政处罚信息（法人）.csv');
      expect(o.table.format).toBe('xlsx');
      expect(o.table.header).toEqual(['', '行政相对人名称', '行政处罚决定书文号', '处罚有效期', '处罚决定日期', '处罚内容', '统一社会信用代码']);
      expect(o.records).toHaveLength(357);
      expect(o.table.problemCount).toBe(0);
      expect(column(o, '处罚决定日期').every((v) => v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v))).toBe(true);
      const content = column(o, '处罚内容');
      expect(content.some((v) => v !== null && v.startsWith(' '))).toBe(true);
      expect(content.some((v) => v !== null && v.includes('\r\n'))).toBe(true);
      expect(column(o, '统一社会信用代码')).toContain(null);
    });

    it('6. beijing_miyun_enterprise_registration_utf8.csv: 8,376 rows × 3, UTF-8 without BOM', async () => {
      const o = await open('beijing_miyun_enterprise_registration_utf8.csv');
      expect([o.table.format, o.table.encoding]).toEqual(['csv', 'utf-8']);
      expect(o.table.header).toEqual(['企业名称', '统一社会信用代码', '核准日期']);
      expect(o.records).toHaveLength(8376);
      // SOURCES.md says all start with 91110118; in fact 8,260 start with 9111, the rest with 93 (cooperatives), 92, 9113…
      expect(column(o, '统一社会信用代码').every((v) => v !== null && /^[0-9A-Z]{18}$/.test(v))).toBe(true);
    });

    it('7. beijing_key_projects_enterprises_gbk.csv: 31,965 rows (33 of them empty), 61 line feeds inside quoted names', async () => {
      const o = await open('beijing_key_projects_enterprises_gbk.csv');
      expect([o.table.format, o.table.encoding]).toEqual(['csv', 'gb18030']);
      expect(o.table.header).toEqual(['企业名称', '统一社会信用代码']);
      // Python's csv counts the 33 rows that are a bare "," as records; they are skipped here as blank rows
      expect(o.records.length + o.table.blankRowCount).toBe(31965);
      expect(o.table.blankRowCount).toBe(33);
      expect(o.table.problemCount).toBe(0);
      const names = column(o, '企业名称');
      expect(names.reduce((n, v) => n + (v?.split('\n').length ?? 1) - 1, 0)).toBe(61);
      expect(names).toContain('北京南海子投资管理\n有限公司');
      const codes = column(o, '统一社会信用代码');
      expect(codes.filter((v) => v !== null && /^\d(\.\d+)?E\+\d+$/.test(v))).toHaveLength(6881);
    });

    it('8. beijing_abnormal_operation_enterprises_gbk.csv: 104,259 rows, one column, GBK', async () => {
      const o = await open('beijing_abnormal_operation_enterprises_gbk.csv');
      expect([o.table.format, o.table.encoding, o.table.delimiter]).toEqual(['csv', 'gb18030', ',']);
      expect(o.table.header).toEqual(['企业名称']);
      expect(o.records).toHaveLength(104259);
      expect(o.table.problemCount).toBe(0);
      expect(o.records[104258].rowNumber).toBe(104260);
    });

    it('9. beijing_miyun_procurement_contracts.xls: refused clearly, under its .xls and its upstream .csv name', async () => {
      for (const asName of ['beijing_miyun_procurement_contracts.xls', '政府采购项目采购合同信息表.csv']) {
        let error: unknown;
        try {
          await openTable(createReadStream(resolve(DIR, 'beijing_miyun_procurement_contracts.xls')), asName);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(SourceError);
        expect((error as SourceError).code).toBe('XLS_NOT_SUPPORTED');
        expect((error as SourceError).zh).toContain('另存为 .xlsx 或 CSV');
        console.log(`beijing_miyun_procurement_contracts.xls (as ${asName}): refused, ${(error as SourceError).code}: ${(error as SourceError).zh}`);
      }
    });

    it('10. shanghai_jingan_vaccination_clinics_utf8.csv: 36 rows × 12, UTF-8, LF; phone numbers kept as written', async () => {
      const o = await open('shanghai_jingan_vaccination_clinics_utf8.csv');
      expect([o.table.format, o.table.encoding]).toEqual(['csv', 'utf-8']);
      expect(o.table.header).toEqual(['接种单位类型', '接种单位简称', '联系电话', '地址', '新生儿', '儿童', '成人', '卡介苗', '犬伤', '大学生', '涉外', '服务时间']);
      expect(o.records).toHaveLength(36);
      expect(column(o, '联系电话')).toContain('3.2029088E7');
      expect(new Set(column(o, '儿童'))).toEqual(new Set(['√', null]));
    });

    it('11. shandong_weihai_fishing_vessels_gbk.csv: 352 rows × 10, GBK, all quoted, no final line end, junk last row', async () => {
      const o = await open('shandong_weihai_fishing_vessels_gbk.csv');
      expect([o.table.format, o.table.encoding]).toEqual(['csv', 'gb18030']);
      expect(o.table.header).toEqual(['作业方式', '建造完工日期', '所有人', '作业海域', '主机功率', '企业名称', '总吨位', '船长姓名', '渔船国籍', '船名号']);
      expect(o.records).toHaveLength(352);
      expect(o.records[351].values).toEqual(['0', null, null, '0', '0', '0', '0', '0', '0', '0']);
      expect(column(o, '建造完工日期')[0]).toBe('2181-02-06 00:00:00.0');
    });

    it('12. shandong_weihai_fishing_vessels.json: 352 records; the field-dictionary line names the columns as the CSV does', async () => {
      const o = await open('shandong_weihai_fishing_vessels.json');
      expect([o.table.format, o.table.encoding]).toEqual(['json', 'utf-8']);
      expect(o.records).toHaveLength(352);
      expect(o.table.header).toEqual(['作业方式', '建造完工日期', '所有人', '作业海域', '主机功率', '企业名称', '总吨位', '船长姓名', '渔船国籍', '船名号']);
      expect(o.table.sourceKeys).toEqual(['zyfs', 'jzwgrq', 'syr', 'zyhy', 'zjgl', 'qymc', 'zdw', 'czxm', 'ycgj', 'cmh']);
      expect(column(o, '建造完工日期')[0]).toBe('6661670400000');
      expect(column(o, '主机功率')[0]).toBe('3000.00');
      const csv = await open('shandong_weihai_fishing_vessels_gbk.csv');
      expect(column(o, '船名号')).toEqual(column(csv, '船名号'));
    });
  });
}
