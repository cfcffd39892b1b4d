import { AppAuth, AuthedRequest, CommonErrors, contentTypeOf, DomainException, Public } from '@gov/shared';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AccessLog } from '../access/access-log';
import { OpenGate } from '../access/open-gate';
import { baseUrlOf } from '../catalog/open-catalog.controller';
import { OpenCatalogService } from '../catalog/open-catalog.service';
import { OpenErrors } from '../open.errors';
import { codeSamples, datasetOpenApi } from './dataset-openapi';
import { OpenRecordsService, parseDownload } from './open-records.service';

/** Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range); undefined when not satisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return undefined;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start > end || start >= size) return undefined;
  return { start, end };
}

function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

@ApiTags('开放数据 open data')
@Controller('v1/datasets')
export class OpenRecordsController {
  constructor(
    private readonly catalog: OpenCatalogService,
    private readonly records: OpenRecordsService,
    private readonly gate: OpenGate,
    private readonly access: AccessLog,
  ) {}

  /**
   * Documentation only: OpenRecordsRoute answers every request to this route before Nest's
   * router reaches it (see there why).
   */
  @Get(':id/records')
  @Public()
  @AppAuth({ optional: true })
  @ApiHeader({ name: 'X-API-Key', required: true })
  @ApiOperation({ summary: '数据记录查询（字段、过滤、排序、游标分页、计数、分组聚合）/ query records; syntax in docs/open-api.md' })
  @ApiQuery({ name: 'filter', required: false, description: '字段:操作符:值 (eq ne gt gte lt lte in between prefix search null notnull), repeatable' })
  query(@Param('id') _id: string): never {
    throw CommonErrors.internal();
  }

  @Get(':id/download')
  @Public()
  @AppAuth({ optional: true })
  @ApiOperation({ summary: '下载（CSV 带 BOM / GBK、XLSX、JSON；流式；ETag、Last-Modified、Range）/ download the dataset' })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'xlsx', 'json'] })
  @ApiQuery({ name: 'encoding', required: false, enum: ['utf-8', 'gbk'] })
  async download(@Param('id') id: string, @Query('format') format: string | undefined, @Query('encoding') encoding: string | undefined, @Req() req: Request & AuthedRequest, @Res() res: Response): Promise<void> {
    const d = await this.catalog.get(id);
    const request = parseDownload(typeof format === 'string' ? format : undefined, typeof encoding === 'string' ? encoding : undefined);
    const caller = await this.gate.admit(req, res, 'download', d);
    const base = { ...this.gate.target(d), kind: 'download' as const, appId: caller.appId, keyPrefix: caller.keyPrefix };
    const rows = Number(d.row_count);
    const deny = (err: DomainException): never => {
      this.access.record({ ...base, outcome: 'denied', reasonCode: err.code, reason: err.messages.zh });
      throw err;
    };
    try {
      this.records.assertReleased(d);
    } catch (err) {
      deny(err as DomainException);
    }
    if (!d.table_name) throw OpenErrors.noData();
    if (rows > caller.limits.maxDownloadRows) deny(caller.appId ? OpenErrors.downloadTooLarge(caller.limits.maxDownloadRows) : OpenErrors.anonymousTooLarge(caller.limits.maxDownloadRows));

    // XLSX embeds its creation time, so two builds differ in bytes: only a weak validator.
    const tag = `"${d.entry_id}-${d.data_version}.${d.catalog_version}-${request.format}-${request.encoding}"`;
    const etag = request.format === 'xlsx' ? `W/${tag}` : tag;
    const lastModified = new Date(Math.floor(new Date(d.updated_at).getTime() / 1000) * 1000);
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', lastModified.toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'public, max-age=0, must-revalidate');
    const inm = req.header('if-none-match');
    const ims = req.header('if-modified-since');
    if ((inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)) || (!inm && ims && new Date(ims).getTime() >= lastModified.getTime())) {
      res.status(304).end();
      return;
    }
    const fields = (d.columns ?? []).map((c) => c.name);
    const personalData = (d.columns ?? []).some((c) => c.mask);
    res.setHeader('Content-Type', contentTypeOf(request.format, request.encoding));
    res.setHeader('Content-Disposition', disposition(this.records.downloadName(d, request)));

    const rangeHeader = req.header('range');
    const ifRange = req.header('if-range');
    const useRange = !!rangeHeader && (!ifRange || ifRange === tag);
    if (useRange) {
      const file = await this.records.cachedFile(d, request);
      const range = parseRange(rangeHeader!, file.size);
      if (!range) {
        res.setHeader('Content-Range', `bytes */${file.size}`);
        deny(OpenErrors.badRange());
      }
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range!.start}-${range!.end}/${file.size}`);
      res.setHeader('Content-Length', String(range!.end - range!.start + 1));
      this.access.record({ ...base, outcome: 'allowed', fields, rowCount: range!.start === 0 ? rows : 0, personalData });
      await pipeline(await this.records.openCached(file.key, range), res);
      return;
    }
    this.access.record({ ...base, outcome: 'allowed', fields, rowCount: rows, personalData });
    const cachedSize = await this.records.hasCached(d, request);
    if (cachedSize !== undefined) {
      res.setHeader('Content-Length', String(cachedSize));
      await pipeline(await this.records.openCached(this.records.cacheKey(d, request)), res);
      return;
    }
    try {
      await this.records.streamFile(d, request, res);
    } catch (err) {
      // Headers are out: all we can do is cut the connection so the client sees a broken file.
      if (!res.headersSent) throw err;
      res.destroy(err as Error);
    }
  }

  @Get(':id/openapi.json')
  @Public()
  @ApiOperation({ summary: '数据集的 OpenAPI 3 文档（含 curl、JavaScript、Python 示例）/ OpenAPI document of the dataset' })
  async openapi(@Param('id') id: string, @Req() req: Request) {
    const d = await this.catalog.get(id);
    return datasetOpenApi(baseUrlOf(req), d);
  }

  @Get(':id/examples')
  @Public()
  @ApiOperation({ summary: '调用示例 / code samples (curl, JavaScript, Python)' })
  async examples(@Param('id') id: string, @Req() req: Request) {
    const d = await this.catalog.get(id);
    return codeSamples(baseUrlOf(req), d);
  }
}
