/**
 * Deterministic generation of departments and published catalog entries (seeded PRNG), in the
 * shapes the catalog stores: `catalog.department` rows and `CatalogMetadata` per entry.
 */
import { CatalogMetadata, DataItem, labelOf, MaskKind, platformMethodTypesFor, UPDATE_CYCLES } from '@gov/shared';
import { randomUUID } from 'node:crypto';
import { demoCreditCode } from '../../services/catalog/src/demo/demo-city.seeder';
import {
  CITY,
  CITY_DEPARTMENTS,
  DISTRICT_DEPARTMENTS,
  DISTRICTS,
  FORMAT_MIX,
  ITEM_GROUPS,
  NOT_OPEN_BASES,
  NOT_SHARED_BASES,
  OPEN_CONDITIONS,
  PROFILES,
  QUALIFIERS,
  SectorProfile,
  SHARE_CONDITIONS,
  SUFFIXES,
  TAGS,
  UPDATE_CYCLE_MIX,
  Weighted,
} from './vocabulary';

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly Weighted<T>[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1][0];
  }
  /** `n` distinct elements, in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    for (let i = 0; i < n && copy.length > 0; i++) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
}

export interface BenchDepartment {
  id: string;
  name: string;
  code: string;
  creditCode: string;
  regionCode: string;
  level: 'city' | 'district';
  parentId: string | null;
  profile: SectorProfile;
  /** Index of the department, used for the 目 code of its entries. */
  index: number;
  /** 政务信息系统 the department registered (来源信息系统 of its entries): name → id. */
  systems: { id: string; name: string }[];
}

const profileOf = (key: string) => {
  const p = PROFILES.find((x) => x.key === key);
  if (!p) throw new Error(`no profile ${key}`);
  return p;
};

/** 20 city departments and 10 in each of 4 districts: 60 in all, with valid 统一社会信用代码. */
export function departments(): BenchDepartment[] {
  const out: BenchDepartment[] = [];
  const cityByProfile = new Map<string, string>();
  for (const [i, [code, name, profile]] of CITY_DEPARTMENTS.entries()) {
    const id = randomUUID();
    cityByProfile.set(profile, id);
    out.push({ id, name, code, creditCode: demoCreditCode(CITY.region, i), regionCode: CITY.region, level: 'city', parentId: null, profile: profileOf(profile), index: out.length, systems: systemsOf(profileOf(profile)) });
  }
  for (const [d, district] of DISTRICTS.entries())
    for (const [i, [code, suffix, profile]] of DISTRICT_DEPARTMENTS.entries())
      out.push({
        id: randomUUID(),
        name: `${district.name}${suffix}`,
        code: `d${d + 1}_${code}`,
        creditCode: demoCreditCode(district.region, i),
        regionCode: district.region,
        level: 'district',
        parentId: cityByProfile.get(profile) ?? null,
        profile: profileOf(profile),
        index: out.length,
        systems: systemsOf(profileOf(profile)),
      });
  return out;
}

/** Two or three systems per department, named after its duty, e.g. 市场主体登记注册和市场监督管理业务系统. */
function systemsOf(p: SectorProfile): { id: string; name: string }[] {
  const names = [`${p.duty}业务系统`, `${p.subjects[0][0]}管理信息系统`, ...(p.subjects.length > 3 ? [`${p.subjects[1][0]}综合服务平台`] : [])];
  return names.map((name) => ({ id: randomUUID(), name }));
}

/** Entries per department: the sector's weight, district departments at 60 %, summing to `total`. */
export function allocate(depts: readonly BenchDepartment[], total: number): number[] {
  const weights = depts.map((d) => d.profile.weight * (d.level === 'city' ? 1 : 0.6));
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map(Math.floor);
  let rest = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (rest-- <= 0) break;
    counts[i]++;
  }
  return counts;
}

const COMMON_GROUPS: readonly Weighted[] = [['meta', 1]];

