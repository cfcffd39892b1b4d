/**
 * 文件报送 of the real third-party files in `shared/data/real/` (beside the repository; see its
 * SOURCES.md), end to end: an entry is published whose data items are the file's header, the
 * file is uploaded, and the job's outcome is checked against SOURCES.md: every record is either
 * loaded or rejected, the encoding is detected, the legacy .xls is refused. Skipped, saying why,
 * where the folder is absent. REAL_DATA_DIR points elsewhere.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { TestPlatform } from '../../../test/test-platform';
import { openTable } from '../src/parsing';
import type { ServiceApi } from './ingest-fixtures';

// The platform is loaded only when the files are here (a skip stays quick).
const platform = () => import('../../../test/test-platform');
const fixtures = () => import('./ingest-fixtures');

const DIR = process.env.REAL_DATA_DIR ?? resolve(__dirname, '../../../../shared/data/real');
const available = existsSync(resolve(DIR, 'SOURCES.md'));

interface RealFile {
  file: string;
  /** Name it is uploaded under (the portal's, when the bytes are not what the name says). */
  as?: string;
  /** Data records per SOURCES.md (rows that are not blank). */
  records: number;
  format: 'csv' | 'xlsx' | 'json';
  encoding?: 'utf-8' | 'gb18030';
  /** Rejected rows, where SOURCES.md says there are none. */
  rejected?: 0;
  /** Checks of the rejected 统一社会信用代码 values, where SOURCES.md says what they are. */
  invalidCodes?: (values: string[]) => void;
}

const SCIENTIFIC = /^\d(\.\d+)?E\+\d+$/;
/**
 * 基层群众性自治组织 (村民委员会…) have codes starting with 54, which the shared validator's prefix
 * list (libs/shared identifiers.ts USCC_PREFIXES) does not have yet: they are rejected today.
 */
const VILLAGE_COMMITTEE = /^54/;

const FILES: RealFile[] = [
  { file: 'beijing_open_data_catalog.xlsx', records: 4432, format: 'xlsx', rejected: 0 },
  { file: 'anhui_open_data_catalog_crawled.json', records: 700, format: 'json', encoding: 'utf-8', rejected: 0 },
  { file: 'beijing_yanqing_legal_person_penalty_gbk.csv', records: 481, format: 'csv', encoding: 'gb18030' },
  {
    file: 'beijing_license_penalty_objection_gbk.csv',
    records: 11588,
    format: 'csv',
    encoding: 'gb18030',
    // 6,763 natural persons with "-" as the code, 74 all-zero placeholders, codes of village committees, one with the letter O.
    invalidCodes: (values) => {
      expect(values.filter((v) => v === '-')).toHaveLength(6763);
      expect(values.filter((v) => v === '00000000000000000X')).toHaveLength(74);
      expect(values.filter((v) => v !== '-' && v !== '00000000000000000X' && !VILLAGE_COMMITTEE.test(v))).toEqual(['91110114MA01EROK1A']);
    },
  },
  { file: 'beijing_planning_legal_person_penalty.xlsx', as: '行政处罚信息（法人）.csv', records: 357, format: 'xlsx' },
  // SOURCES.md: all 8,376 codes have valid check digits, the clean baseline.
  { file: 'beijing_miyun_enterprise_registration_utf8.csv', records: 8376, format: 'csv', encoding: 'utf-8', rejected: 0 },
  {
    // 31,965 Python csv records, 33 of them a bare "," (blank rows, skipped): 31,932.
    file: 'beijing_key_projects_enterprises_gbk.csv',
    records: 31932,
    format: 'csv',
    encoding: 'gb18030',
    // The 6,881 codes Excel turned into 9.11E+17 are rejected; the other rejected codes are all village committees'.
    invalidCodes: (values) => {
      expect(values.filter((v) => SCIENTIFIC.test(v))).toHaveLength(6881);
      expect(values.filter((v) => !SCIENTIFIC.test(v) && !VILLAGE_COMMITTEE.test(v))).toEqual([]);
    },
  },
  { file: 'beijing_abnormal_operation_enterprises_gbk.csv', records: 104259, format: 'csv', encoding: 'gb18030', rejected: 0 },
  { file: 'shanghai_jingan_vaccination_clinics_utf8.csv', records: 36, format: 'csv', encoding: 'utf-8', rejected: 0 },
  { file: 'shandong_weihai_fishing_vessels_gbk.csv', records: 352, format: 'csv', encoding: 'gb18030', rejected: 0 },
  { file: 'shandong_weihai_fishing_vessels.json', records: 352, format: 'json', encoding: 'utf-8', rejected: 0 },
];
const XLS = 'beijing_miyun_procurement_contracts.xls';
/** Row 3 of the .xls (SOURCES.md); the parser refuses the file before reading it. */
const XLS_HEADER = ['序号', '合同代码', '合同名称', '单位名称', '供应商名称', '金额'];

