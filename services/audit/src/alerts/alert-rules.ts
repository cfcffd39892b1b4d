/**
 * 告警规则: small pure rules over a typed view of one data access and a few questions about
 * the past (grant state, counts in a window, baseline). They work from DataAccessV1 alone and
 * get sharper when the sharing.grant.* events are present (grant items, validity, revocation).
 */

export const RULE_NAMES = ['outside_grant', 'read_after_revocation', 'volume_spike', 'bulk_download', 'unusual_hours', 'repeated_denials', 'personal_data_reads'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** One access as the rules see it (from an audit record). */
export interface AccessFact {
  seq: number;
  at: Date;
  eventName: string;
  actorType: string | null;
  actorId: string | null;
  appId: string | null;
  keyPrefix: string | null;
  deptId: string | null;
  datasetId: string | null;
  grantId: string | null;
  kind: string | null;
  outcome: 'allowed' | 'denied';
  reasonCode: string | null;
  fields: string[];
  rowCount: number;
  personalData: boolean;
}

export interface GrantFact {
  grantId: string;
  status: string;
  items: string[];
  /** YYYY-MM-DD (valid through that local day) or an ISO instant. */
  validTo: string | null;
  revokedAt: Date | null;
}

/** Who an access is attributed to for counting: the app (and its key) for open data, else the actor. */
export interface Subject {
  column: 'actor_id' | 'app_id';
  id: string;
}

export type CountFilter = 'denied' | 'personal' | 'download';

/** One counted access, as a window loaded once per batch holds it. */
export interface WindowRecord {
  seq: number;
  at: Date;
  rows: number;
}

export interface RuleContext {
  grant(grantId: string): Promise<GrantFact | undefined>;
  /** Accesses of a subject in [from, to); `only` narrows to denied / personal / download records. */
  count(subject: Subject, from: Date, to: Date, only?: CountFilter): Promise<{ accesses: number; rows: number; seqs: number[] }>;
  /** The accesses themselves (time order), for windows evaluated in memory over a batch. */
  records(subject: Subject, from: Date, to: Date, only?: CountFilter): Promise<WindowRecord[]>;
  /** Accesses per local day of a subject over the `days` days before `dayStart`. */
  dailyCounts(subject: Subject, dayStart: Date, days: number): Promise<number[]>;
  utcOffsetMinutes: number;
}

export interface AlertCandidate {
  rule: RuleName;
  severity: 'low' | 'medium' | 'high';
  /** One alert per key: the same situation does not raise twice. */
  dedupeKey: string;
  title: { zh: string; en: string };
  subject: Record<string, unknown>;
  evidenceSeqs: number[];
}

export interface RuleParams {
  outside_grant: { enabled: boolean; reasonCodes: string[] };
  read_after_revocation: { enabled: boolean };
  volume_spike: { enabled: boolean; factor: number; minAccesses: number; baselineDays: number };
  bulk_download: { enabled: boolean; windowMinutes: number; maxRows: number; maxDownloads: number };
  unusual_hours: { enabled: boolean; startHour: number; endHour: number; actorTypes: string[] };
  repeated_denials: { enabled: boolean; windowMinutes: number; threshold: number };
  personal_data_reads: { enabled: boolean; maxAccessesPerDay: number; maxRowsPerDay: number };
}

export const DEFAULT_RULES: RuleParams = {
  outside_grant: { enabled: true, reasonCodes: ['GRANT_SCOPE_VIOLATION', 'GRANT_ITEMS_EXCEEDED', 'GRANT_EXPIRED', 'GRANT_NOT_YET_VALID', 'GRANT_OUTSIDE_VALIDITY', 'FIELD_NOT_GRANTED'] },
  read_after_revocation: { enabled: true },
  volume_spike: { enabled: true, factor: 5, minAccesses: 50, baselineDays: 14 },
  bulk_download: { enabled: true, windowMinutes: 60, maxRows: 100_000, maxDownloads: 20 },
  unusual_hours: { enabled: true, startHour: 7, endHour: 21, actorTypes: ['user'] },
  repeated_denials: { enabled: true, windowMinutes: 10, threshold: 5 },
  personal_data_reads: { enabled: true, maxAccessesPerDay: 20, maxRowsPerDay: 1000 },
};

/** Defaults, then configuration, then what auditors saved: each level overrides single parameters. */
export function mergeRules(...layers: Record<string, unknown>[]): RuleParams {
  const out = JSON.parse(JSON.stringify(DEFAULT_RULES)) as RuleParams;
  for (const layer of layers)
    for (const [name, params] of Object.entries(layer ?? {}))
      if ((RULE_NAMES as readonly string[]).includes(name) && params && typeof params === 'object') Object.assign(out[name as RuleName], params);
  return out;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Start of the local day of `at` (UTC instant). */
export function localDayStart(at: Date, offsetMinutes: number): Date {
  const local = at.getTime() + offsetMinutes * MINUTE;
  return new Date(Math.floor(local / DAY) * DAY - offsetMinutes * MINUTE);
}

const localDate = (at: Date, offsetMinutes: number) => new Date(at.getTime() + offsetMinutes * MINUTE).toISOString().slice(0, 10);

function subjectOf(a: AccessFact): Subject | undefined {
  if (a.appId) return { column: 'app_id', id: a.appId };
  if (a.actorId) return { column: 'actor_id', id: a.actorId };
  return undefined;
}

/** End of validity: a date means through the end of that local day. */
export function validUntil(validTo: string, offsetMinutes: number): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(validTo)) return new Date(Date.parse(`${validTo}T00:00:00Z`) + DAY - offsetMinutes * MINUTE);
  return new Date(validTo);
}

