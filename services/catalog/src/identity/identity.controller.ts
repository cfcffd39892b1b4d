import { CurrentStaff, Public, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateStaffUserDto, LoginDto, StaffProfileDto, TokenResponseDto } from './dto/identity.dto';
import { IdentityService } from './identity.service';

@ApiTags('身份 identity')
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: '工作人员登录 / staff log-in, returns a JWT bearer token' })
  login(@Body() dto: LoginDto): Promise<TokenResponseDto> {
    return this.identity.login(dto.username, dto.password);
  }

  @Get('auth/me')
  @ApiBearerAuth()
  @ApiOperation({ summary: '当前用户 / who am I' })
  me(@CurrentStaff() staff: StaffPrincipal): StaffProfileDto {
    return this.identity.profile(staff);
  }

  @Post('users')
  @Roles('data_admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: '创建工作人员账号 / create a staff account' })
  create(@Body() dto: CreateStaffUserDto): Promise<StaffProfileDto> {
    return this.identity.create(dto);
  }
}
