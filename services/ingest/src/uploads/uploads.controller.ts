import { CurrentStaff, Roles, StaffPrincipal, departmentScopeOf } from '@gov/shared';
import { Body, Controller, Head, HttpCode, Param, Patch, Post, Req, Res, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request, Response } from 'express';
import { IngestErrors } from '../datasets/ingest.errors';
import { jobView, JobView } from '../jobs/jobs.service';
import { AttachmentsService } from './attachments.service';
import { receiveMultipartFile } from './multipart';
import { UploadSessionView, UploadsService } from './uploads.service';

export class OpenUploadSessionDto {
  @ApiProperty({ example: '企业登记信息.csv' }) @IsString() @MaxLength(255) fileName: string;
  @ApiProperty({ description: '文件总字节数' }) @IsInt() @Min(1) @Max(1024 ** 4) size: number;
}

@ApiTags('数据报送 uploads')
@ApiBearerAuth()
@Controller()
export class UploadsController {
  constructor(
    private readonly uploads: UploadsService,
    private readonly attachments: AttachmentsService,
  ) {}

  @Post('datasets/:id/files')
  @HttpCode(202)
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: '上传数据文件（CSV/XLSX/JSON/NDJSON，流式），返回归集任务 / upload a data file' })
  async upload(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Req() req: Request): Promise<JobView> {
    const dataset = await this.uploads.writableDataset(staff, departmentScopeOf(staff), id);
    const { result } = await receiveMultipartFile(req, (file, info) => this.uploads.uploadFile(staff, dataset, info.fileName, file));
    return jobView(result);
  }

  @Post('datasets/:id/upload-sessions')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '大文件断点续传：创建上传会话 / open a resumable upload' })
  async open(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: OpenUploadSessionDto): Promise<UploadSessionView> {
    const dataset = await this.uploads.writableDataset(staff, departmentScopeOf(staff), id);
    return this.uploads.openSession(staff, dataset, dto.fileName, dto.size);
  }

  @Head('upload-sessions/:id')
  @ApiOperation({ summary: '查询已接收字节数（Upload-Offset 响应头）/ how much has arrived' })
  async offset(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const s = await this.uploads.session(departmentScopeOf(staff), id);
    res.setHeader('upload-offset', String(s.offset)).setHeader('upload-length', String(s.size)).status(200).end();
  }

  @Get('upload-sessions/:id')
  @ApiOperation({ summary: '上传会话状态 / upload session' })
  session(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string): Promise<UploadSessionView> {
    return this.uploads.session(departmentScopeOf(staff), id);
  }

  @Patch('upload-sessions/:id')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiConsumes('application/offset+octet-stream', 'application/octet-stream')
  @ApiOperation({ summary: '追加分片（请求头 Upload-Offset 为当前偏移；最后一片完成后自动创建归集任务）/ append a chunk' })
  async append(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Req() req: Request): Promise<UploadSessionView> {
    const offset = Number(req.headers['upload-offset']);
    if (!Number.isSafeInteger(offset) || offset < 0) throw IngestErrors.uploadOffsetMismatch(-1, offset);
    return this.uploads.appendChunk(staff, departmentScopeOf(staff), id, offset, req);
  }

  @Post('datasets/:id/attachments')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: '上传附件（PDF、图片等非结构化文件）/ attach a file' })
  async attach(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Req() req: Request) {
    const dataset = await this.uploads.writableDataset(staff, departmentScopeOf(staff), id);
    const { result } = await receiveMultipartFile(req, (file, info) => this.attachments.store(staff, dataset, info.fileName, info.mimeType, file));
    return result;
  }

  @Get('datasets/:id/attachments')
  @ApiOperation({ summary: '附件列表 / attachments' })
  async listAttachments(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string) {
    return this.attachments.list(departmentScopeOf(staff), id);
  }
}
