import { ColumnPlan, planColumns } from './masking-plan';

/** The table of one load: a new generation gets a new table, so readers keep the old one until the swap. */
export function dataTableName(entryId: string, version: number, catalogVersion: number, generation: number): string {
  const id = entryId.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`bad entry id ${entryId}`);
  return `od_${id}_${version}_${catalogVersion}_${generation}`;
}

/** The stored snapshot reference of a version (ingest's object key, its columns, columns withheld by discovery). */
export interface SnapshotRef {
  ref: { key: string };
  columns: { name: string; type: string }[];
  blocked?: string[];
}

/** How the row's current snapshot must be loaded under its current catalog metadata. */
export function planOf(row: { snapshot: SnapshotRef; metadata: { items?: unknown[] } }): ColumnPlan[] {
  return planColumns(row.snapshot.columns, (row.metadata.items ?? []) as Parameters<typeof planColumns>[1], row.snapshot.blocked ?? []);
}

export const samePlan = (a: readonly ColumnPlan[] | null, b: readonly ColumnPlan[]) => !!a && JSON.stringify(a) === JSON.stringify(b);

/**
 * Whether `next` masks a column that the loaded table serves differently (newly personal, newly
 * withheld by discovery, another rule): then the loaded table must stop being served at once
 * rather than when the new one is ready.
 */
export function masksMore(loaded: readonly ColumnPlan[], next: readonly ColumnPlan[]): boolean {
  const before = new Map(loaded.map((c) => [c.name, c] as const));
  return next.some((c) => {
    const old = before.get(c.name);
    return !!old && !!c.mask && JSON.stringify(old.mask) !== JSON.stringify(c.mask);
  });
}
