import { rowSetFromPacked, symmetricDifference } from './row-sets';
import { HIDDEN_COUNT, HIDDEN_ROWS, SandboxRefusal } from './sandbox-sql';

/**
 * Release checks of a sandbox job (可用不可见), shared by sharing (departments) and open-api
 * (developers): what may leave once the query has run. Pure: the caller loads the ledger of earlier
 * releases, serialises checks per ledger key and stores what was released.
 */

/** One output group as the query returned it: its source-row count and the fingerprint set of its driving rows. */
export interface OutputGroup {
  /** `count(*)` of the group (join rows included). */
  rows: number;
  /** Sorted, de-duplicated row fingerprints of the driving table. */
  ids: Int32Array;
  /** Set by `checkDifferencing`: the same rows as a group already released (nothing new to keep). */
  known?: boolean;
}

/** A group released earlier under the same ledger key. */
export interface ReleasedGroup {
  jobId: string;
  rows: number;
  ids: () => Int32Array;
}

export interface ReleaseLimits {
  minK: number;
  maxRows: number;
}

/** The output groups of a query's rows (hidden columns read, not released). */
export function outputGroups(rows: readonly Record<string, unknown>[]): OutputGroup[] {
  return rows.map((r) => ({ rows: Number(r[HIDDEN_COUNT]), ids: rowSetFromPacked(r[HIDDEN_ROWS] as Buffer | null) }));
}

/**
 * The group size the k-check uses: distinct driving rows (a join repeats a person, `count(*)` would
 * overcount them). Identical rows share a fingerprint and count once: conservative.
 */
export const groupSize = (g: OutputGroup) => Math.min(g.rows, g.ids.length);

/** 最小分组 and size: refuses too many groups, and any group of fewer than k source rows (a LIMIT cannot hide small groups: each is checked). */
export function checkGroups(groups: readonly OutputGroup[], limits: ReleaseLimits): void {
  const { minK: k, maxRows } = limits;
  if (groups.length > maxRows) throw new SandboxRefusal('SANDBOX_TOO_MANY_ROWS', `结果超过 ${maxRows} 组：请提高聚合粒度`, `More than ${maxRows} groups: aggregate more coarsely`);
  const small = groups.filter((g) => groupSize(g) < k).length;
  if (small > 0)
    throw new SandboxRefusal(
      'SANDBOX_GROUP_TOO_SMALL',
      `有 ${small} 个输出分组少于 ${k} 条源记录，可能识别到个人：请扩大分组或筛选范围`,
      `${small} output group(s) cover fewer than ${k} source rows and could identify people; widen the groups or filters`,
      { minK: k, smallGroups: small },
    );
}

/** Earlier releases that can conflict have a `count(*)` within k − 1 of a new group's (the difference is at least that far apart). */
export function ledgerWindow(groups: readonly OutputGroup[], k: number): { lo: number; hi: number } {
  return { lo: Math.min(...groups.map((g) => g.rows)) - k + 1, hi: Math.max(...groups.map((g) => g.rows)) + k - 1 };
}

/**
 * How many source rows separate two groups, as far as an attacker subtracting their aggregates is
 * concerned: the symmetric difference of their fingerprint sets, and at least the difference of
 * their row counts (catches identical or colliding fingerprints and rows of joined tables).
 */
export function groupDistance(a: { rows: number; ids: Int32Array }, b: { rows: number; ids: Int32Array }, stopAt: number): number {
  return Math.max(symmetricDifference(a.ids, b.ids, stopAt), Math.abs(a.rows - b.rows));
}

/**
 * 差分攻击 (differencing): refuses a job if any of its groups is 1 … k−1 source rows away from a group
 * released earlier under the same ledger key; marks groups identical to an earlier one as `known`.
 *
 * The ledger is kept per recipient and dataset, not per version, and rows are identified by a
 * fingerprint of their content (all columns), not by their position in a version. So the rule is the
 * same before and after a new version lands: re-running "everyone with 感冒" after a version that added,
 * removed or changed one such person is a group one or two fingerprints away from the released one
 * and is refused; a version that changes nothing in the group gives the same fingerprints (distance 0,
 * the same answer); a version that changes k or more of its rows gives a new, releasable group.
 * A changed row counts twice (old fingerprint gone, new one added): conservative by design.
 */
export function checkDifferencing(groups: OutputGroup[], earlier: Iterable<ReleasedGroup>, k: number): void {
  for (const e of earlier) {
    let ids: Int32Array | undefined;
    for (const g of groups) {
      if (Math.abs(e.rows - g.rows) >= k) continue;
      ids ??= e.ids();
      if (Math.abs(ids.length - g.ids.length) >= k) continue;
      const d = groupDistance(g, { rows: e.rows, ids }, k);
      if (d === 0) g.known = true;
      else if (d < k)
        throw new SandboxRefusal(
          'SANDBOX_DIFFERENCING',
          `与已放行的作业 ${e.jobId} 的某个分组只相差 ${d} 条源记录（少于 ${k}，含不同版本之间的差异），两次结果相减可识别到个人`,
          `An output group differs from a group already released by job ${e.jobId} in only ${d} source row(s) (fewer than ${k}, across versions too); the difference would identify people`,
          { earlierJobId: e.jobId, minK: k },
        );
    }
  }
}
