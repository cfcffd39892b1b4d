import { IsArray, IsIn, IsInt, IsISO8601, IsNumber, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/** 数据沙箱 job outcomes: released (results kept for download), refused (a rule said no), failed (stopped: timeout, limits). */
export const SANDBOX_JOB_STATUSES = ['released', 'refused', 'failed'] as const;
export type SandboxJobStatus = (typeof SANDBOX_JOB_STATUSES)[number];

/** A data-sandbox (可用不可见) job ran or was refused: who, under which grants, the SQL, result size, decision. */
export class SandboxJobRecordedV1 {
  @IsUUID() jobId: string;
  @IsArray() @IsUUID('all', { each: true }) grantIds: string[];
  @IsUUID() consumerDeptId: string;
  @IsString() userId: string;
  /** 授权运营: the operator organisation the job ran for, if any. */
  @IsOptional() @IsUUID() operatorId?: string | null;
  @IsString() sql: string;
  @IsIn(SANDBOX_JOB_STATUSES) status: SandboxJobStatus;
  @IsOptional() @IsString() reasonCode?: string | null;
  @IsOptional() @IsString() reason?: string | null;
  @IsInt() @Min(0) resultRows: number;
  @IsInt() @Min(0) durationMs: number;
  @IsISO8601() at: string;
}

/**
 * 聚合风险: a release was refused because its quasi-identifiers single people out (k below the minimum).
 * `grant`: sharing refused a grant (requestId and consumerDeptId set); `open`: open-api refused to open
 * a dataset's version (neither set; the dataset stays withheld until a version passes).
 */
export class AggregationRiskRefusedV1 {
  @IsIn(['grant', 'open']) context: 'grant' | 'open';
  @IsOptional() @IsUUID() requestId?: string | null;
  @IsUUID() entryId: string;
  @IsOptional() @IsUUID() consumerDeptId?: string | null;
  @IsArray() @IsString({ each: true }) columns: string[];
  @IsArray() @IsString({ each: true }) offending: string[];
  /** The release's minimum group size (0 when there are no rows). */
  @IsNumber() k: number;
  @IsInt() @Min(1) requiredK: number;
  @IsInt() @Min(0) rowsAtRisk: number;
  @IsISO8601() at: string;
}

/** 授权运营: an operator organisation was registered, changed or ended by the data bureau. */
export class OperatorChangedV1 {
  @IsUUID() operatorId: string;
  @IsString() name: string;
  @IsString() creditCode: string;
  @IsIn(['active', 'suspended', 'ended']) status: string;
  @IsString() contractFrom: string;
  @IsString() contractTo: string;
  @IsArray() @IsUUID('all', { each: true }) entryIds: string[];
  @IsArray() @IsString({ each: true }) scenarios: string[];
  @IsISO8601() at: string;
}
