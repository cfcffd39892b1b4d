import { isChineseIdNumber, isUscc } from '../standard/identifiers';
import type { MaskKind } from '../standard/masking';

/**
 * Sensitive-content discovery (敏感字段发现): recognises personal data by what a value looks
 * like, not by what its column is called, so a mislabelled column or a free-text field that hides
 * an ID number is still found. Pure code, shared by ingest (scan of every version) and the
 * security benchmark.
 */
export const SENSITIVE_KINDS = ['idNumber', 'mobile', 'fixedPhone', 'bankCard', 'email', 'chineseName', 'address', 'plate', 'individualUscc'] as const;
export type SensitiveKind = (typeof SENSITIVE_KINDS)[number];

export const SENSITIVE_KIND_LABELS: Readonly<Record<SensitiveKind, string>> = {
  idNumber: '公民身份号码',
  mobile: '手机号码',
  fixedPhone: '固定电话',
  bankCard: '银行卡号',
  email: '电子邮箱',
  chineseName: '自然人姓名',
  address: '详细地址',
  plate: '机动车号牌',
  individualUscc: '个体工商户统一社会信用代码',
};

/** The masking rule that fits each kind (individual businesses' codes are masked like ID numbers). */
export const MASK_FOR_SENSITIVE: Readonly<Record<SensitiveKind, MaskKind>> = {
  idNumber: 'idNumber',
  mobile: 'mobile',
  fixedPhone: 'fixedPhone',
  bankCard: 'bankCard',
  email: 'email',
  chineseName: 'chineseName',
  address: 'address',
  plate: 'plate',
  individualUscc: 'idNumber',
};

const MOBILE = /^(?:\+?86[- ]?)?1[3-9]\d{9}$/;
const FIXED_PHONE = /^(?:\(0\d{2,3}\)|0\d{2,3})[- ]?[2-9]\d{6,7}(?:-\d{1,5})?$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;
const PLATE = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$/;
const DIGITS_16_19 = /^\d{16,19}$/;
// An address names a place down to a road, a number or a room, not just a district.
const ADDRESS = /^.{0,12}(?:省|市|区|县|旗|镇|乡).{0,20}(?:路|街|道|巷|弄|村|组|号|栋|幢|室|单元|小区|大厦|苑)/;
const ADDRESS_DETAIL = /\d+(?:号|栋|幢|室|单元|弄|组)|(?:号楼|单元)/;
const CJK_NAME = /^[\u4e00-\u9fa5]{2,4}$/;
const NAME_DOT = /^[\u4e00-\u9fa5]{1,6}·[\u4e00-\u9fa5]{1,8}$/; // 少数民族 names: 买买提·艾力

/** The most common Chinese surnames (about 90 % of people), single and double. */
const SURNAMES = new Set(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝'.split(''),
);
const DOUBLE_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '南宫', '西门'];
/** Words that look like names but are not people (organisations, places, common column values). */
const NOT_A_NAME = /(?:公司|有限|集团|中心|委员|局|厅|办|所|站|院|校|会|社|部|队|馆|行|店|厂|场|处|科|组|村|镇|乡|街道|区|县|市|省|路|号|正常|注销|吊销|存续|在业|其他|无|是|否|男|女)$/;

/** Column names that say "a person's name" (so a 2–4 character value is read as one). */
export const NAME_COLUMN = /(?:姓名|名字|联系人|负责人|法定代表人|法人代表|经营者|户主|申请人|当事人|被处罚人|投资人|业主|船东|船主|持有人|患者|学生|教师|驾驶员|receiver|contact|name$)/i;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, odd = true; i >= 0; i--, odd = !odd) {
    let d = digits.charCodeAt(i) - 48;
    if (!odd) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function looksLikePersonName(value: string): boolean {
  if (NAME_DOT.test(value)) return true;
  if (!CJK_NAME.test(value) || NOT_A_NAME.test(value)) return false;
  if (value.length >= 3 && DOUBLE_SURNAMES.includes(value.slice(0, 2))) return true;
  return SURNAMES.has(value[0]) && value.length <= 3;
}

const SPACE_OR_HYPHEN = /[\s-]/;
const SPACES_AND_HYPHENS = /[\s-]/g;

/** Without spaces and hyphens, upper case; the value itself when that changes nothing (most values: no copy). */
function compacted(value: string): string {
  const bare = SPACE_OR_HYPHEN.test(value) ? value.replace(SPACES_AND_HYPHENS, '') : value;
  for (let i = 0; i < bare.length; i++) {
    const c = bare.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c > 127) return bare.toUpperCase();
  }
  return bare;
}

