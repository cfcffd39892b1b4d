import { encodeSegment, MerkleFrontier, OBJECT_STORAGE, ObjectStorage, recordLeafHash, SegmentManifest, segmentSha256, signSegmentManifest } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { AuditLog, headOf } from '../log/audit-log';
import { loadFrontier, rows } from '../log/log-store';
import { SEGMENT_PREFIX } from '../log/log-verification';
import { insertBlocks } from './archive-reader';
import { blocksOf } from './segment-blocks';

export interface ArchiveResult {
  segments: { fromSeq: number; toSeq: number; objectKey: string }[];
  archivedUpTo: number;
}

const DAY = 86_400_000;
/** Records per segment at most (a segment always ends on a signed tree head). */
const SEGMENT_MAX = 100_000;

const pad = (n: number) => String(n).padStart(16, '0');

/**
 * 保留期限: records recorded before the retention age move to object storage as signed segments
 * (records + the tree head they end on + the frontier they start from), and leave the live table.
 * The verifier checks segments and live records as one log; leaf hashes stay for proofs.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AuditRetention');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly log: AuditLog,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.retentionDays <= 0) return;
    const run = () =>
      this.archive(new Date(Date.now() - this.settings.retentionDays * DAY))
        .then((r) => r.segments.length && this.logger.log(`archived up to #${r.archivedUpTo}`))
        .catch((err) => this.logger.error(`archiving failed: ${(err as Error).message}`));
    this.timer = setInterval(run, 6 * 3600_000);
    this.timer.unref?.();
    setTimeout(run, 60_000).unref?.();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async archivedUpTo(): Promise<number> {
    const [r] = await rows<{ upto: string | null }>(this.ds, `SELECT max(to_seq) AS upto FROM audit.archive_segment`);
    return Number(r.upto ?? 0);
  }

  /** Archives every record recorded before `cutoff`, up to the last signed head that covers them. */
  async archive(cutoff: Date): Promise<ArchiveResult> {
    const segments: ArchiveResult['segments'] = [];
    for (;;) {
      const from = await this.archivedUpTo();
      const [old] = await rows<{ seq: string | null }>(this.ds, `SELECT max(seq) AS seq FROM audit.audit_record WHERE recorded_at < $1`, [cutoff]);
      if (old.seq === null) break;
      const limit = Math.min(Number(old.seq) + 1, from + SEGMENT_MAX);
      const [head] = await rows<any>(this.ds, `SELECT * FROM audit.tree_head WHERE tree_size > $1 AND tree_size <= $2 ORDER BY tree_size DESC LIMIT 1`, [from, limit]);
      if (!head) break;
      segments.push(await this.archiveSegment(from, Number(head.tree_size), headOf(head)));
    }
    return { segments, archivedUpTo: await this.archivedUpTo() };
  }

  private async archiveSegment(from: number, to: number, treeHead: ReturnType<typeof headOf>): Promise<ArchiveResult['segments'][number]> {
    const list = await rows<{ seq: string; body: Buffer; leaf_hash: Buffer }>(this.ds, `SELECT seq, body, leaf_hash FROM audit.audit_record WHERE seq >= $1 AND seq < $2 ORDER BY seq`, [from, to]);
    const start = await loadFrontier(this.ds, from);
    const frontier = new MerkleFrontier(start.size, start.nodes());
    list.forEach((r, i) => {
      if (Number(r.seq) !== from + i) throw new Error(`audit retention: record #${from + i} is missing; verify the log before archiving`);
      frontier.append(recordLeafHash(r.body));
    });
    // Never archive what does not match its signed head: a tampered log stays where the verifier finds it.
    if (frontier.root().toString('hex') !== treeHead.rootHash) throw new Error(`audit retention: records #${from}–#${to - 1} do not match the signed head of size ${to}`);
    const file = encodeSegment(list.map((r) => r.body));
    const blocks = blocksOf(file, from);
    const manifest: SegmentManifest = signSegmentManifest(this.settings.signingKey, {
      fromSeq: from,
      toSeq: to,
      sha256: segmentSha256(file),
      startFrontier: start.nodes().map((h) => h.toString('hex')),
      treeHead,
      createdAt: new Date().toISOString(),
    });
    const base = `${SEGMENT_PREFIX}${pad(from)}-${pad(to)}`;
    await this.storage.put(`${base}.ndjson`, file, { contentType: 'application/x-ndjson' });
    await this.storage.put(`${base}.manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2)), { contentType: 'application/json' });
    await this.ds.transaction(async (m) => {
      await m.query(`INSERT INTO audit.archive_segment (to_seq, from_seq, object_key, manifest) VALUES ($1, $2, $3, $4)`, [to, from, `${base}.ndjson`, JSON.stringify(manifest)]);
      // Traces and proofs find archived records block by block (time range, key filter, byte range).
      await insertBlocks(m, to, blocks);
      // Leaf hashes stay in the tree table so proofs for archived records can still be made.
      await m.query(`INSERT INTO audit.merkle_node (level, idx, hash) SELECT 0, seq, leaf_hash FROM audit.audit_record WHERE seq >= $1 AND seq < $2 ON CONFLICT DO NOTHING`, [from, to]);
      await m.query(`DELETE FROM audit.audit_record WHERE seq >= $1 AND seq < $2`, [from, to]);
      await m.query(`DELETE FROM audit.record_search WHERE seq >= $1 AND seq < $2`, [from, to]);
      await this.log.enqueueOwn(m, 'audit.log.archived', `${from}-${to}`, { fromSeq: from, toSeq: to, objectKey: `${base}.ndjson`, sha256: manifest.sha256 }, { actor: { type: 'system', id: 'audit' } });
    });
    return { fromSeq: from, toSeq: to, objectKey: `${base}.ndjson` };
  }
}
