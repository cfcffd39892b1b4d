import { IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';

/** Through which door data left the platform. */
export const ACCESS_CHANNELS = ['staff', 'grant', 'open'] as const;
export type AccessChannel = (typeof ACCESS_CHANNELS)[number];

/** What kind of access: a page of records, a file, a push into another database, an offline handover, a preview. */
export const ACCESS_KINDS = ['records', 'download', 'push', 'handover', 'preview', 'sandbox'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/**
 * One data access, allowed or refused (every data access leaves an audit event).
 * The actor (user, app, IP) and the correlation id travel in the envelope; the payload says
 * what was read, under which grant or app, and how much. Shared by sharing and open-api so
 * the audit service reads them the same way.
 */
export class DataAccessV1 {
  @IsIn(ACCESS_CHANNELS) channel: AccessChannel;
  @IsIn(ACCESS_KINDS) kind: AccessKind;
  @IsIn(['allowed', 'denied']) outcome: 'allowed' | 'denied';
  /** Provider side: the dataset, its catalog entry and the providing department. */
  @IsOptional() @IsUUID() datasetId?: string | null;
  @IsOptional() @IsUUID() entryId?: string | null;
  @IsOptional() @IsUUID() providerDeptId?: string | null;
  @IsOptional() @IsInt() @Min(1) version?: number | null;
  /** Consumer side: grant and requesting department/system (sharing), or app and key prefix (open). */
  @IsOptional() @IsUUID() grantId?: string | null;
  @IsOptional() @IsUUID() consumerDeptId?: string | null;
  @IsOptional() @IsString() systemId?: string | null;
  @IsOptional() @IsUUID() appId?: string | null;
  @IsOptional() @IsString() keyPrefix?: string | null;
  /** Item (column) names returned, or asked for when refused. */
  @IsArray() @IsString({ each: true }) fields: string[];
  @IsInt() @Min(0) rowCount: number;
  /** Stable code of the refusal (e.g. GRANT_SCOPE_VIOLATION) when outcome = denied. */
  @IsOptional() @IsString() reasonCode?: string | null;
  @IsOptional() @IsString() reason?: string | null;
  /** Whether any returned field is flagged personal information (masked or not). */
  @IsOptional() personalData?: boolean;
  @IsString() at: string;
}
