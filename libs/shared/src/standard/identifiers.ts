/**
 * Validators for Chinese identifiers. Each returns `{ valid: true }` or `{ valid: false, reason }`
 * with a Chinese reason. Validators are strict (no trimming, upper-case only); call the
 * `normalize…` helpers first when accepting user input.
 */
import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { VALID, ValidationResult, invalid } from './validation-result';

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码 (GB 32100-2015)

/** 31 characters (no I O S V Z); a character's value is its index. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_REGEX = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
/** Wi = 3^(i−1) mod 31 */
export const USCC_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Legal 登记管理部门代码 + 机构类别代码 pairs (first two characters). */
export const USCC_PREFIXES: readonly string[] = [
  // 54 is not in the published list but is in use (real Beijing registrations pass both check characters).
  '11', '12', '13', '19', '21', '29', '31', '32', '33', '34', '35', '39', '41', '49', '51', '52', '53', '54', '59',
  '61', '62', '69', '71', '72', '79', '81', '89', '91', '92', '93', 'A1', 'A9', 'N1', 'N2', 'N3', 'N9', 'Y1',
];

/** 组织机构代码 (GB 11714) check weights for its 8 body characters. */
export const ORGANIZATION_CODE_WEIGHTS: readonly number[] = [3, 7, 9, 10, 5, 8, 4, 2];

export interface UsccValidationOptions {
  /** Also verify the GB 11714 check digit of the embedded 组织机构代码 (positions 9–17). Default true. */
  checkOrganizationCode?: boolean;
}

/** The 18th character for the first 17 (which must already be USCC characters); C18 = 31 − (Σ ci·Wi mod 31), with 31 → 0. */
export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

/** The 9th character of a 组织机构代码; digits are 0–9 and letters A=10 … Z=35; 10 → X, 11 → 0. */
export function organizationCodeCheckChar(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(first8[i], 36) * ORGANIZATION_CODE_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function normalizeUscc(value: string): string {
  return value.trim().toUpperCase();
}

export function validateUscc(value: unknown, options: UsccValidationOptions = {}): ValidationResult {
  if (typeof value !== 'string') return invalid('统一社会信用代码必须是字符串');
  if (value === '') return invalid('统一社会信用代码不能为空');
  if (value.length !== 18) return invalid(`统一社会信用代码应为 18 位，实际为 ${value.length} 位`);
  for (let i = 0; i < 18; i++) {
    const ch = value[i];
    if (i >= 2 && i <= 7) {
      if (!/\d/.test(ch)) return invalid(`统一社会信用代码第 ${i + 1} 位"${ch}"应为数字（登记机关行政区划码）`);
    } else if (!USCC_CHARSET.includes(ch)) {
      return invalid(`统一社会信用代码第 ${i + 1} 位含有非法字符"${ch}"（只允许数字和除 I、O、S、V、Z 外的大写字母）`);
    }
  }
  const prefix = value.slice(0, 2);
  if (!USCC_PREFIXES.includes(prefix)) {
    return invalid(`统一社会信用代码前两位"${prefix}"不是有效的登记管理部门和机构类别代码`);
  }
  if (options.checkOrganizationCode ?? true) {
    const expectedOrg = organizationCodeCheckChar(value.slice(8, 16));
    if (value[16] !== expectedOrg) {
      return invalid(`统一社会信用代码第 9–17 位的组织机构代码校验位错误，第 17 位应为"${expectedOrg}"`);
    }
  }
  const expected = usccCheckChar(value.slice(0, 17));
  if (value[17] !== expected) return invalid(`统一社会信用代码校验码错误，第 18 位应为"${expected}"`);
  return VALID;
}

export function isUscc(value: unknown, options?: UsccValidationOptions): boolean {
  return validateUscc(value, options).valid;
}

// ---------------------------------------------------------------------------------------------
// 公民身份号码 (GB 11643-1999)

export const ID_NUMBER_WEIGHTS: readonly number[] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** ISO 7064 MOD 11-2: Σ mod 11 = 0…10 maps to these characters. */
const ID_NUMBER_CHECK_CHARS = '10X98765432';
/** Earliest birth year accepted; anything earlier is a typo, not a person. */
export const ID_NUMBER_MIN_BIRTH_YEAR = 1800;

export interface IdNumberValidationOptions {
  /** Reference instant for "birth date is not in the future"; default now. Compared in Asia/Shanghai. */
  now?: Date;
}

export interface ChineseIdNumberInfo {
  /** 6-digit 地址码 */
  regionCode: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** 顺序码 odd = male, even = female */
  gender: 'MALE' | 'FEMALE';
}

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_NUMBER_WEIGHTS[i];
  return ID_NUMBER_CHECK_CHARS[sum % 11];
}

export function normalizeChineseIdNumber(value: string): string {
  return value.trim().toUpperCase();
}

