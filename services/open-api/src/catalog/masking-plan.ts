import { DataItem, isChineseIdNumber, isMaskKind, MaskKind, maskIdNumber, maskMiddle, maskMobile, MaskRule, maskValue } from '@gov/shared';

/** How one column of a dataset reaches the open schema: its stored type and how values are masked. */
export interface ColumnPlan {
  name: string;
  /** Type in the open table: masked columns are text whatever the source type. */
  type: string;
  sourceType: string;
  description: string | null;
  /** 个人信息 per the catalog. */
  personal: boolean;
  /** Masking rule of a personal column; 'full' when no rule fits (everything hidden). */
  mask: MaskRule | 'full' | null;
}

/** Item names that say what personal data they hold, for personal items without a masking rule. */
const NAME_RULES: [RegExp, MaskKind][] = [
  [/身份证|身份号码|证件号/, 'idNumber'],
  [/手机|移动电话/, 'mobile'],
  [/银行卡|银行账号|卡号/, 'bankCard'],
  [/邮箱|电子邮件|email/i, 'email'],
  [/车牌|号牌/, 'plate'],
  [/电话|联系方式/, 'fixedPhone'],
  [/地址|住址|住所|居住地/, 'address'],
  [/姓名|法定代表人|负责人|联系人|户主|名字/, 'chineseName'],
];

export function inferMaskKind(itemName: string): MaskKind | null {
  return NAME_RULES.find(([re]) => re.test(itemName))?.[1] ?? null;
}

/**
 * Plans the columns of a version: each published column is matched to its catalog item (by name,
 * else by position); personal items get their rule (the item's, else inferred from the name,
 * else fully hidden).
 */
export function planColumns(columns: readonly { name: string; type: string }[], items: readonly DataItem[], blocked: readonly string[] = []): ColumnPlan[] {
  const byName = new Map(items.map((i) => [i.name, i] as const));
  return columns.map((c, i) => {
    const item = byName.get(c.name) ?? items[i];
    // Ingest's discovery found personal data the catalog does not flag: nothing of it is opened
    // until the provider flags the item (its rule then applies) or the data bureau accepts otherwise.
    if (blocked.includes(c.name) && item?.personal !== true)
      return { name: c.name, type: 'text', sourceType: c.type, description: item?.description ?? null, personal: true, mask: 'full' };
    const personal = item?.personal === true;
    let mask: ColumnPlan['mask'] = null;
    if (personal) mask = item?.masking && isMaskKind(item.masking) ? item.masking : (inferMaskKind(item?.name ?? c.name) ?? 'full');
    return { name: c.name, type: personal ? 'text' : c.type, sourceType: c.type, description: item?.description ?? null, personal, mask };
  });
}

const ID_IN_TEXT = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
const MOBILE_IN_TEXT = /(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)/g;

/**
 * Defence in depth for columns the catalog did not flag: ID numbers (checksum-valid) and mobile
 * numbers found inside any text value are masked too, so a forgotten flag cannot leak them.
 */
export function scrubText(value: string): string {
  if (value.length < 11) return value;
  let out = value;
  if (/\d{17}/.test(out)) out = out.replace(ID_IN_TEXT, (m) => (isChineseIdNumber(m) ? maskIdNumber(m) : m));
  if (/1[3-9]\d{9}/.test(out)) out = out.replace(MOBILE_IN_TEXT, (m) => maskMobile(m));
  return out;
}

function applyRule(rule: MaskRule | 'full', value: string): string {
  if (rule === 'full') return maskMiddle(value, 0, 0);
  if (typeof rule === 'string') return maskValue(rule, value);
  return maskValue(rule.kind, value, rule.options);
}

/** The row mapper given to loadSnapshot: masks personal columns and scrubs other text columns. */
export function rowMasker(plan: readonly ColumnPlan[]): (values: (string | null)[]) => (string | null)[] {
  const textCols = plan.map((p) => !p.mask && /^(text|character|varchar)/i.test(p.sourceType));
  return (values) => {
    const out = values.slice();
    for (let i = 0; i < plan.length; i++) {
      const v = out[i];
      if (v === null || v === undefined || v === '') continue;
      const rule = plan[i].mask;
      if (rule) out[i] = applyRule(rule, v);
      else if (textCols[i]) out[i] = scrubText(v);
    }
    return out;
  };
}
