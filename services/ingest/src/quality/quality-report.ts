/**
 * Quality report of a dataset version (数据质量报告): completeness, validity, uniqueness,
 * consistency with the previous version, timeliness, an overall score and a grade, and the trend
 * over versions.
 *
 * The accumulator is fed every source row during validation (`observe`, a few integer increments
 * per row, no allocation) and `finish` turns the counts into the report. Both are deterministic:
 * the clock is an input, nothing is random, the same rows give the same report.
 *
 * Scoring (0–100 per dimension, then a weighted mean):
 *   completeness 25 %  mean over columns of the share of rows with a value
 *   validity     30 %  share of checked cells passing their rule (required, length, type, format)
 *   uniqueness   15 %  share of loadable rows whose key was not a repeat        (only with a key)
 *   consistency  15 %  mean of row-count stability, column stability and key retention vs the
 *                      previous version (changes within ±10 % cost nothing)    (only with a previous)
 *   timeliness   15 %  100 when within the update cycle, falling linearly to 0 at twice its
 *                      maximum age                                             (only when the cycle sets one)
 * A dimension that does not apply is left out and the others' weights are scaled up to 100 %.
 * Grades: 优 ≥ 90, 良 ≥ 75, 中 ≥ 60, 差 below.
 */
import { isUpdateStale, labelOf, maxAgeDaysOf, UPDATE_CYCLES } from '@gov/shared';
import { ColumnSpec, RejectLine } from '../pipeline/contracts';
import { isTextType } from '../validation/column-spec';
import { keyHash53 } from '../validation/key-tracker';
import { CellProblem, RULE_OF_CODE, ValidationRule } from '../validation/row-validator';

export type QualityDimension = 'completeness' | 'validity' | 'uniqueness' | 'consistency' | 'timeliness';
export type QualityWeights = Readonly<Record<QualityDimension, number>>;

export const DEFAULT_QUALITY_WEIGHTS: QualityWeights = Object.freeze({
  completeness: 0.25,
  validity: 0.3,
  uniqueness: 0.15,
  consistency: 0.15,
  timeliness: 0.15,
});

export type QualityGrade = '优' | '良' | '中' | '差';
export const GRADE_THRESHOLDS: readonly { min: number; grade: QualityGrade }[] = [
  { min: 90, grade: '优' },
  { min: 75, grade: '良' },
  { min: 60, grade: '中' },
  { min: 0, grade: '差' },
];

export function gradeOf(score: number): QualityGrade {
  return GRADE_THRESHOLDS.find((t) => score >= t.min)?.grade ?? '差';
}

/** Row-count or key-removal changes up to this share are normal turnover and cost nothing. */
export const CONSISTENCY_TOLERANCE = 0.1;
/** Keys kept per version to estimate added/removed rows against the next one. */
export const DEFAULT_KEY_SAMPLE_SIZE = 1024;

/** What a version keeps for the next one's consistency check (`report.snapshot`). */
export interface VersionSnapshot {
  /** Rows loaded. */
  rowCount: number;
  columns: readonly string[];
  /** Distinct keys loaded. */
  keyCount?: number;
  /** Bottom-k sketch: the smallest 53-bit key hashes, ascending. */
  keySample?: readonly number[];
}

export interface QualityFinishInput {
  now: Date;
  /** 更新周期 code (DAILY, MONTHLY…); null/unknown/IRREGULAR: timeliness does not apply. */
  updateCycle?: string | null;
  /** When the data is as of; default: the latest value of the accumulator's `asOfColumn`. */
  lastUpdatedAt?: Date | string | null;
  previous?: VersionSnapshot | null;
  /** Exact row changes against the previous version when the loader computed them. */
  diff?: { added: number; removed: number; changed?: number | null } | null;
  version?: string | number;
  weights?: Partial<QualityWeights>;
}

export interface ColumnCompleteness {
  column: string;
  filled: number;
  rate: number;
}

export interface RuleValidity {
  column: string;
  rule: Exclude<ValidationRule, 'unique'>;
  /** e.g. 格式（统一社会信用代码） */
  label: string;
  checked: number;
  invalid: number;
  rate: number;
}