export function validateChineseIdNumber(value: unknown, options: IdNumberValidationOptions = {}): ValidationResult {
  if (typeof value !== 'string') return invalid('身份证号码必须是字符串');
  if (value === '') return invalid('身份证号码不能为空');
  if (value.length !== 18) return invalid(`身份证号码应为 18 位，实际为 ${value.length} 位`);
  if (!/^\d{17}[\dX]$/.test(value)) return invalid('身份证号码前 17 位应为数字，第 18 位应为数字或大写 X');
  const birth = value.slice(6, 14);
  const year = Number(birth.slice(0, 4));
  const month = Number(birth.slice(4, 6));
  const day = Number(birth.slice(6, 8));
  if (!isRealDate(year, month, day)) return invalid(`身份证号码中的出生日期"${birth}"不是有效日期`);
  if (year < ID_NUMBER_MIN_BIRTH_YEAR) return invalid(`身份证号码中的出生日期"${birth}"早于 ${ID_NUMBER_MIN_BIRTH_YEAR} 年`);
  const today = shanghaiDateDigits(options.now ?? new Date());
  if (birth > today) return invalid(`身份证号码中的出生日期"${birth}"晚于当前日期`);
  const expected = idNumberCheckChar(value.slice(0, 17));
  if (value[17] !== expected) return invalid(`身份证号码校验码错误，第 18 位应为"${expected}"`);
  return VALID;
}

export function isChineseIdNumber(value: unknown, options?: IdNumberValidationOptions): boolean {
  // The sensitive-data scan asks this of every 18-character value of a column (codes, order
  // numbers…): refuse what is plainly no ID number before the validator's slices and Dates.
  if (typeof value !== 'string' || !mayBeIdNumber(value)) return false;
  return validateChineseIdNumber(value, options).valid;
}

/**
 * False only for values `validateChineseIdNumber` refuses: not 17 digits and a digit or X, a birth
 * month or day no calendar has, a birth year before ID_NUMBER_MIN_BIRTH_YEAR. No allocation.
 */
function mayBeIdNumber(value: string): boolean {
  if (value.length !== 18) return false;
  let birth = 0;
  for (let i = 0; i < 17; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (i >= 6 && i < 14) birth = birth * 10 + d;
  }
  const last = value.charCodeAt(17);
  if ((last < 48 || last > 57) && last !== 88) return false;
  const month = ((birth / 100) | 0) % 100;
  const day = birth % 100;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && ((birth / 10000) | 0) >= ID_NUMBER_MIN_BIRTH_YEAR;
}

/** Region, birth date and gender of a valid number; null when the number is invalid. */
export function chineseIdNumberInfo(value: string, options?: IdNumberValidationOptions): ChineseIdNumberInfo | null {
  if (!validateChineseIdNumber(value, options).valid) return null;
  return {
    regionCode: value.slice(0, 6),
    birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
    gender: Number(value[16]) % 2 === 1 ? 'MALE' : 'FEMALE',
  };
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** YYYYMMDD of the instant's calendar date in Asia/Shanghai (UTC+8, no daylight saving). */
function shanghaiDateDigits(instant: Date): string {
  return new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
}

// ---------------------------------------------------------------------------------------------
// 手机号 and 银行卡

/** Mainland mobile number, optionally prefixed 0 / 86 / +86 (convention, not a national standard). */
export const MOBILE_REGEX = /^(?:0|86|\+86)?1[3-9]\d{9}$/;

export function validateMobile(value: unknown): ValidationResult {
  if (typeof value !== 'string') return invalid('手机号码必须是字符串');
  if (value === '') return invalid('手机号码不能为空');
  return MOBILE_REGEX.test(value) ? VALID : invalid(`手机号码"${value}"格式不正确`);
}

export function isMobile(value: unknown): boolean {
  return validateMobile(value).valid;
}

/** Luhn (MOD 10) over a string of digits; false for anything that is not all digits. */
export function luhnCheck(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card numbers (PAN) are 12–19 digits (ISO/IEC 7812) and pass Luhn. */
export function validateBankCardNumber(value: unknown): ValidationResult {
  if (typeof value !== 'string') return invalid('银行卡号必须是字符串');
  if (value === '') return invalid('银行卡号不能为空');
  if (!/^\d+$/.test(value)) return invalid('银行卡号只能包含数字');
  if (value.length < 12 || value.length > 19) return invalid(`银行卡号应为 12–19 位，实际为 ${value.length} 位`);
  return luhnCheck(value) ? VALID : invalid('银行卡号校验位错误（Luhn）');
}

export function isBankCardNumber(value: unknown): boolean {
  return validateBankCardNumber(value).valid;
}

// ---------------------------------------------------------------------------------------------
// class-validator decorators

/** Constraint names, for translation tables keyed by constraint. */
export const IS_USCC = 'isUscc';
export const IS_CHINESE_ID_NUMBER = 'isChineseIdNumber';

function reasonOf(result: ValidationResult): string {
  return result.valid ? '' : result.reason;
}

/** A valid 统一社会信用代码, embedded organisation-code check included. */
export function IsUscc(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_USCC,
      validator: {
        validate: (value: unknown) => isUscc(value),
        defaultMessage: buildMessage(
          (each, args) => `${each}$property must be a valid unified social credit code: ${reasonOf(validateUscc(args?.value))}`,
          validationOptions,
        ),
      },
    },
    validationOptions,
  );
}

/** A valid 18-digit 公民身份号码 whose birth date is real and not in the future. */
export function IsChineseIdNumber(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_CHINESE_ID_NUMBER,
      validator: {
        validate: (value: unknown) => isChineseIdNumber(value),
        defaultMessage: buildMessage(
          (each, args) => `${each}$property must be a valid resident identity card number: ${reasonOf(validateChineseIdNumber(args?.value))}`,
          validationOptions,
        ),
      },
    },
    validationOptions,
  );
}