/** A plausible data type and length for an item name. */
function itemShape(name: string, rng: Rng): Pick<DataItem, 'dataType' | 'length'> {
  if (/经度|纬度|高程/.test(name)) return { dataType: 'F', length: 16 };
  if (/时间$/.test(name)) return { dataType: 'T', length: null };
  if (/日期|年月$|期限自|期限至|有效期/.test(name)) return { dataType: 'D', length: null };
  if (/金额|余额|缴存额|养老金|收入|产值|基数/.test(name)) return { dataType: 'Y', length: 18 };
  if (/数$|量$|面积|浓度|指数|容|坝高|水位|流量|长度|值$|增长$|记分|票价/.test(name)) return { dataType: 'N', length: 12 };
  if (/^是否/.test(name)) return { dataType: 'L', length: 1 };
  if (/事实|内容|范围|依据|备注|诉求/.test(name)) return { dataType: 'M', length: 4000 };
  return { dataType: 'C', length: rng.pick([18, 20, 32, 50, 64, 100, 200, 255]) };
}

/** How a personal item is masked when the entry is opened under conditions. */
function maskingOf(name: string): MaskKind {
  if (/号码|证号|编号|社保|学籍|账号/.test(name) && !/手机|电话/.test(name)) return /银行/.test(name) ? 'bankCard' : 'idNumber';
  if (/手机|电话/.test(name)) return 'mobile';
  if (/地址|住址|坐落/.test(name)) return 'address';
  if (/号牌|车牌/.test(name)) return 'plate';
  return 'chineseName';
}

const PERSONAL_ITEMS = new Set([...ITEM_GROUPS.person, '法定代表人证件号码', '户主姓名', '驾驶证号', '医师姓名', '公证员姓名', '河长姓名', '住房公积金账号', '个人社保编号', '学籍号']);

export interface GeneratedEntry {
  id: string;
  dept: BenchDepartment;
  resourceCode: string;
  publishedAt: Date;
  createdAt: Date;
  metadata: CatalogMetadata;
}

/**
 * Generates the entries of every department; resource codes are unique per 前段码 (类+项+目),
 * published dates spread over 2019–2025.
 */
export function* entries(depts: readonly BenchDepartment[], total: number, seed = 20251124): Generator<GeneratedEntry> {
  yield* entriesOf(depts, allocate(depts, total), seed);
}

