/**
 * 目录合规自检: every rule a catalog entry must satisfy before it may be submitted for review,
 * run on every save so the operator sees all problems at once, field by field.
 * Pure: the caller supplies what lives in databases (registered systems, domains, data elements).
 */
import type { CatalogMetadata, DataItem } from './catalog-metadata';
import {
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
  isCodeOf,
  isPlatformMethodCompatible,
  isValidFormatType,
  labelOf,
  platformMethodTypesFor,
} from './enums';
import { isMaskKind } from './masking';
import { DataElement, DataElementIndex } from './one-source';
import { validateClassification, validateResourceCode } from './resource-code';

export type FindingSeverity = 'error' | 'warning';

export interface ComplianceFinding {
  /** Field path, e.g. `share.condition` or `items[2].length`. */
  field: string;
  /** Stable rule code. */
  code: string;
  severity: FindingSeverity;
  zh: string;
  en: string;
  /** Extra facts for the UI, e.g. the source department of a duplicated element. */
  detail?: Record<string, unknown>;
}

/** Where a data element's source department catalogs it, so the UI can point there. */
export interface ElementSource {
  deptName: string;
  entryId?: string | null;
  entryName?: string | null;
  resourceCode?: string | null;
}

export interface ComplianceContext {
  /** The cataloguing department. */
  deptId: string;
  /** Information systems registered by the department (数据—系统 relation). */
  systemIds: ReadonlySet<string>;
  /** Domain codes configured on the platform. */
  domainCodes: ReadonlySet<string>;
  /** 主题 items beyond the 12 of the guideline, as `2` + item code, e.g. `213`. */
  extraTopicItems?: ReadonlySet<string>;
  /** Data element registry for 一数一源. */
  elements?: DataElementIndex<DataElement>;
  /** Source catalog entry per element code. */
  elementSources?: ReadonlyMap<string, ElementSource>;
}

/** Formats whose data is structured: items need a data type and a length. */
const STRUCTURED_FORMATS = new Set(['2', '3']);
/** Formats for which the entry must list its items. */
const ITEM_LIST_FORMATS = new Set(['2', '3', '6', '7']);
/** Types with an implied size: a length is not required for them. */
const FIXED_SIZE_TYPES = new Set(['D', 'T', 'L']);
/**
 * What shows a basis cites a law, regulation or central policy: a title in 《》, a named law or an
 * article of one, a 条例, or a central body. Bare words such as 法律/法规/规定 cite nothing
 * ("存在法律风险", "内部规定") and are not enough.
 */
const LEGAL_BASIS = /《[^》]+》|中华人民共和国[\u4e00-\u9fa5]+法|(?:法|条例|规定|办法)\s*第|条例|国务院|党中央|中共中央|中办|国办/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const blank = (v: unknown) => v == null || (typeof v === 'string' && v.trim() === '');

