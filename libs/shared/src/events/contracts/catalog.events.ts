import { IsIn, IsInt, IsISO8601, IsNumber, IsObject, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';
import type { CatalogMetadata } from '../../standard/catalog-metadata';

export const ENTRY_STATUSES = ['draft', 'submitted', 'returned', 'published', 'retired'] as const;
/** 目录状态: 草稿 / 待审核 / 已退回 / 已发布 / 已下架 */
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/** A transition of a catalog entry (目录条目); `version` is the version the transition concerns. */
export class CatalogEntryTransitionV1 {
  @IsUUID() entryId: string;
  @IsInt() @Min(1) version: number;
  @IsUUID() deptId: string;
  @IsString() name: string;
  @IsOptional() @IsString() resourceCode?: string | null;
  @IsIn(ENTRY_STATUSES) status: EntryStatus;
  /** Who caused the transition (staff user id), or `system` for imports and jobs. */
  @IsString() actorId: string;
  @IsISO8601() at: string;
  /** Review comment, retirement reason or change reason. */
  @IsOptional() @IsString() comment?: string | null;
}

/** 目录发布: carries the full published metadata so read models never read catalog tables. */
export class CatalogEntryPublishedV1 extends CatalogEntryTransitionV1 {
  @IsString() override resourceCode: string = '';
  @IsString() deptName: string;
  /** 信息资源提供方代码 (统一社会信用代码) */
  @IsString() @Length(18, 18) providerCode: string;
  @IsString() @Length(6, 6) regionCode: string;
  @IsObject() metadata: CatalogMetadata;
  @IsISO8601() publishedAt: string;
}

/** A working-day time limit (时限) passed without the obligation being met. */
export class CatalogDeadlineOverdueV1 {
  @IsUUID() deadlineId: string;
  @IsString() kind: string;
  @IsUUID() deptId: string;
  @IsString() subjectType: string;
  @IsString() subjectId: string;
  @IsString() dueDate: string;
  @IsInt() limitWorkingDays: number;
}

/** 一数一源 conflict reported to, or resolved by, the data bureau. */
export class CatalogSourceConflictV1 {
  @IsUUID() conflictId: string;
  @IsIn(['duplicate_collection', 'near_duplicate']) kind: 'duplicate_collection' | 'near_duplicate';
  @IsUUID() entryId: string;
  @IsUUID() deptId: string;
  @IsOptional() @IsUUID() otherEntryId?: string | null;
  @IsOptional() @IsUUID() otherDeptId?: string | null;
  @IsOptional() @IsString() elementCode?: string | null;
  @IsOptional() @IsNumber() score?: number | null;
  @IsIn(['open', 'resolved']) status: 'open' | 'resolved';
  @IsOptional() @IsIn(['designate_source', 'merge', 'justify']) resolution?: 'designate_source' | 'merge' | 'justify' | null;
  @IsOptional() @IsString() actorId?: string;
}
