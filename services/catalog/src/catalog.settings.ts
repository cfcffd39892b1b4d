import { SERVICE_RUNTIME, ServiceRuntime, WorkingDayCalendar } from '@gov/shared';
import { FactoryProvider } from '@nestjs/common';

/** Working-day limits of the catalog, per region (the policy is local: 鄂州 20/20, 上海 2 for changes). */
export interface DeadlineLimits {
  /** 新增关联资源: register the resources of a new information system within N working days. */
  registerLinkedResource: number;
  /** 目录变更: update a changed entry within N working days. */
  updateChangedEntry: number;
}

/** Yearly goals set in configuration (黄石 2023: 600 open datasets, 20% open rate; 上海: ≥50% by interface). */
export interface CatalogGoals {
  openDatasets: number;
  openRate: number;
  interfaceShare: number;
}

export interface CatalogSettings {
  /** Limits by region code; `default` applies where no region matches (exact code, then province `xx0000`). */
  deadlines: Record<string, DeadlineLimits>;
  goals: CatalogGoals;
  /** Similarity from which two entries of different departments are reported as near duplicates. */
  nearDuplicateThreshold: number;
  calendar: WorkingDayCalendar;
}

export const CATALOG_SETTINGS = Symbol('CATALOG_SETTINGS');

export const DEFAULT_DEADLINES: DeadlineLimits = { registerLinkedResource: 20, updateChangedEntry: 20 };
export const DEFAULT_GOALS: CatalogGoals = { openDatasets: 600, openRate: 0.2, interfaceShare: 0.5 };

function json<T>(name: string, raw: string | undefined, fallback: T): T {
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${(err as Error).message}`);
  }
}

const list = (raw: string | undefined) => (raw ? raw.split(',').map((s) => s.trim()).filter(Boolean) : []);

/**
 * Reads CATALOG_DEADLINES (JSON: {"default":{...},"310000":{"updateChangedEntry":2}}),
 * CATALOG_GOALS (JSON), CATALOG_NEAR_DUPLICATE_THRESHOLD, CALENDAR_EXTRA_HOLIDAYS and
 * CALENDAR_EXTRA_WORKDAYS (comma-separated YYYY-MM-DD) from the runtime settings.
 */
export function catalogSettingsFrom(extra: Record<string, string | undefined> = {}): CatalogSettings {
  const deadlines = json<Record<string, Partial<DeadlineLimits>>>('CATALOG_DEADLINES', extra.CATALOG_DEADLINES, {});
  const merged: Record<string, DeadlineLimits> = { default: { ...DEFAULT_DEADLINES, ...deadlines.default } };
  for (const [region, limits] of Object.entries(deadlines)) if (region !== 'default') merged[region] = { ...merged.default, ...limits };
  for (const [region, limits] of Object.entries(merged))
    for (const [k, v] of Object.entries(limits))
      if (!Number.isInteger(v) || v < 0) throw new Error(`CATALOG_DEADLINES.${region}.${k} must be a non-negative integer`);
  const threshold = Number(extra.CATALOG_NEAR_DUPLICATE_THRESHOLD ?? 0.6);
  if (!(threshold > 0 && threshold <= 1)) throw new Error('CATALOG_NEAR_DUPLICATE_THRESHOLD must be in (0, 1]');
  return {
    deadlines: merged,
    goals: { ...DEFAULT_GOALS, ...json<Partial<CatalogGoals>>('CATALOG_GOALS', extra.CATALOG_GOALS, {}) },
    nearDuplicateThreshold: threshold,
    calendar: new WorkingDayCalendar({ extraHolidays: list(extra.CALENDAR_EXTRA_HOLIDAYS), extraWorkdays: list(extra.CALENDAR_EXTRA_WORKDAYS) }),
  };
}

export function limitsFor(settings: CatalogSettings, regionCode: string): DeadlineLimits {
  return settings.deadlines[regionCode] ?? settings.deadlines[`${regionCode.slice(0, 2)}0000`] ?? settings.deadlines.default;
}

export const catalogSettingsProvider: FactoryProvider = {
  provide: CATALOG_SETTINGS,
  inject: [SERVICE_RUNTIME],
  useFactory: (runtime: ServiceRuntime) => catalogSettingsFrom(runtime.settings.extra),
};
