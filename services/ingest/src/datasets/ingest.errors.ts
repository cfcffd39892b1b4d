import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

export const IngestErrors = {
  datasetNotFound: (id: string) => new DomainException('DATASET_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `数据集不存在或无权访问：${id}`, en: `Dataset not found: ${id}` }),
  notOwner: () => new DomainException('DATASET_NOT_OWNED', HttpStatus.FORBIDDEN, { zh: '只能向本部门的数据集归集数据', en: 'You may only load data into your own department’s datasets' }),
  retired: () => new DomainException('DATASET_RETIRED', HttpStatus.CONFLICT, { zh: '目录已下架，数据集不再接收数据', en: 'The catalog entry is retired; the dataset takes no new data' }),
  versionNotFound: (v: number) => new DomainException('VERSION_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `版本不存在：${v}`, en: `Version not found: ${v}` }),
  versionDropped: (v: number) => new DomainException('VERSION_DROPPED', HttpStatus.GONE, { zh: `版本 ${v} 的数据已按保留策略清理`, en: `The data of version ${v} was dropped by the retention policy` }),
  noCurrentVersion: () => new DomainException('NO_CURRENT_VERSION', HttpStatus.NOT_FOUND, { zh: '数据集尚无生效版本', en: 'The dataset has no current version yet' }),
  jobNotFound: (id: string) => new DomainException('JOB_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `归集任务不存在：${id}`, en: `Job not found: ${id}` }),
  badFileName: (name: string) => new DomainException('FILE_NAME_INVALID', HttpStatus.BAD_REQUEST, { zh: `文件名不合法：${name}`, en: `Invalid file name: ${name}` }),
  noFile: () => new DomainException('FILE_MISSING', HttpStatus.BAD_REQUEST, { zh: '请以 multipart/form-data 的 file 字段上传文件', en: 'Send the file as the `file` field of multipart/form-data' }),
  emptyFile: () => new DomainException('EMPTY_FILE', HttpStatus.UNPROCESSABLE_ENTITY, { zh: '上传的文件为空', en: 'The uploaded file is empty' }),
  uploadSessionNotFound: (id: string) => new DomainException('UPLOAD_SESSION_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `上传会话不存在：${id}`, en: `Upload session not found: ${id}` }),
  uploadOffsetMismatch: (expected: number, got: number) =>
    new DomainException('UPLOAD_OFFSET_MISMATCH', HttpStatus.CONFLICT, { zh: `分片偏移量不符：服务器已收到 ${expected} 字节，请求为 ${got}`, en: `Upload-Offset mismatch: have ${expected}, got ${got}` }, { offset: expected }),
  uploadTooLarge: (size: number) => new DomainException('UPLOAD_EXCEEDS_SIZE', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `分片超出声明的文件大小 ${size} 字节`, en: `The chunk goes beyond the declared size ${size}` }),
  uploadClosed: () => new DomainException('UPLOAD_SESSION_CLOSED', HttpStatus.CONFLICT, { zh: '上传会话已完成或已取消', en: 'The upload session is complete or aborted' }),
};

/** Only names without paths or control characters; the stored key never uses it anyway. */
export function safeFileName(name: string | undefined): string {
  const n = (name ?? '').normalize('NFC');
  if (!n || n.length > 255 || /[\\/\u0000-\u001f]/.test(n) || n === '.' || n === '..' || n.includes('..')) throw IngestErrors.badFileName(name ?? '');
  return n;
}
