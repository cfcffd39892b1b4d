import { IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/**
 * Events of the open-api service (开放) other than data access (open.data.accessed, DataAccessV1).
 * All consumed by audit: who registered, which keys exist, what the bureau and the departments decided.
 */

/** A developer (开发者) registered on the open data portal. */
export class OpenDeveloperRegisteredV1 {
  @IsUUID() developerId: string;
  @IsString() name: string;
  @IsOptional() @IsString() organisation?: string | null;
  @IsString() at: string;
}

/** An app or one of its API keys changed: created, key created/rotated/revoked, tier changed. */
export class OpenAppChangedV1 {
  @IsUUID() appId: string;
  @IsUUID() developerId: string;
  @IsIn(['app_created', 'key_created', 'key_rotated', 'key_revoked', 'tier_changed']) action: 'app_created' | 'key_created' | 'key_rotated' | 'key_revoked' | 'tier_changed';
  @IsOptional() @IsString() keyPrefix?: string | null;
  @IsOptional() @IsString() tier?: string | null;
  @IsString() at: string;
}

/** 有条件开放 application submitted or decided by the providing department (绵阳: 5 个工作日内答复). */
export class OpenApplicationChangedV1 {
  @IsUUID() applicationId: string;
  @IsUUID() entryId: string;
  @IsUUID() deptId: string;
  @IsUUID() appId: string;
  @IsIn(['pending', 'approved', 'refused']) status: 'pending' | 'approved' | 'refused';
  @IsString() dueOn: string;
  @IsOptional() onTime?: boolean | null;
  @IsOptional() @IsString() reasons?: string | null;
  @IsOptional() @IsString() endDate?: string | null;
}

/** 黑名单 entry added or removed by the data bureau. */
export class OpenBlacklistChangedV1 {
  @IsUUID() blacklistId: string;
  @IsIn(['key', 'app', 'ip']) kind: 'key' | 'app' | 'ip';
  @IsString() value: string;
  @IsIn(['added', 'removed']) action: 'added' | 'removed';
  @IsString() reason: string;
}

/** 大规模、持续性利用登记 submitted or decided. */
export class OpenLargeVolumeChangedV1 {
  @IsUUID() registrationId: string;
  @IsUUID() appId: string;
  @IsIn(['pending', 'approved', 'refused']) status: 'pending' | 'approved' | 'refused';
  @IsOptional() @IsString() tier?: string | null;
}

/** Public interaction: 数据纠错, 需求征集 or 意见建议 submitted or answered (answers are public). */
export class OpenFeedbackChangedV1 {
  @IsUUID() feedbackId: string;
  @IsIn(['error_report', 'data_request', 'suggestion']) kind: 'error_report' | 'data_request' | 'suggestion';
  @IsOptional() @IsUUID() entryId?: string | null;
  @IsOptional() @IsUUID() deptId?: string | null;
  @IsIn(['open', 'answered']) status: 'open' | 'answered';
  @IsString() dueOn: string;
}

/** 80% of a daily quota used (once per app or IP per day). */
export class OpenQuotaWarnedV1 {
  @IsIn(['app', 'ip']) scope: 'app' | 'ip';
  @IsString() subject: string;
  @IsInt() @Min(0) used: number;
  @IsInt() @Min(1) limit: number;
  @IsString() day: string;
}
