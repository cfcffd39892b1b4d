import { idNumberCheckChar, organizationCodeCheckChar, usccCheckChar } from '../standard/identifiers';
import type { SensitiveKind } from './sensitive-content';

/**
 * The labelled set discovery is measured on: generated columns whose true content is known,
 * positives of every kind (whole values, and identifiers hidden in free text) and negatives that
 * look alike (enterprise codes, order numbers, masked values, product names, IDs with a wrong check
 * digit). Seeded, so every run sees the same set.
 */
export interface LabelledColumn {
  name: string;
  /** The kind the column really holds, or null for a column without personal data. */
  label: SensitiveKind | null;
  values: (string | null)[];
  /** For value-level recall: which values are checksum-valid ID numbers or mobiles (whole or inside). */
  positives: boolean[];
}

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['110105', '310104', '440305', '420102', '510107', '330106', '370202', '350203', '420703', '610113'];
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志华建国文红梅玉华小红海燕晓东子涵浩然欣怡雨轩梓萱';
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const ROADS = ['中山路', '解放大道', '人民街', '建设路', '和平巷', '长江路', '友谊大街', '滨江道'];
const CITIES = ['武汉市江汉区', '黄石市下陆区', '鄂州市鄂城区', '上海市静安区', '北京市海淀区', '成都市武侯区', '杭州市西湖区', '绵阳市涪城区'];
const PROVINCE_PLATES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const PLATE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
const PRODUCTS = ['钢材', '水泥', '木材', '玻璃', '化肥', '农药', '种子', '饲料', '煤炭', '原油'];

function pick(rnd: () => number, list: string): string;
function pick<T>(rnd: () => number, list: readonly T[]): T;
function pick<T>(rnd: () => number, list: readonly T[] | string): T | string {
  return list[Math.floor(rnd() * list.length)];
}
function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rnd() * 10);
  return s;
}

export function generateIdNumber(rnd: () => number): string {
  const year = 1940 + Math.floor(rnd() * 65);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const first17 = pick(rnd, REGIONS) + String(year) + String(month).padStart(2, '0') + String(day).padStart(2, '0') + digits(rnd, 3);
  return first17 + idNumberCheckChar(first17);
}

export function generateMobile(rnd: () => number): string {
  return '1' + pick(rnd, '3456789') + digits(rnd, 9);
}

function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const candidate = body + d;
    let sum = 0;
    for (let i = candidate.length - 1, odd = true; i >= 0; i--, odd = !odd) {
      let v = candidate.charCodeAt(i) - 48;
      if (!odd) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

function uscc(rnd: () => number, prefix: string): string {
  const org8 = Array.from({ length: 8 }, () => pick(rnd, '0123456789ABCDEFGHJKLMNPQRTUWXY')).join('');
  const first17 = prefix + pick(rnd, REGIONS) + org8 + organizationCodeCheckChar(org8);
  return first17 + usccCheckChar(first17);
}

function personName(rnd: () => number): string {
  return pick(rnd, SURNAMES) + pick(rnd, GIVEN) + (rnd() < 0.6 ? pick(rnd, GIVEN) : '');
}

function column(name: string, label: SensitiveKind | null, n: number, make: (i: number) => string | null, positive: (v: string | null) => boolean = () => false): LabelledColumn {
  const values = Array.from({ length: n }, (_, i) => make(i));
  return { name, label, values, positives: values.map(positive) };
}

/** The set: `rows` values per column (default 2,000), seeded. */
export function labelledColumns(rows = 2000, seed = 20261124): LabelledColumn[] {
  const rnd = seededRandom(seed);
  const sometimesEmpty = (v: string) => (rnd() < 0.05 ? null : v);
  return [
    column('公民身份号码', 'idNumber', rows, () => sometimesEmpty(generateIdNumber(rnd)), (v) => v !== null),
    column('证件号', 'idNumber', rows, () => sometimesEmpty(rnd() < 0.5 ? generateIdNumber(rnd) : generateIdNumber(rnd).toLowerCase()), (v) => v !== null),
    column('联系方式', 'mobile', rows, () => sometimesEmpty(rnd() < 0.2 ? '+86 ' + generateMobile(rnd) : generateMobile(rnd)), (v) => v !== null),
    column('办公电话', 'fixedPhone', rows, () => sometimesEmpty(`0${pick(rnd, ['27', '10', '21', '714', '711', '816'])}-${2 + Math.floor(rnd() * 8)}${digits(rnd, 6)}`)),
    column('结算账号', 'bankCard', rows, () => sometimesEmpty(luhnComplete('62' + digits(rnd, 16)))),
    column('邮箱', 'email', rows, () => sometimesEmpty(`${pick(rnd, ['zhang', 'li', 'wang', 'chen'])}${digits(rnd, 4)}@${pick(rnd, ['163.com', 'qq.com', 'gov.cn'])}`)),
    column('申请人', 'chineseName', rows, () => sometimesEmpty(personName(rnd))),
    column('居住地址', 'address', rows, () => sometimesEmpty(`${pick(rnd, CITIES)}${pick(rnd, ROADS)}${1 + Math.floor(rnd() * 300)}号${1 + Math.floor(rnd() * 30)}栋${101 + Math.floor(rnd() * 20)}室`)),
    column('车牌号', 'plate', rows, () => sometimesEmpty(pick(rnd, PROVINCE_PLATES) + pick(rnd, 'ABCDEFGHJK') + Array.from({ length: 5 }, () => pick(rnd, PLATE_CHARS)).join(''))),
    column('经营者代码', 'individualUscc', rows, () => sometimesEmpty(uscc(rnd, '92'))),
    // Free text hiding identifiers in a few rows: what masking by column flags misses.
    column(
      '备注',
      'idNumber',
      rows,
      (i) => (i % 50 === 7 ? `当事人${personName(rnd)}（身份证号${generateIdNumber(rnd)}）已于现场签收` : i % 3 === 0 ? null : `${pick(rnd, PRODUCTS)}抽检合格，批次${digits(rnd, 8)}`),
      (v) => v !== null && /身份证号/.test(v),
    ),
    // Negatives that look alike.
    column('统一社会信用代码', null, rows, () => uscc(rnd, '91')),
    column('订单编号', null, rows, () => '62' + digits(rnd, 16)),
    column('已脱敏身份证', null, rows, () => `${pick(rnd, REGIONS).slice(0, 1)}****************${digits(rnd, 1)}X`),
    column('已脱敏姓名', null, rows, () => pick(rnd, SURNAMES) + '*' + pick(rnd, GIVEN)),
    column('校验位错误的号码', null, rows, () => {
      const id = generateIdNumber(rnd);
      const wrong = String((Number(id[17] === 'X' ? 10 : id[17]) + 1) % 10);
      return id.slice(0, 17) + wrong;
    }),
    column('产品名称', null, rows, () => pick(rnd, PRODUCTS)),
    column('企业名称', null, rows, () => `${pick(rnd, CITIES).slice(0, 2)}${pick(rnd, ['恒通', '华远', '金盛', '新源'])}${pick(rnd, ['科技', '贸易', '建材'])}有限公司`),
    column('金额', null, rows, () => (rnd() * 1e7).toFixed(2)),
    column('文书号', null, rows, () => `京交法(${digits(rnd, 2)})字稽${digits(rnd, 8)}`),
  ];
}
