/**
 * 信息资源代码 = 分类码（前段码）+ "/" + 顺序码（后段码）.
 * 分类码 = 类 (1 digit) + 项 (2) + 目 (3) + 细目 (any number of digits, optional); 顺序码 is digits of any length.
 * The guideline fixes neither the separator nor the sequence width; we follow the reference
 * implementations ("/") and write new sequences with at least 6 digits, e.g. `101001/000001`.
 */
import { RESOURCE_CLASSES, isCodeOf, isValidResourceItem, ResourceClassCode } from './enums';
import { ValidationResult, invalid } from './validation-result';

export const RESOURCE_CODE_SEPARATOR = '/';
export const SEQUENCE_FORMAT_WIDTH = 6;

/** 信息资源分类 as carried in the code. */
export interface ResourceClassification {
  /** 类 */
  classCode: ResourceClassCode;
  /** 项, 2 digits */
  itemCode: string;
  /** 目, 3 digits */
  categoryCode: string;
  /** 细目, digits of any length; empty or absent when the classification stops at 目 */
  subCategoryCode?: string;
}

export interface ResourceCode {
  classification: ResourceClassification;
  /** 顺序码 exactly as written (not re-padded). */
  sequence: string;
}

export type ResourceCodeValidation = { valid: true; value: ResourceCode } | { valid: false; reason: string };

export class InvalidResourceCodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidResourceCodeError';
  }
}

const DIGITS = /^\d+$/;

export function validateClassification(c: ResourceClassification): ValidationResult {
  if (!isCodeOf(RESOURCE_CLASSES, c.classCode)) {
    return invalid(`类代码"${c.classCode}"无效，应为 1（基础）、2（主题）或 3（部门）`);
  }
  if (!/^\d{2}$/.test(c.itemCode)) return invalid(`项代码"${c.itemCode}"应为 2 位数字`);
  if (!isValidResourceItem(c.classCode, c.itemCode)) {
    return invalid(`项代码"${c.itemCode}"不属于类"${c.classCode}"`);
  }
  if (!/^\d{3}$/.test(c.categoryCode)) return invalid(`目代码"${c.categoryCode}"应为 3 位数字`);
  const sub = c.subCategoryCode ?? '';
  if (sub !== '' && !DIGITS.test(sub)) return invalid(`细目代码"${sub}"只能包含数字`);
  return { valid: true };
}

/** 分类码（前段码）of a classification; throws InvalidResourceCodeError when a part is malformed. */
export function prefixOf(classification: ResourceClassification): string {
  const check = validateClassification(classification);
  if (!check.valid) throw new InvalidResourceCodeError(check.reason);
  const { classCode, itemCode, categoryCode, subCategoryCode } = classification;
  return `${classCode}${itemCode}${categoryCode}${subCategoryCode ?? ''}`;
}

/** Splits a 分类码 into its parts; everything after the first 6 digits is 细目. */
export function parseClassificationPrefix(prefix: string): ResourceClassification | { reason: string } {
  if (prefix === '') return { reason: '分类码不能为空' };
  if (!DIGITS.test(prefix)) return { reason: `分类码"${prefix}"只能包含数字` };
  if (prefix.length < 6) return { reason: `分类码"${prefix}"至少 6 位（类 1 位 + 项 2 位 + 目 3 位）` };
  const classification: ResourceClassification = {
    classCode: prefix[0] as ResourceClassCode,
    itemCode: prefix.slice(1, 3),
    categoryCode: prefix.slice(3, 6),
  };
  if (prefix.length > 6) classification.subCategoryCode = prefix.slice(6);
  const check = validateClassification(classification);
  return check.valid ? classification : { reason: check.reason };
}

export function validateResourceCode(code: string | null | undefined): ResourceCodeValidation {
  if (code == null || code.trim() === '') return invalid('信息资源代码不能为空');
  const parts = code.split(RESOURCE_CODE_SEPARATOR);
  if (parts.length !== 2) return invalid(`信息资源代码"${code}"应为"分类码/顺序码"格式`);
  const [prefix, sequence] = parts;
  const classification = parseClassificationPrefix(prefix);
  if ('reason' in classification) return invalid(classification.reason);
  if (sequence === '') return invalid('顺序码不能为空');
  if (!DIGITS.test(sequence)) return invalid(`顺序码"${sequence}"只能包含数字`);
  return { valid: true, value: { classification, sequence } };
}

export function isValidResourceCode(code: string | null | undefined): boolean {
  return validateResourceCode(code).valid;
}

/** Parses a code; throws InvalidResourceCodeError (with the Chinese reason) when it is invalid. */
export function parseResourceCode(code: string): ResourceCode {
  const result = validateResourceCode(code);
  if (!result.valid) throw new InvalidResourceCodeError(result.reason);
  return result.value;
}

/** Writes `prefix/sequence`, left-padding the sequence to 6 digits (longer sequences are kept). */
export function formatResourceCode(classification: ResourceClassification, sequence: number | string): string {
  const digits = typeof sequence === 'number' ? formatSequenceNumber(sequence) : sequence;
  if (!DIGITS.test(digits)) throw new InvalidResourceCodeError(`顺序码"${digits}"只能包含数字`);
  return `${prefixOf(classification)}${RESOURCE_CODE_SEPARATOR}${digits.padStart(SEQUENCE_FORMAT_WIDTH, '0')}`;
}

/**
 * Canonical spelling of a code: the sequence is a number, so leading zeros are padding and are
 * rewritten to the 6-digit width; `101001/1`, `101001/000001` and `101001/0000001` compare equal.
 */
export function normalizeResourceCode(code: string): string {
  const { classification, sequence } = parseResourceCode(code);
  return formatResourceCode(classification, sequence.replace(/^0+(?=\d)/, ''));
}

function formatSequenceNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidResourceCodeError(`顺序码"${n}"应为非负整数`);
  return String(n);
}
