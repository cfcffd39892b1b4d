/**
 * Masking (脱敏) strategies. Defaults follow Hutool's DesensitizedUtil; every strategy takes
 * options so a deployment can choose e.g. "keep first 4 and last 4" for ID numbers.
 *
 * Rule for short values: when a value is too short to hide anything while keeping the requested
 * characters, the whole value is masked. A strategy never returns an input unmasked because it was short.
 * null, undefined and '' are returned as they are.
 */

export const MASK_KINDS = [
  'chineseName',
  'idNumber',
  'mobile',
  'fixedPhone',
  'address',
  'bankCard',
  'email',
  'plate',
  'ipv4',
] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export interface MaskOptions {
  /** Characters kept at the start. */
  keepStart?: number;
  /** Characters kept at the end. */
  keepEnd?: number;
  /** Replacement character; default '*'. */
  maskChar?: string;
}

export interface AddressMaskOptions extends MaskOptions {
  /** Characters hidden at the end of an address; default 8 (shows roughly down to the district). */
  hideLast?: number;
}

type KeepCounts = Required<Pick<MaskOptions, 'keepStart' | 'keepEnd'>>;

/** Defaults of the keep-start/keep-end strategies (Hutool): 段正淳→段**, 5***************1X, 180****1999, 0915*****79, 苏D4***0. */
export const DEFAULT_KEEP: Readonly<Record<'chineseName' | 'idNumber' | 'mobile' | 'fixedPhone' | 'email' | 'plate', KeepCounts>> = {
  chineseName: { keepStart: 1, keepEnd: 0 },
  idNumber: { keepStart: 1, keepEnd: 2 },
  mobile: { keepStart: 3, keepEnd: 4 },
  fixedPhone: { keepStart: 4, keepEnd: 2 },
  email: { keepStart: 1, keepEnd: 0 },
  plate: { keepStart: 3, keepEnd: 1 },
};

export const DEFAULT_BANK_CARD_KEEP_START = 4;
export const DEFAULT_ADDRESS_HIDE_LAST = 8;

/**
 * Keeps `keepStart` leading and `keepEnd` trailing characters (code points) and masks the rest.
 * If nothing would be hidden, everything is hidden.
 */
export function maskMiddle(value: string, keepStart: number, keepEnd: number, maskChar = '*'): string {
  const chars = Array.from(value);
  const start = clampCount(keepStart);
  const end = clampCount(keepEnd);
  if (start + end >= chars.length) return maskChar.repeat(chars.length);
  return chars.slice(0, start).join('') + maskChar.repeat(chars.length - start - end) + (end > 0 ? chars.slice(-end).join('') : '');
}

export function maskChineseName(value: string, options: MaskOptions = {}): string {
  return maskWithDefaults(value, 'chineseName', options);
}

export function maskIdNumber(value: string, options: MaskOptions = {}): string {
  return maskWithDefaults(value, 'idNumber', options);
}

export function maskMobile(value: string, options: MaskOptions = {}): string {
  return maskWithDefaults(value, 'mobile', options);
}

export function maskFixedPhone(value: string, options: MaskOptions = {}): string {
  return maskWithDefaults(value, 'fixedPhone', options);
}

export function maskPlate(value: string, options: MaskOptions = {}): string {
  return maskWithDefaults(value, 'plate', options);
}

/** Hides the last `hideLast` characters: 北京市海淀区马连洼街道289号 → 北京市海淀区马******** */
export function maskAddress(value: string, options: AddressMaskOptions = {}): string {
  const chars = Array.from(value);
  const hide = Math.min(chars.length, clampCount(options.hideLast ?? DEFAULT_ADDRESS_HIDE_LAST));
  return maskMiddle(value, chars.length - hide, 0, options.maskChar);
}

/**
 * Keeps the first 4 digits and the last group (1–4 digits, the remainder of length/4, or 4),
 * masking the middle in groups of 4: 11011111222233333256 → 1101 **** **** **** 3256.
 * Whitespace in the input is ignored. An explicit keepEnd replaces the last-group rule.
 */
