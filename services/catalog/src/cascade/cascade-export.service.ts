import { CatalogMetadata } from '@gov/shared';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { CascadeExportEntry, EXPORT_FORMAT, EXPORT_FORMAT_VERSION, withoutLocalReferences } from './cascade.format';
import { dcatCatalogHeader, dcatDataset } from './dcat';
import { PlatformIdentity, PlatformIdentityResolver } from './platform-identity';

/** Rows read per query while streaming; memory stays at one batch whatever the catalog's size. */
export const EXPORT_BATCH_SIZE = 500;

interface ExportRow {
  id: string;
  region_key: string;
  resource_code: string;
  source_region: string | null;
  version: number;
  published_at: Date;
  metadata: CatalogMetadata;
  dept_name: string;
  credit_code: string;
  dept_region: string;
  dept_level: 'city' | 'district';
}

export interface ExportTarget {
  /** The response (or any writable); writes wait for `drain`, so a slow reader slows the reads. */
  out: Writable;
  /** Absolute URL of the platform's API root, e.g. `https://host/api/catalog`, for JSON-LD ids. */
  apiBase: string;
}

/**
 * Writes the published catalog (retired entries excluded) as the cascade JSON format or as
 * DCAT-AP JSON-LD. Entries are read in keyset-paged batches ordered by (source region, code),
 * so neither the database nor this process holds the whole catalog; the document is not a
 * snapshot (an entry republished while the export runs appears once, in either version).
 */
@Injectable()
export class CascadeExportService {
  private readonly logger = new Logger('CascadeExport');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly platform: PlatformIdentityResolver,
  ) {}

  identity(): Promise<PlatformIdentity> {
    return this.platform.resolve();
  }

  async writeJson(platform: PlatformIdentity, target: ExportTarget): Promise<number> {
    const head = JSON.stringify({ format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, platform, exportedAt: new Date().toISOString() });
    return this.stream(target.out, `${head.slice(0, -1)},"entries":[`, ']}\n', (row) => toExportEntry(row, platform.regionCode));
  }

  async writeJsonLd(platform: PlatformIdentity, target: ExportTarget): Promise<number> {
    const domainLabels = new Map<string, string>(
      ((await this.db.query(`SELECT code, label FROM catalog.data_domain`)) as { code: string; label: string }[]).map((d) => [d.code, d.label]),
    );
    const header = dcatCatalogHeader({ id: `${target.apiBase}/cascade/export.jsonld`, regionCode: platform.regionCode, name: platform.name, exportedAt: new Date().toISOString() });
    const head = JSON.stringify(header);
    return this.stream(target.out, `${head.slice(0, -1)},"dcat:dataset":[`, ']}\n', (row) =>
      dcatDataset(toExportEntry(row, platform.regionCode), { id: `${target.apiBase}/entries/${row.id}`, domainLabels }),
    );
  }

  /** Writes `open`, every published entry mapped by `map` (comma-separated), then `close`. */
  private async stream(out: Writable, open: string, close: string, map: (row: ExportRow) => unknown): Promise<number> {
    let aborted = false;
    const onClose = () => (aborted = true);
    out.once('close', onClose);
    try {
      await write(out, open);
      let count = 0;
      let after: [string, string] | null = null;
      while (!aborted) {
        const rows = await this.batch(after);
        if (rows.length === 0) break;
        const chunk = rows.map((r) => JSON.stringify(map(r))).join(',');
        await write(out, count === 0 ? chunk : `,${chunk}`);
        count += rows.length;
        const last = rows[rows.length - 1];
        after = [last.region_key, last.resource_code];
        if (rows.length < EXPORT_BATCH_SIZE) break;
      }
      if (aborted) {
        this.logger.warn(`export aborted by the client after ${count} entries`);
        return count;
      }
      await write(out, close);
      return count;
    } finally {
      out.off('close', onClose);
    }
  }

  /** The next batch after a (region key, code) position, in the order of the catalog_entry_code index. */
  private batch(after: [string, string] | null): Promise<ExportRow[]> {
    return this.db.query(
      `SELECT e.id, coalesce(e.source_region, '') AS region_key, e.resource_code, e.source_region, v.version, e.published_at, v.metadata,
              d.name AS dept_name, d.credit_code, d.region_code AS dept_region, d.level AS dept_level
       FROM catalog.catalog_entry e
       JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.published_version
       JOIN catalog.department d ON d.id = e.dept_id
       WHERE e.status = 'published' AND e.resource_code IS NOT NULL
         ${after ? `AND (coalesce(e.source_region, ''), e.resource_code) > ($2, $3)` : ''}
       ORDER BY coalesce(e.source_region, ''), e.resource_code
       LIMIT $1`,
      after ? [EXPORT_BATCH_SIZE, after[0], after[1]] : [EXPORT_BATCH_SIZE],
    );
  }
}

function toExportEntry(row: ExportRow, platformRegion: string): CascadeExportEntry {
  return {
    resourceCode: row.resource_code,
    sourceRegion: (row.source_region ?? platformRegion).trim(),
    version: row.version,
    publishedAt: new Date(row.published_at).toISOString(),
    provider: { name: row.dept_name, creditCode: row.credit_code.trim(), regionCode: row.dept_region.trim(), level: row.dept_level },
    metadata: withoutLocalReferences(row.metadata),
  };
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed || out.writableEnded) return;
  if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
}
