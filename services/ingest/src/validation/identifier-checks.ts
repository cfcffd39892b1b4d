/**
 * Per-cell identifier checks for bulk loads.
 *
 * The shared validators (`validateUscc`, `validateChineseIdNumber`) are the authority: they decide
 * every value that is not plainly valid and give the Chinese reason. They cost about 0.7–1.6 µs a call
 * (per-character regexes, `indexOf`, `parseInt`, a Date per call), which alone would hold a load to
 * ~300,000 rows/s with one USCC and one ID column. So each check first runs a fast screen built
 * from the shared constants (charset, weights, prefixes, minimum birth year) and check-character
 * functions (tabulated once at module load), with integer arithmetic on char codes and no
 * allocation. The screen only ever says "valid"; anything it does not accept goes to the shared
 * validator, and the spec proves the screen accepts exactly what the shared validator accepts.
 */
import {
  ID_NUMBER_MIN_BIRTH_YEAR,
  ID_NUMBER_WEIGHTS,
  ORGANIZATION_CODE_WEIGHTS,
  USCC_CHARSET,
  USCC_PREFIXES,
  USCC_WEIGHTS,
  ValidationResult,
  VALID,
  idNumberCheckChar,
  organizationCodeCheckChar,
  usccCheckChar,
  validateChineseIdNumber,
  validateMobile,
  validateUscc,
} from '@gov/shared';
import { isRealDate } from './value-parsers';

// Module-level aliases: an import from '@gov/shared' is read through a getter of its index on
// every use, three per row here (see also key-tracker.ts on globals in hot loops).
const VALID_RESULT = VALID;
const mobileValidation = validateMobile;

// --- 统一社会信用代码 -------------------------------------------------------------------------

/** Character value in the USCC charset by char code, -1 outside it. */
const USCC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_CHARSET.length; i++) USCC_VALUE[USCC_CHARSET.charCodeAt(i)] = i;
const USCC_W = Int32Array.from(USCC_WEIGHTS);
/** Check character (as char code) by Σ mod 31, from the shared `usccCheckChar`. */
const USCC_CHECK = new Int32Array(31);
/** Prefix (first two char codes) → legal, as a 128×128 bitmap. */
const USCC_PREFIX_OK = new Uint8Array(128 * 128);
/** GB 11714 character value (digits 0–9, A=10 … Z=35) by char code. */
const ORG_VALUE = new Int8Array(128).fill(-1);
const ORG_W = Int32Array.from(ORGANIZATION_CODE_WEIGHTS);
/** 组织机构代码 check character (as char code) by Σ mod 11, from the shared `organizationCodeCheckChar`. */
const ORG_CHECK = new Int32Array(11);
{
  for (let c = 48; c <= 57; c++) ORG_VALUE[c] = c - 48;
  for (let c = 65; c <= 90; c++) ORG_VALUE[c] = c - 55;
  // Σ mod 31 = r for the body "r'0000000000000000" where r' has value r·W1⁻¹ = r (W1 = 1).
  if (USCC_W[0] !== 1) throw new Error('USCC weight 1 expected to be 1');
  for (let r = 0; r < 31; r++) USCC_CHECK[r] = usccCheckChar(USCC_CHARSET[r] + '0'.repeat(16)).charCodeAt(0);
  // Σ mod 11 = r: find a first character whose value·W1 ≡ r (mod 11).
  for (let r = 0; r < 11; r++) {
    for (let v = 0; v < 36; v++) {
      if ((v * ORG_W[0]) % 11 === r) {
        ORG_CHECK[r] = organizationCodeCheckChar(v.toString(36).toUpperCase() + '0000000').charCodeAt(0);
        break;
      }
    }
  }
  for (const prefix of USCC_PREFIXES) USCC_PREFIX_OK[prefix.charCodeAt(0) * 128 + prefix.charCodeAt(1)] = 1;
}

/** The fast screen: true only for codes `validateUscc` (with the organisation-code check) accepts. */
export function isPlainlyValidUscc(v: string): boolean {
  if (v.length !== 18) return false;
  const c0 = v.charCodeAt(0);
  const c1 = v.charCodeAt(1);
  if (c0 > 127 || c1 > 127 || USCC_PREFIX_OK[c0 * 128 + c1] === 0) return false;
  let sum = USCC_VALUE[c0] * USCC_W[0] + USCC_VALUE[c1] * USCC_W[1];
  for (let i = 2; i < 8; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * USCC_W[i];
  }
  let org = 0;
  for (let i = 8; i < 17; i++) {
    const c = v.charCodeAt(i);
    const value = c < 128 ? USCC_VALUE[c] : -1;
    if (value < 0) return false;
    sum += value * USCC_W[i];
    if (i < 16) org += ORG_VALUE[c] * ORG_W[i - 8];
  }
  if (v.charCodeAt(16) !== ORG_CHECK[org % 11]) return false;
  return v.charCodeAt(17) === USCC_CHECK[sum % 31];
}

export function checkUscc(v: string): ValidationResult {
  return isPlainlyValidUscc(v) ? VALID_RESULT : validateUscc(v);
}

// --- 公民身份号码 -----------------------------------------------------------------------------

const ID_W = Int32Array.from(ID_NUMBER_WEIGHTS);
/** Check character (as char code) by Σ mod 11, from the shared `idNumberCheckChar`. */
const ID_CHECK = new Int32Array(11);
for (let r = 0; r < 11; r++) {
  // A body of one non-zero digit whose weighted sum is r mod 11, handed to the shared function.
  let body = r === 0 ? '0'.repeat(17) : undefined;
  for (let i = 0; i < 17 && body === undefined; i++) {
    for (let d = 1; d <= 9 && body === undefined; d++) {
      if ((d * ID_W[i]) % 11 === r) body = '0'.repeat(i) + d + '0'.repeat(16 - i);
    }
  }
  if (body === undefined) throw new Error(`cannot tabulate the ID number check character for ${r}`);
  ID_CHECK[r] = idNumberCheckChar(body).charCodeAt(0);
}

/** YYYYMMDD as a number, of the instant's calendar date in Asia/Shanghai (as the shared validator compares). */
export function shanghaiDateNumber(instant: Date): number {
  const d = new Date(instant.getTime() + 8 * 3_600_000);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** A checker bound to a reference date (birth dates after it are invalid), as `validateChineseIdNumber` with `{ now }`. */
export function idNumberChecker(now: Date): (v: string) => ValidationResult {
  const today = shanghaiDateNumber(now);
  const isPlainlyValid = (v: string): boolean => {
    if (v.length !== 18) return false;
    let sum = 0;
    let birth = 0;
    for (let i = 0; i < 17; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return false;
      sum += d * ID_W[i];
      if (i >= 6 && i < 14) birth = birth * 10 + d;
    }
    const year = (birth / 10000) | 0;
    if (year < ID_NUMBER_MIN_BIRTH_YEAR || birth > today) return false;
    if (!isRealDate(year, ((birth / 100) | 0) % 100, birth % 100)) return false;
    return v.charCodeAt(17) === ID_CHECK[sum % 11];
  };
  return (v) => (isPlainlyValid(v) ? VALID_RESULT : validateChineseIdNumber(v, { now }));
}

// --- 手机号码 ---------------------------------------------------------------------------------

/** The shared validator is a single precompiled regex and returns a shared VALID: cheap enough as is. */
export function checkMobile(v: string): ValidationResult {
  return mobileValidation(v);
}
