import { CurrentStaff, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { actorOf } from '../entries/entries.service';
import { CatalogExportService } from './catalog-export.service';
import { CatalogImportService, ImportResult } from './catalog-import.service';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export class ImportQuery {
  @ApiPropertyOptional({ description: '只校验并预览，不保存' }) @IsOptional() @Transform(({ value }) => value === true || value === 'true' || value === '1') @IsBoolean() dryRun?: boolean;
  @ApiPropertyOptional({ description: '数据管理员代部门导入' }) @IsOptional() @IsUUID() deptId?: string;
}

export class ExportQuery {
  @ApiPropertyOptional({ description: '部门；省略时为本部门（数据管理员为全部）' }) @IsOptional() @IsUUID() deptId?: string;
  @ApiPropertyOptional({ enum: ['xlsx', 'json'], default: 'xlsx' }) @IsOptional() @IsIn(['xlsx', 'json']) format?: 'xlsx' | 'json';
}

const attachment = (name: string) => `attachment; filename="catalog.${name.split('.').pop()}"; filename*=UTF-8''${encodeURIComponent(name)}`;

@ApiTags('目录确认表 workbook import/export')
@ApiBearerAuth()
@Controller()
export class CatalogImportController {
  constructor(
    private readonly imports: CatalogImportService,
    private readonly exports: CatalogExportService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get('workbook/template')
  @ApiOperation({ summary: '下载目录确认表模板（xlsx，枚举列带下拉）/ download the confirmation template' })
  async template(@CurrentStaff() staff: StaffPrincipal, @Res() res: Response): Promise<void> {
    const body = await this.exports.template(staff.deptId);
    res.setHeader('content-type', XLSX_MIME).setHeader('content-disposition', attachment('目录确认表.xlsx')).send(body);
  }

  @Post('imports')
  @HttpCode(200)
  @Roles('dept_operator', 'data_admin')
  @ApiConsumes(XLSX_MIME, 'application/octet-stream')
  @ApiBody({ description: '目录确认表 xlsx（请求体即文件内容）', schema: { type: 'string', format: 'binary' } })
  @ApiOperation({ summary: '导入目录确认表：逐格报错，任何一行有误则不保存；dryRun=true 仅预览' })
  import(@CurrentStaff() staff: StaffPrincipal, @Query() q: ImportQuery, @Body() body: Buffer): Promise<ImportResult> {
    const deptId = staff.roles.includes('data_admin') && q.deptId ? q.deptId : staff.deptId;
    return this.imports.import(actorOf(staff), deptId, Buffer.isBuffer(body) ? body : Buffer.alloc(0), { dryRun: q.dryRun ?? false });
  }

  @Get('exports/catalog')
  @ApiOperation({ summary: '导出目录（xlsx 或 JSON）/ export a department’s or the whole catalog' })
  async export(@CurrentStaff() staff: StaffPrincipal, @Query() q: ExportQuery, @Res() res: Response): Promise<void> {
    const format = q.format ?? 'xlsx';
    const { body, name } = await this.exports.export(actorOf(staff), staff.deptId, q.deptId, format);
    res
      .setHeader('content-type', format === 'xlsx' ? XLSX_MIME : 'application/json; charset=utf-8')
      .setHeader('content-disposition', attachment(name))
      .send(body);
  }
}
