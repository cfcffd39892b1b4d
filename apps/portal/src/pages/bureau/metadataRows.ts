import type { CatalogMetadata } from '../../api/types';
import {
  DATA_DOMAINS,
  DATA_ITEM_TYPES,
  FORMAT_CLASSES,
  NATIONAL_DATA_LEVELS,
  OPEN_TYPES,
  PLATFORM_METHOD_TYPES,
  RESOURCE_CLASSES,
  RESOURCE_ITEMS,
  SECURITY_GRADES,
  SHARE_METHOD_CLASSES,
  SHARE_TYPES,
  UPDATE_CYCLES,
  label,
} from '../../standard';

export interface MetadataRow {
  path: string;
  label: string;
  value: string;
}

/** The metadata as reviewable rows, one per field path (the paths review comments are keyed by). */
export function metadataRows(m: CatalogMetadata, systemName?: (id: string) => string | undefined): MetadataRow[] {
  const c = m.classification ?? {};
  const rows: MetadataRow[] = [
    {
      path: 'classification',
      label: '信息资源分类',
      value: [label(RESOURCE_CLASSES, c.classCode), c.classCode && c.itemCode ? label(RESOURCE_ITEMS[c.classCode as '1'] ?? [], c.itemCode) : c.itemCode, c.categoryCode, c.subCategoryCode]
        .filter(Boolean)
        .join(' / '),
    },
    { path: 'name', label: '信息资源名称', value: m.name ?? '' },
    { path: 'abstract', label: '信息资源摘要', value: m.abstract ?? '' },
    { path: 'format', label: '信息资源格式', value: `${label(FORMAT_CLASSES, m.format?.classCode)} · ${m.format?.type ?? '—'}` },
    ...(m.items ?? []).map((it, i) => ({
      path: `items[${i}]`,
      label: `信息项 ${i + 1}`,
      value: `${it.name} · ${label(DATA_ITEM_TYPES, it.dataType)}${it.length ? `(${it.length})` : ''}${it.personal ? ' · 个人信息' : ''}${it.masking ? ` · 脱敏 ${it.masking}` : ''}`,
    })),
    { path: 'share.type', label: '共享类型', value: label(SHARE_TYPES, m.share?.type) },
    ...(m.share?.condition ? [{ path: 'share.condition', label: '共享条件', value: m.share.condition }] : []),
    ...(m.share?.basis ? [{ path: 'share.basis', label: '不予共享依据', value: m.share.basis }] : []),
    { path: 'share.methodType', label: '共享方式', value: `${label(SHARE_METHOD_CLASSES, m.share?.methodClass)} · ${label(PLATFORM_METHOD_TYPES, m.share?.methodType)}` },
    { path: 'open.type', label: '开放类型', value: label(OPEN_TYPES, m.open?.type) },
    ...(m.open?.condition ? [{ path: 'open.condition', label: '开放条件', value: m.open.condition }] : []),
    ...(m.open?.basis ? [{ path: 'open.basis', label: '不予开放依据及理由', value: m.open.basis }] : []),
    { path: 'updateCycle', label: '更新周期', value: label(UPDATE_CYCLES, m.updateCycle) },
    { path: 'securityGrade', label: '数据分级', value: `${m.securityGrade ?? '—'} ${label(SECURITY_GRADES, m.securityGrade)}${m.nationalLevel ? ` · ${label(NATIONAL_DATA_LEVELS, m.nationalLevel)}` : ''}` },
    { path: 'domainCode', label: '数据领域', value: label(DATA_DOMAINS, m.domainCode) },
    { path: 'systemId', label: '来源信息系统', value: (m.systemId && systemName?.(m.systemId)) ?? m.systemId ?? '—' },
    { path: 'relatedResourceCodes', label: '关联资源代码', value: (m.relatedResourceCodes ?? []).join('、') || '—' },
    { path: 'tags', label: '标签', value: (m.tags ?? []).join('、') || '—' },
  ];
  return rows;
}
