/**
 * Checks that batched-copy.diff changes nothing but speed. For the bench's synthetic file and for
 * every readable real file, it compares the old path (RowPipeline.accepted() → copyLineEncoder())
 * with the new one (RowPipeline.copyText()). It hashes the COPY bytes, the reject file and the
 * quality report (its timeliness part left out, since that part reads the clock).
 *
 *   mkdir -p /tmp/p && git archive HEAD services/ingest/src | tar -x -C /tmp/p
 *   (cd /tmp/p && patch -p1 < "$OLDPWD/bench/ingest/proposal/batched-copy.diff")
 *   node -r ./bench/ingest/register.js bench/ingest/generate.ts /tmp/p/gbk.csv 1000000 gbk
 *   BENCH_INGEST_SRC=/tmp/p/services/ingest/src node -r ./bench/ingest/register.js bench/ingest/proposal/equivalence.ts /tmp/p/gbk.csv
 *
 * Without the diff (no copyText) it says so and stops.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dataset } from '../../../services/ingest/src/datasets/dataset.entities';
import { RowPipeline } from '../../../services/ingest/src/loading/row-pipeline';
import { copyLineEncoder } from '../../../services/ingest/src/loading/version-table';
import { openTable } from '../../../services/ingest/src/parsing';
import { normalizeHeader } from '../../../services/ingest/src/validation/column-mapping';
import { BENCH_ITEMS, KEY_ITEM } from '../generate';

type Progress = { rowsRead: number; rowsRejected: number; bytesRead: number };
type WithCopyText = RowPipeline & { copyText?: (p: Progress) => AsyncIterable<Buffer | string> };

const hash = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

async function run(path: string, items: { name: string; dataType: string; length?: number }[], keys: string[], mode: 'old' | 'new'): Promise<string> {
  const problems: any[] = [];
  const table = await openTable(createReadStream(path), path, { onProblem: (p) => problems.push(p) });
  if (items.length === 0)
    items = [...new Map(table.header.filter((h) => normalizeHeader(h)).map((h) => [normalizeHeader(h), { name: h, dataType: 'C', length: 4000 }])).values()];
  const rejects: Buffer[] = [];
  const rejectOut = new Writable({
    write(c, _e, done) {
      rejects.push(Buffer.from(c));
      done();
    },
  });
  let rows: WithCopyText;
  try {
    rows = RowPipeline.create({ items, settings: { keys } } as unknown as Dataset, table, problems, rejectOut);
  } catch (err) {
    return `refused ${(err as { code?: string }).code}`;
  }
  if (typeof rows.copyText !== 'function') throw new Error('RowPipeline has no copyText(): point BENCH_INGEST_SRC at a tree with batched-copy.diff applied');
  const progress: Progress = { rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
  const h = createHash('sha256');
  const sink = new Writable({
    write(c, _e, done) {
      h.update(c);
      done();
    },
  });
  if (mode === 'old') await pipeline(Readable.from(rows.accepted(progress)), copyLineEncoder(), sink);
  else await pipeline(Readable.from(rows.copyText(progress), { objectMode: false }), sink);
  const outcome = await rows.finish();
  const quality = rows.quality({ previous: null, comparison: null, updateCycle: 'MONTHLY', version: 1 }) as unknown as Record<string, unknown>;
  delete quality.timeliness;
  return `copy ${h.digest('hex').slice(0, 16)} read=${progress.rowsRead} rejected=${outcome.rejectedRows} rejects ${hash(Buffer.concat(rejects))} quality ${hash(JSON.stringify(quality))} score=${quality.score}`;
}

async function main(): Promise<void> {
  const files: [string, { name: string; dataType: string; length?: number }[], string[]][] = [];
  if (process.argv[2]) files.push([resolve(process.argv[2]), BENCH_ITEMS.map((i) => ({ ...i })), [KEY_ITEM]]);
  const dir = resolve(__dirname, '../../..', process.env.REAL_DATA_DIR ?? '../shared/data/real');
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (/\.(csv|json|xlsx)$/.test(f)) files.push([resolve(dir, f), [], []]);
  let same = 0;
  for (const [path, items, keys] of files) {
    const a = await run(path, items, keys, 'old');
    const b = await run(path, items, keys, 'new');
    if (a === b) same++;
    process.stdout.write(`${a === b ? 'SAME' : 'DIFF'} ${path.split('/').pop()}: ${a}${a === b ? '' : `\n     new: ${b}`}\n`);
  }
  process.stdout.write(`${same} of ${files.length} files identical\n`);
  process.exitCode = same === files.length ? 0 : 1;
}

void main();
