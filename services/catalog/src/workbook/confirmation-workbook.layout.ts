/**
 * Layout of the 目录确认表 (catalog confirmation workbook): its sheets, columns and the code lists
 * behind the drop-downs. The template writer, the export and the import parser all read this one
 * table, so a change of column is made here once and an export always re-imports.
 */
import {
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  FORMAT_TYPES,
  MASK_KINDS,
  MaskKind,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
} from '@gov/shared';

export const SHEET_GUIDE = '填写说明';
export const SHEET_ENTRIES = '目录';
export const SHEET_ITEMS = '信息项';
export const SHEET_CODES = '代码表';

/** Rows that carry drop-downs and formats in a template: the import limits plus the header row. */
export const TEMPLATE_ENTRY_ROWS = 10_000;
export const TEMPLATE_ITEM_ROWS = 100_000;

export interface CodeLabelOption {
  code: string;
  label: string;
}

/** One choice of a drop-down: the code stored in the metadata and what the user sees. */
export interface ListOption {
  code: string;
  label: string;
  display: string;
}

export type ListKey =
  | 'class'
  | 'item'
  | 'formatClass'
  | 'formatType'
  | 'shareType'
  | 'shareMethodClass'
  | 'shareMethodType'
  | 'openType'
  | 'updateCycle'
  | 'securityGrade'
  | 'nationalLevel'
  | 'domain'
  | 'system'
  | 'dataType'
  | 'yesNo'
  | 'masking';

export interface CodeList {
  key: ListKey;
  /** Name of the list on 代码表 and in messages, e.g. 共享类型. */
  title: string;
  options: ListOption[];
  /** False for suggestions (格式类型, 来源信息系统): the cell also takes other text. */
  strict: boolean;
  /** Item list (项) per 类, for class-aware lookups and messages. */
  classOf?: ReadonlyMap<ListOption, string>;
}

/** 脱敏方式 labels; the strategies themselves live in @gov/shared (masking.ts). */
export const MASK_KIND_LABELS: Readonly<Record<MaskKind, string>> = {
  chineseName: '中文姓名',
  idNumber: '身份证号',
  mobile: '手机号码',
  fixedPhone: '固定电话',
  address: '地址',
  bankCard: '银行卡号',
  email: '电子邮箱',
  plate: '车牌号',
  ipv4: 'IPv4 地址',
};

export interface WorkbookListOptions {
  /** 数据领域 configured on the platform. */
  domains: readonly CodeLabelOption[];
  /** Names of the department's registered information systems (来源信息系统). */
  systems?: readonly string[];
  /** 主题 items beyond the guideline's 12 (class 2), e.g. `{ code: '13', label: '数字政府' }`. */
  topicItems?: readonly CodeLabelOption[];
}

const plain = (table: readonly CodeLabelOption[]): ListOption[] => table.map(({ code, label }) => ({ code, label, display: label }));
const coded = (table: readonly CodeLabelOption[]): ListOption[] => table.map(({ code, label }) => ({ code, label, display: `${code} ${label}` }));

/** Every code list of a workbook, in the order of the columns of 代码表. */
export function buildCodeLists(opts: WorkbookListOptions): Map<ListKey, CodeList> {
  const itemClass = new Map<ListOption, string>();
  const items: ListOption[] = [];
  const addItems = (classCode: string, table: readonly CodeLabelOption[]) => {
    for (const option of coded(table)) {
      items.push(option);
      itemClass.set(option, classCode);
    }
  };
  addItems('1', RESOURCE_ITEMS['1']);
  addItems('2', RESOURCE_ITEMS['2']);
  addItems('2', (opts.topicItems ?? []).filter((t) => !RESOURCE_ITEMS['2'].some((known) => known.code === t.code)));
  addItems('3', RESOURCE_ITEMS['3']);

  const formatTypes = [...new Set(Object.values(FORMAT_TYPES).flat())] as string[];
  const systems = [...new Set((opts.systems ?? []).map((s) => s.trim()).filter(Boolean))];
  const lists: CodeList[] = [
    { key: 'class', title: '类', options: plain(RESOURCE_CLASSES), strict: true },
    { key: 'item', title: '项', options: items, strict: true, classOf: itemClass },
    { key: 'formatClass', title: '格式分类', options: plain(FORMAT_CLASSES), strict: true },
    { key: 'formatType', title: '格式类型', options: formatTypes.map((t) => ({ code: t, label: t, display: t })), strict: false },
    { key: 'shareType', title: '共享类型', options: plain(SHARE_TYPES), strict: true },
    { key: 'shareMethodClass', title: '共享方式分类', options: plain(SHARE_METHOD_CLASSES), strict: true },
    { key: 'shareMethodType', title: '共享方式类型', options: plain(PLATFORM_METHOD_TYPES), strict: true },
    { key: 'openType', title: '开放类型', options: plain(OPEN_TYPES), strict: true },
    { key: 'updateCycle', title: '更新周期', options: plain(UPDATE_CYCLES), strict: true },
    { key: 'securityGrade', title: '数据分级', options: coded(SECURITY_GRADES), strict: true },
    { key: 'nationalLevel', title: '国家数据分级', options: plain(NATIONAL_DATA_LEVELS), strict: true },
    { key: 'domain', title: '数据领域', options: plain(opts.domains), strict: true },
    { key: 'system', title: '来源信息系统', options: systems.map((s) => ({ code: s, label: s, display: s })), strict: false },
    { key: 'dataType', title: '数据类型', options: coded(DATA_ITEM_TYPES), strict: true },
    { key: 'yesNo', title: '是否', options: [{ code: 'true', label: '是', display: '是' }, { code: 'false', label: '否', display: '否' }], strict: true },
    { key: 'masking', title: '脱敏方式', options: MASK_KINDS.map((k) => ({ code: k, label: MASK_KIND_LABELS[k], display: MASK_KIND_LABELS[k] })), strict: true },
  ];
  return new Map(lists.map((l) => [l.key, l]));
}