export function maskBankCard(value: string, options: MaskOptions = {}): string {
  const maskChar = options.maskChar ?? '*';
  const digits = value.replace(/\s+/g, '');
  const start = clampCount(options.keepStart ?? DEFAULT_BANK_CARD_KEEP_START);
  const end = clampCount(options.keepEnd ?? (digits.length % 4 === 0 ? 4 : digits.length % 4));
  if (start + end >= digits.length) return maskChar.repeat(digits.length);
  const middle = digits.length - start - end;
  const groups: string[] = [];
  for (let left = middle; left > 0; left -= 4) groups.push(maskChar.repeat(Math.min(4, left)));
  return [digits.slice(0, start), ...groups, digits.slice(digits.length - end)].filter((part) => part !== '').join(' ');
}

/** Masks the local part after its first character: duandazhi@gmail.com → d********@gmail.com */
export function maskEmail(value: string, options: MaskOptions = {}): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return maskWithDefaults(value, 'email', options);
  const local = value.slice(0, at);
  return (local === '' ? '' : maskWithDefaults(local, 'email', options)) + value.slice(at);
}

/** Keeps the first `keepStart` octets (default 1): 192.168.1.1 → 192.*.*.* */
export function maskIpv4(value: string, options: MaskOptions = {}): string {
  const maskChar = options.maskChar ?? '*';
  const octets = value.split('.');
  if (octets.length !== 4) return maskChar.repeat(Array.from(value).length);
  const keep = Math.min(3, clampCount(options.keepStart ?? 1));
  return octets.map((octet, i) => (i < keep ? octet : maskChar)).join('.');
}

const STRATEGIES: Readonly<Record<MaskKind, (value: string, options: AddressMaskOptions) => string>> = {
  chineseName: maskChineseName,
  idNumber: maskIdNumber,
  mobile: maskMobile,
  fixedPhone: maskFixedPhone,
  address: maskAddress,
  bankCard: maskBankCard,
  email: maskEmail,
  plate: maskPlate,
  ipv4: maskIpv4,
};

export function isMaskKind(value: unknown): value is MaskKind {
  return typeof value === 'string' && (MASK_KINDS as readonly string[]).includes(value);
}

/** Masks one value. Numbers are masked as their decimal text; null/undefined/'' pass through. */
export function maskValue(kind: MaskKind, value: string | number, options?: AddressMaskOptions): string;
export function maskValue(kind: MaskKind, value: string | number | null | undefined, options?: AddressMaskOptions): string | null | undefined;
export function maskValue(kind: MaskKind, value: string | number | null | undefined, options: AddressMaskOptions = {}): string | null | undefined {
  if (value == null) return value;
  const text = String(value);
  if (text === '') return text;
  return STRATEGIES[kind](text, options);
}

/** A field's masking rule: a kind, or a kind with options. */
export type MaskRule = MaskKind | { kind: MaskKind; options?: AddressMaskOptions };

/** Field name → masking rule. Fields not listed are left as they are. */
export type MaskingPolicy = Readonly<Record<string, MaskRule>>;

/**
 * Returns a copy of `row` with every policy field masked. Policy fields holding something other
 * than a string or number (objects, dates, booleans) are replaced by null rather than leaked.
 */
export function applyMaskingPolicy<T extends Record<string, unknown>>(row: T, policy: MaskingPolicy): T {
  const out: Record<string, unknown> = { ...row };
  for (const [field, rule] of Object.entries(policy)) {
    if (!(field in out)) continue;
    const { kind, options } = typeof rule === 'string' ? { kind: rule, options: undefined } : rule;
    const value = out[field];
    out[field] = value == null || typeof value === 'string' || typeof value === 'number' ? maskValue(kind, value, options) : null;
  }
  return out as T;
}

function maskWithDefaults(value: string, kind: keyof typeof DEFAULT_KEEP, options: MaskOptions): string {
  const defaults = DEFAULT_KEEP[kind];
  return maskMiddle(value, options.keepStart ?? defaults.keepStart, options.keepEnd ?? defaults.keepEnd, options.maskChar);
}

function clampCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
