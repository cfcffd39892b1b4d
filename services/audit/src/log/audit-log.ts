import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  AuditLogRecord,
  canonicalJson,
  consistencyRanges,
  hashRanges,
  inclusionRanges,
  keyIdOf,
  leafHashOfInput,
  MerkleFrontier,
  NodeId,
  nodeKey,
  nodesFor,
  OBJECT_STORAGE,
  ObjectStorage,
  publicKeyPem,
  SERVICE_RUNTIME,
  ServiceRuntime,
  SignedTreeHead,
  signTreeHead,
  TransactionBatch,
} from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { buildRecord, IncomingEvent } from '../records/audit-record.builder';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, CopyType, encodeCopyRows } from './copy-binary';
import { fetchNodes, loadFrontier, logSize, rows, Sql } from './log-store';

/** Any 64-bit constant: the one sequencer of the log holds this advisory lock while appending. */
const SEQUENCER_LOCK = 7_240_700_001;

/** Records per COPY chunk on the append path. */
const APPEND_CHUNK = 250;

/** Proof nodes this high (2^8 leaves and more) are kept in memory once read. */
const CACHED_LEVEL = 8;
const UPPER_NODES_MAX = 200_000;

export const TREE_HEAD_PREFIX = 'audit/tree-heads/';

export interface AppendedRecord {
  seq: number;
  record: AuditLogRecord;
}

/** The next intake rows, read (not taken) while the previous batch was being appended. */
interface Prefetched {
  rows: { id: string; envelope: IncomingEvent }[];
  /** Fewer than a batch: taken afresh instead, in case more arrived after the read. */
  partial: boolean;
}

export type AppendListener = (records: AppendedRecord[]) => Promise<void>;

interface HeadRow {
  tree_size: string;
  root_hash: Buffer;
  signed_at: Date;
  key_id: string;
  signature: string;
}

export function headOf(r: HeadRow): SignedTreeHead {
  return { treeSize: Number(r.tree_size), rootHash: r.root_hash.toString('hex'), timestamp: r.signed_at.toISOString(), keyId: r.key_id, signature: r.signature };
}

export const headKey = (size: number) => `${TREE_HEAD_PREFIX}${String(size).padStart(16, '0')}.json`;

/** The columns of audit_record, in the order appendRows() fills them. */
const COLUMNS: [string, string][] = [
  ['seq', 'bigint'], ['leaf_hash', 'bytea'], ['body', 'bytea'], ['event_id', 'uuid'], ['event_name', 'text'], ['producer', 'text'],
  ['occurred_at', 'timestamptz'], ['recorded_at', 'timestamptz'], ['correlation_id', 'text'], ['actor_type', 'text'], ['actor_id', 'text'],
  ['actor_dept_id', 'text'], ['object_type', 'text'], ['object_id', 'text'], ['dataset_id', 'text'], ['entry_id', 'text'], ['grant_id', 'text'],
  ['app_id', 'text'], ['request_id', 'text'], ['provider_dept_id', 'text'], ['consumer_dept_id', 'text'], ['outcome', 'text'],
  ['row_count', 'bigint'], ['personal_data', 'boolean'],
];

export const RECORD_COLUMNS = COLUMNS;
const NODE_COLUMNS: [string, string][] = [['level', 'smallint'], ['idx', 'bigint'], ['hash', 'bytea']];

/** The pg client under a TypeORM transaction, when there is one (COPY needs the raw client). */
function rawClient(m: Sql): PoolClient | undefined {
  const conn = (m as { queryRunner?: { databaseConnection?: PoolClient } }).queryRunner?.databaseConnection;
  if (conn && typeof conn.query === 'function') return conn;
  if ('processID' in (m as object)) return m as unknown as PoolClient;
  return undefined;
}

/** Writes rows (column arrays) with binary COPY FROM STDIN on a raw client, or with INSERT … unnest otherwise. */
export function copyInto(m: Sql, table: string, columns: [string, string][], values: unknown[][]): Promise<void> {
  return copyChunks(m, table, columns, [values]);
}

