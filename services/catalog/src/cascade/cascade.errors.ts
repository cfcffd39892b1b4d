import { DomainException, FieldProblem } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from './cascade.format';

/** At most this many entry problems are listed in one refusal; `problemCount` gives the total. */
export const MAX_LISTED_PROBLEMS = 1000;

/** Stable codes of the cascade endpoints (the `code` of the problem+json body). */
export const CascadeErrors = {
  platformRegionUnknown: (found: string[]) =>
    new DomainException(
      'CASCADE_PLATFORM_REGION_UNKNOWN',
      HttpStatus.CONFLICT,
      {
        zh: found.length
          ? `无法确定本平台的行政区划：市级顶层部门分属多个区划（${found.join('、')}），请配置 CATALOG_PLATFORM_REGION`
          : '无法确定本平台的行政区划：尚无市级顶层部门（数据局），请先登记部门或配置 CATALOG_PLATFORM_REGION',
        en: found.length
          ? `Cannot tell this platform's region: top-level city departments are in several regions (${found.join(', ')}); set CATALOG_PLATFORM_REGION`
          : "Cannot tell this platform's region: no top-level city department (data bureau) is registered; register one or set CATALOG_PLATFORM_REGION",
      },
      { regions: found },
    ),
  notADocument: (reason: { zh: string; en: string }) =>
    new DomainException('CASCADE_FORMAT_UNSUPPORTED', HttpStatus.UNPROCESSABLE_ENTITY, {
      zh: `不是可导入的目录导出文件（应为 format="${EXPORT_FORMAT}"、formatVersion=${EXPORT_FORMAT_VERSION}）：${reason.zh}`,
      en: `Not an importable catalog export (expected format "${EXPORT_FORMAT}", formatVersion ${EXPORT_FORMAT_VERSION}): ${reason.en}`,
    }),
  regionNotChild: (source: string, platform: string) =>
    new DomainException(
      'CASCADE_REGION_NOT_CHILD',
      HttpStatus.UNPROCESSABLE_ENTITY,
      {
        zh: `导出文件来自行政区划 ${source}，不是本平台（${platform}）的下级区划，不能导入；只能导入下级平台（如本市所辖区县）的目录`,
        en: `The export comes from region ${source}, which is not below this platform's region ${platform}; only a lower-level platform's catalog (e.g. a district of this city) can be imported`,
      },
      { sourceRegion: source, platformRegion: platform },
    ),
  entriesInvalid: (problems: FieldProblem[], entryCount: number) => {
    const failing = new Set(problems.map((p) => /^entries\[(\d+)\]/.exec(p.field)?.[1]).filter(Boolean)).size;
    return new DomainException(
      'CASCADE_IMPORT_INVALID',
      HttpStatus.UNPROCESSABLE_ENTITY,
      {
        zh: `导入被拒绝：${entryCount} 条目录中有 ${failing} 条存在 ${problems.length} 个问题，未写入任何数据`,
        en: `Import refused: ${problems.length} problem(s) in ${failing} of ${entryCount} entries; nothing was written`,
      },
      { errors: problems.slice(0, MAX_LISTED_PROBLEMS), problemCount: problems.length, truncated: problems.length > MAX_LISTED_PROBLEMS },
    );
  },
  unsupportedBody: (contentType: string) =>
    new DomainException('UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, {
      zh: `不支持的内容类型：${contentType}；请以 application/json（受平台请求体上限约束）或 application/octet-stream（大文件）上传导出文件`,
      en: `Unsupported content type: ${contentType}; send the export as application/json (platform body limit) or application/octet-stream (large files)`,
    }),
  badDryRun: (value: string) =>
    new DomainException('VALIDATION_FAILED', HttpStatus.BAD_REQUEST, { zh: '请求参数校验失败', en: 'Request validation failed' }, {
      errors: [{ field: 'dryRun', zh: `dryRun：应为 true 或 false，实际为"${value}"`, en: `dryRun must be true or false, got "${value}"` }],
    }),
};
