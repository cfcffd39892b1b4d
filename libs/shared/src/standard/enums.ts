/**
 * Enumerations of the directory metadata standard (政务信息资源目录编制指南, 发改高技〔2017〕1272号)
 * and of the classification/grading rules the platform applies.
 *
 * Every code is a string, so the same list serves JSON, database columns and `@IsIn(...)`.
 * Where the guideline or its implementations number things (类 1–3, 格式分类 1–7, 项 01…), the
 * number is the code; elsewhere the code is an English mnemonic and the label is the Chinese term.
 */

export interface CodeLabel<C extends string = string> {
  readonly code: C;
  readonly label: string;
}

export type CodeTable = readonly CodeLabel[];
export type CodeOf<T extends CodeTable> = T[number]['code'];

export function codesOf<const T extends CodeTable>(table: T): readonly CodeOf<T>[] {
  return Object.freeze(table.map((entry) => entry.code));
}

export function entryOf<const T extends CodeTable>(table: T, code: string | null | undefined): T[number] | undefined {
  return code == null ? undefined : table.find((entry) => entry.code === code);
}

/** The Chinese label of `code`, or undefined when the code is not in the table. */
export function labelOf(table: CodeTable, code: string | null | undefined): string | undefined {
  return entryOf(table, code)?.label;
}

export function isCodeOf<const T extends CodeTable>(table: T, value: unknown): value is CodeOf<T> {
  return typeof value === 'string' && table.some((entry) => entry.code === value);
}

// ---------------------------------------------------------------------------------------------
// 信息资源分类：类 → 项 (→ 目 → 细目, which are local and not enumerated here)

/** 类 */
export const RESOURCE_CLASSES = [
  { code: '1', label: '基础信息资源' },
  { code: '2', label: '主题信息资源' },
  { code: '3', label: '部门信息资源' },
] as const satisfies CodeTable;
export type ResourceClassCode = CodeOf<typeof RESOURCE_CLASSES>;
export const RESOURCE_CLASS_CODES = codesOf(RESOURCE_CLASSES);

/**
 * 项 of each 类, numbered 01… in the order the guideline lists them (the guideline gives no numbers).
 * The topic list is "包括但不限于": other two-digit items are accepted for class 2 (see `isValidResourceItem`).
 */
export const RESOURCE_ITEMS = {
  '1': [
    { code: '01', label: '国家人口' },
    { code: '02', label: '法人单位' },
    { code: '03', label: '自然资源和空间地理' },
    { code: '04', label: '社会信用' },
    { code: '05', label: '电子证照' },
  ],
  '2': [
    { code: '01', label: '公共服务' },
    { code: '02', label: '健康保障' },
    { code: '03', label: '社会保障' },
    { code: '04', label: '食品药品安全' },
    { code: '05', label: '安全生产' },
    { code: '06', label: '价格监管' },
    { code: '07', label: '能源安全' },
    { code: '08', label: '信用体系' },
    { code: '09', label: '城乡建设' },
    { code: '10', label: '社区治理' },
    { code: '11', label: '生态环保' },
    { code: '12', label: '应急维稳' },
  ],
  '3': [
    { code: '01', label: '党中央' },
    { code: '02', label: '全国人大常委会' },
    { code: '03', label: '国务院' },
    { code: '04', label: '全国政协' },
    { code: '05', label: '最高人民法院' },
    { code: '06', label: '最高人民检察院' },
    { code: '07', label: '省（自治区、直辖市）及其下各级政务部门' },
    { code: '08', label: '计划单列市及其下各级政务部门' },
  ],
} as const satisfies Record<ResourceClassCode, CodeTable>;

/** Classes whose item list is open-ended (主题: "包括但不限于"). */
export const EXTENSIBLE_RESOURCE_CLASSES: readonly ResourceClassCode[] = ['2'];

export function resourceItemsOf(classCode: string): CodeTable {
  return isCodeOf(RESOURCE_CLASSES, classCode) ? RESOURCE_ITEMS[classCode] : [];
}

export function resourceItemLabel(classCode: string, itemCode: string): string | undefined {
  return labelOf(resourceItemsOf(classCode), itemCode);
}