type Check = (a: AccessFact, ctx: RuleContext, p: RuleParams) => Promise<AlertCandidate | undefined>;
/** The situation (dedupe key) a record belongs to under a rule, found without a query; undefined when the rule does not apply. */
type Situation = (a: AccessFact, offsetMinutes: number, p: RuleParams) => string | undefined;

/**
 * How a rule runs over a batch of new records:
 * - `each`: on every record (it counts nothing);
 * - `latest`: once per situation not yet raised, on its latest record. The count runs from the
 *   start of a local day up to the record, so it only grows: a situation that fires on any record
 *   of the batch fires on the latest one;
 * - `window`: a sliding window, which can shrink again, so on every record of a situation not yet
 *   raised, counted in memory from the situation's records loaded once.
 * Counting per record instead made a busy subject quadratic (every access counted the day so far).
 */
type RuleDef =
  | { mode: 'each'; check: Check }
  | { mode: 'latest'; situation: Situation; check: Check }
  | { mode: 'window'; situation: Situation; window: Window; check: Check };

const volumeSpikeKey: Situation = (a, offset) => {
  const s = subjectOf(a);
  return s && `volume_spike:${s.id}:${localDate(a.at, offset)}`;
};
/** The fixed window (of `minutes`) an access falls in, named by its start: one alert per window. */
const fixedWindow = (at: Date, minutes: number) => new Date(Math.floor(at.getTime() / (minutes * MINUTE)) * minutes * MINUTE).toISOString();
const bulkDownloadKey: Situation = (a, _offset, p) => {
  const s = a.outcome === 'allowed' && a.kind === 'download' ? subjectOf(a) : undefined;
  return s && `bulk_download:${a.keyPrefix ?? s.id}:${fixedWindow(a.at, p.bulk_download.windowMinutes)}`;
};
const repeatedDenialsKey: Situation = (a, _offset, p) => {
  const s = a.outcome === 'denied' ? subjectOf(a) : undefined;
  return s && `repeated_denials:${s.id}:${fixedWindow(a.at, p.repeated_denials.windowMinutes)}`;
};
const personalReadsKey: Situation = (a, offset) => {
  const s = a.outcome === 'allowed' && a.personalData ? subjectOf(a) : undefined;
  return s && `personal_data_reads:${s.id}:${localDate(a.at, offset)}`;
};

