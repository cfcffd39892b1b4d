/**
 * DCAT-AP (JSON-LD) view of the published catalog. Standard terms carry what has an equivalent;
 * the 目录编制指南 fields without one go under the platform's own `gov:` namespace.
 */
import { CatalogMetadata, FORMAT_CLASSES, labelOf, OPEN_TYPES, SHARE_TYPES, UPDATE_CYCLES } from '@gov/shared';
import type { CascadeExportEntry } from './cascade.format';

/** The platform's vocabulary for metadata DCAT-AP has no term for (a private namespace; URN like the problem types). */
export const GOV_NAMESPACE = 'urn:govdata:vocab:';

export const JSON_LD_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  gov: GOV_NAMESPACE,
} as const;

const EU_FREQUENCY = 'http://publications.europa.eu/resource/authority/frequency/';
const EU_ACCESS_RIGHT = 'http://publications.europa.eu/resource/authority/access-right/';

/** 更新周期 → EU frequency authority (实时 is continuously updated, 每半年 is semiannual). */
export const FREQUENCY_OF: Record<string, string> = {
  REALTIME: 'UPDATE_CONT',
  DAILY: 'DAILY',
  WEEKLY: 'WEEKLY',
  MONTHLY: 'MONTHLY',
  QUARTERLY: 'QUARTERLY',
  HALF_YEARLY: 'ANNUAL_2',
  YEARLY: 'ANNUAL',
  IRREGULAR: 'IRREG',
};

/** 开放类型 → EU access-right authority. */
export const ACCESS_RIGHT_OF: Record<string, string> = {
  UNCONDITIONAL: 'PUBLIC',
  CONDITIONAL: 'RESTRICTED',
  NOT_OPEN: 'NON_PUBLIC',
};

/** Known 格式类型 → IANA media type, for dcat:mediaType. */
const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  xml: 'application/xml',
  html: 'text/html',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  ofd: 'application/ofd',
};

type Node = Record<string, unknown>;

const zh = (value: string) => ({ '@value': value, '@language': 'zh' });
const iri = (id: string) => ({ '@id': id });
const typed = (value: string, type: string) => ({ '@value': value, '@type': type });

/** Drops keys whose value is undefined, null, '' or an empty array. */
function compact(node: Node): Node {
  return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)));
}

const concept = (scheme: string, code: string, label: string | undefined) =>
  compact({ '@id': `gov:${scheme}/${encodeURIComponent(code)}`, '@type': 'skos:Concept', 'skos:notation': code, 'skos:prefLabel': label ? zh(label) : undefined });

export interface DcatCatalogHeader {
  id: string;
  regionCode: string;
  name?: string;
  exportedAt: string;
}

/** The catalog node without its datasets (they are streamed into `dcat:dataset`). */
export function dcatCatalogHeader(h: DcatCatalogHeader): Node {
  const title = `${h.name ?? h.regionCode}政务数据资源目录`;
  return compact({
    '@context': JSON_LD_CONTEXT,
    '@id': h.id,
    '@type': 'dcat:Catalog',
    'dct:title': zh(title),
    'dct:description': zh(`${title}（已发布目录，行政区划 ${h.regionCode}）`),
    'dct:publisher': compact({ '@type': 'foaf:Organization', 'foaf:name': h.name ? zh(h.name) : undefined, 'gov:regionCode': h.regionCode }),
    'dct:spatial': iri(`gov:region/${h.regionCode}`),
    'dct:modified': typed(h.exportedAt, 'xsd:dateTime'),
    'gov:regionCode': h.regionCode,
  });
}