/** Catalog data items for a header: text, long enough for the narratives, justified where another department is the source. */
function itemsOf(header: readonly string[]) {
  return header
    .filter((h) => h.trim() !== '') // a blank header cell is ignored by the column mapping
    .map((name) => ({ name, dataType: 'C', length: 10_000, duplicateJustification: '真实文件归集测试 / real-file ingest test' }));
}

async function headerOf(file: string, as?: string): Promise<string[]> {
  const table = await openTable(createReadStream(resolve(DIR, file)), as ?? file);
  return table.header;
}

if (!available) {
  describe('real files through the ingest service', () => {
    it('are not here: skipped', () => {
      console.log(`real-files.int-spec: skipped, ${DIR} (shared/data/real beside the repository) is absent; set REAL_DATA_DIR to run it`);
      expect(available).toBe(false);
    });
  });
} else {
  jest.setTimeout(90_000);

  let p: TestPlatform;
  let ingest: ServiceApi;
  let catalog: { op: ServiceApi; admin: ServiceApi };
  let token: string;
  const jobs = new Map<string, { datasetId: string; jobId: string }>();

  async function finished(jobId: string): Promise<any> {
    return (await platform()).eventually(async () => {
      const job = await ingest.expect(200, 'GET', `/jobs/${jobId}`);
      return job.state === 'succeeded' || job.state === 'failed' ? job : undefined;
    }, 60_000);
  }

  /** The lines of a version's reject file (行号,列,问题代码,原因,原始行). */
  async function rejectLines(datasetId: string, version: number): Promise<{ column: string | null; code: string; reason: string }[]> {
    const res = await fetch(`${p.baseUrl}/api/ingest/datasets/${datasetId}/versions/${version}/rejects`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 204) return [];
    expect(res.status).toBe(200);
    const table = await openTable(Readable.from(Buffer.from(await res.arrayBuffer())), 'rejects.csv');
    const [column, code, reason] = ['列', '问题代码', '原因'].map((h) => table.header.indexOf(h));
    const lines = [];
    for await (const r of table.records) lines.push({ column: r.values[column], code: r.values[code] ?? '', reason: r.values[reason] ?? '' });
    return lines;
  }

  beforeAll(async () => {
    const started = Date.now();
    const { publishDataset, ServiceApi, uploadFile } = await fixtures();
    p = await (await platform()).startTestPlatform();
    const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
    token = op;
    ingest = new ServiceApi(p.baseUrl, 'ingest', op);
    catalog = { op: new ServiceApi(p.baseUrl, 'catalog', op), admin: new ServiceApi(p.baseUrl, 'catalog', admin) };
    // Publish and upload everything first: the jobs run one after another while the tests wait.
    for (const f of FILES) {
      const dataset = await publishDataset(p, catalog, ingest, `真实文件 ${f.file}`, itemsOf(await headerOf(f.file, f.as)) as never);
      await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { maxRejectShare: 1 });
      const upload = await uploadFile(ingest, dataset.id, f.as ?? f.file, await readFile(resolve(DIR, f.file)));
      if (upload.status !== 202) throw new Error(`${f.file}: upload answered ${upload.status} ${JSON.stringify(upload.body)}`);
      jobs.set(f.file, { datasetId: dataset.id, jobId: upload.body.id });
    }
    console.log(`real-files.int-spec: ${FILES.length} entries published and files uploaded in ${Date.now() - started} ms`);
  }, 90_000);

  afterAll(async () => {
    await p?.close();
  });

  it('covers every data file of the folder', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'SOURCES.md');
    expect(files.sort()).toEqual([...FILES.map((f) => f.file), XLS].sort());
  });

  it.each(FILES.map((f) => [f.file, f] as const))('%s: every record loaded or rejected, encoding detected', async (_name, f) => {
    const { datasetId, jobId } = jobs.get(f.file)!;
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ state: 'succeeded', version: 1, rowsRead: f.records, percent: 100 });
    const [version] = await ingest.expect(200, 'GET', `/datasets/${datasetId}/versions`);
    const lines = await rejectLines(datasetId, 1);
    const problems: Record<string, number> = {};
    for (const l of lines) problems[`${l.column ?? '(row)'} ${l.code}`] = (problems[`${l.column ?? '(row)'} ${l.code}`] ?? 0) + 1;
    console.log(
      `${f.file}${f.as ? ` (as ${f.as})` : ''}: ${version.source.format}${version.source.encoding ? ` ${version.source.encoding}` : ''}, ${version.rowCount} loaded + ${version.rejectedCount} rejected = ${version.rowCount + version.rejectedCount} (SOURCES.md: ${f.records}), quality ${version.quality?.score}${Object.keys(problems).length ? `; problems: ${JSON.stringify(problems)}` : ''}`,
    );
    expect(version).toMatchObject({ version: 1, status: 'current' });
    expect(version.rowCount + version.rejectedCount).toBe(f.records);
    expect(version.source.format).toBe(f.format);
    if (f.encoding) expect(version.source.encoding).toBe(f.encoding);
    if (f.rejected !== undefined) expect(version.rejectedCount).toBe(f.rejected);
    if (f.invalidCodes) {
      // Every rejected row of these files is a bad code (one problem per row).
      expect(lines.every((l) => l.code === 'INVALID_USCC')).toBe(true);
      expect(lines).toHaveLength(version.rejectedCount);
      f.invalidCodes(lines.map((l) => /的值"(.*)"：/.exec(l.reason)?.[1] ?? l.reason));
    }
    expect(job.rowsRejected).toBe(version.rejectedCount);
    const rows = await ingest.expect(200, 'GET', `/datasets/${datasetId}/rows?pageSize=1`);
    expect(rows.total).toBe(version.rowCount);
  });

  it('the Shandong JSON loads under the Chinese names of its field dictionary, like its CSV twin', async () => {
    const json = jobs.get('shandong_weihai_fishing_vessels.json')!;
    const csv = jobs.get('shandong_weihai_fishing_vessels_gbk.csv')!;
    await Promise.all([finished(json.jobId), finished(csv.jobId)]);
    const [a, b] = await Promise.all([
      ingest.expect(200, 'GET', `/datasets/${json.datasetId}/rows?pageSize=500`),
      ingest.expect(200, 'GET', `/datasets/${csv.datasetId}/rows?pageSize=500`),
    ]);
    expect(a.columns.map((c: { name: string }) => c.name)).toEqual(['作业方式', '建造完工日期', '所有人', '作业海域', '主机功率', '企业名称', '总吨位', '船长姓名', '渔船国籍', '船名号']);
    expect(a.rows.map((r: Record<string, string>) => r['船名号'])).toEqual(b.rows.map((r: Record<string, string>) => r['船名号']));
  });

  it(`${XLS}: refused with XLS_NOT_SUPPORTED, under its .xls and its upstream .csv name`, async () => {
    const { publishDataset, uploadFile } = await fixtures();
    const dataset = await publishDataset(p, catalog, ingest, `真实文件 ${XLS}`, itemsOf(XLS_HEADER) as never);
    const bytes = await readFile(resolve(DIR, XLS));
    for (const name of [XLS, '政府采购项目采购合同信息表.csv']) {
      const upload = await uploadFile(ingest, dataset.id, name, bytes);
      expect(upload.status).toBe(202);
      const job = await finished(upload.body.id);
      expect(job.state).toBe('failed');
      expect(job.error.code).toBe('XLS_NOT_SUPPORTED');
      expect(job.error.zh).toContain('另存为 .xlsx 或 CSV');
      console.log(`${XLS} (as ${name}): refused, ${job.error.code}: ${job.error.zh}`);
    }
    expect((await ingest.expect(200, 'GET', `/datasets/${dataset.id}`)).currentVersion).toBeNull();
  });
}