export function checkCatalogCompliance(m: CatalogMetadata, ctx: ComplianceContext): ComplianceFinding[] {
  const out: ComplianceFinding[] = [];
  const error = (field: string, code: string, zh: string, en: string, detail?: Record<string, unknown>) =>
    out.push({ field, code, severity: 'error', zh, en, ...(detail ? { detail } : {}) });
  const warning = (field: string, code: string, zh: string, en: string, detail?: Record<string, unknown>) =>
    out.push({ field, code, severity: 'warning', zh, en, ...(detail ? { detail } : {}) });
  const required = (field: string, value: unknown, zhName: string) => {
    if (blank(value)) error(field, 'REQUIRED', `${zhName}为必填项`, `${field} is required`);
    return !blank(value);
  };

  // Classification 类/项/目/细目
  const c = m.classification ?? {};
  const hasClass = required('classification.classCode', c.classCode, '信息资源分类（类）');
  const hasItem = required('classification.itemCode', c.itemCode, '信息资源分类（项）');
  const hasCategory = required('classification.categoryCode', c.categoryCode, '信息资源分类（目）');
  if (hasClass && hasItem && hasCategory) {
    const check = validateClassification({ classCode: c.classCode as never, itemCode: c.itemCode!, categoryCode: c.categoryCode!, subCategoryCode: c.subCategoryCode });
    if (!check.valid) error('classification', 'CLASSIFICATION_INVALID', check.reason, 'The classification is not valid');
    else if (c.classCode === '2' && Number(c.itemCode) > 12 && !ctx.extraTopicItems?.has(`2${c.itemCode}`))
      error('classification.itemCode', 'TOPIC_ITEM_UNREGISTERED', `主题项"${c.itemCode}"尚未登记，请由数据管理员先扩充主题目录`, `Topic item ${c.itemCode} is not registered`);
  }

  required('name', m.name, '信息资源名称');
  required('abstract', m.abstract, '信息资源摘要');

  // Format 格式分类/类型
  const format = m.format ?? {};
  if (required('format.classCode', format.classCode, '信息资源格式分类')) {
    if (!isCodeOf(FORMAT_CLASSES, format.classCode)) error('format.classCode', 'ENUM_INVALID', `信息资源格式分类"${format.classCode}"不在标准取值内`, 'Unknown format class');
    else if (required('format.type', format.type, '信息资源格式类型') && !isValidFormatType(format.classCode!, format.type))
      error('format.type', 'FORMAT_TYPE_INVALID', `格式类型"${format.type}"不属于"${labelOf(FORMAT_CLASSES, format.classCode)}"`, 'Format type does not belong to the format class');
  }

  checkItems(m, ctx, error, warning);
  checkShareAndOpen(m, error);

  if (required('updateCycle', m.updateCycle, '更新周期') && !isCodeOf(UPDATE_CYCLES, m.updateCycle))
    error('updateCycle', 'ENUM_INVALID', `更新周期"${m.updateCycle}"不在标准取值内`, 'Unknown update cycle');
  if (!blank(m.publishDate) && (!ISO_DATE.test(m.publishDate!) || Number.isNaN(Date.parse(m.publishDate!))))
    error('publishDate', 'DATE_INVALID', `发布日期"${m.publishDate}"应为 CCYY-MM-DD 格式`, 'Publish date must be CCYY-MM-DD');
  (m.relatedResourceCodes ?? []).forEach((code, i) => {
    const check = validateResourceCode(code);
    if (!check.valid) error(`relatedResourceCodes[${i}]`, 'RESOURCE_CODE_INVALID', `关联资源代码无效：${check.reason}`, `Related resource code is invalid: ${code}`);
  });

  if (required('securityGrade', m.securityGrade, '数据分级') && !isCodeOf(SECURITY_GRADES, m.securityGrade))
    error('securityGrade', 'ENUM_INVALID', `数据分级"${m.securityGrade}"应为 L1–L4`, 'Security grade must be L1–L4');
  if (!blank(m.nationalLevel) && !isCodeOf(NATIONAL_DATA_LEVELS, m.nationalLevel))
    error('nationalLevel', 'ENUM_INVALID', `国家数据分级"${m.nationalLevel}"应为一般/重要/核心数据`, 'Unknown national data level');
  if (required('domainCode', m.domainCode, '数据领域') && !ctx.domainCodes.has(m.domainCode!))
    error('domainCode', 'DOMAIN_UNKNOWN', `数据领域"${m.domainCode}"未配置`, 'Unknown domain');
  if (required('systemId', m.systemId, '来源政务信息系统') && !ctx.systemIds.has(m.systemId!))
    error('systemId', 'SYSTEM_UNREGISTERED', '来源政务信息系统未在本部门登记（数据—系统关联）', 'The source information system is not registered by this department');
  return out;
}

type Report = (field: string, code: string, zh: string, en: string, detail?: Record<string, unknown>) => void;