type Window = (p: RuleParams) => { ms: number; only: CountFilter };
const bulkDownloadWindow: Window = (p) => ({ ms: p.bulk_download.windowMinutes * MINUTE, only: 'download' });
const repeatedDenialsWindow: Window = (p) => ({ ms: p.repeated_denials.windowMinutes * MINUTE, only: 'denied' });
/** Accesses of the subject in the sliding window that ends with this access. */
const slidingCount = (a: AccessFact, ctx: RuleContext, s: Subject, w: ReturnType<Window>) => ctx.count(s, new Date(a.at.getTime() - w.ms), new Date(a.at.getTime() + 1), w.only);

const subjectField = (s: Subject) => (s.column === 'app_id' ? 'appId' : 'actorId');

const rules: Record<RuleName, RuleDef> = {
  outside_grant: {
    mode: 'each',
    async check(a, ctx, p) {
      if (!a.grantId) return undefined;
      const base = { rule: 'outside_grant' as const, subject: { grantId: a.grantId, actorId: a.actorId, appId: a.appId, datasetId: a.datasetId }, evidenceSeqs: [a.seq] };
      if (a.outcome === 'denied' && a.reasonCode && p.outside_grant.reasonCodes.includes(a.reasonCode))
        return { ...base, severity: 'medium', dedupeKey: `outside_grant:${a.seq}`, title: { zh: `超出授权范围的访问被拒绝（${a.reasonCode}）`, en: `access outside the grant refused (${a.reasonCode})` } };
      if (a.outcome !== 'allowed') return undefined;
      const g = await ctx.grant(a.grantId);
      if (!g) return undefined;
      const extra = a.fields.filter((f) => !g.items.includes(f));
      if (extra.length)
        return { ...base, severity: 'high', dedupeKey: `outside_grant:${a.seq}`, title: { zh: `读取了授权之外的信息项：${extra.join('、')}`, en: `read items outside the grant: ${extra.join(', ')}` } };
      if (g.validTo && a.at > validUntil(g.validTo, ctx.utcOffsetMinutes))
        return { ...base, severity: 'high', dedupeKey: `outside_grant:${a.seq}`, title: { zh: `授权有效期（至 ${g.validTo}）之后仍读取数据`, en: `data read after the grant's validity (until ${g.validTo})` } };
      return undefined;
    },
  },

  read_after_revocation: {
    mode: 'each',
    async check(a, ctx) {
      if (!a.grantId) return undefined;
      const g = await ctx.grant(a.grantId);
      if (!g || g.status !== 'revoked' || !g.revokedAt || a.at < g.revokedAt) return undefined;
      return {
        rule: 'read_after_revocation',
        severity: a.outcome === 'allowed' ? 'high' : 'medium',
        dedupeKey: `read_after_revocation:${a.seq}`,
        title: a.outcome === 'allowed' ? { zh: '授权撤销后仍读取到数据', en: 'data read after the grant was revoked' } : { zh: '授权撤销后仍尝试读取', en: 'read attempted after the grant was revoked' },
        subject: { grantId: a.grantId, actorId: a.actorId, appId: a.appId, revokedAt: g.revokedAt.toISOString() },
        evidenceSeqs: [a.seq],
      };
    },
  },

  volume_spike: {
    mode: 'latest',
    situation: volumeSpikeKey,
    async check(a, ctx, p) {
      const s = subjectOf(a);
      if (!s) return undefined;
      const day = localDayStart(a.at, ctx.utcOffsetMinutes);
      const today = await ctx.count(s, day, new Date(a.at.getTime() + 1));
      const rule = p.volume_spike;
      if (today.accesses < rule.minAccesses) return undefined;
      const history = await ctx.dailyCounts(s, day, rule.baselineDays);
      const mean = history.reduce((x, y) => x + y, 0) / Math.max(1, history.length);
      // A subject with no history has a baseline of 1 a day, so the minimum alone decides.
      if (today.accesses < rule.factor * Math.max(mean, 1)) return undefined;
      return {
        rule: 'volume_spike',
        severity: 'medium',
        dedupeKey: volumeSpikeKey(a, ctx.utcOffsetMinutes, p)!,
        title: { zh: `访问量 ${today.accesses} 次，远高于基线（日均 ${mean.toFixed(1)} 次）`, en: `${today.accesses} accesses, far above the baseline (${mean.toFixed(1)} a day)` },
        subject: { [subjectField(s)]: s.id, day: localDate(a.at, ctx.utcOffsetMinutes), baseline: mean, today: today.accesses },
        evidenceSeqs: today.seqs,
      };
    },
  },

  bulk_download: {
    mode: 'window',
    situation: bulkDownloadKey,
    window: bulkDownloadWindow,
    async check(a, ctx, p) {
      const s = subjectOf(a);
      if (a.outcome !== 'allowed' || a.kind !== 'download' || !s) return undefined;
      const rule = p.bulk_download;
      const w = await slidingCount(a, ctx, s, bulkDownloadWindow(p));
      if (w.rows < rule.maxRows && w.accesses < rule.maxDownloads) return undefined;
      const key = a.keyPrefix ?? s.id;
      return {
        rule: 'bulk_download',
        severity: 'high',
        dedupeKey: bulkDownloadKey(a, ctx.utcOffsetMinutes, p)!,
        title: { zh: `同一密钥 ${rule.windowMinutes} 分钟内下载 ${w.accesses} 次、${w.rows} 行`, en: `one key downloaded ${w.accesses} times, ${w.rows} rows in ${rule.windowMinutes} minutes` },
        subject: { key, appId: a.appId, actorId: a.actorId, downloads: w.accesses, rows: w.rows },
        evidenceSeqs: w.seqs,
      };
    },
  },

  unusual_hours: {
    mode: 'each',
    async check(a, ctx, p) {
      const rule = p.unusual_hours;
      if (!a.actorId || !rule.actorTypes.includes(a.actorType ?? '')) return undefined;
      const hour = new Date(a.at.getTime() + ctx.utcOffsetMinutes * MINUTE).getUTCHours();
      if (hour >= rule.startHour && hour < rule.endHour) return undefined;
      return {
        rule: 'unusual_hours',
        severity: 'low',
        dedupeKey: `unusual_hours:${a.actorId}:${localDate(a.at, ctx.utcOffsetMinutes)}`,
        title: { zh: `非工作时段（${hour} 时）访问数据`, en: `data accessed at an unusual hour (${hour}:00 local)` },
        subject: { actorId: a.actorId, hour },
        evidenceSeqs: [a.seq],
      };
    },
  },

  repeated_denials: {
    mode: 'window',
    situation: repeatedDenialsKey,
    window: repeatedDenialsWindow,
    async check(a, ctx, p) {
      const s = subjectOf(a);
      if (a.outcome !== 'denied' || !s) return undefined;
      const rule = p.repeated_denials;
      const w = await slidingCount(a, ctx, s, repeatedDenialsWindow(p));
      if (w.accesses < rule.threshold) return undefined;
      return {
        rule: 'repeated_denials',
        severity: 'medium',
        dedupeKey: repeatedDenialsKey(a, ctx.utcOffsetMinutes, p)!,
        title: { zh: `${rule.windowMinutes} 分钟内 ${w.accesses} 次被拒绝（403）`, en: `${w.accesses} refusals (403) in ${rule.windowMinutes} minutes` },
        subject: { [subjectField(s)]: s.id, refusals: w.accesses },
        evidenceSeqs: w.seqs,
      };
    },
  },

  personal_data_reads: {
    mode: 'latest',
    situation: personalReadsKey,
    async check(a, ctx, p) {
      const s = subjectOf(a);
      if (a.outcome !== 'allowed' || !a.personalData || !s) return undefined;
      const rule = p.personal_data_reads;
      const w = await ctx.count(s, localDayStart(a.at, ctx.utcOffsetMinutes), new Date(a.at.getTime() + 1), 'personal');
      if (w.accesses <= rule.maxAccessesPerDay && w.rows <= rule.maxRowsPerDay) return undefined;
      return {
        rule: 'personal_data_reads',
        severity: 'high',
        dedupeKey: personalReadsKey(a, ctx.utcOffsetMinutes, p)!,
        title: { zh: `当日读取含个人信息的数据 ${w.accesses} 次、${w.rows} 行，超过阈值`, en: `${w.accesses} reads, ${w.rows} rows of personal data today: above the threshold` },
        subject: { [subjectField(s)]: s.id, reads: w.accesses, rows: w.rows },
        evidenceSeqs: w.seqs.slice(-100),
      };
    },
  },
};

