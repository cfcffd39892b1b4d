import { AuditLogRecord, decodeRecord, OBJECT_STORAGE, ObjectStorage } from '@gov/shared';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { rows, Sql } from '../log/log-store';
import { LogErrors } from '../log/log.errors';
import { blocksOf, KeyFilter, SegmentBlock } from './segment-blocks';

export interface ArchivedRecord {
  seq: number;
  body: Buffer;
  record: AuditLogRecord;
}

interface BlockRow {
  from_seq: string;
  to_seq: string;
  byte_start: string;
  byte_end: string;
  key_filter: Buffer;
  object_key: string;
}

/** Blocks read per trace request at most: a search over archives stays bounded and pages on. */
export const MAX_BLOCKS_PER_SEARCH = 50;

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Writes the block index of one segment (in the caller's transaction when archiving). */
export async function insertBlocks(m: Sql, segmentToSeq: number, blocks: SegmentBlock[]): Promise<void> {
  if (!blocks.length) return;
  await m.query(
    `INSERT INTO audit.archive_block (from_seq, to_seq, segment_to_seq, byte_start, byte_end, occurred_from, occurred_to, key_filter)
     SELECT f, t, $3, bs, be, of, ot, k FROM unnest($1::bigint[], $2::bigint[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::bytea[]) AS x(f, t, bs, be, of, ot, k)
     ON CONFLICT (from_seq) DO NOTHING`,
    [blocks.map((b) => b.fromSeq), blocks.map((b) => b.toSeq), segmentToSeq, blocks.map((b) => b.byteStart), blocks.map((b) => b.byteEnd), blocks.map((b) => b.occurredFrom), blocks.map((b) => b.occurredTo), blocks.map((b) => b.filter.bits)],
  );
}

/**
 * Archived records (归档记录) for traces and proofs: the block index says which blocks of which
 * segments may hold a record (time range, key filter), and only those blocks are read from object
 * storage, one ranged read each. What is returned comes from the signed segment bytes.
 */
@Injectable()
export class ArchiveReader {
  private readonly logger = new Logger('AuditArchive');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  /** First seq still in the live table (0 when nothing was archived). */
  async archivedUpTo(): Promise<number> {
    const [r] = await rows<{ upto: string | null }>(this.ds, `SELECT max(to_seq) AS upto FROM audit.archive_segment`);
    return Number(r.upto ?? 0);
  }

  /** Latest occurrence time among archived records, if any (decides when a time range reaches the archive). */
  async archivedUntil(): Promise<Date | null> {
    await this.ensureIndexed();
    const [r] = await rows<{ t: Date | null }>(this.ds, `SELECT max(occurred_to) AS t FROM audit.archive_block`);
    return r.t ? new Date(r.t) : null;
  }

  /** Indexes segments archived before blocks existed (once; later segments are indexed when archived). */
  async ensureIndexed(): Promise<void> {
    const missing = await rows<{ to_seq: string; from_seq: string; object_key: string }>(
      this.ds,
      `SELECT s.to_seq, s.from_seq, s.object_key FROM audit.archive_segment s
       WHERE NOT EXISTS (SELECT 1 FROM audit.archive_block b WHERE b.segment_to_seq = s.to_seq) ORDER BY s.to_seq`,
    );
    for (const s of missing) {
      const file = await readAll(await this.storage.get(s.object_key));
      await insertBlocks(this.ds, Number(s.to_seq), blocksOf(file, Number(s.from_seq)));
      this.logger.log(`indexed archived segment #${s.from_seq}–#${Number(s.to_seq) - 1}`);
    }
  }

  /** The record bytes of a block, one ranged read (parsed by the caller, only where needed). */
  private async readBlock(b: BlockRow): Promise<{ seq: number; body: Buffer }[]> {
    const end = Number(b.byte_end);
    const file = await readAll(await this.storage.get(b.object_key, { start: Number(b.byte_start), end: end - 1 }));
    const out: { seq: number; body: Buffer }[] = [];
    let start = 0;
    for (let seq = Number(b.from_seq); seq < Number(b.to_seq) && start < file.length; seq++) {
      let nl = file.indexOf(0x0a, start);
      if (nl < 0) nl = file.length;
      out.push({ seq, body: file.subarray(start, nl) });
      start = nl + 1;
    }
    return out;
  }

  private parse(seq: number, body: Buffer): AuditLogRecord {
    try {
      return decodeRecord(body);
    } catch {
      // Only a changed segment file has a line that is not a record: say so rather than skip it.
      throw LogErrors.archivedMismatch(seq);
    }
  }

  /**
   * Archived records below `below` (newest first) that carry every key and match `match`, at most
   * `limit`; `resumeBelow` is set when the block budget ran out first (page on from there).
   */
  async search(opts: { keys: string[]; from?: string; to?: string; below: number; limit: number; match: (r: AuditLogRecord) => boolean }): Promise<{ records: ArchivedRecord[]; resumeBelow: number | null }> {
    await this.ensureIndexed();
    const blocks = await rows<BlockRow>(
      this.ds,
      `SELECT b.from_seq, b.to_seq, b.byte_start, b.byte_end, b.key_filter, s.object_key
       FROM audit.archive_block b JOIN audit.archive_segment s ON s.to_seq = b.segment_to_seq
       WHERE b.from_seq < $1 AND ($2::timestamptz IS NULL OR b.occurred_to >= $2) AND ($3::timestamptz IS NULL OR b.occurred_from < $3)
       ORDER BY b.from_seq DESC`,
      [opts.below, opts.from ?? null, opts.to ?? null],
    );
    const records: ArchivedRecord[] = [];
    let read = 0;
    for (const b of blocks) {
      const filter = KeyFilter.from(b.key_filter);
      if (!opts.keys.every((k) => filter.mayHave(k))) continue;
      if (read === MAX_BLOCKS_PER_SEARCH) return { records, resumeBelow: Math.min(opts.below, Number(b.to_seq)) };
      read++;
      const list = await this.readBlock(b);
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i].seq >= opts.below) continue;
        const record = this.parse(list[i].seq, list[i].body);
        if (!opts.match(record)) continue;
        records.push({ ...list[i], record });
        if (records.length >= opts.limit) return { records, resumeBelow: null };
      }
    }
    return { records, resumeBelow: null };
  }

  /** One archived record's bytes, from the block that holds it (undefined when not archived). */
  async record(seq: number): Promise<Buffer | undefined> {
    await this.ensureIndexed();
    const [b] = await rows<BlockRow>(
      this.ds,
      `SELECT b.from_seq, b.to_seq, b.byte_start, b.byte_end, b.key_filter, s.object_key
       FROM audit.archive_block b JOIN audit.archive_segment s ON s.to_seq = b.segment_to_seq WHERE b.from_seq <= $1 AND b.to_seq > $1`,
      [seq],
    );
    if (!b) return undefined;
    return (await this.readBlock(b)).find((r) => r.seq === seq)?.body;
  }
}
