import { IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/** 共享申请状态: 待答复 / 已同意 / 已拒绝 / 已撤回 */
export const SHARE_REQUEST_STATUSES = ['pending', 'approved', 'refused', 'withdrawn'] as const;
export type ShareRequestStatus = (typeof SHARE_REQUEST_STATUSES)[number];

/** 交付方式: 接口 / 文件下载 / 数据库推送 / 离线交换 / 数据沙箱（可用不可见: only checked aggregates leave） */
export const DELIVERY_METHODS = ['interface', 'download', 'push', 'handover', 'sandbox'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

/** A share request (共享申请) was submitted, decided, withdrawn or escalated. */
export class ShareRequestChangedV1 {
  @IsUUID() requestId: string;
  @IsUUID() batchId: string;
  @IsUUID() entryId: string;
  @IsUUID() requesterDeptId: string;
  @IsUUID() providerDeptId: string;
  @IsString() shareType: string;
  @IsIn(SHARE_REQUEST_STATUSES) status: ShareRequestStatus;
  @IsArray() @IsString({ each: true }) items: string[];
  @IsOptional() @IsString() dueDate?: string | null;
  /** approve | approve_narrower | refuse | auto_grant | auto_refuse (decided only). */
  @IsOptional() @IsString() decision?: string | null;
  @IsOptional() @IsString() refusalGround?: string | null;
  @IsOptional() @IsString() comment?: string | null;
  @IsOptional() @IsUUID() grantId?: string | null;
  @IsISO8601() at: string;
}

export const GRANT_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

/** A grant (共享授权) was created, suspended, resumed, revoked, renewed or expired. */
export class GrantChangedV1 {
  @IsUUID() grantId: string;
  @IsUUID() requestId: string;
  @IsUUID() entryId: string;
  @IsUUID() consumerDeptId: string;
  @IsUUID() providerDeptId: string;
  @IsOptional() @IsString() systemName?: string | null;
  @IsIn(GRANT_STATUSES) status: GrantStatus;
  @IsArray() @IsString({ each: true }) items: string[];
  @IsOptional() rowFilter?: unknown;
  @IsString() validTo: string;
  @IsIn(DELIVERY_METHODS) deliveryMethod: DeliveryMethod;
  @IsOptional() @IsString() reason?: string | null;
  @IsISO8601() at: string;
}

/** 授权凭证: a key of a grant's using system was issued, rotated or revoked (the key itself never travels). */
export class GrantCredentialChangedV1 {
  @IsUUID() grantId: string;
  @IsUUID() entryId: string;
  @IsUUID() consumerDeptId: string;
  @IsUUID() providerDeptId: string;
  @IsUUID() credentialId: string;
  @IsString() keyPrefix: string;
  @IsIn(['issued', 'rotated', 'revoked']) action: 'issued' | 'rotated' | 'revoked';
  /** Rotation: the credential it replaces and when that one stops working (now, or after the overlap). */
  @IsOptional() @IsUUID() replacedCredentialId?: string | null;
  @IsOptional() @IsISO8601() replacedEndsAt?: string | null;
  @IsISO8601() at: string;
}

/** 校核纠错: a feedback / rectification task changed state. */
export class ShareFeedbackChangedV1 {
  @IsUUID() feedbackId: string;
  @IsUUID() entryId: string;
  @IsUUID() reporterDeptId: string;
  @IsUUID() providerDeptId: string;
  @IsIn(['open', 'acknowledged', 'fixed', 'answered', 'confirmed']) status: string;
  @IsString() kind: string;
  @IsString() dueDate: string;
  @IsOptional() @IsInt() @Min(1) fixedVersion?: number | null;
  @IsOptional() @IsString() answer?: string | null;
  @IsISO8601() at: string;
}

/** 供需对接: a data need was posted, assigned or answered. */
export class DataNeedChangedV1 {
  @IsUUID() needId: string;
  @IsUUID() deptId: string;
  @IsIn(['open', 'assigned', 'answered']) status: string;
  @IsString() title: string;
  @IsOptional() @IsUUID() assignedDeptId?: string | null;
  @IsOptional() @IsUUID() answerEntryId?: string | null;
  @IsOptional() @IsString() answer?: string | null;
  @IsISO8601() at: string;
}

/** 数据回流: a lower-level department subscribed to, or cancelled, city data about its jurisdiction. */
export class ReturnSubscriptionChangedV1 {
  @IsUUID() subscriptionId: string;
  @IsUUID() entryId: string;
  @IsUUID() subscriberDeptId: string;
  @IsUUID() providerDeptId: string;
  @IsString() regionColumn: string;
  @IsString() regionValue: string;
  @IsIn(['active', 'cancelled']) status: string;
  @IsISO8601() at: string;
}