/** Listed items are valid for every class; an extensible class also takes any other code 01–99. */
export function isValidResourceItem(classCode: string, itemCode: string): boolean {
  if (!isCodeOf(RESOURCE_CLASSES, classCode)) return false;
  if (isCodeOf(RESOURCE_ITEMS[classCode], itemCode)) return true;
  return EXTENSIBLE_RESOURCE_CLASSES.includes(classCode) && /^\d{2}$/.test(itemCode) && itemCode !== '00';
}

// ---------------------------------------------------------------------------------------------
// 信息资源格式：分类 + 类型

/** 信息资源格式分类, numbered 1–7 as the reference implementations do. */
export const FORMAT_CLASSES = [
  { code: '1', label: '电子文件' },
  { code: '2', label: '电子表格' },
  { code: '3', label: '数据库' },
  { code: '4', label: '图形图像' },
  { code: '5', label: '流媒体' },
  { code: '6', label: '自描述格式' },
  { code: '7', label: '服务接口' },
] as const satisfies CodeTable;
export type FormatClassCode = CodeOf<typeof FORMAT_CLASSES>;
export const FORMAT_CLASS_CODES = codesOf(FORMAT_CLASSES);

/**
 * Known 格式类型 per class. Only 电子文件 and 电子表格 have a list in the sources; 数据库 takes the
 * DBMS name as free text, and the other classes have no list, so any non-empty type is accepted.
 */
export const FORMAT_TYPES: Readonly<Partial<Record<FormatClassCode, readonly string[]>>> = {
  '1': ['OFD', 'wps', 'xml', 'txt', 'doc', 'docx', 'html', 'pdf', 'ppt'],
  '2': ['et', 'xls', 'xlsx'],
};

/** Case-insensitive against the known list; otherwise any non-blank value (e.g. a DBMS name). */
export function isValidFormatType(classCode: string, type: string | null | undefined): boolean {
  if (!isCodeOf(FORMAT_CLASSES, classCode) || type == null || type.trim() === '') return false;
  const known = FORMAT_TYPES[classCode];
  if (!known) return true;
  const wanted = type.trim().toLowerCase();
  return known.some((t) => t.toLowerCase() === wanted);
}

// ---------------------------------------------------------------------------------------------
// 信息项数据类型

export const DATA_ITEM_TYPES = [
  { code: 'C', label: '字符型' },
  { code: 'N', label: '数值型' },
  { code: 'Y', label: '货币型' },
  { code: 'D', label: '日期型' },
  { code: 'T', label: '日期时间型' },
  { code: 'L', label: '逻辑型' },
  { code: 'M', label: '备注型' },
  { code: 'G', label: '通用型' },
  { code: 'B', label: '双精度型' },
  { code: 'I', label: '整型' },
  { code: 'F', label: '浮点型' },
] as const satisfies CodeTable;
export type DataItemTypeCode = CodeOf<typeof DATA_ITEM_TYPES>;
export const DATA_ITEM_TYPE_CODES = codesOf(DATA_ITEM_TYPES);

// ---------------------------------------------------------------------------------------------
// 共享属性

/** 共享类型. 有条件共享 needs 共享条件; 不予共享 needs a legal or policy basis (依据). */
export const SHARE_TYPES = [
  { code: 'UNCONDITIONAL', label: '无条件共享' },
  { code: 'CONDITIONAL', label: '有条件共享' },
  { code: 'NOT_SHARED', label: '不予共享' },
] as const satisfies CodeTable;
export type ShareType = CodeOf<typeof SHARE_TYPES>;
export const SHARE_TYPE_CODES = codesOf(SHARE_TYPES);

/** 共享方式分类 */
export const SHARE_METHOD_CLASSES = [
  { code: 'PLATFORM', label: '共享平台方式' },
  { code: 'EMAIL', label: '邮件方式' },
  { code: 'MEDIA', label: '介质方式' },
] as const satisfies CodeTable;
export type ShareMethodClass = CodeOf<typeof SHARE_METHOD_CLASSES>;
export const SHARE_METHOD_CLASS_CODES = codesOf(SHARE_METHOD_CLASSES);

