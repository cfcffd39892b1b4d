/**
 * Enumerations of the directory metadata standard, imported from the same source the services
 * validate with (libs/shared/src/standard/enums.ts: pure tables, no Node imports), so the form's
 * drop-downs can never drift from what the server accepts.
 */
import {
  DATA_DOMAINS,
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  FORMAT_TYPES,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
  platformMethodTypesFor,
  type CodeTable,
} from '@standard/enums';

export {
  DATA_DOMAINS,
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  FORMAT_TYPES,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
  platformMethodTypesFor,
};

export function options(table: CodeTable, withCode = false) {
  return table.map((e) => ({ value: e.code, label: withCode ? `${e.code} ${e.label}` : e.label }));
}

export function label(table: CodeTable, code: string | null | undefined): string {
  if (code == null || code === '') return '—';
  return table.find((e) => e.code === code)?.label ?? code;
}

export const ENTRY_STATUS = {
  draft: { label: '草稿', color: 'default' },
  submitted: { label: '待审核', color: 'processing' },
  returned: { label: '已退回', color: 'warning' },
  published: { label: '已发布', color: 'success' },
  retired: { label: '已下架', color: 'default' },
} as const;

export const JOB_STATE = {
  queued: { label: '排队中', color: 'default' },
  running: { label: '处理中', color: 'processing' },
  succeeded: { label: '成功', color: 'success' },
  failed: { label: '失败', color: 'error' },
} as const;

/** Chinese names of the metadata fields, by the paths the compliance check and review comments use. */
export const FIELD_LABELS: Record<string, string> = {
  classification: '信息资源分类',
  'classification.classCode': '类',
  'classification.itemCode': '项',
  'classification.categoryCode': '目',
  'classification.subCategoryCode': '细目',
  name: '信息资源名称',
  abstract: '信息资源摘要',
  format: '信息资源格式',
  'format.classCode': '格式分类',
  'format.type': '格式类型',
  items: '信息项',
  share: '共享属性',
  'share.type': '共享类型',
  'share.condition': '共享条件',
  'share.basis': '不予共享依据',
  'share.methodClass': '共享方式分类',
  'share.methodType': '共享方式类型',
  open: '开放属性',
  'open.type': '开放类型',
  'open.condition': '开放条件',
  'open.basis': '不予开放依据及理由',
  updateCycle: '更新周期',
  publishDate: '发布日期',
  relatedResourceCodes: '关联资源代码',
  securityGrade: '数据分级',
  nationalLevel: '国家数据分级',
  domainCode: '数据领域',
  systemId: '来源信息系统',
  tags: '标签',
};

export function fieldLabel(path: string): string {
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const item = /^items\[(\d+)\](?:\.(\w+))?/.exec(path);
  if (item) {
    const sub: Record<string, string> = { name: '名称', dataType: '数据类型', length: '长度', personal: '个人信息', masking: '脱敏方式', dataElementCode: '数据元', duplicateJustification: '重复采集理由' };
    return `信息项第 ${Number(item[1]) + 1} 项${item[2] ? ` · ${sub[item[2]] ?? item[2]}` : ''}`;
  }
  return path;
}