/** Every enabled rule's verdict on one access alone: the definition the batch evaluation keeps to. */
export async function evaluate(a: AccessFact, ctx: RuleContext, params: RuleParams): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const name of RULE_NAMES) {
    if (!params[name].enabled) continue;
    const c = await rules[name].check(a, ctx, params);
    if (c) out.push(c);
  }
  return out;
}

/** The rules that count nothing, on one access (run in log order, between grant changes). */
export async function evaluateEach(a: AccessFact, ctx: RuleContext, params: RuleParams): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const name of RULE_NAMES) {
    const def = rules[name];
    if (def.mode !== 'each' || !params[name].enabled) continue;
    const c = await def.check(a, ctx, params);
    if (c) out.push(c);
  }
  return out;
}

const byTime = (x: AccessFact, y: AccessFact) => x.at.getTime() - y.at.getTime() || x.seq - y.seq;

/** What count() answers, from records loaded once (in seq order, as the query aggregates them). */
function tally(loaded: WindowRecord[], from: Date, to: Date): { accesses: number; rows: number; seqs: number[] } {
  let accesses = 0;
  let rows = 0;
  const seqs: number[] = [];
  for (const r of loaded) {
    if (r.at < from || r.at >= to) continue;
    accesses++;
    rows += r.rows;
    if (seqs.length < 200) seqs.push(r.seq);
  }
  return { accesses, rows, seqs };
}

