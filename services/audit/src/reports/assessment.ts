import type { AuditLogRecord } from '@gov/shared';

/**
 * 考核评估: figures per department and region for a month, quarter or year, computed only from
 * audit records so anyone holding the log can reproduce them. Pure code: records in, report out.
 */

export interface Period {
  label: string;
  kind: 'month' | 'quarter' | 'year';
  start: Date;
  end: Date;
}

/** `2026-03`, `2026-Q1` or `2026`, in local time (UTC+8 unless configured). */
export function parsePeriod(label: string, utcOffsetMinutes: number): Period | undefined {
  const at = (y: number, m: number) => new Date(Date.UTC(y, m, 1) - utcOffsetMinutes * 60_000);
  let m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(label);
  if (m) return { label, kind: 'month', start: at(+m[1], +m[2] - 1), end: at(+m[1], +m[2]) };
  m = /^(\d{4})-Q([1-4])$/.exec(label);
  if (m) return { label, kind: 'quarter', start: at(+m[1], (+m[2] - 1) * 3), end: at(+m[1], +m[2] * 3) };
  m = /^(\d{4})$/.exec(label);
  if (m) return { label, kind: 'year', start: at(+m[1], 0), end: at(+m[1] + 1, 0) };
  return undefined;
}

export interface Figures {
  /** 目录数: published entries at the end of the period, and at its start. */
  entries: number;
  entriesAtStart: number;
  /** 新增目录: entries first published within the period. */
  newEntries: number;
  /** 开放数据集 and 开放率: published entries that are open (有条件 or 无条件), over all published. */
  openEntries: number;
  openRate: number | null;
  /** 接口占比: published entries shared by interface (API), over all published. */
  interfaceEntries: number;
  interfaceShare: number | null;
  /** 共享申请按时答复: requests to this department decided in the period, and by their due date. */
  requestsDecided: number;
  requestsOnTime: number;
  requestsOnTimeRate: number | null;
  /** 更新及时率: datasets not flagged overdue in the period, over datasets existing at its end. */
  datasets: number;
  overdueDatasets: number;
  timeliness: number | null;
  /** 数据质量: mean quality score (0–100) of the versions reported in the period. */
  qualityReports: number;
  qualityScore: number | null;
  /** 整改按时办结: rectification tasks closed in the period, and by their due date. */
  rectificationsClosed: number;
  rectificationsOnTime: number;
  rectificationOnTimeRate: number | null;
  /** 公众意见答复: public feedback received in the period, and answered by the period's end. */
  feedbackReceived: number;
  feedbackAnswered: number;
  feedbackAnsweredRate: number | null;
  /** 综合得分 (0–100) over the indicators that have data; null when none has. */
  score: number | null;
}

export interface DepartmentFigures extends Figures {
  deptId: string;
  name: string;
  regionCode: string | null;
  rank: number | null;
}

export interface AssessmentReport {
  period: { label: string; kind: Period['kind']; start: string; end: string };
  departments: DepartmentFigures[];
  regions: (Figures & { regionCode: string })[];
  total: Figures;
  weights: typeof WEIGHTS;
  recordsUsed: number;
}

/** Weights of the composite score (documented; the report carries them). */
export const WEIGHTS = {
  openRate: 0.2,
  interfaceShare: 0.15,
  requestsOnTimeRate: 0.2,
  timeliness: 0.15,
  qualityScore: 0.15,
  rectificationOnTimeRate: 0.1,
  feedbackAnsweredRate: 0.05,
};

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const round = (v: number | null, d = 4) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);

/** Counters of one department; ratios come at the end, so regions can add counters up. */
interface Tally {
  entries: number;
  entriesAtStart: number;
  newEntries: number;
  openEntries: number;
  interfaceEntries: number;
  requestsDecided: number;
  requestsOnTime: number;
  datasets: number;
  overdueDatasets: number;
  qualitySum: number;
  qualityReports: number;
  rectificationsClosed: number;
  rectificationsOnTime: number;
  feedbackReceived: number;
  feedbackAnswered: number;
}

