import { SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CascadeErrors } from './cascade.errors';
import { isRegionWithin, parseByteSize, REGION_CODE } from './cascade.format';

export interface PlatformIdentity {
  /** 行政区划代码 of this platform (the city's, e.g. 420700). */
  regionCode: string;
  /** Display name: CATALOG_PLATFORM_NAME, else the data bureau's name. */
  name?: string;
}

export interface CascadeSettings {
  /** CATALOG_PLATFORM_REGION: overrides the derived region. */
  platformRegion?: string;
  /** CATALOG_PLATFORM_NAME */
  platformName?: string;
  /** CATALOG_CASCADE_IMPORT_LIMIT: largest import body read by the route itself (application/octet-stream). */
  importLimit: string;
  importLimitBytes: number;
}

export const DEFAULT_IMPORT_LIMIT = '256mb';

/** Reads the cascade settings from the runtime's service settings; throws at boot on a bad value. */
export function cascadeSettingsFrom(extra: Record<string, string | undefined> = {}): CascadeSettings {
  const platformRegion = extra.CATALOG_PLATFORM_REGION?.trim() || undefined;
  if (platformRegion && !REGION_CODE.test(platformRegion)) throw new Error('CATALOG_PLATFORM_REGION must be a 6-digit administrative division code');
  const importLimit = extra.CATALOG_CASCADE_IMPORT_LIMIT?.trim() || DEFAULT_IMPORT_LIMIT;
  let importLimitBytes: number;
  try {
    importLimitBytes = parseByteSize(importLimit);
  } catch {
    throw new Error('CATALOG_CASCADE_IMPORT_LIMIT must be a size such as 256mb');
  }
  return { platformRegion, platformName: extra.CATALOG_PLATFORM_NAME?.trim() || undefined, importLimit, importLimitBytes };
}

/**
 * Who this platform is in the cascade. The region is CATALOG_PLATFORM_REGION when set; otherwise
 * it is derived from the department register: the region of the top-level city departments
 * (no parent, level `city`: 数据局 and the other 市直部门). When those span several regions, the
 * one the others lie within is taken (a province platform that imported its cities); anything
 * else is refused until the setting is made.
 */
@Injectable()
export class PlatformIdentityResolver {
  readonly settings: CascadeSettings;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    this.settings = cascadeSettingsFrom(runtime.settings.extra);
  }

  async resolve(m: EntityManager = this.db.manager): Promise<PlatformIdentity> {
    const regionCode = this.settings.platformRegion ?? (await this.derivedRegion(m));
    const name = this.settings.platformName ?? (await this.bureauName(m, regionCode));
    return name ? { regionCode, name } : { regionCode };
  }

  private async derivedRegion(m: EntityManager): Promise<string> {
    const rows: { region: string }[] = await m.query(
      `SELECT DISTINCT region_code AS region FROM catalog.department WHERE parent_id IS NULL AND level = 'city' ORDER BY region_code`,
    );
    const regions = rows.map((r) => r.region.trim());
    const top = regions.find((r) => regions.every((o) => o === r || isRegionWithin(o, r)));
    if (!top) throw CascadeErrors.platformRegionUnknown(regions);
    return top;
  }

  /** 数据局: the top-level department of the platform's region where a data administrator works. */
  private async bureauName(m: EntityManager, regionCode: string): Promise<string | undefined> {
    const [row] = await m.query(
      `SELECT d.name FROM catalog.department d JOIN catalog.staff_user u ON u.dept_id = d.id
       WHERE d.parent_id IS NULL AND d.region_code = $1 AND 'data_admin' = ANY(u.roles)
       ORDER BY u.created_at, d.name LIMIT 1`,
      [regionCode],
    );
    return row?.name;
  }
}
