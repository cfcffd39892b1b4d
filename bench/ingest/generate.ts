/**
 * The synthetic enterprise table of the ingest bench: 11 columns (统一社会信用代码 as the key, 公民身份号码
 * and 手机号码 to validate, date, money, numeric, integer, timestamp), written as CSV straight to a
 * file in chunks of rows — never held in memory — once in UTF-8 and once in GBK (iconv-lite's
 * encoding stream).
 *
 * Deterministic: row i is a function of i. One row in 200 (0.5 %) carries one bad value, in turn a
 * wrong USCC check character, a wrong ID-number check digit, a malformed mobile, an impossible date,
 * a non-numeric amount, a non-integer head count, or a repeated key, so every validation rule fires
 * and the expected number of rejected rows is known.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { idNumberCheckChar, organizationCodeCheckChar, usccCheckChar } from '@gov/shared';

/** The catalog's data items for the table (信息项: name, type, length). */
export const BENCH_ITEMS = [
  { name: '统一社会信用代码', dataType: 'C', length: 18 },
  { name: '企业名称', dataType: 'C', length: 100 },
  { name: '法定代表人', dataType: 'C', length: 50 },
  { name: '公民身份号码', dataType: 'C', length: 18 },
  { name: '手机号码', dataType: 'C', length: 11 },
  { name: '成立日期', dataType: 'D' },
  { name: '注册资本', dataType: 'Y', length: 20 },
  { name: '实缴比例', dataType: 'N', length: 8 },
  { name: '从业人数', dataType: 'I', length: 10 },
  { name: '经营状态', dataType: 'C', length: 20 },
  { name: '更新时间', dataType: 'T' },
] as const;

export const KEY_ITEM = '统一社会信用代码';

/** One row in BAD_EVERY has a bad value. */
export const BAD_EVERY = 200;
const BAD_KINDS = ['uscc', 'idNumber', 'mobile', 'date', 'money', 'integer', 'duplicate'] as const;