function isAlphanumeric(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/** No character above U+007F: then no address (ADDRESS needs 省, 市, 区…). */
function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * What a whole value is, if it is sensitive. `nameColumn` says the column is about people, the
 * only case in which a short Chinese word is read as a personal name.
 */
export function classifyValue(raw: string, opts: { nameColumn?: boolean } = {}): SensitiveKind | null {
  const value = raw.trim();
  if (value.length < 2 || value.length > 120) return null;
  const compact = compacted(value);
  if (compact.length === 18 && isChineseIdNumber(compact)) return 'idNumber';
  if (compact.length === 18 && compact.startsWith('92') && isUscc(compact)) return 'individualUscc';
  if (MOBILE.test(compact)) return 'mobile';
  if (DIGITS_16_19.test(compact) && luhnValid(compact) && /^(?:62|4|5[1-5]|3[47]|9)/.test(compact)) return 'bankCard';
  // A code of letters and digits longer than a phone number (统一社会信用代码, order numbers) is
  // no e-mail, phone, plate, name or address: the checks below need other characters.
  if (value.length > 15 && isAlphanumeric(value)) return null;
  if (EMAIL.test(value)) return 'email';
  if (FIXED_PHONE.test(value)) return 'fixedPhone';
  if (PLATE.test(compact)) return 'plate';
  if (opts.nameColumn && looksLikePersonName(value)) return 'chineseName';
  if (value.length >= 8 && !isAscii(value) && ADDRESS.test(value) && ADDRESS_DETAIL.test(value)) return 'address';
  return null;
}

// Identifiers hidden inside longer text, bounded so that they are not part of a longer number.
const EMBEDDED_ID = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const EMBEDDED_MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Checksum-valid ID numbers and mobile numbers inside free text (备注, 案情, 说明 …). */
const URL_TEXT = /(?:https?:\/\/|www\.)[^\s\u4e00-\u9fa5，。；]+/gi;

export function findEmbedded(raw: string): SensitiveKind[] {
  // An embedded mobile number is a run of exactly 11 digits, an ID number one of 17 (then X) or 18;
  // taking out links removes whole runs or none. Most text has no such run: no regex runs.
  if (raw.length < 11 || !hasIdentifierLongRun(raw)) return [];
  // Article ids and paths in links are long digit runs, not phone numbers.
  const text = raw.includes('://') || raw.includes('www.') ? raw.replace(URL_TEXT, ' ') : raw;
  const found: SensitiveKind[] = [];
  // exec over the module's global regexes (lastIndex is back at 0 once one fails): matchAll
  // would clone the regex on every call.
  for (let m = EMBEDDED_ID.exec(text); m !== null; m = EMBEDDED_ID.exec(text)) if (isChineseIdNumber(m[0].toUpperCase())) found.push('idNumber');
  while (EMBEDDED_MOBILE.test(text)) found.push('mobile');
  return found;
}

/** Whether `s` has a run of exactly 11, 17 or 18 ASCII digits (what EMBEDDED_MOBILE and EMBEDDED_ID can match). */
function hasIdentifierLongRun(s: string): boolean {
  let run = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0;
    if (c >= 48 && c <= 57) run++;
    else {
      if (run === 11 || run === 17 || run === 18) return true;
      run = 0;
    }
  }
  return false;
}

/** What one column holds, after a scan. */
export interface ColumnFinding {
  column: string;
  kind: SensitiveKind;
  /** Values of that kind, as whole values or inside text. */
  matches: number;
  /** Non-empty values scanned. */
  scanned: number;
  share: number;
  /** The values were found inside longer text, not as whole values. */
  embedded: boolean;
  /** A few masked examples, for the provider to recognise the column (never raw values). */
  examples: string[];
}

/**
 * Share of non-empty values from which a column is reported as holding a kind as whole values.
 * Checksummed identifiers are near-certain on their own; patterns that random codes can match
 * (bank cards pass Luhn one time in ten) need a clear majority.
 */
export const WHOLE_VALUE_SHARE: Readonly<Record<SensitiveKind, number>> = {
  idNumber: 0.05,
  individualUscc: 0.05,
  mobile: 0.3,
  fixedPhone: 0.3,
  bankCard: 0.6,
  email: 0.3,
  chineseName: 0.5,
  address: 0.3,
  plate: 0.3,
};

/** Embedded identifiers in a text column: this many (or this share) make a finding. */
export const EMBEDDED_MIN_MATCHES = 2;

/** Scans one column's values, one at a time (streaming: memory does not grow with the rows). */
export class ColumnScanner {
  private scanned = 0;
  private readonly whole = new Map<SensitiveKind, number>();
  private readonly embedded = new Map<SensitiveKind, number>();
  private readonly examples = new Map<SensitiveKind, string[]>();
  private readonly nameColumn: boolean;

  constructor(readonly column: string) {
    this.nameColumn = NAME_COLUMN.test(column);
  }

  observe(value: string | null): void {
    if (value === null || value === '') return;
    this.scanned++;
    const kind = classifyValue(value, { nameColumn: this.nameColumn });
    if (kind) {
      this.whole.set(kind, (this.whole.get(kind) ?? 0) + 1);
      this.example(kind, value);
      return;
    }
    for (const k of findEmbedded(value)) {
      this.embedded.set(k, (this.embedded.get(k) ?? 0) + 1);
      this.example(k, value);
    }
  }

  findings(): ColumnFinding[] {
    const out: ColumnFinding[] = [];
    if (this.scanned === 0) return out;
    for (const [kind, matches] of this.whole)
      if (matches / this.scanned >= WHOLE_VALUE_SHARE[kind]) out.push(this.finding(kind, matches, false));
    for (const [kind, matches] of this.embedded)
      if (!out.some((f) => f.kind === kind) && matches >= EMBEDDED_MIN_MATCHES) out.push(this.finding(kind, matches, true));
    return out.sort((a, b) => b.matches - a.matches);
  }

  private finding(kind: SensitiveKind, matches: number, embedded: boolean): ColumnFinding {
    return { column: this.column, kind, matches, scanned: this.scanned, share: matches / this.scanned, embedded, examples: this.examples.get(kind) ?? [] };
  }

  private example(kind: SensitiveKind, value: string): void {
    const list = this.examples.get(kind) ?? [];
    if (list.length >= 3) return;
    // Keep only the shape: every letter and digit but the first and last two becomes *.
    const v = value.length > 40 ? value.slice(0, 40) + '…' : value;
    list.push(v.replace(/[\p{L}\p{N}]/gu, (c, i: number) => (i < 1 || i >= v.length - 2 ? c : '*')));
    this.examples.set(kind, list);
  }
}