export interface QualityReport {
  version?: string | number;
  rowCount: number;
  rejectedRows: number;
  loadedRows: number;
  completeness: { overall: number; columns: ColumnCompleteness[] };
  validity: { overall: number; checked: number; invalid: number; rules: RuleValidity[] };
  uniqueness: { keyColumns: string[]; checkedRows: number; duplicateRows: number; rate: number } | null;
  consistency: {
    previousRowCount: number;
    rowCountChange: number;
    /** (loaded − previous) / previous; null when the previous version was empty. */
    rowCountChangeRate: number | null;
    columnsAdded: string[];
    columnsRemoved: string[];
    rowsAdded: number | null;
    rowsRemoved: number | null;
    rowsChanged: number | null;
    /** Where the row changes come from: the loader's exact diff, or an estimate from key samples. */
    rowChangesSource: 'loader' | 'keySample' | null;
  } | null;
  timeliness: {
    updateCycle: string | null;
    updateCycleLabel: string | null;
    maxAgeDays: number | null;
    lastUpdatedAt: string | null;
    ageDays: number | null;
    status: 'fresh' | 'stale' | 'unknown' | 'notRequired';
  };
  /** 0–100 per dimension; null when it does not apply. */
  dimensions: Record<QualityDimension, number | null>;
  /** Weights applied, after leaving out dimensions that do not apply (sum 1). */
  weights: Record<QualityDimension, number>;
  score: number;
  grade: QualityGrade;
  snapshot: VersionSnapshot;
}

export interface QualityAccumulatorOptions {
  /** A D or T column whose latest value is when the data is as of (e.g. 更新时间). */
  asOfColumn?: string;
  keySampleSize?: number;
}

const FORMAT_LABELS: Record<string, string> = { uscc: '统一社会信用代码', idNumber: '公民身份号码', mobile: '手机号码' };
const RULE_LABELS: Record<Exclude<ValidationRule, 'unique'>, string> = { required: '必填', length: '长度', type: '类型', format: '格式' };
const R_REQUIRED = 0;
const R_LENGTH = 1;
const R_TYPE = 2;
const R_FORMAT = 3;
const RULE_SLOT: Partial<Record<ValidationRule, number>> = { required: R_REQUIRED, length: R_LENGTH, type: R_TYPE, format: R_FORMAT };

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/** 1 within ±tolerance, falling linearly to 0 at ±100 %. */
function stability(changeRate: number): number {
  return clamp01(1 - Math.max(0, Math.abs(changeRate) - CONSISTENCY_TOLERANCE) / (1 - CONSISTENCY_TOLERANCE));
}

/** 'YYYY-MM-DD[ HH:MM:SS[.f]]' in Asia/Shanghai → instant. */
function localToInstant(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7] ? Math.floor(Number(m[7]) * 1000) : 0);
  return new Date(ms - 8 * 3_600_000);
}

/**
 * Estimates how many keys two versions share from their bottom-k samples (Broder): among the k
 * smallest hashes of the union, the share present in both estimates the Jaccard index J, and
 * shared = J·(nA + nB)/(1 + J). Exact when both versions have at most k keys.
 */
