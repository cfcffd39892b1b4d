import { quoteIdent } from '../datasets/snapshot';

/**
 * Aggregation risk (聚合风险): released columns that together single people out. Quasi-identifiers
 * (准标识符, GB/T 37964) are attributes that are harmless alone and identifying together: birth date
 * + district + gender identifies most people. The minimum group size over the released
 * quasi-identifiers is the release's k (k-anonymity); below the configured k it is refused, naming the
 * smallest combination of columns that is already below k.
 */
export const QUASI_IDENTIFIER = /(?:出生|生日|年龄|性别|民族|籍贯|户籍|区县|县区|街道|乡镇|社区|村|邮编|邮政编码|职业|工作单位|学历|婚姻|国籍|政治面貌|birth|age|gender|sex|zip)/i;

export function quasiIdentifiers(columns: readonly string[]): string[] {
  return columns.filter((c) => QUASI_IDENTIFIER.test(c));
}

export interface KAnonymityResult {
  /** The quasi-identifiers considered, in release order. */
  quasiIdentifiers: string[];
  /** Smallest group size over all of them (Infinity when there are none or no rows). */
  k: number;
  /** Rows in groups smaller than the required k. */
  rowsAtRisk: number;
  /** The smallest column combination already below the required k, when k is below it. */
  offending: string[] | null;
}

/** Runs SQL against the data; returns rows as objects. Lets services use their own connection. */
export type SqlRunner = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

async function minGroup(run: SqlRunner, table: string, columns: readonly string[], requiredK: number): Promise<{ k: number; rowsAtRisk: number }> {
  const cols = columns.map(quoteIdent).join(', ');
  const [row] = await run(
    `SELECT coalesce(min(n), 0)::bigint AS k, coalesce(sum(n) FILTER (WHERE n < $1), 0)::bigint AS at_risk
       FROM (SELECT count(*) AS n FROM ${table} GROUP BY ${cols}) g`,
    [requiredK],
  );
  const k = Number(row.k);
  return { k: k === 0 ? Infinity : k, rowsAtRisk: Number(row.at_risk) };
}

/**
 * k of releasing `columns` from `table` (an already-quoted, trusted table name). Only the
 * quasi-identifiers among the columns count. To name the cause, combinations are tried from the
 * smallest up (pairs, then triples…), so the answer says "出生日期 + 区县", not "all seven columns".
 */
export async function checkKAnonymity(run: SqlRunner, table: string, columns: readonly string[], requiredK: number): Promise<KAnonymityResult> {
  const qis = quasiIdentifiers(columns);
  if (qis.length === 0) return { quasiIdentifiers: [], k: Infinity, rowsAtRisk: 0, offending: null };
  const whole = await minGroup(run, table, qis, requiredK);
  if (whole.k >= requiredK) return { quasiIdentifiers: qis, ...whole, offending: null };
  // Each try is a GROUP BY over the table: look for causes among pairs and triples only.
  for (let size = 1; size < Math.min(qis.length, MAX_CAUSE_SIZE + 1); size++)
    for (const combo of combinations(qis, size)) if ((await minGroup(run, table, combo, requiredK)).k < requiredK) return { quasiIdentifiers: qis, ...whole, offending: combo };
  return { quasiIdentifiers: qis, ...whole, offending: qis };
}

const MAX_CAUSE_SIZE = 3;

export function* combinations<T>(items: readonly T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield [...prefix];
    return;
  }
  for (let i = start; i <= items.length - (size - prefix.length); i++) yield* combinations(items, size, i + 1, [...prefix, items[i]]);
}