/**
 * The counting rules over a batch of accesses: the same situations as `evaluate` on each record
 * (given what was raised before), with one count per situation instead of one per record.
 * `raisedAmong` names the situations already raised, which are not counted again.
 */
export async function evaluateBatch(
  facts: AccessFact[],
  ctx: RuleContext,
  params: RuleParams,
  raisedAmong: (keys: string[]) => Promise<Set<string>>,
): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  for (const name of RULE_NAMES) {
    const def = rules[name];
    if (def.mode === 'each' || !params[name].enabled) continue;
    // Situation and subject: one situation is counted for one subject.
    const groups = new Map<string, { key: string; facts: AccessFact[] }>();
    for (const a of facts) {
      const key = def.situation(a, ctx.utcOffsetMinutes, params);
      if (!key) continue;
      const s = subjectOf(a)!;
      const id = `${key}\u0000${s.column}:${s.id}`;
      const group = groups.get(id) ?? groups.set(id, { key, facts: [] }).get(id)!;
      group.facts.push(a);
    }
    if (!groups.size) continue;
    const raised = await raisedAmong([...new Set([...groups.values()].map((g) => g.key))]);
    for (const { key, facts: list } of groups.values()) {
      if (raised.has(key)) continue;
      list.sort(byTime);
      let found: AlertCandidate | undefined;
      if (def.mode === 'latest') found = await def.check(list[list.length - 1], ctx, params);
      else {
        const { ms, only } = def.window(params);
        const s = subjectOf(list[0])!;
        const from = new Date(list[0].at.getTime() - ms);
        const to = new Date(list[list.length - 1].at.getTime() + 1);
        const loaded = await ctx.records(s, from, to, only);
        const inMemory: RuleContext = {
          ...ctx,
          count: async (subject, f, t, o) =>
            subject.column === s.column && subject.id === s.id && o === only && f >= from && t <= to ? tally(loaded, f, t) : ctx.count(subject, f, t, o),
        };
        for (const a of list) if ((found = await def.check(a, inMemory, params))) break;
      }
      if (found) {
        out.push(found);
        raised.add(key);
      }
    }
  }
  return out;
}