/** One published entry as a dcat:Dataset. `domainLabels` maps 数据领域 codes to labels. */
export function dcatDataset(entry: CascadeExportEntry, opts: { id: string; domainLabels: ReadonlyMap<string, string> }): Node {
  const md: CatalogMetadata = entry.metadata;
  const domainLabel = md.domainCode ? opts.domainLabels.get(md.domainCode) : undefined;
  const frequency = md.updateCycle ? FREQUENCY_OF[md.updateCycle] : undefined;
  const access = md.open?.type ? ACCESS_RIGHT_OF[md.open.type] : undefined;
  const formatClass = md.format?.classCode;
  const mediaType = md.format?.type ? MEDIA_TYPES[md.format.type.trim().toLowerCase()] : undefined;
  const c = md.classification;
  return compact({
    '@id': opts.id,
    '@type': 'dcat:Dataset',
    'dct:identifier': entry.resourceCode,
    'dct:title': zh(md.name ?? ''),
    'dct:description': zh(md.abstract ?? ''),
    'dct:publisher': compact({
      '@type': 'foaf:Organization',
      'foaf:name': zh(entry.provider.name),
      'skos:notation': typed(entry.provider.creditCode, 'gov:USCC'),
      'gov:regionCode': entry.provider.regionCode,
    }),
    'dct:issued': typed(md.publishDate || entry.publishedAt.slice(0, 10), 'xsd:date'),
    'dct:modified': typed(entry.publishedAt, 'xsd:dateTime'),
    'owl:versionInfo': String(entry.version),
    'dct:accrualPeriodicity': frequency ? iri(EU_FREQUENCY + frequency) : undefined,
    'dct:accessRights': access ? iri(EU_ACCESS_RIGHT + access) : undefined,
    'dct:spatial': iri(`gov:region/${entry.sourceRegion}`),
    'dcat:theme': md.domainCode ? concept('domain', md.domainCode, domainLabel) : undefined,
    'dcat:keyword': [...new Set([domainLabel, ...(md.tags ?? [])].filter((k): k is string => !!k))].map(zh),
    'dct:relation': (md.relatedResourceCodes ?? []).map((code) => compact({ 'dct:identifier': code })),
    'dcat:distribution': formatClass
      ? [
          compact({
            '@type': 'dcat:Distribution',
            'dct:format': compact({ ...concept('formatClass', formatClass, labelOf(FORMAT_CLASSES, formatClass)), '@type': ['skos:Concept', 'dct:MediaTypeOrExtent'] }),
            'dcat:mediaType': mediaType ? iri(`https://www.iana.org/assignments/media-types/${mediaType}`) : undefined,
            'dcat:accessURL': iri(opts.id),
            'gov:formatType': md.format?.type,
          }),
        ]
      : undefined,
    // 目录编制指南 fields without a DCAT-AP equivalent
    'gov:sourceRegion': entry.sourceRegion,
    'gov:classification': c
      ? compact({ '@type': 'gov:Classification', 'gov:classCode': c.classCode, 'gov:itemCode': c.itemCode, 'gov:categoryCode': c.categoryCode, 'gov:subCategoryCode': c.subCategoryCode })
      : undefined,
    'gov:shareType': md.share?.type ? concept('shareType', md.share.type, labelOf(SHARE_TYPES, md.share.type)) : undefined,
    'gov:shareCondition': md.share?.condition ? zh(md.share.condition) : undefined,
    'gov:shareBasis': md.share?.basis ? zh(md.share.basis) : undefined,
    'gov:shareMethodClass': md.share?.methodClass,
    'gov:shareMethodType': md.share?.methodType,
    'gov:openType': md.open?.type ? concept('openType', md.open.type, labelOf(OPEN_TYPES, md.open.type)) : undefined,
    'gov:openCondition': md.open?.condition ? zh(md.open.condition) : undefined,
    'gov:openBasis': md.open?.basis ? zh(md.open.basis) : undefined,
    'gov:updateCycle': md.updateCycle ? concept('updateCycle', md.updateCycle, labelOf(UPDATE_CYCLES, md.updateCycle)) : undefined,
    'gov:securityGrade': md.securityGrade,
    'gov:nationalLevel': md.nationalLevel,
    'gov:dataItem': (md.items ?? []).map((i) =>
      compact({
        '@type': 'gov:DataItem',
        'gov:name': zh(i.name),
        'gov:dataType': i.dataType,
        'gov:length': i.length,
        'gov:description': i.description ? zh(i.description) : undefined,
        'gov:personal': i.personal,
        'gov:dataElementCode': i.dataElementCode,
        'gov:masking': i.masking,
      }),
    ),
  });
}
