/**
 * ============================================================================================
 * benchImport(): the import of a 5,000-row 目录确认表 (confirmation table) by one department.
 * ============================================================================================
 *
 * Times the catalog's own CatalogImportService (services/catalog/src/imports/), the code users run,
 * in the catalog service's Nest application context, against the bench database (already holding
 * 100,000 published entries). Pieces are loaded at run time and a failing one is reported, not fatal:
 *
 *   export   buildCatalogWorkbook: writes the 5,000-row table (not part of the import; labelled)
 *   parse    parseConfirmationWorkbook alone (partial figure; labelled)
 *   dry run  CatalogImportService.import(dryRun: true): parse + every check, nothing saved
 *   import   CatalogImportService.import(dryRun: false): the figure held against the 10 s target
 *   baseline the same 5,000 drafts written straight to the tables (jsonb_to_recordset, as the
 *            bench loader does, entry_search through SearchIndexWriter.upsertMany), rolled back:
 *            the floor an import cannot beat, for the ratio
 */
import { createLogger, DATA_DOMAINS, FileSystemObjectStorage, InProcessTransport, MemoryKeyValueStore, ServiceRuntime } from '@gov/shared';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CatalogModule } from '../../services/catalog/src/catalog.module';
import { CatalogEntry } from '../../services/catalog/src/entries/catalog-entry.entity';
import { CatalogSearchIndex } from '../../services/catalog/src/search/search-index';
import { SearchIndexWriter } from '../../services/catalog/src/search/search-index.writer';
import { BenchDepartment, entriesOf } from './generate';
import { BulkInserter } from './load';

export interface ImportFigures {
  lines: string[];
  /** The figure held against the 10 s target, when the import could be run. */
  importMs?: number;
}

const secs = (x: number) => `${(x / 1000).toFixed(2)} s`;
const CATALOG_SRC = resolve(__dirname, '../../services/catalog/src');

