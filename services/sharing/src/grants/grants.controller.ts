import { CurrentStaff, departmentScopeOf, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { GrantsService } from './grants.service';

export class GrantReasonDto {
  @ApiProperty() @IsString() @MinLength(2) @MaxLength(500) reason: string;
}
export class GrantResumeDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}
export class GrantRenewDto {
  @ApiProperty({ description: '新的截止日期 YYYY-MM-DD' }) @IsISO8601({ strict: true }) validTo: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) reason?: string;
}
export class RotateCredentialDto {
  @ApiPropertyOptional({
    default: 0,
    minimum: 0,
    maximum: 1440,
    description: '旧凭证在轮换后继续有效的分钟数（过渡期，0 为立即吊销，最多 24 小时）/ minutes the old key stays valid (0 = revoked at once)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1440)
  overlapMinutes?: number;
}
export class GrantListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['consumer', 'provider'] }) @IsOptional() @IsIn(['consumer', 'provider']) side?: 'consumer' | 'provider';
  @ApiPropertyOptional({ enum: ['active', 'suspended', 'revoked', 'expired'] }) @IsOptional() @IsIn(['active', 'suspended', 'revoked', 'expired']) status?: string;
}

@ApiTags('共享授权 grants')
@ApiBearerAuth()
@Controller('grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  @ApiOperation({ summary: '共享授权（本部门作为使用方或提供方；最新在前，分页）/ grants, newest first, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: GrantListQuery) {
    return this.grants.list(staff, q);
  }

  @Get(':id')
  @ApiOperation({ summary: '授权详情 / one grant' })
  get(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.grants.get(departmentScopeOf(staff), id);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '暂停授权（提供方）/ suspend' })
  suspend(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: GrantReasonDto) {
    return this.grants.suspend(staff, id, dto.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '恢复授权 / resume' })
  resume(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: GrantResumeDto) {
    return this.grants.resume(staff, id, dto.reason ?? null);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '撤销授权 / revoke' })
  revoke(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: GrantReasonDto) {
    return this.grants.revoke(staff, id, dto.reason);
  }

  @Post(':id/renew')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '续期 / renew' })
  renew(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: GrantRenewDto) {
    return this.grants.renew(staff, id, dto.validTo, dto.reason ?? null);
  }

  @Post(':id/credentials')
  @Roles('dept_operator')
  @ApiOperation({ summary: '为申请系统签发授权凭证（只显示一次）/ issue a grant-scoped credential' })
  issue(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.grants.issueCredential(staff, id);
  }

  @Get(':id/credentials')
  @ApiOperation({ summary: '授权凭证列表 / credentials of a grant' })
  credentials(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.grants.credentials(staff, id);
  }

  @Post(':id/credentials/:credentialId/rotate')
  @HttpCode(200)
  @Roles('dept_operator')
  @ApiOperation({
    summary: '轮换凭证：签发新凭证（只显示一次）并吊销旧凭证，一个事务 / rotate a credential atomically',
    description:
      '一个事务内签发新凭证并为旧凭证设定吊销时间：overlapMinutes 缺省为 0（旧凭证立即失效）；可设 1–1440 分钟的过渡期，' +
      '期间新旧凭证都可调用，便于使用系统无中断切换（过渡期内仍可随时 DELETE 立即吊销旧凭证）。只有申请部门的经办人可轮换有效授权的有效凭证；' +
      '已吊销或已轮换的凭证答 409 GRANT_CREDENTIAL_REVOKED，两次并发轮换只有一次成功。答复：新凭证 { id, key, keyPrefix, grantId } 和 replaced { id, keyPrefix, revokedAt }。\n\n' +
      'One transaction issues the new key (shown once) and sets the old key\'s end: now by default, or after overlapMinutes (1–1440) so the using system ' +
      'can switch without a gap (the old key can still be revoked at once with DELETE). A revoked or already rotated key answers 409; of two concurrent rotations only one succeeds. ' +
      'Other replicas stop accepting the old key within their credential cache time (seconds).',
  })
  rotate(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Param('credentialId', ParseUUIDPipe) credentialId: string, @Body() dto: RotateCredentialDto) {
    return this.grants.rotateCredential(staff, id, credentialId, dto?.overlapMinutes ?? 0);
  }

  @Delete(':id/credentials/:credentialId')
  @HttpCode(204)
  @ApiOperation({ summary: '吊销凭证 / revoke a credential' })
  revokeCredential(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Param('credentialId', ParseUUIDPipe) credentialId: string) {
    return this.grants.revokeCredential(staff, id, credentialId);
  }
}