/**
 * How a cell is read: `enum` maps a label (or code) of `list` to its code; `text` with a `list`
 * only suggests values; `list` is several values separated by ；; `digits` keeps leading zeros.
 */
export type ColumnKind = 'seq' | 'text' | 'digits' | 'enum' | 'date' | 'int' | 'bool' | 'list';

export interface ColumnSpec {
  /** Field path in CatalogMetadata (or DataItem for 信息项), as compliance findings name it. */
  field: string;
  header: string;
  kind: ColumnKind;
  width: number;
  list?: ListKey;
  /** 必填 (always) or 条件必填 (the note says when). */
  required?: 'always' | 'conditional';
  /** Longest accepted text, as the DTO allows. */
  maxLength?: number;
  /** Digits-only code that must keep its leading zeros: width to pad a number cell to. */
  padTo?: number;
  /** Longest list (关联资源代码, 标签). */
  maxCount?: number;
  /** Cell note on the header: what to write. */
  note: string;
}

/** Columns of 目录, A… in order. `field` names the metadata path; three columns are not metadata. */
export const ENTRY_COLUMNS: readonly ColumnSpec[] = [
  { field: 'seq', header: '序号', kind: 'seq', width: 8, required: 'always', note: '本表内唯一的编号，如 1、2、3。"信息项"表的序号填这里的值，把信息项挂到本条目录下。' },
  { field: 'resourceCode', header: '信息资源代码', kind: 'text', width: 22, maxLength: 64, note: '仅在修改已有目录时填写其代码（如 101001/000001）。新增目录留空，审核通过后由平台赋码。' },
  { field: 'name', header: '信息资源名称', kind: 'text', width: 30, required: 'always', maxLength: 200, note: '简明反映资源内容，如"市场主体登记信息"。' },
  { field: 'classification.classCode', header: '类', kind: 'enum', list: 'class', width: 16, required: 'always', note: '基础信息资源、主题信息资源或部门信息资源。' },
  { field: 'classification.itemCode', header: '项', kind: 'enum', list: 'item', width: 26, required: 'always', padTo: 2, note: '从下拉列表选择，须属于所选的"类"。' },
  { field: 'classification.categoryCode', header: '目', kind: 'digits', width: 8, required: 'always', padTo: 3, note: '3 位数字，如 001。' },
  { field: 'classification.subCategoryCode', header: '细目', kind: 'digits', width: 8, maxLength: 12, note: '数字，可不填。' },
  { field: 'abstract', header: '摘要', kind: 'text', width: 40, required: 'always', maxLength: 2000, note: '资源的内容、用途和覆盖范围。' },
  { field: 'format.classCode', header: '格式分类', kind: 'enum', list: 'formatClass', width: 14, required: 'always', note: '电子文件、电子表格、数据库、图形图像、流媒体、自描述格式或服务接口。' },
  { field: 'format.type', header: '格式类型', kind: 'text', list: 'formatType', width: 14, required: 'always', maxLength: 50, note: '电子文件如 pdf、docx；电子表格如 xlsx；数据库填数据库产品名称（如 PostgreSQL），可直接输入。' },
  { field: 'share.type', header: '共享类型', kind: 'enum', list: 'shareType', width: 14, required: 'always', note: '无条件共享、有条件共享或不予共享。' },
  { field: 'share.condition', header: '共享条件', kind: 'text', width: 30, required: 'conditional', maxLength: 1000, note: '有条件共享时必填：注明共享条件和共享范围。' },
  { field: 'share.basis', header: '不予共享依据', kind: 'text', width: 30, required: 'conditional', maxLength: 1000, note: '不予共享时必填：引用法律、行政法规或党中央、国务院政策，如《××法》第×条。' },
  { field: 'share.methodClass', header: '共享方式分类', kind: 'enum', list: 'shareMethodClass', width: 16, required: 'conditional', note: '共享类型不是"不予共享"时必填：共享平台方式、邮件方式或介质方式。' },
  { field: 'share.methodType', header: '共享方式类型', kind: 'enum', list: 'shareMethodType', width: 14, required: 'conditional', note: '选择共享平台方式时必填：数据库、接口或文件，须与格式一致（数据库类→数据库或接口，文件类→文件）。' },
  { field: 'open.type', header: '开放类型', kind: 'enum', list: 'openType', width: 14, required: 'always', note: '无条件开放、有条件开放或不予开放。' },
  { field: 'open.condition', header: '开放条件', kind: 'text', width: 30, required: 'conditional', maxLength: 1000, note: '有条件开放时必填。' },
  { field: 'open.basis', header: '不予开放依据及理由', kind: 'text', width: 30, maxLength: 1000, note: '不予开放时填写依据和理由。' },
  { field: 'updateCycle', header: '更新周期', kind: 'enum', list: 'updateCycle', width: 12, required: 'always', note: '实时、每日、每周、每月、每季度、每半年、每年或不定期。' },
  { field: 'publishDate', header: '发布日期', kind: 'date', width: 14, note: '格式 CCYY-MM-DD，如 2026-11-24；可不填，审核通过时自动填写。' },
  { field: 'relatedResourceCodes', header: '关联资源代码', kind: 'list', width: 28, maxLength: 64, maxCount: 100, note: '多个代码用"；"分隔。' },
  { field: 'securityGrade', header: '数据分级', kind: 'enum', list: 'securityGrade', width: 14, required: 'always', note: 'L1 不敏感、L2 低敏感、L3 较敏感或 L4 敏感。' },
  { field: 'nationalLevel', header: '国家数据分级', kind: 'enum', list: 'nationalLevel', width: 14, note: '按 GB/T 43697 评估的级别，严于数据分级对应的级别时填写。' },
  { field: 'domainCode', header: '数据领域', kind: 'enum', list: 'domain', width: 14, required: 'always', note: '从下拉列表选择平台配置的数据领域。' },
  { field: 'systemId', header: '来源信息系统', kind: 'text', list: 'system', width: 24, required: 'always', maxLength: 200, note: '产生该资源的政务信息系统名称，须是本部门已登记的系统。' },
  { field: 'tags', header: '标签', kind: 'list', width: 20, maxLength: 50, maxCount: 50, note: '多个标签用"；"分隔。' },
  { field: 'referenceItemId', header: '参考清单事项', kind: 'text', width: 24, maxLength: 200, note: '本目录对应的参考清单（责任清单）事项名称，可不填。' },
];