export function estimateSharedKeys(previous: readonly number[], previousCount: number, current: readonly number[], currentCount: number): number {
  if (previousCount === 0 || currentCount === 0) return 0;
  const exact = previous.length >= previousCount && current.length >= currentCount;
  const k = exact ? previous.length + current.length : Math.min(previous.length, current.length);
  let i = 0;
  let j = 0;
  let taken = 0;
  let both = 0;
  while (taken < k && (i < previous.length || j < current.length)) {
    const a = i < previous.length ? previous[i] : Number.POSITIVE_INFINITY;
    const b = j < current.length ? current[j] : Number.POSITIVE_INFINITY;
    if (a === b) {
      both++;
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
    taken++;
  }
  if (taken === 0) return 0;
  const jaccard = both / taken;
  return Math.min(previousCount, currentCount, Math.round((jaccard * (previousCount + currentCount)) / (1 + jaccard)));
}

export class QualityAccumulator {
  private readonly n: number;
  private rows = 0;
  private rejected = 0;
  /** Rows whose key was checked (no problem other than a duplicate key) and duplicates among them. */
  private keyChecked = 0;
  private duplicateKeys = 0;
  private readonly nonNull: Float64Array;
  /** Present but invalid cells (length/type/format problems) per column. */
  private readonly invalidPresent: Float64Array;
  /** Invalid counts per column × rule slot. */
  private readonly invalid: Float64Array;
  private readonly columnIndex: Map<string, number>;
  private readonly keyIndexes: Int32Array;
  private readonly sampleSize: number;
  /** Max-heap of the smallest key hashes seen. */
  private readonly heap: Float64Array;
  private heapSize = 0;
  private readonly asOfIndex: number;
  private asOf: string | null = null;

  constructor(
    readonly specs: readonly ColumnSpec[],
    options: QualityAccumulatorOptions = {},
  ) {
    this.n = specs.length;
    this.nonNull = new Float64Array(this.n);
    this.invalidPresent = new Float64Array(this.n);
    this.invalid = new Float64Array(this.n * 4);
    this.columnIndex = new Map(specs.map((s, i) => [s.name, i]));
    this.keyIndexes = Int32Array.from(specs.flatMap((s, i) => (s.key ? [i] : [])));
    this.sampleSize = this.keyIndexes.length > 0 ? Math.max(1, options.keySampleSize ?? DEFAULT_KEY_SAMPLE_SIZE) : 0;
    this.heap = new Float64Array(this.sampleSize);
    this.asOfIndex = -1;
    if (options.asOfColumn !== undefined) {
      const index = this.columnIndex.get(options.asOfColumn);
      const type = index === undefined ? undefined : specs[index].dataType?.toUpperCase();
      if (index === undefined || (type !== 'D' && type !== 'T')) {
        throw new Error(`asOfColumn "${options.asOfColumn}" must be a date (D) or timestamp (T) column`);
      }
      this.asOfIndex = index;
    }
  }

  /** An accumulator that came from another thread: structured cloning keeps its fields, not its class. */
  static revive(fields: object): QualityAccumulator {
    return Object.setPrototypeOf(fields, QualityAccumulator.prototype) as QualityAccumulator;
  }

  /**
   * Rows observed as clean that turned out to repeat a key (found by the loader after the COPY,
   * once the key table was full): counted as the validator's duplicates are, rejected rows whose
   * only problem is the key (keyChecked already counts them; the sample keeps one hash per key).
   */
  lateDuplicates(count: number): void {
    this.rejected += count;
    this.duplicateKeys += count;
  }

  /** One source row: its validated values (spec order) and all its problems (validator's and parser's). */
  observe(values: readonly (string | null)[], rowProblems: readonly RejectLine[]): void {
    this.rows++;
    const n = this.n;
    for (let i = 0; i < n; i++) if (values[i] != null) this.nonNull[i]++;
    if (rowProblems.length === 0) {
      if (this.keyIndexes.length > 0) {
        this.keyChecked++;
        this.sample(keyHash53(values, this.keyIndexes));
      }
    } else {
      this.rejected++;
      let onlyDuplicate = true;
      for (const problem of rowProblems) {
        const cell = problem as Partial<CellProblem>;
        const rule = cell.rule ?? RULE_OF_CODE[problem.code];
        if (rule === 'unique') {
          this.duplicateKeys++;
          continue;
        }
        onlyDuplicate = false;
        const column = cell.columnIndex ?? (problem.column === null ? undefined : this.columnIndex.get(problem.column));
        const slot = rule === undefined ? undefined : RULE_SLOT[rule];
        if (column == null || slot === undefined) continue; // a structural problem of the row
        this.invalid[column * 4 + slot]++;
        if (slot !== R_REQUIRED) this.invalidPresent[column]++;
      }
      if (onlyDuplicate && this.keyIndexes.length > 0) this.keyChecked++;
    }
    if (this.asOfIndex >= 0) {
      const v = values[this.asOfIndex];
      if (v != null && (this.asOf === null || v > this.asOf)) this.asOf = v;
    }
  }

  private sample(hash: number): void {
    const heap = this.heap;
    if (this.heapSize === this.sampleSize) {
      if (hash >= heap[0]) return;
      if (this.inSample(hash)) return;
      // Replace the largest and sift down.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.heapSize) break;
        const r = l + 1;
        const c = r < this.heapSize && heap[r] > heap[l] ? r : l;
        if (heap[c] <= hash) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = hash;
      return;
    }
    if (this.inSample(hash)) return;
    let i = this.heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] >= hash) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = hash;
  }

  private inSample(hash: number): boolean {
    for (let i = 0; i < this.heapSize; i++) if (this.heap[i] === hash) return true;
    return false;
  }

  finish(input: QualityFinishInput): QualityReport {
    const { specs, rows } = this;
    const loadedRows = rows - this.rejected;

    // Completeness
    const completenessColumns = specs.map((spec, i) => {
      const filled = this.nonNull[i] + this.invalidPresent[i];
      return { column: spec.name, filled, rate: rows === 0 ? 0 : filled / rows };
    });
    const completeness = completenessColumns.length === 0 ? 0 : completenessColumns.reduce((sum, c) => sum + c.rate, 0) / completenessColumns.length;

    // Validity
    const rules: RuleValidity[] = [];
    let checkedAll = 0;
    let invalidAll = 0;
    specs.forEach((spec, i) => {
      const present = this.nonNull[i] + this.invalidPresent[i];
      const add = (rule: RuleValidity['rule'], slot: number, checked: number, label = RULE_LABELS[rule]) => {
        const invalid = this.invalid[i * 4 + slot];
        checkedAll += checked;
        invalidAll += invalid;
        rules.push({ column: spec.name, rule, label, checked, invalid, rate: round(checked === 0 ? 1 : (checked - invalid) / checked, 4) });
      };
      if (spec.required || spec.key) add('required', R_REQUIRED, rows);
      const text = isTextType(spec.dataType);
      const lengthInvalid = this.invalid[i * 4 + R_LENGTH];
      if (text && spec.length != null && spec.length > 0) add('length', R_LENGTH, present);
      if (text && spec.format) add('format', R_FORMAT, present - lengthInvalid, `${RULE_LABELS.format}（${FORMAT_LABELS[spec.format] ?? spec.format}）`);
      // Text has no type rule, except the NUL character check: listed only when it failed.
      if (!text || this.invalid[i * 4 + R_TYPE] > 0) add('type', R_TYPE, present - lengthInvalid);
    });
    const validity = checkedAll === 0 ? 1 : (checkedAll - invalidAll) / checkedAll;

    // Uniqueness
    const keyColumns = Array.from(this.keyIndexes, (i) => specs[i].name);
    const uniqueness =
      keyColumns.length === 0
        ? null
        : {
            keyColumns,
            checkedRows: this.keyChecked,
            duplicateRows: this.duplicateKeys,
            rate: round(this.keyChecked === 0 ? 1 : (this.keyChecked - this.duplicateKeys) / this.keyChecked, 4),
          };
    const keyCount = keyColumns.length === 0 ? undefined : this.keyChecked - this.duplicateKeys;
    const keySample = keyColumns.length === 0 ? undefined : Array.from(this.heap.subarray(0, this.heapSize)).sort((a, b) => a - b);

    // Consistency
    const columns = specs.map((s) => s.name);
    let consistency: QualityReport['consistency'] = null;
    let consistencyScore: number | null = null;
    const previous = input.previous;
    if (previous) {
      const previousColumns = new Set(previous.columns);
      const currentColumns = new Set(columns);
      const columnsAdded = columns.filter((c) => !previousColumns.has(c));
      const columnsRemoved = previous.columns.filter((c) => !currentColumns.has(c));
      const union = new Set([...columns, ...previous.columns]).size;
      const common = union - columnsAdded.length - columnsRemoved.length;
      const change = loadedRows - previous.rowCount;
      const changeRate = previous.rowCount === 0 ? null : change / previous.rowCount;
      let rowsAdded: number | null = null;
      let rowsRemoved: number | null = null;
      let rowsChanged: number | null = null;
      let source: 'loader' | 'keySample' | null = null;
      if (input.diff) {
        rowsAdded = input.diff.added;
        rowsRemoved = input.diff.removed;
        rowsChanged = input.diff.changed ?? null;
        source = 'loader';
      } else if (previous.keySample && previous.keyCount !== undefined && keySample && keyCount !== undefined) {
        const shared = estimateSharedKeys(previous.keySample, previous.keyCount, keySample, keyCount);
        rowsAdded = keyCount - shared;
        rowsRemoved = previous.keyCount - shared;
        source = 'keySample';
      }
      const parts = [changeRate === null ? 1 : stability(changeRate), union === 0 ? 1 : common / union];
      if (rowsRemoved !== null && previous.rowCount > 0) parts.push(stability(rowsRemoved / previous.rowCount));
      consistencyScore = (parts.reduce((a, b) => a + b, 0) / parts.length) * 100;
      consistency = {
        previousRowCount: previous.rowCount,
        rowCountChange: change,
        rowCountChangeRate: changeRate === null ? null : round(changeRate, 4),
        columnsAdded,
        columnsRemoved,
        rowsAdded,
        rowsRemoved,
        rowsChanged,
        rowChangesSource: source,
      };
    }

    // Timeliness
    const cycle = input.updateCycle ?? null;
    const maxAgeDays = cycle === null ? null : (maxAgeDaysOf(cycle) ?? null);
    const last =
      input.lastUpdatedAt instanceof Date
        ? input.lastUpdatedAt
        : typeof input.lastUpdatedAt === 'string'
          ? new Date(input.lastUpdatedAt)
          : this.asOf !== null
            ? localToInstant(this.asOf)
            : null;
    const lastValid = last !== null && !Number.isNaN(last.getTime()) ? last : null;
    const ageDays = lastValid === null ? null : round(Math.max(0, input.now.getTime() - lastValid.getTime()) / 86_400_000, 2);
    let status: QualityReport['timeliness']['status'];
    let timelinessScore: number | null = null;
    if (maxAgeDays === null) status = 'notRequired';
    else if (lastValid === null || ageDays === null) status = 'unknown';
    else if (isUpdateStale(cycle as string, lastValid, input.now)) {
      status = 'stale';
      timelinessScore = 100 * clamp01(1 - (ageDays - maxAgeDays) / maxAgeDays);
    } else {
      status = 'fresh';
      timelinessScore = 100;
    }

    // Score
    const dimensions: Record<QualityDimension, number | null> = {
      completeness: round(completeness * 100, 1),
      validity: round(validity * 100, 1),
      uniqueness: uniqueness === null ? null : round(uniqueness.rate * 100, 1),
      consistency: consistencyScore === null ? null : round(consistencyScore, 1),
      timeliness: timelinessScore === null ? null : round(timelinessScore, 1),
    };
    const raw: Record<QualityDimension, number | null> = {
      completeness: completeness * 100,
      validity: validity * 100,
      uniqueness: uniqueness === null ? null : (this.keyChecked === 0 ? 1 : (this.keyChecked - this.duplicateKeys) / this.keyChecked) * 100,
      consistency: consistencyScore,
      timeliness: timelinessScore,
    };
    const baseWeights = { ...DEFAULT_QUALITY_WEIGHTS, ...input.weights };
    const dims = Object.keys(DEFAULT_QUALITY_WEIGHTS) as QualityDimension[];
    const total = dims.reduce((sum, d) => sum + (raw[d] === null ? 0 : baseWeights[d]), 0);
    const weights = Object.fromEntries(dims.map((d) => [d, raw[d] === null || total === 0 ? 0 : round(baseWeights[d] / total, 4)])) as Record<QualityDimension, number>;
    const score = total === 0 ? 0 : round(dims.reduce((sum, d) => sum + (raw[d] === null ? 0 : (raw[d] as number) * baseWeights[d]), 0) / total, 1);

    return {
      ...(input.version !== undefined ? { version: input.version } : {}),
      rowCount: rows,
      rejectedRows: this.rejected,
      loadedRows,
      completeness: { overall: round(completeness, 4), columns: completenessColumns.map((c) => ({ ...c, rate: round(c.rate, 4) })) },
      validity: { overall: round(validity, 4), checked: checkedAll, invalid: invalidAll, rules },
      uniqueness,
      consistency,
      timeliness: {
        updateCycle: cycle,
        updateCycleLabel: cycle === null ? null : (labelOf(UPDATE_CYCLES, cycle) ?? null),
        maxAgeDays,
        lastUpdatedAt: lastValid === null ? null : lastValid.toISOString(),
        ageDays,
        status,
      },
      dimensions,
      weights,
      score,
      grade: gradeOf(score),
      snapshot: {
        rowCount: loadedRows,
        columns,
        ...(keyCount !== undefined ? { keyCount, keySample } : {}),
      },
    };
  }
}

