/**
 * Where the load's time and memory go: the same file through the ingest service's own pieces,
 * one stage added at a time, in this process, without HTTP, jobs or Nest (`--stages`):
 *
 *   read      the file's bytes (createReadStream), nothing else
 *   parse     + openTable: sniff, decode (UTF-8 / GB18030), tokenize into records
 *   validate  + RowPipeline.accepted(): validation against the items, key uniqueness, quality
 *               counts, rejects to a temp file
 *   encode    + copyLineEncoder(): COPY text lines, drained (no database); in a variant tree
 *               (BENCH_INGEST_SRC) whose RowPipeline has copyText(), that instead
 *   copy      + COPY into the typed version-style table, in a transaction rolled back afterwards
 *
 * Each stage's time includes the stages before it; the difference between neighbours is the
 * stage's own cost. Stages run inside an AsyncLocalStorage context (runWithContext), as a job does
 * in the platform, since promise hooks cost something per await.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runWithContext } from '@gov/shared';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Dataset } from '../../services/ingest/src/datasets/dataset.entities';
import { RowPipeline } from '../../services/ingest/src/loading/row-pipeline';
import { columnNames, copyLineEncoder, createTableSql, quoteIdent } from '../../services/ingest/src/loading/version-table';
import { openTable } from '../../services/ingest/src/parsing';
import type { RowProblem } from '../../services/ingest/src/pipeline/contracts';
import { BENCH_ITEMS, GeneratedFile, KEY_ITEM } from './generate';
import { MemorySampler } from './memory';

export type Stage = 'read' | 'parse' | 'validate' | 'encode' | 'copy';
export const STAGES: readonly Stage[] = ['read', 'parse', 'validate', 'encode', 'copy'];

export interface StageResult {
  stage: Stage;
  ms: number;
  rows: number;
  peakRss: number;
  peakHeap: number;
  rssAtStart: number;
}

const sink = () =>
  new Writable({
    objectMode: true,
    write(_c, _e, done) {
      done();
    },
  });

/**
 * The COPY text stream the loader builds: accepted() through copyLineEncoder(), or, in a variant
 * tree (BENCH_INGEST_SRC) whose RowPipeline has copyText(), that.
 */
function copyInput(rows: RowPipeline, progress: { rowsRead: number; rowsRejected: number; bytesRead: number }): Readable {
  const variant = rows as unknown as { copyText?: (p: typeof progress) => AsyncIterable<string> };
  if (typeof variant.copyText === 'function') return Readable.from(variant.copyText(progress), { objectMode: false });
  return Readable.from(rows.accepted(progress)).pipe(copyLineEncoder());
}

export async function runStage(stage: Stage, file: GeneratedFile, databaseUrl: string, tmp: string): Promise<number> {
  if (stage === 'read') {
    let bytes = 0;
    for await (const c of createReadStream(file.path)) bytes += (c as Buffer).length;
    return bytes > 0 ? file.rows : 0;
  }
  const problems: RowProblem[] = [];
  const table = await openTable(createReadStream(file.path), file.path, { onProblem: (p) => problems.push(p) });
  if (stage === 'parse') {
    let n = 0;
    for await (const _ of table.records) n++;
    return n + problems.length;
  }
  const dataset = { items: BENCH_ITEMS.map((i) => ({ ...i })), settings: { keys: [KEY_ITEM] } } as unknown as Dataset;
  const rejectPath = `${tmp}/stage-rejects-${stage}.csv`;
  const rows = RowPipeline.create(dataset, table, problems, createWriteStream(rejectPath));
  const progress = { rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
  try {
    if (stage === 'validate') {
      for await (const _ of rows.accepted(progress));
    } else if (stage === 'encode') {
      await pipeline(copyInput(rows, progress), sink());
    } else {
      const columns = columnNames(rows.specs.map((s) => s.name)).map((name, i) => ({ name, type: rows.pgTypes[i] }));
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('CREATE SCHEMA IF NOT EXISTS ingest');
        await client.query(createTableSql('bench_stage_copy', columns));
        const copy = client.query(copyFrom(`COPY ingest.bench_stage_copy (_row, ${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`));
        await pipeline(copyInput(rows, progress), copy);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      }
    }
    await rows.finish();
    rows.quality({ previous: null, comparison: null, updateCycle: 'MONTHLY', version: 1 });
  } finally {
    await rm(rejectPath, { force: true });
  }
  return progress.rowsRead;
}

export async function runStages(file: GeneratedFile, databaseUrl: string, tmp: string): Promise<StageResult[]> {
  const results: StageResult[] = [];
  for (const stage of STAGES) {
    const sampler = new MemorySampler();
    sampler.start(100);
    const started = performance.now();
    const rows = await runWithContext({ correlationId: `bench-stage-${stage}` }, () => runStage(stage, file, databaseUrl, tmp));
    const ms = performance.now() - started;
    const m = sampler.stop();
    results.push({ stage, ms, rows, peakRss: Math.max(m.rss, m.hwm ?? 0), peakHeap: m.heapUsed, rssAtStart: m.rssAtStart });
  }
  return results;
}