/** Columns of 信息项. */
export const ITEM_COLUMNS: readonly ColumnSpec[] = [
  { field: 'seq', header: '序号', kind: 'seq', width: 8, required: 'always', note: '所属目录在"目录"表中的序号。' },
  { field: 'name', header: '信息项名称', kind: 'text', width: 24, required: 'always', maxLength: 100, note: '如"统一社会信用代码"。同一目录内不能重名。' },
  { field: 'dataType', header: '数据类型', kind: 'enum', list: 'dataType', width: 14, required: 'conditional', note: '电子表格、数据库类资源必填：C 字符型、N 数值型、D 日期型等。' },
  { field: 'length', header: '数据长度', kind: 'int', width: 10, required: 'conditional', note: '字节数，正整数。电子表格、数据库类资源必填（日期型、日期时间型、逻辑型除外）。' },
  { field: 'description', header: '描述', kind: 'text', width: 30, maxLength: 500, note: '信息项的含义、取值说明。' },
  { field: 'personal', header: '是否个人信息', kind: 'bool', list: 'yesNo', width: 12, note: '是或否，不填视为否。' },
  { field: 'dataElementCode', header: '数据元代码', kind: 'text', width: 16, maxLength: 64, note: '对应的数据元代码，可不填（按名称匹配）。' },
  { field: 'masking', header: '脱敏方式', kind: 'enum', list: 'masking', width: 12, required: 'conditional', note: 'L2、L3 数据有条件开放时，个人信息项必填。' },
  { field: 'duplicateJustification', header: '重复采集理由', kind: 'text', width: 30, maxLength: 500, note: '该数据元的数源部门是其他部门时，说明本部门仍需采集的理由。' },
];

/** Columns an export adds after the template's; the import ignores them. */
export const EXPORT_EXTRA_COLUMNS: readonly { header: string; width: number }[] = [
  { header: '提供部门', width: 20 },
  { header: '状态', width: 12 },
];

/** Excel column letter of a 0-based index. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Splits a multi-value cell (关联资源代码, 标签) on ；; ，, 、 and line breaks. */
export function splitMultiValue(text: string): string[] {
  return text
    .split(/[;；,，、\r\n]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const MULTI_VALUE_SEPARATOR = '；';
