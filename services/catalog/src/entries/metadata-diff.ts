import type { CatalogMetadata } from '@gov/shared';

export interface FieldChange {
  /** Field path; items are addressed by name, e.g. `items[营业执照号].length`. */
  field: string;
  change: 'added' | 'removed' | 'modified';
  before?: unknown;
  after?: unknown;
}

/** Flattens metadata to path → scalar; arrays of scalars stay whole, items are keyed by name. */
function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value === undefined || value === null || value === '') return;
  if (Array.isArray(value)) {
    if (path === 'items') {
      value.forEach((item, i) => flatten(item, `items[${(item as { name?: string })?.name || `#${i + 1}`}]`, out));
      return;
    }
    if (value.length > 0) out.set(path, value);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Field-level differences between two versions, in a stable order. */
export function diffMetadata(before: CatalogMetadata, after: CatalogMetadata): FieldChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, '', a);
  flatten(after, '', b);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const [x, y] = [a.get(field), b.get(field)];
    if (!a.has(field)) changes.push({ field, change: 'added', after: y });
    else if (!b.has(field)) changes.push({ field, change: 'removed', before: x });
    else if (!same(x, y)) changes.push({ field, change: 'modified', before: x, after: y });
  }
  return changes;
}
