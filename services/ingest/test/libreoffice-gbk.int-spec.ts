import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TestPlatform } from '../../../test/test-platform';
import { demoCreditCode } from '../../catalog/src/demo/demo-city.seeder';
import type { ServiceApi } from './ingest-fixtures';

/**
 * 文件报送 of GBK CSV files as LibreOffice Calc writes them (issue 5: "a GBK CSV made by
 * LibreOffice"): a department keeps its register as a spreadsheet and saves it as 文本 CSV with the
 * character set 简体中文 (GBK). The sheet is made by LibreOffice itself (a UTF-8 CSV imported with
 * typed columns, saved as .xlsx), then exported three ways — LibreOffice's defaults, "quote all
 * text cells" with semicolons, and tabs — and each export, and the .xlsx itself, is uploaded as a
 * new version and read back.
 *
 * Runs where `soffice` is installed (Debian: `apt-get install libreoffice-calc-nogui`; .ci/run
 * installs it when it runs as root); otherwise skipped with the reason printed.
 */

const SOFFICE = ['soffice', 'libreoffice'].find((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore', timeout: 60_000 }).status === 0);
const SKIP = SOFFICE ? undefined : 'neither soffice nor libreoffice is on the PATH (Debian: apt-get install libreoffice-calc-nogui)';
if (SKIP) process.stdout.write(`[libreoffice] skipping the LibreOffice GBK CSV uploads: ${SKIP}\n`);
const maybe = SKIP ? it.skip : it;

const run = promisify(execFile);
/** rtl_TextEncoding of GBK in LibreOffice's CSV filter options (RTL_TEXTENCODING_GBK). */
const LO_GBK = 85;

interface SourceRow {
  code: string;
  name: string;
  person: string;
  founded: string;
  capital: string;
}

/** What the department typed, with what spreadsheets make hard: separators, quotes, line breaks, a formula-like name. */
function sourceRows(): SourceRow[] {
  const names = ['示范科技有限公司, 福州分公司', '带"引号"的商贸公司', '多行\n名称实业有限公司', '=SUM(A1:A2)咨询服务部', '喆堃犇贸易商行', '福州；闽侯分店'];
  const people = ['张三', '阿卜杜·热合曼', '欧阳娜娜', '李四'];
  return Array.from({ length: 60 }, (_, i) => ({
    code: demoCreditCode('350100', 1000 + i),
    name: i < names.length ? names[i] : `企业${i}有限公司`,
    person: people[i % people.length],
    founded: `20${String(10 + (i % 14)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    capital: i % 3 === 0 ? `${i * 1000}.5` : String(i * 10000),
  }));
}

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

let dir: string;
let p: TestPlatform;
let ingest: ServiceApi;
let dataset: { id: string };
let fixtures: typeof import('./ingest-fixtures');

/** LibreOffice in headless mode with a profile of its own, so it neither needs nor touches a user's. */
async function soffice(args: string[]): Promise<void> {
  await run(SOFFICE!, [`-env:UserInstallation=${pathToFileURL(join(dir, 'lo-profile')).href}`, '--headless', ...args], { timeout: 120_000 });
}

/** The register as a LibreOffice sheet: codes and names as text, dates as Y-M-D dates, capital as numbers. */
async function makeSheet(rows: SourceRow[]): Promise<string> {
  const lines = ['统一社会信用代码,企业名称,法定代表人,成立日期,注册资本', ...rows.map((r) => [r.code, r.name, r.person, r.founded, r.capital].map(quote).join(','))];
  // The last row has a check character that cannot be right: one reject.
  lines.push(`${rows[0].code.slice(0, 17)}${rows[0].code[17] === '0' ? '1' : '0'},校验位错误公司,王五,2020-01-01,1`);
  await writeFile(join(dir, 'register.csv'), lines.join('\n') + '\n');
  // Import options: comma, double quote, UTF-8 (76), from line 1, column types 2 = text, 5 = YMD date, 1 = standard.
  await soffice(['--infilter=CSV:44,34,76,1,1/2/2/2/3/2/4/5/5/1', '--convert-to', 'xlsx', '--outdir', join(dir, 'sheet'), join(dir, 'register.csv')]);
  return join(dir, 'sheet', 'register.xlsx');
}

/** The sheet saved as 文本 CSV in GBK; `options` are the export filter's tokens after the character set. */
async function exportGbk(sheet: string, separator: number, name: string, options = ''): Promise<Buffer> {
  const outDir = join(dir, name);
  await soffice(['--convert-to', `csv:Text - txt - csv (StarCalc):${separator},34,${LO_GBK}${options}`, '--outdir', outDir, sheet]);
  return readFile(join(outDir, 'register.csv'));
}

beforeAll(async () => {
  if (SKIP) return;
  dir = await mkdtemp(join(tmpdir(), 'lo-gbk-'));
  const { startTestPlatform } = await import('../../../test/test-platform');
  fixtures = await import('./ingest-fixtures');
  p = await startTestPlatform();
  const [op, admin] = await Promise.all([p.login('scjg_op'), p.login('admin')]);
  ingest = new fixtures.ServiceApi(p.baseUrl, 'ingest', op);
  const catalog = { op: new fixtures.ServiceApi(p.baseUrl, 'catalog', op), admin: new fixtures.ServiceApi(p.baseUrl, 'catalog', admin) };
  // The five enterprise items (ENTERPRISE_ITEMS): code, name, legal representative, founding date, capital.
  dataset = await fixtures.publishDataset(p, catalog, ingest, '市场主体登记（LibreOffice 报送）');
  await ingest.expect(200, 'PUT', `/datasets/${dataset.id}/settings`, { keys: ['统一社会信用代码'], maxRejectShare: 0.1 });
}, 120_000);
afterAll(async () => {
  await p?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

maybe(
  'loads GBK CSV exports of LibreOffice Calc (defaults, quote-all with semicolons, tabs) and its XLSX with every value intact',
  async () => {
    const rows = sourceRows();
    const sheet = await makeSheet(rows);
    const exports: [string, Buffer][] = [
      ['defaults', await exportGbk(sheet, 44, 'defaults')],
      // Tokens: first line 1, no cell formats, language 0, quote all text cells.
      ['quote-all-semicolon', await exportGbk(sheet, 59, 'quoted', ',1,,0,true')],
      ['tab', await exportGbk(sheet, 9, 'tab')],
    ];
    // The sheet itself as well: LibreOffice's XLSX (shared strings, dates as serial numbers with a date format).
    exports.push(['xlsx', await readFile(sheet)]);
    for (const [variant, bytes] of exports) {
      if (variant !== 'xlsx') {
        // Really GBK: not valid UTF-8, and no byte-order mark to go by.
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
        expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
      }

      const upload = await fixtures.uploadFile(ingest, dataset.id, `市场主体登记-${variant}.${variant === 'xlsx' ? 'xlsx' : 'csv'}`, bytes);
      expect(upload.status).toBe(202);
      const job = await fixtures.waitForJob(ingest, upload.body.id);
      expect({ variant, state: job.state, error: job.error ?? null }).toEqual({ variant, state: 'succeeded', error: null });
      expect(job).toMatchObject({ rowsRead: rows.length + 1, rowsRejected: 1 });

      const versions = await ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
      const current = versions.find((v) => v.status === 'current');
      expect(current).toMatchObject({ version: job.version, rowCount: rows.length, rejectedCount: 1 });
      if (variant !== 'xlsx') expect(current.source.encoding).toBe('gb18030');

      const read = await ingest.expect(200, 'GET', `/datasets/${dataset.id}/rows?pageSize=500`);
      const byCode = new Map<string, Record<string, unknown>>(read.rows.map((r: Record<string, unknown>) => [r['统一社会信用代码'], r]));
      expect(byCode.size).toBe(rows.length);
      for (const r of rows) {
        const got = byCode.get(r.code);
        expect({ variant, code: r.code, name: got?.['企业名称'], person: got?.['法定代表人'], founded: got?.['成立日期'] }).toEqual({
          variant,
          code: r.code,
          name: r.name,
          person: r.person,
          founded: r.founded,
        });
        expect(Number(got?.['注册资本'])).toBe(Number(r.capital));
      }
    }
  },
  180_000,
);