export function createQualityAccumulator(specs: readonly ColumnSpec[], options?: QualityAccumulatorOptions): QualityAccumulator {
  return new QualityAccumulator(specs, options);
}

// ---------------------------------------------------------------------------------------------
// Trend

export type TrendInput = Pick<QualityReport, 'score' | 'grade' | 'rowCount'> & Partial<Pick<QualityReport, 'version' | 'dimensions'>>;

export interface QualityTrend {
  points: { version: string | number | null; score: number; grade: QualityGrade; rowCount: number; change: number | null }[];
  first: number | null;
  last: number | null;
  /** last − first */
  change: number | null;
  mean: number | null;
  best: { version: string | number | null; score: number } | null;
  worst: { version: string | number | null; score: number } | null;
  /** Least-squares score change per version. */
  slope: number | null;
  /** improving / declining when the slope is beyond ±TREND_FLAT_SLOPE points per version. */
  direction: 'improving' | 'declining' | 'stable' | 'insufficient';
  /** Versions in a row, ending with the last, whose score fell. */
  consecutiveDeclines: number;
  /** Change of each dimension between the first and last version where both have it. */
  dimensionChanges: Record<QualityDimension, number | null>;
}

export const TREND_FLAT_SLOPE = 0.5;

/** Score over versions, oldest first (the order given). */
export function trend(reports: readonly TrendInput[]): QualityTrend {
  const points = reports.map((r, i) => ({
    version: r.version ?? null,
    score: r.score,
    grade: r.grade,
    rowCount: r.rowCount,
    change: i === 0 ? null : round(r.score - reports[i - 1].score, 1),
  }));
  const dims = Object.keys(DEFAULT_QUALITY_WEIGHTS) as QualityDimension[];
  const dimensionChanges = Object.fromEntries(dims.map((d) => [d, null])) as Record<QualityDimension, number | null>;
  if (points.length === 0) {
    return { points, first: null, last: null, change: null, mean: null, best: null, worst: null, slope: null, direction: 'insufficient', consecutiveDeclines: 0, dimensionChanges };
  }
  const scores = points.map((p) => p.score);
  const n = scores.length;
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  let slope: number | null = null;
  if (n >= 2) {
    const xMean = (n - 1) / 2;
    let num = 0;
    let den = 0;
    scores.forEach((y, x) => {
      num += (x - xMean) * (y - mean);
      den += (x - xMean) ** 2;
    });
    slope = round(num / den, 2);
  }
  let best = points[0];
  let worst = points[0];
  for (const p of points) {
    if (p.score > best.score) best = p;
    if (p.score < worst.score) worst = p;
  }
  let consecutiveDeclines = 0;
  for (let i = n - 1; i > 0 && scores[i] < scores[i - 1]; i--) consecutiveDeclines++;
  for (const d of dims) {
    const withDim = reports.filter((r) => r.dimensions?.[d] != null);
    if (withDim.length >= 2) dimensionChanges[d] = round((withDim[withDim.length - 1].dimensions![d] as number) - (withDim[0].dimensions![d] as number), 1);
  }
  return {
    points,
    first: scores[0],
    last: scores[n - 1],
    change: round(scores[n - 1] - scores[0], 1),
    mean: round(mean, 1),
    best: { version: best.version, score: best.score },
    worst: { version: worst.version, score: worst.score },
    slope,
    direction: slope === null ? 'insufficient' : slope > TREND_FLAT_SLOPE ? 'improving' : slope < -TREND_FLAT_SLOPE ? 'declining' : 'stable',
    consecutiveDeclines,
    dimensionChanges,
  };
}