/** The file under `dir` that has `export (async) function|class <name>`, without importing a half-written module. */
function findExport(dir: string, name: string): string | undefined {
  const path = join(CATALOG_SRC, dir);
  if (!existsSync(path)) return undefined;
  for (const file of readdirSync(path).filter((f) => f.endsWith('.ts') && !/\.(int-|e2e-)?spec\.ts$/.test(f)))
    if (new RegExp(`export\\s+(async\\s+)?(function|class)\\s+${name}\\b`).test(readFileSync(join(path, file), 'utf8'))) return join(path, file);
  return undefined;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

/**
 * One department's table of `rows` entries, generated afresh (a seed of its own) in the same way as
 * the catalog; names made unique within the table as a real one's are.
 */
function tableRows(dept: BenchDepartment, depts: readonly BenchDepartment[], rows: number) {
  const own = [...entriesOf(depts, depts.map((d) => (d === dept ? rows : 0)), 5000)];
  const seen = new Map<string, number>();
  return own.map((e) => {
    const n = (seen.get(e.metadata.name!) ?? 0) + 1;
    seen.set(e.metadata.name!, n);
    const { systemId, ...metadata } = e.metadata;
    return {
      metadata: { ...metadata, name: n > 1 ? `${e.metadata.name}（${n}）` : e.metadata.name, publishDate: undefined },
      systemName: dept.systems.find((s) => s.id === systemId)?.name ?? null,
    };
  });
}

export async function benchImport(ds: DataSource, dbUrl: string, depts: readonly BenchDepartment[], rows: number): Promise<ImportFigures> {
  const lines: string[] = [];
  const dept = depts.find((d) => d.code === 'scjg')!;
  const table = tableRows(dept, depts, rows);
  const itemRows = table.reduce((n, r) => n + (r.metadata.items?.length ?? 0), 0);
  lines.push(`import: a ${table.length}-row confirmation table (+ ${itemRows} 信息项 rows) of ${dept.name}`);

  // export (not the import): the table itself
  const writerFile = findExport('workbook', 'buildCatalogWorkbook');
  if (!writerFile) return { lines: [...lines, '  buildCatalogWorkbook not found in services/catalog/src/workbook/: import NOT MEASURED'] };
  let file: Buffer;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildCatalogWorkbook } = require(writerFile) as { buildCatalogWorkbook: (entries: unknown[], opts: unknown) => Promise<Buffer> };
    const [buffer, ms] = await timed(() => buildCatalogWorkbook(table, { domains: DATA_DOMAINS, systems: dept.systems.map((s) => s.name) }));
    file = buffer;
    const path = join(tmpdir(), `govdata-bench-confirmation-${table.length}.xlsx`);
    writeFileSync(path, file);
    lines.push(`  (not the import) export, buildCatalogWorkbook: ${secs(ms)}, ${(file.length / 1048576).toFixed(1)} MB → ${path}`);
  } catch (err) {
    return { lines: [...lines, `  buildCatalogWorkbook failed (${(err as Error).message}): import NOT MEASURED`] };
  }

  // parse alone (partial)
  const parserFile = findExport('workbook', 'parseConfirmationWorkbook');
  if (parserFile)
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { parseConfirmationWorkbook } = require(parserFile) as { parseConfirmationWorkbook: (f: Buffer, opts: unknown) => Promise<{ entries?: unknown[]; errors?: unknown[] }> };
      const [parsed, ms] = await timed(() => parseConfirmationWorkbook(file, { domains: DATA_DOMAINS, topicItems: [] }));
      lines.push(`  (partial) parse, parseConfirmationWorkbook: ${secs(ms)} for ${parsed.entries?.length ?? '?'} rows, ${parsed.errors?.length ?? '?'} problems`);
    } catch (err) {
      lines.push(`  (partial) parseConfirmationWorkbook failed: ${(err as Error).message}`);
    }
  else lines.push('  (partial) parseConfirmationWorkbook not found: parse not timed');

  // the import itself, through the catalog service
  const serviceFile = findExport('imports', 'CatalogImportService');
  if (!serviceFile) return { lines: [...lines, '  CatalogImportService not found in services/catalog/src/imports/: import NOT MEASURED'] };
  const objects = join(tmpdir(), `govdata-bench-objects-${randomUUID()}`);
  const pool = new Pool({ connectionString: dbUrl, max: 2 });
  const runtime: ServiceRuntime = {
    mode: 'embedded',
    databaseUrl: dbUrl,
    transport: new InProcessTransport(pool, { pollMs: 60_000 }),
    objectStorage: new FileSystemObjectStorage(objects),
    keyValue: new MemoryKeyValueStore(),
    logger: createLogger('bench', 'silent'),
    settings: { jwtSecret: 'bench-jwt-secret-that-is-long-enough-0123456789', apiKeyPepper: 'bench-pepper-0123456789', bodyLimit: '20mb', dbPoolSize: 4, extra: { SEED_DEMO: 'false' } },
  };
  let importMs: number | undefined;
  const app = await NestFactory.createApplicationContext(CatalogModule.register(runtime), { logger: false, abortOnError: false });
  try {
    // As deployed, the service's search index finished loading long before an import: wait for the
    // load it started at bootstrap so that it does not run during the timed import.
    const indexed = await app.get(CatalogSearchIndex).load().catch((err: Error) => ({ entries: -1, ms: 0, error: err.message }));
    lines.push(`  (the service's search index: ${indexed.entries} entries loaded in ${secs(indexed.ms)} before the import)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CatalogImportService } = require(serviceFile) as { CatalogImportService: new (...args: never[]) => unknown };
    const service = app.get(CatalogImportService) as { import(actor: unknown, deptId: string, file: Buffer, opts: { dryRun: boolean }): Promise<{ rows: number; created: string[] }> };
    const actor = { id: randomUUID(), scope: { all: false, deptIds: [dept.id] }, isAdmin: false };
    const problems = (err: unknown) => {
      const body = (err as { getResponse?: () => { extensions?: { errors?: { zh: string }[] } } }).getResponse?.();
      const errors = body?.extensions?.errors ?? [];
      return `${(err as Error).message}${errors.length ? `: ${errors.slice(0, 3).map((e) => e.zh).join('; ')}` : ''}`;
    };
    try {
      const [first, firstMs] = await timed(() => service.import(actor, dept.id, file, { dryRun: true }));
      const [, dryMs] = await timed(() => service.import(actor, dept.id, file, { dryRun: true }));
      lines.push(`  dry run, CatalogImportService.import(dryRun): ${secs(dryMs)} (first run ${secs(firstMs)}), ${first.rows} rows checked`);
      const [done, ms] = await timed(() => service.import(actor, dept.id, file, { dryRun: false }));
      importMs = ms;
      lines.push(`  IMPORT, CatalogImportService.import: ${secs(ms)}, ${done.created.length} drafts created`);
    } catch (err) {
      lines.push(`  CatalogImportService.import refused or failed: ${problems(err)}`);
    }
  } catch (err) {
    lines.push(`  CatalogImportService could not be loaded: ${(err as Error).message}`);
  } finally {
    await app.close();
    await pool.end();
    rmSync(objects, { recursive: true, force: true });
  }

  // baseline: the same drafts written straight to the tables, then rolled back
  const [, baselineMs] = await timed(() => writeDraftsDirectly(ds, dept, table));
  lines.push(`  baseline, the same ${table.length} drafts bulk-written to catalog_entry/entry_version/entry_search (rolled back): ${secs(baselineMs)}`);
  if (importMs !== undefined) lines.push(`  import / baseline: ×${(importMs / baselineMs).toFixed(1)}`);
  return { lines, importMs };
}

async function writeDraftsDirectly(ds: DataSource, dept: BenchDepartment, table: ReturnType<typeof tableRows>): Promise<void> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    const rows = table.map((r) => ({ id: randomUUID(), metadata: { ...r.metadata, systemId: dept.systems.find((s) => s.name === r.systemName)?.id } }));
    const entries = await BulkInserter.for(runner.manager, 'catalog.catalog_entry', ['id', 'dept_id', 'status', 'latest_version']);
    const versions = await BulkInserter.for(runner.manager, 'catalog.entry_version', ['entry_id', 'version', 'state', 'metadata']);
    for (let i = 0; i < rows.length; i += 1000) {
      const slice = rows.slice(i, i + 1000);
      await entries.insert(slice.map((r) => ({ id: r.id, dept_id: dept.id, status: 'draft', latest_version: 1 })));
      await versions.insert(slice.map((r) => ({ entry_id: r.id, version: 1, state: 'draft', metadata: r.metadata })));
    }
    const draft = (id: string) =>
      Object.assign(new CatalogEntry(), { id, deptId: dept.id, status: 'draft', changeStatus: null, resourceCode: null, sourceRegion: null, latestVersion: 1, publishedVersion: null, publishedAt: null });
    await new SearchIndexWriter().upsertMany(
      runner.manager,
      rows.map((r) => ({ entry: draft(r.id), metadata: r.metadata, deptName: dept.name })),
    );
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}
