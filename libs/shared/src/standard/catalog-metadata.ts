/**
 * 政务信息资源目录核心元数据 (目录编制指南) as one plain shape, shared by the catalog (which edits
 * it), the events that carry it and the services that build read models from it.
 * Every field is optional here because a draft may be incomplete; `checkCatalogCompliance`
 * says what is missing.
 */
import type { DataItemTypeCode, FormatClassCode, OpenType, PlatformMethodType, ResourceClassCode, SecurityGrade, ShareMethodClass, ShareType, UpdateCycle, NationalDataLevel } from './enums';
import type { MaskKind } from './masking';

export interface EntryClassification {
  /** 类 */
  classCode?: ResourceClassCode | string;
  /** 项 */
  itemCode?: string;
  /** 目 */
  categoryCode?: string;
  /** 细目 */
  subCategoryCode?: string;
}

/** 信息项 */
export interface DataItem {
  /** 信息项名称 */
  name: string;
  /** 数据类型 C/N/Y/D/T/L/M/G/B/I/F */
  dataType?: DataItemTypeCode | string;
  /** 数据长度 (bytes; required for structured formats except fixed-size types) */
  length?: number | null;
  description?: string | null;
  /** 是否个人信息 */
  personal?: boolean;
  /** 数据元 code in the data element registry (一数一源); matched by name when absent. */
  dataElementCode?: string | null;
  /** How the item is masked when the entry is opened under conditions (L2/L3). */
  masking?: MaskKind | null;
  /** Why this department collects an element another department is the source of. */
  duplicateJustification?: string | null;
}

/** 共享属性 */
export interface ShareAttribute {
  /** 共享类型 */
  type?: ShareType | string;
  /** 共享条件 (有条件共享) */
  condition?: string | null;
  /** 不予共享依据: the law, regulation or central policy */
  basis?: string | null;
  /** 共享方式分类 */
  methodClass?: ShareMethodClass | string;
  /** 共享方式类型 (共享平台方式) */
  methodType?: PlatformMethodType | string | null;
}

/** 开放属性 */
export interface OpenAttribute {
  /** 开放类型 */
  type?: OpenType | string;
  /** 开放条件 (有条件开放) */
  condition?: string | null;
  /** 不予开放依据及理由 */
  basis?: string | null;
}

export interface CatalogMetadata {
  /** 信息资源分类 */
  classification?: EntryClassification;
  /** 信息资源名称 */
  name?: string;
  /** 信息资源摘要 */
  abstract?: string;
  /** 信息资源格式 */
  format?: { classCode?: FormatClassCode | string; type?: string };
  /** 信息项 */
  items?: DataItem[];
  share?: ShareAttribute;
  open?: OpenAttribute;
  /** 更新周期 */
  updateCycle?: UpdateCycle | string;
  /** 发布日期 CCYY-MM-DD; set on approval when empty */
  publishDate?: string | null;
  /** 关联资源代码 */
  relatedResourceCodes?: string[];
  /** 数据分级 L1–L4 */
  securityGrade?: SecurityGrade | string;
  /** GB/T 43697 level as assessed, when stricter than the grade's floor */
  nationalLevel?: NationalDataLevel | string | null;
  /** 数据领域 */
  domainCode?: string;
  /** 来源政务信息系统 */
  systemId?: string | null;
  tags?: string[];
  /** 参考清单 item this entry catalogs */
  referenceItemId?: string | null;
}

/** A published entry as other services see it (events and read models). */
export interface PublishedCatalogEntry {
  entryId: string;
  version: number;
  resourceCode: string;
  deptId: string;
  deptName: string;
  /** 信息资源提供方代码 */
  providerCode: string;
  /** Region of the platform that registered the entry (a district's, for cascaded entries). */
  regionCode: string;
  metadata: CatalogMetadata;
  publishedAt: string;
}