const REGIONS = ['110105', '110108', '310115', '440305', '330106', '510107', '350102', '420106'];
const CITIES = ['北京', '上海', '深圳', '杭州', '成都', '福州', '武汉', '南京', '天津', '西安'];
const WORDS = ['华信', '宏达', '中科', '恒通', '博远', '新世纪', '联合', '东方', '鼎盛', '天成', '瑞丰', '嘉禾', '云海', '金桥', '长城', '明德'];
const TRADES = ['科技', '贸易', '建设工程', '餐饮管理', '信息技术', '商务咨询', '物流', '生物医药', '文化传媒', '机械制造'];
const FORMS = ['有限公司', '股份有限公司', '有限责任公司', '合伙企业（有限合伙）'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '欧阳', '司马'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞'];
const STATES = ['存续', '在业', '开业', '迁出', '停业'];

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** A valid 统一社会信用代码 (企业: 91), unique per i below 10^8. */
export function benchCreditCode(i: number): string {
  const orgBody = String(i).padStart(8, '0');
  const first17 = `91${REGIONS[i % REGIONS.length]}${orgBody}${organizationCodeCheckChar(orgBody)}`;
  return first17 + usccCheckChar(first17);
}

/** A valid 18-digit 公民身份号码: region + birth date (1950–1999) + sequence + ISO 7064 check character. */
export function benchIdNumber(i: number): string {
  const year = 1950 + (i % 50);
  const month = 1 + ((i >> 3) % 12);
  const day = 1 + ((i >> 5) % 28);
  const first17 = `${REGIONS[(i >> 2) % REGIONS.length]}${year}${pad2(month)}${pad2(day)}${String(i % 1000).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

function row(i: number): { line: string; bad: boolean } {
  let uscc = benchCreditCode(i);
  let idNumber = benchIdNumber(i * 7 + 3);
  let mobile = `1${3 + (i % 7)}${String((i * 7919) % 1_000_000_000).padStart(9, '0')}`;
  let founded = `${1990 + (i % 34)}-${pad2(1 + (i % 12))}-${pad2(1 + (i % 28))}`;
  let capital = `${(i % 5000) * 1000 + 100000}.${pad2(i % 100)}`;
  const paidShare = ((i % 10000) / 10000).toFixed(4);
  let staff = String(i % 3000);
  const updated = `2025-${pad2(1 + (i % 12))}-${pad2(1 + (i % 28))} ${pad2(i % 24)}:${pad2(i % 60)}:${pad2((i * 7) % 60)}`;
  const name = `${CITIES[i % CITIES.length]}${WORDS[(i >> 1) % WORDS.length]}${TRADES[(i >> 2) % TRADES.length]}${FORMS[i % FORMS.length]}`;
  const person = `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i >> 3) % GIVEN.length]}`;
  const state = STATES[i % STATES.length];
  const bad = i % BAD_EVERY === BAD_EVERY - 1;
  if (bad) {
    switch (BAD_KINDS[Math.floor(i / BAD_EVERY) % BAD_KINDS.length]) {
      case 'uscc': // wrong check character
        uscc = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
        break;
      case 'idNumber': // wrong check digit
        idNumber = idNumber.slice(0, 17) + (idNumber[17] === '0' ? '1' : '0');
        break;
      case 'mobile':
        mobile = `12${mobile.slice(2)}`;
        break;
      case 'date':
        founded = `${1990 + (i % 34)}-02-30`;
        break;
      case 'money':
        capital = '壹佰万元';
        break;
      case 'integer':
        staff = '约50人';
        break;
      case 'duplicate': // the key of the row before, which is good
        uscc = benchCreditCode(i - 1);
        break;
    }
  }
  // A comma in a name is quoted, as Excel writes it (one row in 97).
  const quotedName = i % 97 === 0 ? `"${name}，分公司, 第${i % 9}部"` : name;
  return { line: `${uscc},${quotedName},${person},${idNumber},${mobile},${founded},${capital},${paidShare},${staff},${state},${updated}\r\n`, bad };
}

export interface GeneratedFile {
  path: string;
  encoding: 'utf8' | 'gbk';
  rows: number;
  bytes: number;
  /** Rows with a bad value: the rows the platform should reject. */
  expectedRejects: number;
  ms: number;
}

/** Writes `rows` data rows (plus the header) to `path`, streaming, in chunks of ~1,000 rows. */
export async function generateCsv(path: string, rows: number, encoding: 'utf8' | 'gbk'): Promise<GeneratedFile> {
  const started = performance.now();
  let expectedRejects = 0;
  const CHUNK = 1000;
  async function* text(): AsyncGenerator<string> {
    yield BENCH_ITEMS.map((i) => i.name).join(',') + '\r\n';
    for (let start = 0; start < rows; start += CHUNK) {
      let chunk = '';
      for (let i = start; i < Math.min(rows, start + CHUNK); i++) {
        const r = row(i);
        if (r.bad) expectedRejects++;
        chunk += r.line;
      }
      yield chunk;
    }
  }
  const source = Readable.from(text(), { objectMode: false, encoding: 'utf8' });
  if (encoding === 'gbk') await pipeline(source, iconv.encodeStream('gbk'), createWriteStream(path));
  else await pipeline(source, createWriteStream(path));
  return { path, encoding, rows, bytes: (await stat(path)).size, expectedRejects, ms: performance.now() - started };
}

/**
 * In a child process (`generateInChild`), so that the strings of the generator never weigh on the
 * RSS of the bench process, which hosts the platform; the two encodings are written in parallel.
 */
export function generateInChild(path: string, rows: number, encoding: 'utf8' | 'gbk'): Promise<GeneratedFile> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', join(__dirname, 'register.js'), __filename, path, String(rows), encoding], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`generating ${path} failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as GeneratedFile);
    });
  });
}

if (require.main === module) {
  const [path, rows, encoding] = process.argv.slice(2);
  generateCsv(path, Number(rows), encoding as 'utf8' | 'gbk').then(
    (file) => process.stdout.write(JSON.stringify(file)),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