/** 共享方式类型, when the method class is 共享平台方式. */
export const PLATFORM_METHOD_TYPES = [
  { code: 'DATABASE', label: '数据库' },
  { code: 'API', label: '接口' },
  { code: 'FILE', label: '文件' },
] as const satisfies CodeTable;
export type PlatformMethodType = CodeOf<typeof PLATFORM_METHOD_TYPES>;
export const PLATFORM_METHOD_TYPE_CODES = codesOf(PLATFORM_METHOD_TYPES);

/**
 * Platform method types allowed for a resource format. The guideline says 文件类资源→文件 and
 * 数据库类资源→数据库或接口; we read 服务接口 as 接口 only and every other (file-like) class as 文件.
 */
export function platformMethodTypesFor(formatClass: string): readonly PlatformMethodType[] {
  switch (formatClass) {
    case '3':
      return ['DATABASE', 'API'];
    case '7':
      return ['API'];
    case '1':
    case '2':
    case '4':
    case '5':
    case '6':
      return ['FILE'];
    default:
      return [];
  }
}

export function isPlatformMethodCompatible(formatClass: string, methodType: string): boolean {
  return (platformMethodTypesFor(formatClass) as readonly string[]).includes(methodType);
}

// ---------------------------------------------------------------------------------------------
// 开放属性

export const OPEN_TYPES = [
  { code: 'UNCONDITIONAL', label: '无条件开放' },
  { code: 'CONDITIONAL', label: '有条件开放' },
  { code: 'NOT_OPEN', label: '不予开放' },
] as const satisfies CodeTable;
export type OpenType = CodeOf<typeof OPEN_TYPES>;
export const OPEN_TYPE_CODES = codesOf(OPEN_TYPES);

// ---------------------------------------------------------------------------------------------
// 更新周期

export interface UpdateCycleEntry<C extends string = string> extends CodeLabel<C> {
  /** Oldest acceptable age of the latest update, in days; null = no timeliness check (不定期). */
  readonly maxAgeDays: number | null;
}

/**
 * Timeliness is checked at day granularity, so 实时 is held to the daily limit; month, quarter,
 * half-year and year use their longest length (31, 92, 184, 366) so no period is flagged early.
 */
export const UPDATE_CYCLES = [
  { code: 'REALTIME', label: '实时', maxAgeDays: 1 },
  { code: 'DAILY', label: '每日', maxAgeDays: 1 },
  { code: 'WEEKLY', label: '每周', maxAgeDays: 7 },
  { code: 'MONTHLY', label: '每月', maxAgeDays: 31 },
  { code: 'QUARTERLY', label: '每季度', maxAgeDays: 92 },
  { code: 'HALF_YEARLY', label: '每半年', maxAgeDays: 184 },
  { code: 'YEARLY', label: '每年', maxAgeDays: 366 },
  { code: 'IRREGULAR', label: '不定期', maxAgeDays: null },
] as const satisfies readonly UpdateCycleEntry[];
export type UpdateCycle = CodeOf<typeof UPDATE_CYCLES>;
export const UPDATE_CYCLE_CODES = codesOf(UPDATE_CYCLES);

export function maxAgeDaysOf(cycle: string): number | null | undefined {
  return entryOf(UPDATE_CYCLES, cycle)?.maxAgeDays;
}

const MS_PER_DAY = 86_400_000;

/** True when the last update is older than the cycle allows. 不定期 and unknown cycles are never stale. */
export function isUpdateStale(cycle: string, lastUpdatedAt: Date, now: Date): boolean {
  const maxAgeDays = maxAgeDaysOf(cycle);
  if (maxAgeDays == null) return false;
  return now.getTime() - lastUpdatedAt.getTime() > maxAgeDays * MS_PER_DAY;
}

// ---------------------------------------------------------------------------------------------
// 分级：公共数据敏感等级 (DB33/T 2350-2021) and 国家数据分级 (GB/T 43697-2024)

