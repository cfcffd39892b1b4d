import { CurrentStaff, Public, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Request } from 'express';
import { DeveloperAuth } from './developer-auth';
import { SubmissionsQuery } from './developer-submissions';
import { DevelopersService } from './developers.service';

export class RegisterDeveloperDto {
  @ApiProperty() @IsEmail() @MaxLength(200) email: string;
  @ApiProperty({ minLength: 8 }) @IsString() @MinLength(8) @MaxLength(200) password: string;
  @ApiProperty({ description: '姓名或昵称' }) @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional({ description: '所在单位' }) @IsOptional() @IsString() @MaxLength(200) organisation?: string;
}

export class LoginDeveloperDto {
  @ApiProperty() @IsString() @MaxLength(200) email: string;
  @ApiProperty() @IsString() @MaxLength(200) password: string;
}

export class CreateAppDto {
  @ApiProperty({ description: '应用名称' }) @IsString() @MinLength(1) @MaxLength(100) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

export class LargeVolumeDto {
  @ApiProperty({ description: '利用目的与场景' }) @IsString() @MinLength(10) @MaxLength(2000) purpose: string;
  @ApiProperty({ description: '预计日调用量' }) @Type(() => Number) @IsInt() @Min(1) @Max(100_000_000) expectedDailyCalls: number;
}

export class DecideLargeVolumeDto {
  @ApiProperty() @IsBoolean() approve: boolean;
  @ApiPropertyOptional({ description: '批准后的等级（默认 registered）' }) @IsOptional() @IsString() @MaxLength(40) tier?: string;
}

export class UsageQuery {
  @ApiPropertyOptional({ maximum: 366 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(366) days?: number;
}

export class ListRegistrationsQuery {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'refused'] }) @IsOptional() @IsIn(['pending', 'approved', 'refused']) status?: string;
}

/** Developer accounts, apps and keys. Developer endpoints take `Authorization: Bearer <developer token>`. */
@ApiTags('开发者 developers')
@Controller('v1/developers')
export class DevelopersController {
  constructor(
    private readonly developers: DevelopersService,
    private readonly auth: DeveloperAuth,
  ) {}

  @Post()
  @Public()
  @ApiOperation({ summary: '开发者注册 / register as a developer' })
  register(@Body() dto: RegisterDeveloperDto) {
    return this.developers.register(dto);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: '开发者登录 / developer login' })
  login(@Body() dto: LoginDeveloperDto) {
    return this.developers.login(dto.email, dto.password);
  }

  @Get('me/apps')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '我的应用与密钥（不含密钥明文）/ my apps and keys (prefixes only)' })
  apps(@Req() req: Request) {
    return this.developers.listApps(this.auth.require(req));
  }

  @Get('me/submissions')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({
    summary: '我的提交：评分、评论、数据纠错、需求征集、意见建议、应用展示（含公开答复与状态），分页 { items, total, page, pageSize, counts } / my submissions',
  })
  submissions(@Req() req: Request, @Query() q: SubmissionsQuery) {
    return this.developers.submissions(this.auth.require(req), q);
  }

  @Post('me/apps')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '创建应用（返回首个密钥，仅显示一次）/ create an app; its first key is shown once' })
  createApp(@Req() req: Request, @Body() dto: CreateAppDto) {
    return this.developers.createApp(this.auth.require(req), dto);
  }

  @Post('me/apps/:appId/keys')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '新增密钥 / add a key' })
  createKey(@Req() req: Request, @Param('appId') appId: string) {
    return this.developers.createKey(this.auth.require(req), appId);
  }

  @Post('me/apps/:appId/keys/:keyId/rotate')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '轮换密钥（旧密钥立即失效）/ rotate a key: new key now, old one revoked' })
  rotate(@Req() req: Request, @Param('appId') appId: string, @Param('keyId') keyId: string) {
    return this.developers.rotateKey(this.auth.require(req), appId, keyId);
  }

  @Post('me/apps/:appId/keys/:keyId/revoke')
  @Public()
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({ summary: '吊销密钥 / revoke a key' })
  revoke(@Req() req: Request, @Param('appId') appId: string, @Param('keyId') keyId: string) {
    return this.developers.revokeKey(this.auth.require(req), appId, keyId);
  }

  @Get('me/apps/:appId/usage')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '调用统计（每日调用、行数、错误）/ usage per day' })
  usage(@Req() req: Request, @Param('appId') appId: string, @Query() q: UsageQuery) {
    return this.developers.usage(this.auth.require(req), appId, q.days);
  }

  @Post('me/apps/:appId/large-volume')
  @Public()
  @ApiBearerAuth()
  @ApiOperation({ summary: '大规模、持续性利用登记 / register large-volume use for a higher tier' })
  largeVolume(@Req() req: Request, @Param('appId') appId: string, @Body() dto: LargeVolumeDto) {
    return this.developers.registerLargeVolume(this.auth.require(req), appId, dto);
  }
}

/** The data bureau's side: large-volume registrations. */
@ApiTags('开放管理 open data administration')
@ApiBearerAuth()
@Controller('v1/admin/large-volume')
export class LargeVolumeAdminController {
  constructor(private readonly developers: DevelopersService) {}

  @Get()
  @Roles('data_admin')
  @ApiOperation({ summary: '大规模利用登记列表 / large-volume registrations' })
  list(@Query() q: ListRegistrationsQuery) {
    return this.developers.listLargeVolume(q.status);
  }

  @Post(':id/decide')
  @Roles('data_admin')
  @HttpCode(200)
  @ApiOperation({ summary: '审核大规模利用登记 / approve (raise the tier) or refuse' })
  decide(@CurrentStaff() staff: StaffPrincipal, @Param('id') id: string, @Body() dto: DecideLargeVolumeDto) {
    return this.developers.decideLargeVolume(staff, id, dto);
  }
}
