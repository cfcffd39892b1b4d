import { MerkleFrontier, NodeId, nodeKey } from '@gov/shared';

/** Anything that runs SQL: a TypeORM manager, a pg client or pool. */
export interface Sql {
  query(text: string, params?: unknown[]): Promise<any>;
}

/** pg answers query() with rows (TypeORM) or a result (pg): both shapes, one list. */
export async function rows<T>(db: Sql, text: string, params?: unknown[]): Promise<T[]> {
  const r = await db.query(text, params);
  return (Array.isArray(r) ? r : r.rows) as T[];
}

/** Records sequenced so far (archived ones included). */
export async function logSize(db: Sql): Promise<number> {
  const [r] = await rows<{ size: string }>(
    db,
    `SELECT greatest((SELECT max(seq) + 1 FROM audit.audit_record), (SELECT max(to_seq) FROM audit.archive_segment), 0) AS size`,
  );
  return Number(r.size);
}

/**
 * Stored complete subtrees by id: level 0 from the records (or merkle_node for archived leaves),
 * higher levels from merkle_node. One round trip whatever the number of nodes.
 */
export async function fetchNodes(db: Sql, ids: NodeId[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (!ids.length) return out;
  const leaves = ids.filter((i) => i.level === 0).map((i) => i.index);
  const text = `SELECT n.level, n.idx, n.hash FROM audit.merkle_node n JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx
     UNION ALL
     SELECT 0::smallint, r.seq, r.leaf_hash FROM audit.audit_record r WHERE r.seq = ANY($3::bigint[])`;
  const values = [ids.map((i) => i.level), ids.map((i) => i.index), leaves];
  // On a pg pool or client a named (prepared) statement skips planning: proofs are a hot path.
  const found: { level: number; idx: string; hash: Buffer }[] =
    'totalCount' in db || 'processID' in db ? (await (db as any).query({ name: 'audit-fetch-nodes', text, values })).rows : await rows(db, text, values);
  for (const r of found) out.set(nodeKey({ level: Number(r.level), index: Number(r.idx) }), r.hash);
  return out;
}

export async function loadFrontier(db: Sql, size: number): Promise<MerkleFrontier> {
  const ids = MerkleFrontier.nodesOf(size);
  const nodes = await fetchNodes(db, ids);
  return new MerkleFrontier(
    size,
    ids.map((id) => {
      const h = nodes.get(nodeKey(id));
      if (!h) throw new Error(`audit log: tree node ${nodeKey(id)} is missing`);
      return h;
    }),
  );
}
