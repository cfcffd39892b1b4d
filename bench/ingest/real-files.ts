/**
 * Every file of shared/data/real (third-party files from government portals, see its SOURCES.md)
 * through the platform's full path: a catalog entry whose data items are the file's own header
 * (read with the ingest service's openTable; C type, generous length), an upload, the job's outcome.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openTable } from '../../services/ingest/src/parsing';
import { SourceError } from '../../services/ingest/src/pipeline/contracts';
import { normalizeHeader } from '../../services/ingest/src/validation/column-mapping';
import { Api, EntryItem, publishEntry, uploadFileStreamed, waitForJob } from './platform';

export interface RealOutcome {
  file: string;
  bytes: number;
  /** What openTable made of it when the bench read the header. */
  header: string;
  rowsRead?: number;
  rowsLoaded?: number;
  rejects?: number;
  version?: number;
  errorCode?: string;
  errorZh?: string;
  score?: number;
  seconds?: number;
  /** The commonest reasons in the reject file: `code 列 ×count`. */
  topRejects?: string[];
  /** What the load produced, hashed (`--digest`, see digest.ts). */
  digest?: string;
}

/** Generous: longer than any cell of these files, short of the catalog's limits. */
const TEXT_LENGTH = 4000;

/** The data items for a header: blank cells dropped, one item per normalized name (the duplicate is the loader's to report). */
function itemsOf(header: readonly string[]): EntryItem[] {
  const seen = new Set<string>();
  const items: EntryItem[] = [];
  for (const cell of header) {
    const name = cell.trim();
    const key = normalizeHeader(name);
    if (!name || !key || seen.has(key)) continue;
    seen.add(key);
    items.push({ name: name.slice(0, 100), dataType: 'C', length: TEXT_LENGTH });
  }
  return items;
}

export function realFiles(dir: string): { files: string[]; skip?: string } {
  if (!existsSync(dir)) return { files: [], skip: `${dir} is absent` };
  const files = readdirSync(dir)
    .filter((f) => f !== 'SOURCES.md' && statSync(join(dir, f)).isFile())
    .sort();
  return files.length ? { files } : { files, skip: `${dir} has no data files` };
}

export async function loadRealFile(
  dir: string,
  file: string,
  api: { catalogOp: Api; catalogAdmin: Api; ingest: Api },
  seq: number,
  digest?: (datasetId: string, version: number | null) => Promise<string>,
): Promise<RealOutcome> {
  const path = join(dir, file);
  const outcome: RealOutcome = { file, bytes: statSync(path).size, header: '' };
  let items: EntryItem[];
  try {
    const table = await openTable(createReadStream(path), file);
    items = itemsOf(table.header);
    outcome.header = `${table.format}${table.encoding ? ` ${table.encoding}` : ''}, ${table.header.length} columns`;
    // The records are not read: only the header was wanted.
    await table.records[Symbol.asyncIterator]().return?.(undefined);
  } catch (err) {
    // Not readable as a table (the legacy .xls): upload it all the same, so the platform's own refusal shows.
    outcome.header = err instanceof SourceError ? `unreadable (${err.code})` : `unreadable (${(err as Error).message})`;
    items = [{ name: '内容', dataType: 'C', length: TEXT_LENGTH }];
  }
  if (items.length === 0) items = [{ name: '内容', dataType: 'C', length: TEXT_LENGTH }];
  let dataset: any;
  try {
    dataset = await publishEntry({ op: api.catalogOp, admin: api.catalogAdmin }, api.ingest, `真实文件${seq}：${basename(file).replace(/\.[^.]+$/, '').slice(0, 60)}`, items);
  } catch (err) {
    outcome.errorCode = 'CATALOG_REFUSED';
    outcome.errorZh = (err as Error).message;
    return outcome;
  }
  const t0 = performance.now();
  const upload = await uploadFileStreamed(api.ingest, dataset.id, path, file);
  if (upload.status !== 202) {
    outcome.errorCode = upload.body?.code ?? `HTTP_${upload.status}`;
    outcome.errorZh = upload.body?.message?.zh ?? upload.body?.detail ?? upload.body?.title ?? JSON.stringify(upload.body);
    outcome.seconds = (performance.now() - t0) / 1000;
    return outcome;
  }
  const job = await waitForJob(api.ingest, upload.body.id, 10 * 60_000);
  outcome.seconds = (performance.now() - t0) / 1000;
  outcome.rowsRead = job.rowsRead;
  outcome.rejects = job.rowsRejected;
  if (job.state === 'succeeded') {
    const versions = await api.ingest.expect<any[]>(200, 'GET', `/datasets/${dataset.id}/versions`);
    const v = versions.find((x) => x.version === job.version);
    outcome.version = job.version;
    outcome.rowsLoaded = v?.rowCount;
    outcome.score = v?.quality?.score;
  } else {
    outcome.errorCode = job.error?.code;
    outcome.errorZh = job.error?.zh;
    outcome.rowsLoaded = 0;
  }
  if (digest) outcome.digest = await digest(dataset.id, job.version ?? null);
  if (job.version && job.rowsRejected > 0) outcome.topRejects = await topRejects(api.ingest, dataset.id, job.version).catch((err) => [`(reject file unreadable: ${(err as Error).message})`]);
  return outcome;
}

/** The reject file of a version (read with openTable too), tallied by problem code and column. */
async function topRejects(ingest: Api, datasetId: string, version: number, top = 3): Promise<string[]> {
  const res = await fetch(`${ingest.baseUrl}/api/ingest/datasets/${datasetId}/versions/${version}/rejects`, { headers: { authorization: `Bearer ${ingest.token}` } });
  if (res.status !== 200) return [];
  const table = await openTable(Buffer.from(await res.arrayBuffer()), 'rejects.csv');
  const [column, code] = ['列', '问题代码'].map((h) => table.header.indexOf(h));
  const counts = new Map<string, number>();
  for await (const r of table.records) {
    const key = `${r.values[code] ?? ''} ${r.values[column] ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, n]) => `${k} ×${n}`);
}