function checkItems(m: CatalogMetadata, ctx: ComplianceContext, error: Report, warning: Report): void {
  const items = m.items ?? [];
  const formatClass = m.format?.classCode ?? '';
  if (items.length === 0 && ITEM_LIST_FORMATS.has(formatClass)) {
    error('items', 'ITEMS_REQUIRED', '结构化资源至少应有一个信息项', 'A structured resource needs at least one data item');
    return;
  }
  const seen = new Map<string, number>();
  items.forEach((item: DataItem, i) => {
    const at = `items[${i}]`;
    const label = item.name?.trim() ? `信息项"${item.name}"` : `第 ${i + 1} 个信息项`;
    if (blank(item.name)) error(`${at}.name`, 'REQUIRED', `${label}缺少名称`, 'Item name is required');
    else {
      const key = item.name.trim();
      if (seen.has(key)) error(`${at}.name`, 'ITEM_DUPLICATE', `${label}与第 ${seen.get(key)! + 1} 个信息项重名`, 'Duplicate item name');
      else seen.set(key, i);
    }
    if (!blank(item.dataType) && !isCodeOf(DATA_ITEM_TYPES, item.dataType))
      error(`${at}.dataType`, 'ENUM_INVALID', `${label}的数据类型"${item.dataType}"应为 C/N/Y/D/T/L/M/G/B/I/F 之一`, 'Unknown data type');
    if (STRUCTURED_FORMATS.has(formatClass)) {
      if (blank(item.dataType)) error(`${at}.dataType`, 'REQUIRED', `结构化资源的${label}须标明数据类型`, 'Structured resources need a data type per item');
      else if (!FIXED_SIZE_TYPES.has(item.dataType!) && !(Number.isInteger(item.length) && item.length! > 0))
        error(`${at}.length`, 'ITEM_LENGTH_REQUIRED', `结构化资源的${label}须标明数据长度（正整数）`, 'Structured resources need a positive length per item');
    }
    if (!blank(item.masking) && !isMaskKind(item.masking)) error(`${at}.masking`, 'ENUM_INVALID', `${label}的脱敏方式"${item.masking}"无效`, 'Unknown masking kind');
  });
  if (!ctx.elements) return;
  items.forEach((item, i) => {
    if (blank(item.name)) return;
    if (item.dataElementCode && !ctx.elements!.byElementCode(item.dataElementCode))
      error(`items[${i}].dataElementCode`, 'DATA_ELEMENT_UNKNOWN', `数据元"${item.dataElementCode}"未登记`, 'Unknown data element');
    const element = ctx.elements!.match(item);
    if (!element || element.sourceDeptId == null || element.sourceDeptId === ctx.deptId) return;
    const source = ctx.elementSources?.get(element.code);
    const where = source ? `${source.deptName}${source.entryName ? `的目录"${source.entryName}"${source.resourceCode ? `（${source.resourceCode}）` : ''}` : ''}` : '数源部门';
    const detail = { elementCode: element.code, elementName: element.name, sourceDeptId: element.sourceDeptId, ...source };
    const zh = `信息项"${item.name}"对应数据元"${element.name}"，其数源部门为${source?.deptName ?? '其他部门'}，属于重复采集；请向${where}申请共享`;
    const en = `Item "${item.name}" is data element ${element.code}, whose source is another department: request it instead of collecting it again`;
    if (blank(item.duplicateJustification)) error(`items[${i}]`, 'ONE_SOURCE_DUPLICATE', zh, en, detail);
    else warning(`items[${i}]`, 'ONE_SOURCE_DUPLICATE_JUSTIFIED', `${zh}（已说明理由，提交后由数据管理部门复核）`, `${en} (justified; reviewed by the data bureau)`, detail);
  });
}

