import { Roles } from '@gov/shared';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DepartmentResponseDto, ListDepartmentsQuery, RegisterDepartmentDto } from './dto/register-department.dto';
import { OrganizationService } from './organization.service';

@ApiTags('部门 departments')
@ApiBearerAuth()
@Controller('departments')
export class OrganizationController {
  constructor(private readonly organization: OrganizationService) {}

  @Post()
  @Roles('data_admin')
  @ApiOperation({ summary: '登记部门 / register a department' })
  register(@Body() dto: RegisterDepartmentDto): Promise<DepartmentResponseDto> {
    return this.organization.register(dto);
  }

  @Get()
  @ApiOperation({ summary: '部门列表 / list departments' })
  list(@Query() query: ListDepartmentsQuery): Promise<DepartmentResponseDto[]> {
    return this.organization.list(query.q);
  }
}