/** GB/T 43697 levels, ordered from least to most severe. */
export const NATIONAL_DATA_LEVELS = [
  { code: 'GENERAL', label: '一般数据' },
  { code: 'IMPORTANT', label: '重要数据' },
  { code: 'CORE', label: '核心数据' },
] as const satisfies CodeTable;
export type NationalDataLevel = CodeOf<typeof NATIONAL_DATA_LEVELS>;
export const NATIONAL_DATA_LEVEL_CODES = codesOf(NATIONAL_DATA_LEVELS);

export interface SecurityGradeEntry<C extends string = string> extends CodeLabel<C> {
  /**
   * The lowest GB/T 43697 level this grade implies. It is a floor, not a derivation: the two scales
   * measure different harms (to individuals vs. to the state), so an L1 data set can still be 重要数据
   * by scale. Per 就高从严, L3 and L4 are at least 重要数据. 核心数据 is never implied by a sensitivity
   * grade because GB/T 43697 reserves it for data 经国家有关部门评估确定; record it explicitly.
   */
  readonly nationalLevelFloor: NationalDataLevel;
}

/** 安全等级 L1–L4 */
export const SECURITY_GRADES = [
  { code: 'L1', label: '不敏感', nationalLevelFloor: 'GENERAL' },
  { code: 'L2', label: '低敏感', nationalLevelFloor: 'GENERAL' },
  { code: 'L3', label: '较敏感', nationalLevelFloor: 'IMPORTANT' },
  { code: 'L4', label: '敏感', nationalLevelFloor: 'IMPORTANT' },
] as const satisfies readonly SecurityGradeEntry<string>[];
export type SecurityGrade = CodeOf<typeof SECURITY_GRADES>;
export const SECURITY_GRADE_CODES = codesOf(SECURITY_GRADES);

export function nationalLevelFloorOf(grade: string): NationalDataLevel | undefined {
  return entryOf(SECURITY_GRADES, grade)?.nationalLevelFloor;
}

/** The more severe of two national levels (就高从严). */
export function stricterNationalLevel(a: NationalDataLevel, b: NationalDataLevel): NationalDataLevel {
  return NATIONAL_DATA_LEVEL_CODES.indexOf(a) >= NATIONAL_DATA_LEVEL_CODES.indexOf(b) ? a : b;
}

/** The national level to apply: the assessed one, raised to the grade's floor if lower. */
export function effectiveNationalLevel(grade: SecurityGrade, assessed?: NationalDataLevel | null): NationalDataLevel {
  const floor = nationalLevelFloorOf(grade) ?? 'GENERAL';
  return assessed ? stricterNationalLevel(floor, assessed) : floor;
}

// ---------------------------------------------------------------------------------------------
// 数据领域

/**
 * Default 领域 list, in the order of 黄石市推进2023年公共数据向社会开放工作实施方案: the 15 深度开放
 * domains, then the 初步开放 ones. The source announces 7 of the latter ("等7个领域") but names only
 * 6, so the list has 21 entries; deployments add their own through the domain registry.
 */
export const DATA_DOMAINS = [
  { code: '01', label: '市场监管' },
  { code: '02', label: '社保就业' },
  { code: '03', label: '城建住房' },
  { code: '04', label: '交通运输' },
  { code: '05', label: '地理空间' },
  { code: '06', label: '文化旅游' },
  { code: '07', label: '生态环境' },
  { code: '08', label: '气象服务' },
  { code: '09', label: '医疗卫生' },
  { code: '10', label: '财税金融' },
  { code: '11', label: '信用服务' },
  { code: '12', label: '社会救助' },
  { code: '13', label: '商贸流通' },
  { code: '14', label: '工业农业' },
  { code: '15', label: '教育科技' },
  { code: '16', label: '公共安全' },
  { code: '17', label: '安全生产' },
  { code: '18', label: '法律服务' },
  { code: '19', label: '生活服务' },
  { code: '20', label: '地名地址' },
  { code: '21', label: '机构团体' },
] as const satisfies CodeTable;
export type DataDomainCode = CodeOf<typeof DATA_DOMAINS>;
export const DATA_DOMAIN_CODES = codesOf(DATA_DOMAINS);
