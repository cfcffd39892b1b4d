import { DepartmentRegisteredV1, EventContext } from '@gov/shared';
import { Controller, Get } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DepartmentDirectoryService } from './department-directory.service';

@ApiTags('部门目录 department directory')
@ApiBearerAuth()
@Controller('departments')
export class DepartmentDirectoryController {
  constructor(private readonly directory: DepartmentDirectoryService) {}

  @Get()
  @ApiOperation({ summary: '可申请数据的部门 / departments one can request data from' })
  list() {
    return this.directory.list();
  }

  @EventPattern('org.department.registered')
  onDepartmentRegistered(@Payload() event: DepartmentRegisteredV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.directory.apply(ctx.manager, event);
  }
}
