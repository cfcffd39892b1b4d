/**
 * Checks of an import document that need no database: the document shape, the region rule and
 * every entry's fields. Every problem is listed (entry index and field), none is fatal alone.
 */
import { CatalogMetadata, FieldProblem, flattenValidationErrors, normalizeResourceCode, validateResourceCode, validateUscc } from '@gov/shared';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CatalogMetadataDto } from '../entries/dto/catalog-metadata.dto';
import { cleanMetadata } from '../entries/entries.service';
import { CascadeErrors } from './cascade.errors';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION, isRegionOrWithin, isRegionWithin, REGION_CODE, withoutLocalReferences } from './cascade.format';

/** An entry that passed the checks, ready to write. */
export interface ImportEntry {
  index: number;
  resourceCode: string;
  sourceRegion: string;
  version: number;
  publishedAt: Date;
  provider: { name: string; creditCode: string; regionCode: string };
  metadata: CatalogMetadata;
}

export interface ImportDocument {
  source: { regionCode: string; name?: string; exportedAt?: string };
  /** Raw entries, checked by `checkEntries`. */
  entries: unknown[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Document-level checks: format marker and version, platform region, entries array. Throws CASCADE_FORMAT_UNSUPPORTED. */
export function readDocument(body: unknown): ImportDocument {
  if (!isObject(body)) throw CascadeErrors.notADocument({ zh: '请求体应为 JSON 对象', en: 'the body must be a JSON object' });
  if (body.format !== EXPORT_FORMAT)
    throw CascadeErrors.notADocument({ zh: `format 为"${String(body.format ?? '')}"`, en: `format is "${String(body.format ?? '')}"` });
  if (body.formatVersion !== EXPORT_FORMAT_VERSION)
    throw CascadeErrors.notADocument({ zh: `不支持的 formatVersion：${String(body.formatVersion)}`, en: `unsupported formatVersion ${String(body.formatVersion)}` });
  const platform = body.platform;
  if (!isObject(platform) || typeof platform.regionCode !== 'string' || !REGION_CODE.test(platform.regionCode))
    throw CascadeErrors.notADocument({ zh: 'platform.regionCode 应为 6 位行政区划代码', en: 'platform.regionCode must be a 6-digit region code' });
  if (!Array.isArray(body.entries)) throw CascadeErrors.notADocument({ zh: 'entries 应为数组', en: 'entries must be an array' });
  return {
    source: {
      regionCode: platform.regionCode,
      name: typeof platform.name === 'string' ? platform.name : undefined,
      exportedAt: typeof body.exportedAt === 'string' ? body.exportedAt : undefined,
    },
    entries: body.entries,
  };
}

/** The export must come from a region below this platform's. Throws CASCADE_REGION_NOT_CHILD. */
export function assertChildRegion(source: string, platform: string): void {
  if (!isRegionWithin(source, platform)) throw CascadeErrors.regionNotChild(source, platform);
}

/** Entries checked between two yields to the event loop (the checks are CPU work: ~0.3 ms an entry). */
const YIELD_EVERY = 500;

export async function checkEntries(raw: unknown[], exportRegion: string): Promise<{ entries: ImportEntry[]; problems: FieldProblem[] }> {
  const problems: FieldProblem[] = [];
  const entries: ImportEntry[] = [];
  const seen = new Map<string, number>();
  for (let index = 0; index < raw.length; index++) {
    if (index > 0 && index % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    checkEntry(raw[index], index);
  }
  return { entries, problems };

  function checkEntry(value: unknown, index: number): void {
    const at = `entries[${index}]`;
    const problem = (field: string, code: string, zh: string, en: string) => problems.push({ field: `${at}${field ? `.${field}` : ''}`, code, zh: `第 ${index} 条 ${field || '目录'}：${zh}`, en: `entry ${index}${field ? ` ${field}` : ''}: ${en}` });
    const before = problems.length;
    if (!isObject(value)) {
      problem('', 'ENTRY_INVALID', '应为 JSON 对象', 'must be a JSON object');
      return;
    }

    // 信息资源代码, kept as written; duplicates compare in canonical form within a source region.
    const code = value.resourceCode;
    const codeCheck = validateResourceCode(typeof code === 'string' ? code : null);
    if (!codeCheck.valid) problem('resourceCode', 'RESOURCE_CODE_INVALID', codeCheck.reason, `invalid resource code ${JSON.stringify(code ?? null)}`);

    const sourceRegion = value.sourceRegion ?? exportRegion;
    const regionOk = typeof sourceRegion === 'string' && isRegionOrWithin(sourceRegion, exportRegion);
    if (!regionOk)
      problem('sourceRegion', 'SOURCE_REGION_INVALID', `"${String(sourceRegion)}"应为导出平台的区划 ${exportRegion} 或其下级区划`, `${JSON.stringify(sourceRegion)} must be the exporting region ${exportRegion} or lie within it`);

    if (codeCheck.valid && regionOk) {
      const key = `${sourceRegion}|${normalizeResourceCode(code as string)}`;
      const first = seen.get(key);
      if (first !== undefined)
        problem('resourceCode', 'DUPLICATE_RESOURCE_CODE', `信息资源代码"${String(code)}"与第 ${first} 条重复`, `resource code ${String(code)} repeats entry ${first}`);
      else seen.set(key, index);
    }

    const version = value.version;
    if (!Number.isInteger(version) || (version as number) < 1) problem('version', 'VERSION_INVALID', '版本号应为正整数', 'must be a positive integer');

    const publishedAt = typeof value.publishedAt === 'string' && ISO_INSTANT.test(value.publishedAt) ? new Date(value.publishedAt) : null;
    if (!publishedAt || Number.isNaN(publishedAt.getTime())) problem('publishedAt', 'PUBLISHED_AT_INVALID', '发布时间应为 ISO 8601 时间（含时区）', 'must be an ISO 8601 instant with an offset');

    // 信息资源提供方
    const provider = isObject(value.provider) ? value.provider : null;
    if (!provider) problem('provider', 'PROVIDER_INVALID', '提供方应为对象（name、creditCode、regionCode）', 'must be an object with name, creditCode, regionCode');
    const name = typeof provider?.name === 'string' ? provider.name.trim() : '';
    if (provider && (name.length < 2 || name.length > 100)) problem('provider.name', 'PROVIDER_NAME_INVALID', '部门名称应为 2–100 个字符', 'must be 2–100 characters');
    const uscc = validateUscc(provider?.creditCode);
    if (provider && !uscc.valid) problem('provider.creditCode', 'CREDIT_CODE_INVALID', uscc.reason, `invalid unified social credit code ${JSON.stringify(provider.creditCode ?? null)}`);
    const providerRegion = provider?.regionCode;
    if (provider && !(typeof providerRegion === 'string' && isRegionOrWithin(providerRegion, exportRegion)))
      problem('provider.regionCode', 'PROVIDER_REGION_INVALID', `"${String(providerRegion ?? '')}"应为导出平台的区划 ${exportRegion} 或其下级区划`, `${JSON.stringify(providerRegion ?? null)} must be ${exportRegion} or lie within it`);

    // 核心元数据: the same shape checks as the entries API, plus a name (search and events need one).
    const metadata = value.metadata;
    if (!isObject(metadata)) problem('metadata', 'METADATA_INVALID', '元数据应为对象', 'must be an object');
    else {
      const errors = validateSync(plainToInstance(CatalogMetadataDto, metadata), { whitelist: true, forbidNonWhitelisted: true });
      for (const p of flattenValidationErrors(errors, `${at}.metadata`)) problems.push({ ...p, code: 'METADATA_INVALID' });
      if (typeof metadata.name !== 'string' || metadata.name.trim() === '') problem('metadata.name', 'METADATA_NAME_REQUIRED', '信息资源名称不能为空', 'the resource name is required');
    }

    if (problems.length > before) return;
    entries.push({
      index,
      resourceCode: code as string,
      sourceRegion: sourceRegion as string,
      version: version as number,
      publishedAt: publishedAt!,
      provider: { name, creditCode: provider!.creditCode as string, regionCode: providerRegion as string },
      metadata: cleanMetadata(withoutLocalReferences(metadata as CatalogMetadata)),
    });
  }
}
