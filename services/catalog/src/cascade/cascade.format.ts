/**
 * 市区两级联动 (cascade): the documented JSON export format of a platform's published catalog
 * and the pure rules an import applies to it. See FORMAT.md next to this file.
 */
import type { CatalogMetadata } from '@gov/shared';

export const EXPORT_FORMAT = 'govdata-catalog-export';
export const EXPORT_FORMAT_VERSION = 1;

/** One published entry in an export. */
export interface CascadeExportEntry {
  /** 信息资源代码 as issued by the platform that registered the entry (kept as written). */
  resourceCode: string;
  /** 行政区划代码 of the platform that issued the code: the exporter's own region for its local entries. */
  sourceRegion: string;
  /** Published version number on the exporting platform (informational). */
  version: number;
  /** When the version was published on the exporting platform (ISO 8601). */
  publishedAt: string;
  /** 信息资源提供方 */
  provider: { name: string; creditCode: string; regionCode: string; level: 'city' | 'district' };
  /** 核心元数据, without the exporting platform's local references (systemId, referenceItemId). */
  metadata: CatalogMetadata;
}

export interface CascadeExportDocument {
  format: typeof EXPORT_FORMAT;
  formatVersion: typeof EXPORT_FORMAT_VERSION;
  platform: { regionCode: string; name?: string };
  exportedAt: string;
  entries: CascadeExportEntry[];
}

/**
 * Metadata fields that hold ids of rows in the exporting platform's own tables (信息系统, 参考清单
 * 事项). They mean nothing on another platform, so exports leave them out and imports drop them.
 */
export const PLATFORM_LOCAL_METADATA_FIELDS = ['systemId', 'referenceItemId'] as const;

export function withoutLocalReferences(metadata: CatalogMetadata): CatalogMetadata {
  const copy: Record<string, unknown> = { ...metadata };
  for (const f of PLATFORM_LOCAL_METADATA_FIELDS) delete copy[f];
  return copy as CatalogMetadata;
}

// -------------------------------------------------------------------------------------------------
// 行政区划代码: 省 AA0000, 市 AABB00, 县/区 AABBCC

export const REGION_CODE = /^\d{6}$/;

export type RegionLevel = 'province' | 'city' | 'county';

export function regionLevelOf(code: string): RegionLevel {
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/**
 * True when `child` lies inside `parent` and is not `parent` itself: a city or county of a
 * province (same first 2 digits), a county/district of a city (same first 4 digits).
 */
export function isRegionWithin(child: string, parent: string): boolean {
  if (!REGION_CODE.test(child) || !REGION_CODE.test(parent) || child === parent) return false;
  switch (regionLevelOf(parent)) {
    case 'province':
      return child.slice(0, 2) === parent.slice(0, 2);
    case 'city':
      return child.slice(0, 4) === parent.slice(0, 4);
    default:
      return false;
  }
}

/** `code` is `region` or lies inside it. */
export const isRegionOrWithin = (code: string, region: string) => code === region || isRegionWithin(code, region);

/** Department level for a provider registered by an import: 市 for a city-level region, 区 otherwise. */
export const departmentLevelFor = (regionCode: string): 'city' | 'district' => (regionLevelOf(regionCode) === 'county' ? 'district' : 'city');

/** Department short code (`^[a-z][a-z0-9]{1,19}$`) for a provider registered by an import. */
export const departmentCodeFor = (creditCode: string) => `c${creditCode.toLowerCase()}`;

// -------------------------------------------------------------------------------------------------
// Comparing metadata

/** JSON with object keys sorted, so metadata read back from jsonb compares equal to the input. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

// -------------------------------------------------------------------------------------------------
// Size limits

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses `256mb`, `64kb`, `1048576` into bytes; throws on anything else. */
export function parseByteSize(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!m) throw new Error(`not a byte size: ${value}`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
}
