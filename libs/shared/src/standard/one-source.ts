/**
 * 一数一源: each data element has one source department (数源部门). Pure checks over a registry of
 * data elements and the items a department is cataloguing.
 */
import {
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  SimilarityWeights,
  normalizeText,
  resourceSimilarity,
} from './similarity';

/** A data element (数据元) without its source department. */
export interface DataElementDefinition {
  code: string;
  name: string;
  aliases: readonly string[];
}

/** A registered data element; sourceDeptId is null while no 数源部门 has been designated. */
export interface DataElement extends DataElementDefinition {
  sourceDeptId: string | null;
}

/** A data item (信息项) being catalogued. */
export interface CataloguedItem {
  name: string;
  /** Set when the cataloguer picked the element explicitly; takes precedence over name matching. */
  dataElementCode?: string | null;
}

export interface OneSourceFinding {
  itemName: string;
  elementCode: string;
  elementName: string;
  sourceDeptId: string;
}

/** Common elements to seed the registry; departments are assigned per deployment. */
export const DEFAULT_DATA_ELEMENTS: readonly DataElementDefinition[] = [
  { code: 'USCC', name: '统一社会信用代码', aliases: ['社会信用代码', '信用代码'] },
  { code: 'ENTERPRISE_NAME', name: '企业名称', aliases: ['企业(机构)名称', '市场主体名称', '单位名称'] },
  { code: 'LEGAL_REPRESENTATIVE', name: '法定代表人', aliases: ['法定代表人姓名', '法人代表'] },
  { code: 'CITIZEN_ID_NUMBER', name: '公民身份号码', aliases: ['身份证号', '身份证号码', '居民身份证号码', '公民身份证号码'] },
  { code: 'PERSON_NAME', name: '姓名', aliases: ['人员姓名', '自然人姓名'] },
  { code: 'REAL_ESTATE_UNIT_NUMBER', name: '不动产单元号', aliases: ['不动产单元代码', '不动产单元编号'] },
];

/** Lookup of elements by code and by normalised name or alias. */
export class DataElementIndex<E extends DataElementDefinition = DataElement> {
  private readonly byCode = new Map<string, E>();
  private readonly byName = new Map<string, E>();

  /** When two elements claim the same name or alias, the first one in the registry keeps it. */
  constructor(registry: readonly E[]) {
    for (const element of registry) {
      if (!this.byCode.has(element.code)) this.byCode.set(element.code, element);
      for (const name of [element.name, ...element.aliases]) {
        const key = normalizeText(name);
        if (key !== '' && !this.byName.has(key)) this.byName.set(key, element);
      }
    }
  }

  byElementCode(code: string): E | undefined {
    return this.byCode.get(code);
  }

  byItemName(name: string): E | undefined {
    return this.byName.get(normalizeText(name));
  }

  /** The explicit code if it is registered, else the name or alias match. */
  match(item: CataloguedItem): E | undefined {
    const explicit = item.dataElementCode ? this.byCode.get(item.dataElementCode) : undefined;
    return explicit ?? this.byItemName(item.name);
  }
}

/**
 * Items of `cataloguingDeptId` that are data elements another department is the source of:
 * the department should reference that source instead of collecting the data again.
 */
export function findOneSourceConflicts(
  registry: readonly DataElement[] | DataElementIndex<DataElement>,
  cataloguingDeptId: string,
  items: readonly CataloguedItem[],
): OneSourceFinding[] {
  const index = registry instanceof DataElementIndex ? registry : new DataElementIndex(registry);
  const findings: OneSourceFinding[] = [];
  for (const item of items) {
    const element = index.match(item);
    if (!element || element.sourceDeptId == null || element.sourceDeptId === cataloguingDeptId) continue;
    findings.push({ itemName: item.name, elementCode: element.code, elementName: element.name, sourceDeptId: element.sourceDeptId });
  }
  return findings;
}

/** A catalogue entry as compared for near duplicates. */
export interface CatalogueEntry {
  id: string;
  deptId: string;
  name: string;
  itemNames?: readonly string[];
}

export interface NearDuplicatePair {
  candidateId: string;
  otherId: string;
  otherDeptId: string;
  otherName: string;
  score: number;
  nameScore: number;
  itemScore: number | null;
}

export interface NearDuplicateOptions {
  /** Item names matching the same element (by name or alias) count as the same item. */
  elements?: readonly DataElementDefinition[];
  weights?: SimilarityWeights;
}

/**
 * Entries of other departments whose similarity to `candidate` is at least `threshold`, best
 * first. Same-department entries are skipped: overlap within one department is not a 一数一源 issue.
 */
export function findNearDuplicates(
  candidate: CatalogueEntry,
  others: readonly CatalogueEntry[],
  threshold: number = DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  options: NearDuplicateOptions = {},
): NearDuplicatePair[] {
  const index = options.elements ? new DataElementIndex(options.elements) : undefined;
  // The prefix keeps an element key from colliding with an item that happens to be named like a code.
  const canonicalizeItem = index
    ? (name: string) => {
        const element = index.byItemName(name);
        return element ? `element:${element.code}` : name;
      }
    : undefined;
  const pairs: NearDuplicatePair[] = [];
  for (const other of others) {
    if (other.id === candidate.id || other.deptId === candidate.deptId) continue;
    const { score, nameScore, itemScore } = resourceSimilarity(candidate, other, { weights: options.weights, canonicalizeItem });
    if (score >= threshold) {
      pairs.push({ candidateId: candidate.id, otherId: other.id, otherDeptId: other.deptId, otherName: other.name, score, nameScore, itemScore });
    }
  }
  return pairs.sort((x, y) => y.score - x.score || x.otherId.localeCompare(y.otherId));
}