/**
 * Like copyInto, from a sequence of column chunks: each is sent as soon as it is made, so the
 * server stores one chunk while the next is being built (the two run on different cores).
 */
export async function copyChunks(m: Sql, table: string, columns: [string, string][], chunks: Iterable<unknown[][]>): Promise<void> {
  const types = columns.map((c) => c[1] as CopyType);
  const client = rawClient(m);
  if (!client) {
    const all: unknown[][] = columns.map(() => []);
    for (const chunk of chunks) chunk.forEach((col, i) => all[i].push(...col));
    if (!all[0].length) return;
    await m.query(`INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})`, all);
    return;
  }
  const stream = client.query(copyFrom(`COPY ${table} (${columns.map((c) => c[0]).join(', ')}) FROM STDIN (FORMAT binary)`));
  const done = finished(stream);
  try {
    stream.write(COPY_BINARY_HEADER);
    for (const chunk of chunks) {
      if (!stream.write(encodeCopyRows(types, chunk))) await once(stream, 'drain');
    }
  } catch (err) {
    // Aborts the COPY (CopyFail) so the connection is usable for the rollback.
    stream.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  stream.end(COPY_BINARY_TRAILER);
  await done;
}

/** Column arrays for one INSERT … SELECT unnest(…) of many records. */
export function recordColumns(batch: { record: AuditLogRecord; body: Buffer; leaf: Buffer }[]): unknown[][] {
  const cols: unknown[][] = COLUMNS.map(() => []);
  for (const { record: r, body, leaf } of batch) {
    const v = [
      r.seq, leaf, body, r.eventId, r.eventName, r.producer, r.occurredAt, r.recordedAt, r.correlationId, r.actor?.type ?? null, r.actor?.id ?? null,
      r.actor?.deptId ?? null, r.object.type, r.object.id, r.refs.datasetId, r.refs.entryId, r.refs.grantId, r.refs.appId, r.refs.requestId,
      r.refs.providerDeptId, r.refs.consumerDeptId, r.outcome, r.rowCount, r.personalData,
    ];
    for (let i = 0; i < v.length; i++) cols[i].push(v[i]);
  }
  return cols;
}

/**
 * Intake rows in the given order (the log's order); a repeated event id is ignored. The batch goes
 * as one JSON array: as a jsonb[] parameter, pg escaped every envelope for the array literal in
 * JavaScript (two regex passes and ~20 KB of garbage per open-api request).
 */
async function enqueueAll(m: Sql, events: IncomingEvent[]): Promise<void> {
  await m.query(
    `INSERT INTO audit.intake (event_id, envelope) SELECT (x.e->>'id')::uuid, x.e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY x.n
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(events)],
  );
}

/**
 * 审计日志: an append-only Merkle tree log (RFC 6962). Consumers put events into the intake
 * (same transaction as their inbox row); one sequencer at a time (advisory lock) moves them into
 * the log in batches, hashes them into the tree, stores completed subtrees for proofs and signs a
 * tree head every N records and after a quiet interval. Signed heads are copied to object
 * storage so a database restored from an older backup is noticed.
 */
@Injectable()
export class AuditLog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditLog');
  private readonly listeners: AppendListener[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;
  private flushing?: Promise<number>;
  private exporting: Promise<void> = Promise.resolve();
  private unexported: SignedTreeHead[] = [];
  private lastHeadAt = 0;
  private closed = false;
  /** Frontier after the last batch this process appended (reloaded when another process appended). */
  private frontier?: MerkleFrontier;
  private lastIntakeId = 0;
  /** Complete subtrees of CACHED_LEVEL and above, oldest evicted first. */
  private readonly upperNodes = new Map<string, Buffer>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  onApplicationBootstrap(): void {
    const tick = () => {
      if (this.closed) return;
      this.flush()
        .then(() => this.signIfIdle())
        .catch((err) => this.logger.error(`sequencer: ${(err as Error).message}`))
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, this.settings.sequenceIntervalMs);
        });
    };
    this.timer = setTimeout(tick, this.settings.sequenceIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.exporting;
  }

  get publicKeyPem(): string {
    return publicKeyPem(this.settings.signingKey);
  }

  get keyId(): string {
    return keyIdOf(this.settings.signingKey);
  }

  /** Called by whoever must react to new records in log order (alert rules). */
  onAppended(listener: AppendListener): void {
    this.listeners.push(listener);
  }

  /** Queues an event for the log, in the caller's transaction; a repeated event id is ignored. */
  async enqueue(m: Sql, e: IncomingEvent): Promise<void> {
    await enqueueAll(m, [e]);
  }

  /** Queues events consumed in one transaction with one insert, just before it commits. */
  enqueueInBatch(batch: TransactionBatch, e: IncomingEvent): void {
    batch.add('audit.intake', e, enqueueAll);
  }

  /** An event of the audit service itself (alert raised, access refused, …), logged like any other. */
  async enqueueOwn(m: Sql, name: string, key: string, payload: object, meta: Pick<IncomingEvent, 'actor' | 'correlationId'> = {}): Promise<string> {
    const id = randomUUID();
    await this.enqueue(m, { id, name: name as IncomingEvent['name'], version: 1, key, occurredAt: new Date().toISOString(), producer: 'audit', payload, ...meta });
    return id;
  }

  /**
   * Sequences until the intake is empty; returns the number of records appended. Pipelined: as
   * soon as a batch has been taken from the intake, the next one is read (not yet taken) on
   * another connection, so reading and parsing it overlaps this batch's building, COPY and commit;
   * the next transaction then only deletes those ids (answering which it got) and appends them.
   */
  flush(): Promise<number> {
    // One flush at a time in this process (the timer's and a caller's), so read-aheads are not
    // wasted on rows the other flush takes; a second caller then flushes what arrived meanwhile.
    const run = (this.flushing ?? Promise.resolve(0)).catch(() => 0).then(() => this.flushPipelined());
    this.flushing = run;
    return run;
  }

  private async flushPipelined(): Promise<number> {
    let total = 0;
    let next: Promise<Prefetched | undefined> | undefined;
    try {
      for (;;) {
        if (this.closed) return total;
        const pre = next ? await next : undefined;
        next = undefined;
        const { appended, prefetch } = await this.serialized(() => this.appendBatch(pre, true));
        next = prefetch;
        total += appended;
        if (!next && appended < this.settings.batchSize) return total;
      }
    } finally {
      // A read-ahead nobody will use: only read, never taken, so nothing is lost.
      void next?.catch(() => undefined);
      await this.exporting;
    }
  }

  /** One batch, serialized within this process and across processes (advisory lock). */
  async sequenceOnce(): Promise<number> {
    return (await this.serialized(() => this.appendBatch(undefined, false))).appended;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = (this.running ?? Promise.resolve(0)).catch(() => 0).then(work);
    this.running = run.then(
      () => 0,
      () => 0,
    );
    return run;
  }

  /** Reads (does not take) the intake rows after `after`, on a connection of its own. */
  private async readAhead(after: number): Promise<Prefetched | undefined> {
    const list = await rows<{ id: string; envelope: IncomingEvent }>(
      this.ds,
      `SELECT id, envelope FROM audit.intake WHERE id > $2 ORDER BY id LIMIT $1`,
      [this.settings.batchSize, after],
    );
    // A short read may be a snapshot taken just before more arrived: the batch takes afresh then.
    return list.length ? { rows: list, partial: list.length < this.settings.batchSize } : undefined;
  }

  private async appendBatch(pre: Prefetched | undefined, readAhead: boolean): Promise<{ appended: number; prefetch?: Promise<Prefetched | undefined> }> {
    let prefetch: Promise<Prefetched | undefined> | undefined;
    const heads: SignedTreeHead[] = [];
    const appended: AppendedRecord[] = [];
    let frontier: MerkleFrontier | undefined;
    await this.ds.transaction(async (m) => {
      const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [SEQUENCER_LOCK]);
      if (!locked) return;
      // Start after the last id taken: deleted rows stay in the index until vacuum, and scanning
      // past them on every batch would make a long backlog quadratic. When nothing lies beyond it,
      // look from the start once, for a transaction that took a smaller id but committed later.
      const take = (after: number) =>
        rows<{ id: string; envelope: IncomingEvent }>(
          m,
          // As a CTE: TypeORM answers a bare DELETE … RETURNING with [rows, count].
          `WITH taken AS (DELETE FROM audit.intake WHERE id IN (SELECT id FROM audit.intake WHERE id > $2 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, envelope)
           SELECT * FROM taken`,
          [this.settings.batchSize, after],
        );
      let intake: { id: string; envelope: IncomingEvent }[] = [];
      if (pre && !pre.partial) {
        // Read ahead while the previous batch was appended: take exactly those rows now. Intake rows
        // are never updated, so the envelopes read are the ones deleted; a row another sequencer
        // took meanwhile is not returned and so not appended here.
        const taken = new Set(
          (
            await rows<{ id: string }>(
              m,
              `WITH taken AS (DELETE FROM audit.intake WHERE id = ANY($1::bigint[]) RETURNING id) SELECT id FROM taken`,
              [pre.rows.map((r) => r.id)],
            )
          ).map((r) => String(r.id)),
        );
        intake = pre.rows.filter((r) => taken.has(String(r.id)));
      }
      if (!intake.length) intake = await take(this.lastIntakeId);
      if (!intake.length && this.lastIntakeId > 0) intake = await take(0);
      if (!intake.length) return;
      intake.sort((a, b) => Number(a.id) - Number(b.id));
      const maxId = Number(intake[intake.length - 1].id);
      this.lastIntakeId = Math.max(this.lastIntakeId, maxId);
      // A full batch: more is probably waiting, so read the next one while this one is built and copied.
      if (readAhead && intake.length >= this.settings.batchSize && !this.closed) {
        const p = this.readAhead(maxId);
        p.catch(() => undefined);
        prefetch = p;
      }
      // The unique event id is the backstop behind the inboxes: an event already logged is not logged twice.
      const already = new Set(
        (
          await rows<{ event_id: string }>(
            m,
            // By (occurred_at, event_id), the unique index: a redelivered envelope has both the same.
            `SELECT r.event_id FROM audit.audit_record r JOIN unnest($1::timestamptz[], $2::uuid[]) AS w(at, id) ON r.occurred_at = w.at AND r.event_id = w.id`,
            [intake.map((i) => new Date(i.envelope.occurredAt).toISOString()), intake.map((i) => i.envelope.id)],
          )
        ).map((r) => r.event_id),
      );
      const events = intake.map((i) => i.envelope).filter((e) => !already.has(e.id));
      this.frontier = undefined;
      // Envelopes were just parsed from the intake's JSON: no need to round-trip payloads again.
      const result = await this.appendEvents(m, events, new Date(), undefined, true);
      heads.push(...result.heads);
      appended.push(...result.appended);
      frontier = result.frontier;
    });
    // Kept only once committed: a rolled-back batch must not leave a frontier the table does not have.
    this.frontier = frontier;
    if (heads.length) {
      this.lastHeadAt = Date.now();
      this.unexported.push(...heads);
    }
    // Copying heads to object storage needs nothing from the next batch: while flushing, it runs
    // next to it (in order, one copy at a time); flush waits for it before answering.
    const exported = this.exportHeads();
    if (!readAhead) await exported;
    if (appended.length) for (const l of this.listeners) await l(appended).catch((err) => this.logger.error(`listener: ${(err as Error).stack}`));
    return { appended: appended.length, prefetch };
  }

  /**
   * Appends events to the log in the caller's transaction (which must hold the sequencer lock):
   * records, completed subtrees and a signed head at every multiple of N. Used by the
   * sequencer and by the benchmark.
   */
  async appendEvents(
    m: Sql,
    events: IncomingEvent[],
    recordedAt: Date,
    start?: MerkleFrontier,
    payloadIsJson = false,
  ): Promise<{ appended: AppendedRecord[]; heads: SignedTreeHead[]; frontier?: MerkleFrontier }> {
    if (!events.length) return { appended: [], heads: [], frontier: start };
    const size = start?.size ?? (await logSize(m));
    const frontier = start && start.size === size ? start.clone() : this.frontier?.size === size ? this.frontier.clone() : await loadFrontier(m, size);
    const batch: { record: AuditLogRecord; body: Buffer; leaf: Buffer }[] = [];
    const nodeLevels: number[] = [];
    const nodeIdx: number[] = [];
    const nodeHashes: Buffer[] = [];
    const heads: SignedTreeHead[] = [];
    const at = recordedAt.toISOString();
    const treeHeadEvery = this.settings.treeHeadEvery;
    const key = this.settings.signingKey;
    // Built chunk by chunk while COPY carries the previous chunk to the server.
    function* chunks(): Generator<unknown[][]> {
      for (let i = 0; i < events.length; i += APPEND_CHUNK) {
        const chunk: typeof batch = [];
        for (const e of events.slice(i, i + APPEND_CHUNK)) {
          const record = buildRecord(e, frontier.size, at, payloadIsJson);
          // The canonical bytes after a 0x00 byte: the leaf hash is one one-shot SHA-256 of the
          // buffer (no Hash object per record), and the body is the rest of it (same bytes as encodeRecord).
          const json = canonicalJson(record);
          const input = Buffer.allocUnsafe(1 + Buffer.byteLength(json, 'utf8'));
          input[0] = 0;
          input.write(json, 1, 'utf8');
          const leaf = leafHashOfInput(input);
          const body = input.subarray(1);
          frontier.append(leaf, (level, index, hash) => {
            nodeLevels.push(level);
            nodeIdx.push(index);
            nodeHashes.push(hash);
          });
          chunk.push({ record, body, leaf });
          if (frontier.size % treeHeadEvery === 0) heads.push(signTreeHead(key, frontier.size, frontier.root(), recordedAt));
        }
        batch.push(...chunk);
        yield recordColumns(chunk);
      }
    }
    await copyChunks(m, 'audit.audit_record', COLUMNS, chunks());
    if (nodeLevels.length) await copyInto(m, 'audit.merkle_node', NODE_COLUMNS, [nodeLevels, nodeIdx, nodeHashes]);
    await this.insertHeads(m, heads);
    return { appended: batch.map((b) => ({ seq: b.record.seq, record: b.record })), heads, frontier };
  }

  private async insertHeads(m: Sql, heads: SignedTreeHead[]): Promise<void> {
    if (!heads.length) return;
    await m.query(
      `INSERT INTO audit.tree_head (tree_size, root_hash, signed_at, key_id, signature)
       SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::timestamptz[], $4::text[], $5::text[]) ON CONFLICT (tree_size) DO NOTHING`,
      [heads.map((h) => h.treeSize), heads.map((h) => Buffer.from(h.rootHash, 'hex')), heads.map((h) => h.timestamp), heads.map((h) => h.keyId), heads.map((h) => h.signature)],
    );
  }

  /** Signs a head over the whole log when records arrived since the last one (quiet interval). */
  private async signIfIdle(): Promise<void> {
    if (Date.now() - this.lastHeadAt < this.settings.treeHeadIntervalMs) return;
    await this.signNow();
  }

  /** Signs a tree head at the current size unless one exists; answers the latest head. */
  async signNow(): Promise<SignedTreeHead | undefined> {
    await this.flush();
    let signed: SignedTreeHead | undefined;
    const run = (this.running ?? Promise.resolve(0)).catch(() => 0).then(async () => {
      await this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock($1)`, [SEQUENCER_LOCK]);
        const size = await logSize(m);
        if (size === 0) return;
        const [exists] = await m.query(`SELECT 1 FROM audit.tree_head WHERE tree_size = $1`, [size]);
        if (exists) return;
        const frontier = await loadFrontier(m, size);
        signed = signTreeHead(this.settings.signingKey, size, frontier.root());
        await this.insertHeads(m, [signed]);
      });
      this.lastHeadAt = Date.now();
      if (signed) this.unexported.push(signed);
      await this.exportHeads();
      return 0;
    });
    this.running = run;
    await run;
    return this.latestHead();
  }

  /** Copies signed heads to object storage, after any copy still under way. */
  private exportHeads(): Promise<void> {
    const run = this.exporting.then(() => this.exportNow());
    this.exporting = run.catch(() => undefined);
    return run;
  }

  /** Copies signed heads to object storage: one file per head and `latest.json`. */
  private async exportNow(): Promise<void> {
    if (!this.unexported.length) return;
    const heads = this.unexported;
    this.unexported = [];
    try {
      for (const h of heads) await this.storage.put(headKey(h.treeSize), Buffer.from(JSON.stringify(h)), { contentType: 'application/json' });
      const latest = heads.reduce((a, b) => (b.treeSize > a.treeSize ? b : a));
      await this.storage.put(`${TREE_HEAD_PREFIX}latest.json`, Buffer.from(JSON.stringify(latest)), { contentType: 'application/json' });
    } catch (err) {
      this.unexported.unshift(...heads);
      this.logger.warn(`could not copy tree heads to object storage (will retry): ${(err as Error).message}`);
    }
  }

  async size(): Promise<number> {
    return logSize(this.ds);
  }

  async latestHead(): Promise<SignedTreeHead | undefined> {
    const [r] = await rows<HeadRow>(this.ds, `SELECT * FROM audit.tree_head ORDER BY tree_size DESC LIMIT 1`);
    return r ? headOf(r) : undefined;
  }

  async head(size: number): Promise<SignedTreeHead | undefined> {
    const [r] = await rows<HeadRow>(this.ds, `SELECT * FROM audit.tree_head WHERE tree_size = $1`, [size]);
    return r ? headOf(r) : undefined;
  }

  async heads(opts: { fromSize?: number; limit?: number } = {}): Promise<SignedTreeHead[]> {
    const list = await rows<HeadRow>(this.ds, `SELECT * FROM audit.tree_head WHERE tree_size >= $1 ORDER BY tree_size LIMIT $2`, [opts.fromSize ?? 0, opts.limit ?? 1000]);
    return list.map(headOf);
  }

  /** Audit path of record `seq` in the tree of `treeSize` records (RFC 6962 2.1.1). */
  /** The pg pool under TypeORM: proofs go straight to it as prepared statements. */
  private get pool(): Sql {
    return (this.ds.driver as unknown as { master: Sql }).master ?? this.ds;
  }

  async inclusionProof(seq: number, treeSize: number, db: Sql = this.pool): Promise<{ leafHash: Buffer; proof: Buffer[] }> {
    const ranges = inclusionRanges(seq, treeSize);
    const nodes = await this.nodes(db, [...nodesFor(ranges), { level: 0, index: seq }]);
    const leaf = nodes.get(nodeKey({ level: 0, index: seq }));
    if (!leaf) throw new Error(`record #${seq} has no stored leaf hash`);
    return { leafHash: leaf, proof: hashRanges(ranges, (id) => nodes.get(nodeKey(id))) };
  }

  /** Consistency proof between two tree sizes (RFC 6962 2.1.2). */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    const ranges = consistencyRanges(from, to);
    const nodes = await this.nodes(this.pool, nodesFor(ranges));
    return hashRanges(ranges, (id) => nodes.get(nodeKey(id)));
  }

  /**
   * Stored nodes, the upper levels from memory: a complete subtree never changes, and there are
   * only n / 2^CACHED_LEVEL of them, so a proof reads the few low levels from the database.
   */
  private async nodes(db: Sql, ids: NodeId[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const missing: NodeId[] = [];
    for (const id of ids) {
      const hit = id.level >= CACHED_LEVEL ? this.upperNodes.get(nodeKey(id)) : undefined;
      if (hit) out.set(nodeKey(id), hit);
      else missing.push(id);
    }
    if (!missing.length) return out;
    for (const [key, hash] of await fetchNodes(db, missing)) {
      out.set(key, hash);
      if (Number(key.slice(0, key.indexOf('/'))) < CACHED_LEVEL) continue;
      if (this.upperNodes.size >= UPPER_NODES_MAX) this.upperNodes.delete(this.upperNodes.keys().next().value as string);
      this.upperNodes.set(key, hash);
    }
    return out;
  }

  get databaseUrl(): string {
    return this.runtime.databaseUrl;
  }
}

export type { EntityManager };
