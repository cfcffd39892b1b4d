/**
 * Similarity of catalogue entries, for 一数一源 near-duplicate detection.
 *
 * Names: Dice coefficient over the character unigrams and bigrams of the normalised name.
 * Bigrams alone keep word order but punish an inserted word hard (企业登记 vs 企业注册登记 = 0.50);
 * adding unigrams tolerates the insertion (0.67) while unrelated names stay near 0.
 * Items: Jaccard over the sets of normalised item names.
 * Combined: weighted mean (name 0.6, items 0.4); names alone when either side has no items.
 * Default threshold 0.6: a name match as close as 企业登记信息/企业注册登记数据 is flagged on its own,
 * while 企业登记/企业注销 (0.43) needs strongly overlapping items to reach it.
 */

/** Generic words that say nothing about the content; dropped from the end of resource names. */
export const GENERIC_NAME_SUFFIXES: readonly string[] = ['数据集', '信息', '数据', '资源', '目录', '清单', '名录', '表', '库'];

export interface SimilarityWeights {
  name: number;
  items: number;
}

export const DEFAULT_SIMILARITY_WEIGHTS: Readonly<SimilarityWeights> = Object.freeze({ name: 0.6, items: 0.4 });
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.6;

/** NFKC (full-width → half-width), lower case, without whitespace, punctuation or symbols. */
export function normalizeText(value: string | null | undefined): string {
  if (!value) return '';
  return value.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

/**
 * `normalizeText`, then generic suffixes stripped repeatedly (企业登记信息表 → 企业登记) as long as
 * at least two characters remain, so a name made only of a generic word is kept.
 */
export function normalizeResourceName(value: string | null | undefined): string {
  let name = normalizeText(value);
  for (let stripped = true; stripped; ) {
    stripped = false;
    for (const suffix of GENERIC_NAME_SUFFIXES) {
      if (name.endsWith(suffix) && Array.from(name).length - Array.from(suffix).length >= 2) {
        name = name.slice(0, name.length - suffix.length);
        stripped = true;
        break;
      }
    }
  }
  return name;
}

/** Distinct character n-grams (by code point). */
export function characterNgrams(text: string, n: number): Set<string> {
  const chars = Array.from(text);
  const grams = new Set<string>();
  for (let i = 0; i + n <= chars.length; i++) grams.add(chars.slice(i, i + n).join(''));
  return grams;
}

/** 2|A∩B| / (|A|+|B|); 0 when both are empty. */
export function diceCoefficient(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size + b.size === 0) return 0;
  return (2 * intersectionSize(a, b)) / (a.size + b.size);
}

/** |A∩B| / |A∪B|; 0 when both are empty. */
export function jaccardIndex(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const common = intersectionSize(a, b);
  const union = a.size + b.size - common;
  return union === 0 ? 0 : common / union;
}

/** Plain character-bigram Dice of two already normalised strings. */
export function bigramDice(a: string, b: string): number {
  return diceCoefficient(characterNgrams(a, 2), characterNgrams(b, 2));
}

/** Similarity of two resource names, 0..1 (see the file comment). */
export function nameSimilarity(a: string, b: string): number {
  const na = normalizeResourceName(a);
  const nb = normalizeResourceName(b);
  if (na === '' || nb === '') return 0;
  if (na === nb) return 1;
  return diceCoefficient(unigramsAndBigrams(na), unigramsAndBigrams(nb));
}

/**
 * Jaccard similarity of two item-name lists after normalisation. `canonicalize` maps a normalised
 * name to a canonical key (e.g. a data-element code, so 身份证号 and 公民身份号码 match).
 */
export function itemSetSimilarity(
  a: readonly string[],
  b: readonly string[],
  canonicalize: (normalizedName: string) => string = (name) => name,
): number {
  return jaccardIndex(itemKeys(a, canonicalize), itemKeys(b, canonicalize));
}

export interface ComparableResource {
  name: string;
  itemNames?: readonly string[];
}

export interface ResourceSimilarity {
  score: number;
  nameScore: number;
  /** null when either side has no items, in which case the score is the name score. */
  itemScore: number | null;
}

export interface ResourceSimilarityOptions {
  weights?: SimilarityWeights;
  canonicalizeItem?: (normalizedName: string) => string;
}

export function resourceSimilarity(a: ComparableResource, b: ComparableResource, options: ResourceSimilarityOptions = {}): ResourceSimilarity {
  const nameScore = nameSimilarity(a.name, b.name);
  const aItems = a.itemNames ?? [];
  const bItems = b.itemNames ?? [];
  if (itemKeys(aItems).size === 0 || itemKeys(bItems).size === 0) return { score: nameScore, nameScore, itemScore: null };
  const itemScore = itemSetSimilarity(aItems, bItems, options.canonicalizeItem);
  const { name, items } = options.weights ?? DEFAULT_SIMILARITY_WEIGHTS;
  const total = name + items;
  const score = total > 0 ? (name * nameScore + items * itemScore) / total : 0;
  return { score, nameScore, itemScore };
}

function unigramsAndBigrams(text: string): Set<string> {
  return new Set([...characterNgrams(text, 1), ...characterNgrams(text, 2)]);
}

function itemKeys(names: readonly string[], canonicalize: (normalizedName: string) => string = (n) => n): Set<string> {
  const keys = new Set<string>();
  for (const name of names) {
    const normalized = normalizeText(name);
    if (normalized !== '') keys.add(canonicalize(normalized));
  }
  return keys;
}

function intersectionSize(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}