const emptyTally = (): Tally => ({
  entries: 0, entriesAtStart: 0, newEntries: 0, openEntries: 0, interfaceEntries: 0, requestsDecided: 0, requestsOnTime: 0, datasets: 0, overdueDatasets: 0,
  qualitySum: 0, qualityReports: 0, rectificationsClosed: 0, rectificationsOnTime: 0, feedbackReceived: 0, feedbackAnswered: 0,
});

function add(a: Tally, b: Tally): Tally {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof Tally)[]) out[k] += b[k];
  return out;
}

export function figures(t: Tally): Figures {
  const f = {
    entries: t.entries,
    entriesAtStart: t.entriesAtStart,
    newEntries: t.newEntries,
    openEntries: t.openEntries,
    openRate: round(ratio(t.openEntries, t.entries)),
    interfaceEntries: t.interfaceEntries,
    interfaceShare: round(ratio(t.interfaceEntries, t.entries)),
    requestsDecided: t.requestsDecided,
    requestsOnTime: t.requestsOnTime,
    requestsOnTimeRate: round(ratio(t.requestsOnTime, t.requestsDecided)),
    datasets: t.datasets,
    overdueDatasets: t.overdueDatasets,
    timeliness: t.datasets > 0 ? round(1 - t.overdueDatasets / t.datasets) : null,
    qualityReports: t.qualityReports,
    qualityScore: t.qualityReports > 0 ? round(t.qualitySum / t.qualityReports, 2) : null,
    rectificationsClosed: t.rectificationsClosed,
    rectificationsOnTime: t.rectificationsOnTime,
    rectificationOnTimeRate: round(ratio(t.rectificationsOnTime, t.rectificationsClosed)),
    feedbackReceived: t.feedbackReceived,
    feedbackAnswered: t.feedbackAnswered,
    feedbackAnsweredRate: round(ratio(t.feedbackAnswered, t.feedbackReceived)),
    score: null as number | null,
  };
  let sum = 0;
  let weight = 0;
  for (const [k, w] of Object.entries(WEIGHTS)) {
    const raw = f[k as keyof typeof f] as number | null;
    if (raw === null) continue;
    sum += w * (k === 'qualityScore' ? raw / 100 : raw);
    weight += w;
  }
  f.score = weight > 0 ? round((sum / weight) * 100, 2) : null;
  return f;
}

/** Local calendar date of an instant (for "by the due date" comparisons with YYYY-MM-DD). */
const localDate = (iso: string, offset: number) => new Date(Date.parse(iso) + offset * 60_000).toISOString().slice(0, 10);

/** Records the assessment reads: these event names, everything before the period's end. */
export const ASSESSMENT_EVENTS = [
  'org.department.registered',
  'catalog.entry.published',
  'catalog.entry.retired',
  'sharing.request.decided',
  'ingest.dataset.created',
  'ingest.dataset.overdue',
  'ingest.quality.reported',
  'ingest.rectification.changed',
  'open.feedback.changed',
];