/** `counts[i]` entries of `depts[i]`. */
export function* entriesOf(depts: readonly BenchDepartment[], counts: readonly number[], seed: number): Generator<GeneratedEntry> {
  const rng = new Rng(seed);
  const sequences = new Map<string, number>();
  const from = Date.UTC(2019, 0, 1);
  const to = Date.UTC(2025, 9, 31);
  for (const [di, dept] of depts.entries()) {
    const district = DISTRICTS.find((d) => d.region === dept.regionCode);
    const p = dept.profile;
    for (let n = 0; n < counts[di]; n++) {
      const subject = rng.weighted(p.subjects);
      const record = rng.weighted(p.records);
      let suffix = rng.weighted(SUFFIXES);
      if (record.endsWith('名录') || record.endsWith('名单') || record.endsWith('目录')) suffix = rng.pick(['', '信息']);
      const qualifier = rng
        .weighted(QUALIFIERS)
        .replace('{district}', district?.name ?? rng.pick(DISTRICTS).name)
        .replace('{year}', String(rng.int(2018, 2024)));
      const name = `${qualifier}${subject}${record}${suffix}`;

      // 信息项: 4–40, mostly from the sector's groups, a few common ones
      const itemCount = Math.min(40, 4 + Math.floor(-Math.log(1 - rng.next()) * 10));
      const names = new Set<string>();
      for (let guard = 0; names.size < itemCount && guard < itemCount * 6; guard++) {
        const group = rng.chance(0.85) ? rng.weighted(p.itemGroups) : rng.weighted(COMMON_GROUPS);
        names.add(rng.pick(ITEM_GROUPS[group]));
      }
      const items: DataItem[] = [...names].map((itemName) => {
        const personal = PERSONAL_ITEMS.has(itemName);
        return { name: itemName, ...itemShape(itemName, rng), personal, ...(personal ? { masking: maskingOf(itemName) } : {}) };
      });
      const personal = items.some((i) => i.personal) && rng.chance(Math.max(p.personal, 0.3));

      // 分级 → 共享/开放
      const grade = personal ? rng.weighted([['L2', 3], ['L3', 5], ['L4', 1.5]] as const) : rng.weighted([['L1', 5], ['L2', 4], ['L3', 0.6]] as const);
      const shareType = grade === 'L4' ? rng.weighted([['CONDITIONAL', 3], ['NOT_SHARED', 1]] as const) : grade === 'L3' ? rng.weighted([['CONDITIONAL', 8], ['UNCONDITIONAL', 1], ['NOT_SHARED', 1]] as const) : rng.weighted([['UNCONDITIONAL', 7], ['CONDITIONAL', 3]] as const);
      // 开放 never wider than 共享 nor than the grade allows (L2/L3 only under conditions, L4 never).
      const openType =
        shareType === 'NOT_SHARED' ? 'NOT_OPEN' : grade === 'L1' ? rng.weighted([['UNCONDITIONAL', 5], ['CONDITIONAL', 2], ['NOT_OPEN', 3]] as const) : grade === 'L4' ? 'NOT_OPEN' : rng.weighted([['CONDITIONAL', 4], ['NOT_OPEN', 6]] as const);
      const [formatClass, formatTypes] = rng.weighted(FORMAT_MIX);
      const monitoring = /监测|实时|位置/.test(name);
      const updateCycle = monitoring ? rng.weighted([['REALTIME', 5], ['DAILY', 3], ['MONTHLY', 1]] as const) : /统计|年报|年度/.test(name) ? rng.weighted([['YEARLY', 4], ['QUARTERLY', 2], ['MONTHLY', 2]] as const) : rng.weighted(UPDATE_CYCLE_MIX);

      // 分类: mostly 部门 (3/07 or 3/08), some 主题 and 基础
      const classRoll = rng.next();
      const [classCode, itemCode] = p.baseItem && classRoll < 0.12 ? ['1', p.baseItem] : classRoll < 0.3 ? ['2', p.topicItem] : ['3', dept.level === 'city' ? '07' : '08'];
      const categoryCode = String(dept.index + 1).padStart(3, '0');
      const prefix = `${classCode}${itemCode}${categoryCode}`;
      const seq = (sequences.get(prefix) ?? 0) + 1;
      sequences.set(prefix, seq);

      const publishedAt = new Date(from + Math.floor(rng.next() * (to - from)));
      const createdAt = new Date(publishedAt.getTime() - rng.int(1, 30) * 86_400_000);
      const cycleLabel = labelOf(UPDATE_CYCLES, updateCycle) ?? '';
      const shown = items.slice(0, 4).map((i) => i.name);
      const abstract = `${dept.name}在履行${p.duty}职责中产生的${subject}${record || '基本'}数据，包括${shown.join('、')}等${items.length}个信息项，${cycleLabel === '不定期' ? '不定期' : `${cycleLabel}`}更新。`;
      const tagCount = rng.weighted([[0, 5], [1, 4], [2, 1]] as const);
      const tags = rng.sample(
        TAGS.map(([t]) => t),
        tagCount,
      );

      const metadata: CatalogMetadata = {
        classification: { classCode, itemCode, categoryCode },
        name,
        abstract,
        format: { classCode: formatClass, type: rng.pick(formatTypes) },
        items,
        share: {
          type: shareType,
          ...(shareType === 'CONDITIONAL' ? { condition: rng.pick(SHARE_CONDITIONS).replace('{dept}', dept.name) } : {}),
          ...(shareType === 'NOT_SHARED' ? { basis: rng.pick(NOT_SHARED_BASES) } : { methodClass: 'PLATFORM', methodType: rng.pick(platformMethodTypesFor(formatClass)) }),
        },
        open: {
          type: openType,
          ...(openType === 'CONDITIONAL' ? { condition: rng.pick(OPEN_CONDITIONS) } : {}),
          ...(openType === 'NOT_OPEN' ? { basis: rng.pick(NOT_OPEN_BASES) } : {}),
        },
        updateCycle,
        publishDate: publishedAt.toISOString().slice(0, 10),
        securityGrade: grade,
        domainCode: rng.weighted(p.domains),
        systemId: rng.pick(dept.systems).id,
        ...(tags.length > 0 ? { tags } : {}),
      };
      yield { id: randomUUID(), dept, resourceCode: `${prefix}/${String(seq).padStart(6, '0')}`, publishedAt, createdAt, metadata };
    }
  }
}
