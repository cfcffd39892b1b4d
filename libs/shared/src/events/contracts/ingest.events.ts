import { IsArray, IsIn, IsInt, IsISO8601, IsNumber, IsObject, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/** 数据集: created for a published catalog entry (一个目录对应一个数据集). */
export class DatasetCreatedV1 {
  @IsUUID() datasetId: string;
  @IsUUID() entryId: string;
  @IsUUID() deptId: string;
  @IsString() resourceCode: string;
  @IsString() name: string;
}

/** A version passed its checks and became current; readers see it from now on. */
export class DatasetVersionPublishedV1 {
  @IsUUID() datasetId: string;
  @IsUUID() entryId: string;
  @IsUUID() deptId: string;
  @IsInt() @Min(1) version: number;
  @IsInt() catalogVersion: number;
  @IsNumber() rowCount: number;
  @IsNumber() rejectedCount: number;
  /** Loaded columns: name and PostgreSQL type. */
  @IsObject({ each: true }) columns: { name: string; type: string }[];
  @IsNumber() qualityScore: number;
  @IsString() source: string;
  @IsOptional() @IsString() actorId?: string | null;
  @IsISO8601() at: string;
  /** The version's rows in object storage (see libs/shared datasets/snapshot): how sharing and open-api get the data. */
  @IsOptional() @IsObject() snapshot?: { key: string; format: 'pg-copy-text'; rows: number; bytes: number; sha256: string } | null;
  /** Columns found to hold personal data that the catalog does not flag: no open output, no unconditional sharing. */
  @IsOptional() @IsArray() @IsString({ each: true }) sensitiveBlockedColumns?: string[];
}

/** A load failed; the previous current version stays current. */
export class DatasetVersionFailedV1 {
  @IsUUID() datasetId: string;
  @IsUUID() deptId: string;
  @IsUUID() jobId: string;
  @IsOptional() @IsInt() version?: number | null;
  @IsString() code: string;
  @IsString() reason: string;
  @IsOptional() @IsString() actorId?: string | null;
}

/** 质量报告 of a version (鄂州 数据治理, 绵阳 巡查). */
export class QualityReportedV1 {
  @IsUUID() datasetId: string;
  @IsUUID() deptId: string;
  @IsInt() version: number;
  @IsNumber() score: number;
  @IsString() grade: string;
  @IsObject() report: Record<string, unknown>;
}

/** The update cycle passed without a new version (黄石: 按期持续做好数据更新). */
export class DatasetOverdueV1 {
  @IsUUID() datasetId: string;
  @IsUUID() deptId: string;
  @IsString() updateCycle: string;
  @IsOptional() @IsISO8601() lastVersionAt?: string | null;
}

/** 整改任务 opened for, or closed by, the providing department. */
export class RectificationChangedV1 {
  @IsUUID() taskId: string;
  @IsUUID() datasetId: string;
  @IsUUID() deptId: string;
  @IsIn(['open', 'closed']) status: 'open' | 'closed';
  @IsString() dueOn: string;
  @IsOptional() @IsInt() closedByVersion?: number | null;
  @IsOptional() @IsString() answer?: string | null;
}

/** Someone read loaded rows (every data access leaves an audit event). */
export class DatasetRowsReadV1 {
  @IsUUID() datasetId: string;
  @IsUUID() deptId: string;
  @IsInt() version: number;
  @IsString() actorId: string;
  @IsOptional() @IsUUID() actorDeptId?: string | null;
  @IsInt() rows: number;
  @IsString() purpose: string;
}

/**
 * 敏感字段发现: the findings of a version changed (scan, re-scan, explanation, decision, new flag).
 * `blockedColumns` empty means nothing blocks open output or unconditional sharing any more.
 */
export class SensitiveFindingsChangedV1 {
  @IsUUID() datasetId: string;
  @IsUUID() entryId: string;
  @IsUUID() deptId: string;
  @IsInt() @Min(1) version: number;
  @IsArray() @IsString({ each: true }) blockedColumns: string[];
  @IsArray() @IsObject({ each: true }) findings: { column: string; kind: string; matches: number; scanned: number; status: string }[];
  /** On a scheduled re-scan: columns with findings the previous scan of the version did not have. */
  @IsArray() @IsString({ each: true }) drift: string[];
}
