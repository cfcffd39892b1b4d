import { CurrentStaff, departmentScopeOf, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
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
export class GrantListQuery {
  @ApiPropertyOptional({ enum: ['consumer', 'provider'] }) @IsOptional() @IsIn(['consumer', 'provider']) side?: 'consumer' | 'provider';
  @ApiPropertyOptional({ enum: ['active', 'suspended', 'revoked', 'expired'] }) @IsOptional() @IsIn(['active', 'suspended', 'revoked', 'expired']) status?: string;
}

@ApiTags('共享授权 grants')
@ApiBearerAuth()
@Controller('grants')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Get()
  @ApiOperation({ summary: '共享授权（本部门作为使用方或提供方）/ grants' })
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

  @Delete(':id/credentials/:credentialId')
  @HttpCode(204)
  @ApiOperation({ summary: '吊销凭证 / revoke a credential' })
  revokeCredential(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Param('credentialId', ParseUUIDPipe) credentialId: string) {
    return this.grants.revokeCredential(staff, id, credentialId);
  }
}
