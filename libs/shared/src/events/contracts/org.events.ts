import { IsIn, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

/** 部门登记: a department joined the platform (or its directory data changed). */
export class DepartmentRegisteredV1 {
  @IsUUID() deptId: string;
  @IsString() @MaxLength(100) name: string;
  /** 统一社会信用代码, the department's provider code 信息资源提供方代码. */
  @IsString() @Length(18, 18) creditCode: string;
  /** 行政区划代码 of the region the department belongs to. */
  @IsString() @Length(6, 6) regionCode: string;
  @IsIn(['city', 'district']) level: 'city' | 'district';
  @IsOptional() @IsUUID() parentId?: string | null;
}

/** A staff account was created; carries no secret. */
export class StaffUserCreatedV1 {
  @IsUUID() userId: string;
  @IsString() username: string;
  @IsString() displayName: string;
  @IsUUID() deptId: string;
  @IsString({ each: true }) roles: string[];
}