/** Computes the report from the records (in log order) that occurred before the period's end. */
export function assess(records: AuditLogRecord[], period: Period, utcOffsetMinutes: number): AssessmentReport {
  const start = period.start.getTime();
  const end = period.end.getTime();
  const depts = new Map<string, { name: string; regionCode: string | null }>();
  const tallies = new Map<string, Tally>();
  const tally = (dept: string | null | undefined) => {
    if (!dept) return undefined;
    if (!tallies.has(dept)) tallies.set(dept, emptyTally());
    return tallies.get(dept)!;
  };
  // Entry state at the start and the end of the period, with its latest published metadata.
  const entries = new Map<string, { dept: string; atStart: boolean; atEnd: boolean; firstPublished: number; open: boolean; api: boolean }>();
  const datasets = new Map<string, string>();
  const overdue = new Set<string>();
  const feedback = new Map<string, { dept: string; received: boolean; answered: boolean }>();

  for (const r of records) {
    const t = Date.parse(r.occurredAt);
    if (t >= end) continue;
    const inPeriod = t >= start;
    const p = r.payload as Record<string, any>;
    switch (r.eventName) {
      case 'org.department.registered':
        depts.set(p.deptId, { name: p.name, regionCode: p.regionCode ?? null });
        break;
      case 'catalog.entry.published': {
        const e = entries.get(p.entryId) ?? { dept: p.deptId, atStart: false, atEnd: false, firstPublished: t, open: false, api: false };
        e.atEnd = true;
        if (t < start) e.atStart = true;
        e.open = !!p.metadata?.open?.type && p.metadata.open.type !== 'NOT_OPEN';
        e.api = p.metadata?.share?.methodType === 'API';
        entries.set(p.entryId, e);
        break;
      }
      case 'catalog.entry.retired': {
        const e = entries.get(p.entryId);
        if (e) {
          e.atEnd = false;
          if (t < start) e.atStart = false;
        }
        break;
      }
      case 'sharing.request.decided': {
        if (!inPeriod) break;
        const d = tally(p.providerDeptId)!;
        d.requestsDecided++;
        if (p.dueDate && localDate(p.at ?? r.occurredAt, utcOffsetMinutes) <= p.dueDate) d.requestsOnTime++;
        break;
      }
      case 'ingest.dataset.created':
        datasets.set(p.datasetId, p.deptId);
        break;
      case 'ingest.dataset.overdue':
        if (inPeriod) overdue.add(p.datasetId);
        break;
      case 'ingest.quality.reported':
        if (inPeriod && typeof p.score === 'number') {
          const d = tally(p.deptId)!;
          d.qualitySum += p.score;
          d.qualityReports++;
        }
        break;
      case 'ingest.rectification.changed':
        if (inPeriod && p.status === 'closed') {
          const d = tally(p.deptId)!;
          d.rectificationsClosed++;
          if (localDate(r.occurredAt, utcOffsetMinutes) <= p.dueOn) d.rectificationsOnTime++;
        }
        break;
      case 'open.feedback.changed': {
        if (!p.deptId) break;
        const f = feedback.get(p.feedbackId) ?? { dept: p.deptId, received: false, answered: false };
        if (p.status === 'open' && inPeriod) f.received = true;
        if (p.status === 'answered') f.answered = true;
        feedback.set(p.feedbackId, f);
        break;
      }
    }
  }
  for (const e of entries.values()) {
    const d = tally(e.dept)!;
    if (e.atStart) d.entriesAtStart++;
    if (e.atEnd) {
      d.entries++;
      if (e.open) d.openEntries++;
      if (e.api) d.interfaceEntries++;
    }
    if (e.firstPublished >= start && e.firstPublished < end) d.newEntries++;
  }
  for (const [id, dept] of datasets) {
    const d = tally(dept)!;
    d.datasets++;
    if (overdue.has(id)) d.overdueDatasets++;
  }
  for (const f of feedback.values()) {
    if (!f.received) continue;
    const d = tally(f.dept)!;
    d.feedbackReceived++;
    if (f.answered) d.feedbackAnswered++;
  }
  for (const id of depts.keys()) tally(id);

  const departments: DepartmentFigures[] = [...tallies.entries()].map(([deptId, t]) => ({
    deptId,
    name: depts.get(deptId)?.name ?? deptId,
    regionCode: depts.get(deptId)?.regionCode ?? null,
    rank: null,
    ...figures(t),
  }));
  // 排名: by score, best first; departments without any figure are listed unranked at the end.
  departments.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.name.localeCompare(b.name, 'zh'));
  let rank = 0;
  for (const d of departments) if (d.score !== null) d.rank = ++rank;

  const byRegion = new Map<string, Tally>();
  for (const [deptId, t] of tallies) {
    const region = depts.get(deptId)?.regionCode ?? 'unknown';
    byRegion.set(region, add(byRegion.get(region) ?? emptyTally(), t));
  }
  return {
    period: { label: period.label, kind: period.kind, start: period.start.toISOString(), end: period.end.toISOString() },
    departments,
    regions: [...byRegion.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([regionCode, t]) => ({ regionCode, ...figures(t) })),
    total: figures([...tallies.values()].reduce(add, emptyTally())),
    weights: WEIGHTS,
    recordsUsed: records.filter((r) => Date.parse(r.occurredAt) < end).length,
  };
}
