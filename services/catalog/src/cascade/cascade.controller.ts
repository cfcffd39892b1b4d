import { CurrentStaff, Roles, routePrefixOf, StaffPrincipal } from '@gov/shared';
import { Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CascadeErrors } from './cascade.errors';
import { CascadeExportService, ExportTarget } from './cascade-export.service';
import { CascadeImportService, ImportResult } from './cascade-import.service';
import { readImportBody } from './import-body';
import { PlatformIdentity, PlatformIdentityResolver } from './platform-identity';

/**
 * 市区两级联动: export this platform's published catalog (JSON and DCAT-AP JSON-LD) and import a
 * lower-level platform's export. The JSON format is documented in FORMAT.md.
 */
@ApiTags('级联 cascade')
@ApiBearerAuth()
@Controller('cascade')
export class CascadeController {
  private readonly logger = new Logger('CascadeController');

  constructor(
    private readonly exporter: CascadeExportService,
    private readonly importer: CascadeImportService,
    private readonly platform: PlatformIdentityResolver,
  ) {}

  @Get('export')
  @Roles('data_admin', 'auditor')
  @ApiProduces('application/json')
  @ApiOperation({ summary: '导出已发布目录（级联交换格式，流式输出）/ export the published catalog in the cascade JSON format (streamed)' })
  async exportJson(@Req() req: Request, @Res() res: Response): Promise<void> {
    const platform = await this.exporter.identity();
    await this.send(req, res, platform, 'application/json; charset=utf-8', 'json', (target) => this.exporter.writeJson(platform, target));
  }

  @Get('export.jsonld')
  @Roles('data_admin', 'auditor')
  @ApiProduces('application/ld+json')
  @ApiOperation({ summary: '导出已发布目录（DCAT-AP JSON-LD，流式输出）/ export the published catalog as DCAT-AP JSON-LD (streamed)' })
  async exportJsonLd(@Req() req: Request, @Res() res: Response): Promise<void> {
    const platform = await this.exporter.identity();
    await this.send(req, res, platform, 'application/ld+json; charset=utf-8', 'jsonld', (target) => this.exporter.writeJsonLd(platform, target));
  }

  @Post('import')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiConsumes('application/json', 'application/octet-stream')
  @ApiBody({ description: '下级平台的导出文件（格式见 FORMAT.md）。application/json 受平台请求体上限 BODY_LIMIT 约束；大文件以 application/octet-stream（可 gzip）上传，上限 CATALOG_CASCADE_IMPORT_LIMIT。' })
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'], description: 'true：只校验并报告将发生的变化，不写入' })
  @ApiOperation({ summary: '导入下级平台（区县）的目录导出，保留来源区划和资源代码 / import a lower-level platform’s export' })
  async import(@CurrentStaff() staff: StaffPrincipal, @Req() req: Request, @Query('dryRun') dryRun?: string): Promise<ImportResult> {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw CascadeErrors.badDryRun(dryRun);
    const { importLimitBytes, importLimit } = this.platform.settings;
    const body = await readImportBody(req, importLimitBytes, importLimit);
    return this.importer.import(staff, body, dryRun === 'true');
  }

  private async send(req: Request, res: Response, platform: PlatformIdentity, type: string, ext: string, write: (t: ExportTarget) => Promise<number>): Promise<void> {
    const day = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Disposition', `attachment; filename="catalog-${platform.regionCode}-${day}.${ext}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await write({ out: res, apiBase: `${req.protocol}://${req.get('host')}/${routePrefixOf('catalog')}` });
      res.end();
    } catch (err) {
      if (!res.headersSent) {
        res.removeHeader('Content-Disposition');
        throw err;
      }
      // Headers (and part of the body) are out: the client must see a broken download, not a valid-looking document.
      this.logger.error(`export failed mid-stream: ${(err as Error).stack ?? String(err)}`);
      res.destroy(err as Error);
    }
  }
}