function checkShareAndOpen(m: CatalogMetadata, error: Report): void {
  const share = m.share ?? {};
  const open = m.open ?? {};
  if (blank(share.type)) error('share.type', 'REQUIRED', '共享类型为必填项', 'share.type is required');
  else if (!isCodeOf(SHARE_TYPES, share.type)) error('share.type', 'ENUM_INVALID', `共享类型"${share.type}"应为无条件共享、有条件共享或不予共享`, 'Unknown share type');
  else if (share.type === 'CONDITIONAL' && blank(share.condition))
    error('share.condition', 'SHARE_CONDITION_REQUIRED', '有条件共享须注明共享条件和共享范围', 'Conditional sharing needs a condition');
  else if (share.type === 'NOT_SHARED') {
    if (blank(share.basis)) error('share.basis', 'SHARE_BASIS_REQUIRED', '不予共享须注明法律、行政法规或党中央、国务院政策依据', 'Not sharing needs a legal or central-policy basis');
    else if (!LEGAL_BASIS.test(share.basis!))
      error('share.basis', 'SHARE_BASIS_NOT_LEGAL', '不予共享依据须引用法律、行政法规或党中央、国务院政策（如《××法》第×条）', 'The basis must cite a law, regulation or central policy');
  }
  if (share.type !== 'NOT_SHARED') {
    if (blank(share.methodClass)) error('share.methodClass', 'REQUIRED', '共享方式分类为必填项', 'share.methodClass is required');
    else if (!isCodeOf(SHARE_METHOD_CLASSES, share.methodClass)) error('share.methodClass', 'ENUM_INVALID', `共享方式分类"${share.methodClass}"不在标准取值内`, 'Unknown share method class');
    else if (share.methodClass === 'PLATFORM') {
      if (blank(share.methodType)) error('share.methodType', 'REQUIRED', '选择共享平台方式时须填写共享方式类型（数据库/接口/文件）', 'share.methodType is required for the platform method');
      else if (!isCodeOf(PLATFORM_METHOD_TYPES, share.methodType)) error('share.methodType', 'ENUM_INVALID', `共享方式类型"${share.methodType}"应为数据库、接口或文件`, 'Unknown share method type');
      else if (m.format?.classCode && isCodeOf(FORMAT_CLASSES, m.format.classCode) && !isPlatformMethodCompatible(m.format.classCode, share.methodType!)) {
        const allowed = platformMethodTypesFor(m.format.classCode).map((t) => labelOf(PLATFORM_METHOD_TYPES, t)).join('或');
        error('share.methodType', 'SHARE_METHOD_FORMAT_MISMATCH', `共享方式类型须与资源格式一致：${labelOf(FORMAT_CLASSES, m.format.classCode)}类资源只能以${allowed}方式共享`, 'The share method type does not match the resource format');
      }
    }
  }

  if (blank(open.type)) {
    error('open.type', 'REQUIRED', '开放属性为必填项', 'open.type is required');
    return;
  }
  if (!isCodeOf(OPEN_TYPES, open.type)) {
    error('open.type', 'ENUM_INVALID', `开放类型"${open.type}"应为无条件开放、有条件开放或不予开放`, 'Unknown open type');
    return;
  }
  if (open.type === 'CONDITIONAL' && blank(open.condition)) error('open.condition', 'OPEN_CONDITION_REQUIRED', '有条件开放须注明开放条件', 'Conditional opening needs a condition');
  if (open.type !== 'NOT_OPEN' && share.type === 'NOT_SHARED')
    error('open.type', 'OPEN_WIDER_THAN_SHARE', '不予共享的资源不能向社会开放', 'A resource that is not shared with departments cannot be opened to the public');
  const grade = m.securityGrade;
  if (grade === 'L4' && open.type !== 'NOT_OPEN')
    error('open.type', 'OPEN_EXCEEDS_GRADE', 'L4（敏感）数据不得向社会开放', 'L4 data is never opened');
  if ((grade === 'L2' || grade === 'L3') && open.type === 'UNCONDITIONAL')
    error('open.type', 'OPEN_EXCEEDS_GRADE', `${grade}（${labelOf(SECURITY_GRADES, grade)}）数据只能有条件开放（受限开放）`, `${grade} data may only be opened under conditions`);
  if ((grade === 'L2' || grade === 'L3') && open.type === 'CONDITIONAL')
    (m.items ?? []).forEach((item, i) => {
      if (item.personal && blank(item.masking))
        error(`items[${i}].masking`, 'PERSONAL_ITEM_UNMASKED', `${grade} 数据有条件开放时，个人信息项"${item.name}"须指定脱敏方式`, 'Personal items must be masked when L2/L3 data is opened');
    });
}

export const hasBlockingFindings = (findings: readonly ComplianceFinding[]) => findings.some((f) => f.severity === 'error');
